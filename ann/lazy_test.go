package ann

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// lazyFixture is an index over rows of which every fifth is no node, with
// ids 3*row+1, its stored records and what LoadLazy needs to open it.
type lazyFixture struct {
	x       *Index
	ids     []uint32 // row -> id
	rows    []float32
	recs    map[uint32][]byte
	meta    []byte
	queries [][]float32
	fetches atomic.Int64
}

func newLazyFixture(t *testing.T, n int, int8 bool) *lazyFixture {
	t.Helper()
	rng := rand.New(rand.NewSource(11))
	const dim = 16
	data := clustered(rng, n+50, dim, 20, 0.4)
	f := &lazyFixture{x: New(dim, Config{M: 6, EfConstruction: 40, Seed: 1, Int8: int8}), recs: map[uint32][]byte{}}
	f.ids = make([]uint32, n)
	f.rows = make([]float32, n*dim)
	for r := 0; r < n; r++ {
		f.ids[r] = uint32(3*r + 1)
		if r%5 == 4 {
			continue
		}
		if err := f.x.Insert(f.ids[r], data[r]); err != nil {
			t.Fatal(err)
		}
		copy(f.rows[r*dim:], f.x.Vector(f.ids[r]))
	}
	f.x.TakeDirty()
	for _, id := range f.ids {
		if rec := f.x.MarshalNode(id); rec != nil {
			f.recs[id] = rec
		}
	}
	f.meta = f.x.MarshalMeta()
	f.queries = data[n:]
	return f
}

func (f *lazyFixture) rowOf(id uint32) (int, bool) {
	if id%3 != 1 || int(id/3) >= len(f.ids) {
		return 0, false
	}
	return int(id / 3), true
}

func (f *lazyFixture) open(t *testing.T, shared bool) *Index {
	t.Helper()
	dim := f.x.Dim()
	var rows []float32
	if shared {
		rows = f.rows
	}
	y, err := LoadLazy(f.meta, f.ids, rows, f.rowOf, func(ids []uint32, rs []int, vecs []float32, recs [][]byte) error {
		f.fetches.Add(int64(len(ids)))
		for i, id := range ids {
			if vecs != nil {
				copy(vecs[i*dim:], f.rows[rs[i]*dim:(rs[i]+1)*dim])
			}
			rec, ok := f.recs[id]
			if !ok {
				return ErrCorrupt
			}
			recs[i] = rec
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func TestLoadLazySameAnswers(t *testing.T) {
	for _, int8 := range []bool{false, true} {
		f := newLazyFixture(t, 4000, int8)
		for _, shared := range []bool{false, true} {
			f.fetches.Store(0)
			y := f.open(t, shared)
			if !y.Lazy() || y.Filled() != 0 || y.Len() != f.x.Len() {
				t.Fatalf("fresh lazy index: lazy %v, filled %d, len %d", y.Lazy(), y.Filled(), y.Len())
			}
			// The first query fills a small part of the graph.
			first, err := y.SearchErr(f.queries[0], 10, 20, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := f.x.Search(f.queries[0], 10, 20, nil); !slices.Equal(first, want) {
				t.Fatalf("int8 %v shared %v: first query\n%v\nwant %v", int8, shared, first, want)
			}
			if n := y.Filled(); n == 0 || n > f.x.Len()/4 {
				t.Errorf("int8 %v shared %v: the first query filled %d of %d nodes", int8, shared, n, f.x.Len())
			}
			sameSearch(t, f.x, y, f.queries)
			for _, q := range f.queries {
				for _, rescore := range []int{1, 4} {
					if a, b := f.x.SearchWith(q, 5, 30, rescore, nil), y.SearchWith(q, 5, 30, rescore, nil); !slices.Equal(a, b) {
						t.Fatalf("int8 %v: rescore %d differs:\n%v\n%v", int8, rescore, a, b)
					}
				}
			}
			// A node is fetched once, however many searches reach it.
			if got := f.fetches.Load(); got != int64(y.Filled()) {
				t.Errorf("%d fetches for %d filled nodes", got, y.Filled())
			}
			if err := y.Insert(1, f.queries[0]); !errors.Is(err, ErrLazy) {
				t.Errorf("Insert into a lazy index: %v", err)
			}
			if err := y.Delete(1); !errors.Is(err, ErrLazy) {
				t.Errorf("Delete from a lazy index: %v", err)
			}
			if n := y.DeleteBatch([]uint32{1, 4}); n != 0 {
				t.Errorf("DeleteBatch on a lazy index deleted %d", n)
			}
			if _, err := y.WriteTo(io.Discard); !errors.Is(err, ErrLazy) {
				t.Errorf("WriteTo of a lazy index: %v", err)
			}
			if err := y.Build(context.Background(), []uint32{1}, f.queries[:1], 1, nil); !errors.Is(err, ErrLazy) {
				t.Errorf("Build into a lazy index: %v", err)
			}
		}
	}
}

// Concurrent first searches fill the graph once, race-free (go test -race
// -run TestLoadLazyConcurrent).
func TestLoadLazyConcurrent(t *testing.T) {
	f := newLazyFixture(t, 2000, true)
	y := f.open(t, false)
	want := make([][]Result, len(f.queries))
	for i, q := range f.queries {
		want[i] = f.x.Search(q, 10, 40, nil)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range f.queries {
				i := (i + g*7) % len(f.queries)
				got, err := y.SearchErr(f.queries[i], 10, 40, 0, nil)
				if err != nil {
					errs <- err
					return
				}
				if !slices.Equal(got, want[i]) {
					errs <- errors.New("a concurrent search differs from the eager index")
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := f.fetches.Load(); got < int64(y.Filled()) || y.Filled() > f.x.Len() {
		t.Errorf("%d fetches for %d filled nodes", got, y.Filled())
	}
}

// A damaged record that a search reaches fails that search with
// ErrCorrupt; searches that do not reach it still answer.
func TestLoadLazyDamaged(t *testing.T) {
	for _, int8 := range []bool{false, true} {
		f := newLazyFixture(t, 1000, int8)
		q := f.queries[0]
		top := f.x.Search(q, 1, 40, nil)[0].ID // reached by q: it is its answer
		entryID := f.x.ids[f.x.entry]
		orig := f.recs[top]
		damages := map[string][]byte{
			"truncated":      orig[:len(orig)-1],
			"trailing":       append(slices.Clone(orig), 0),
			"level too high": append([]byte{byte(f.x.maxLevel + 1)}, orig[1:]...),
			"empty":          nil,
		}
		if orig[0] == 0 && orig[1] > 0 { // level 0: the first link is orig[2]
			d := slices.Clone(orig)
			d[2] = 2 // id 2 is no row (ids are 3r+1)
			damages["link to a missing node"] = d
			d = slices.Clone(orig)
			d[2] = byte(top) // itself, when the id fits one byte
			if top < 128 {
				damages["link to itself"] = d
			}
		}
		if int8 {
			d := slices.Clone(orig)
			d[len(d)-6] ^= 1 // a code: the checksum fails
			damages["int8 code"] = d
		}
		for name, rec := range damages {
			f.recs[top] = rec
			y := f.open(t, false)
			if _, err := y.SearchErr(q, 1, 40, 0, nil); !errors.Is(err, ErrCorrupt) {
				t.Errorf("int8 %v, %s: %v, want ErrCorrupt", int8, name, err)
			}
			if res := y.SearchWith(q, 1, 40, 0, nil); res != nil {
				t.Errorf("int8 %v, %s: SearchWith answered %v", int8, name, res)
			}
			// Again: the node is not half filled by the failed attempt.
			if _, err := y.SearchErr(q, 1, 40, 0, nil); !errors.Is(err, ErrCorrupt) {
				t.Errorf("int8 %v, %s, second search: %v", int8, name, err)
			}
		}
		f.recs[top] = orig
		// A missing record (and the fetch function's own error).
		delete(f.recs, entryID)
		if _, err := f.open(t, false).SearchErr(q, 1, 40, 0, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("missing entry record: %v", err)
		}
		// A vector that is not unit length in a cosine index.
		f.recs[entryID] = f.x.MarshalNode(entryID)
		r, _ := f.rowOf(entryID)
		f.rows[r*f.x.Dim()] += 0.5
		if _, err := f.open(t, false).SearchErr(q, 1, 40, 0, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("non-unit vector: %v", err)
		}
	}
	// A link on an upper layer to a node that lacks the layer.
	f := newLazyFixture(t, 1000, false)
	if f.x.maxLevel == 0 {
		t.Fatal("want a graph with upper layers")
	}
	var low uint32
	for s, lv := range f.x.levels {
		if lv == 0 {
			low = f.x.ids[s]
			break
		}
	}
	entryID := f.x.ids[f.x.entry]
	rec := binary.AppendUvarint(nil, uint64(f.x.maxLevel))
	for lc := 0; lc <= f.x.maxLevel; lc++ {
		rec = binary.AppendUvarint(binary.AppendUvarint(rec, 1), uint64(low))
	}
	f.recs[entryID] = rec
	r, _ := f.rowOf(low)
	q := f.rows[r*f.x.Dim() : (r+1)*f.x.Dim()] // low is the closest: the walk moves to it
	if _, err := f.open(t, false).SearchErr(q, 1, 40, 0, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("upper-layer link to a level-0 node: %v", err)
	}
	// The entry point must be a row.
	f = newLazyFixture(t, 100, false)
	if _, err := LoadLazy(f.meta, f.ids[:10], nil, f.rowOf, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("meta counting more nodes than rows: %v", err)
	}
}
