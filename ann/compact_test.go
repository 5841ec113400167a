package ann

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// reload writes x whole and reads it back (ReadFrom, like Load, leaves the
// graph compact).
func reload(t *testing.T, x *Index) *Index {
	t.Helper()
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	y, err := ReadFrom(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// sameIndex fails unless a and b answer every query alike (ids, order and
// distances; with and without a filter; int8 rescoring factors) and hold
// the same nodes with the same records.
func sameIndex(t *testing.T, a, b *Index, queries [][]float32, ids []uint32) {
	t.Helper()
	keep := func(id uint32) bool { return id%3 != 0 }
	for _, q := range queries {
		for _, f := range []func(uint32) bool{nil, keep} {
			for _, rescore := range []int{1, 4} {
				ra, rb := a.SearchWith(q, 10, 40, rescore, f), b.SearchWith(q, 10, 40, rescore, f)
				if len(ra) == 0 || !slices.Equal(ra, rb) {
					t.Fatalf("search differs:\n%v\n%v", ra, rb)
				}
			}
		}
	}
	if a.Len() != b.Len() {
		t.Fatalf("Len %d and %d", a.Len(), b.Len())
	}
	for _, id := range ids {
		if a.Contains(id) != b.Contains(id) || !bytes.Equal(a.MarshalNode(id), b.MarshalNode(id)) ||
			!slices.Equal(a.Vector(id), b.Vector(id)) {
			t.Fatalf("node %d differs", id)
		}
	}
	if !bytes.Equal(a.MarshalMeta(), b.MarshalMeta()) {
		t.Fatal("meta records differ")
	}
}

func TestCompactLoad(t *testing.T) {
	for _, int8 := range []bool{false, true} {
		for _, dense := range []bool{true, false} {
			t.Run(fmt.Sprintf("int8=%v/dense=%v", int8, dense), func(t *testing.T) {
				const n, dim = 2000, 16
				rng := rand.New(rand.NewSource(5))
				data := clustered(rng, n+100, dim, 20, 0.5)
				ids := make([]uint32, n)
				for i := range ids {
					ids[i] = uint32(i)
					if !dense {
						ids[i] = uint32(5*i + 3)
					}
				}
				x := New(dim, Config{M: 8, EfConstruction: 60, Seed: 3, Int8: int8})
				for i, id := range ids {
					if err := x.Insert(id, data[i]); err != nil {
						t.Fatal(err)
					}
				}
				x.TakeDirty()
				y := reload(t, x)
				if x.cg != nil || y.cg == nil || y.l0 != nil || y.upper != nil {
					t.Fatal("a built index is padded, a loaded one compact")
				}
				if y.identity != dense || (y.ids == nil) != dense || (y.slotOf == nil) != dense {
					t.Fatalf("identity %v with ids %v: dense %v", y.identity, y.ids != nil, dense)
				}
				deg := 0
				for _, id := range ids {
					s, _ := x.lookup(id)
					deg += len(x.linksOf(s, 0))
				}
				if len(y.cg.l0) != deg || cap(y.cg.l0) != deg {
					t.Fatalf("compact layer 0 holds %d links (cap %d), the graph has %d", len(y.cg.l0), cap(y.cg.l0), deg)
				}
				// Layer 0 alone: 2M+1 words a node padded, degree+1 compact.
				if saved := x.MemoryBytes() - y.MemoryBytes(); saved < int64(4*(n*x.stride-deg-n-1)) {
					t.Errorf("compact saves %d bytes, layer 0 alone should save %d", saved, 4*(n*x.stride-deg-n-1))
				}
				mustCheck(t, y)
				absent := []uint32{uint32(5 * n), uint32(5*n + 3), 1 << 30}
				sameIndex(t, x, y, data[n:], append(slices.Clone(ids), absent...))
				// The compact index writes the same stream.
				var a, b bytes.Buffer
				if _, err := x.WriteTo(&a); err != nil {
					t.Fatal(err)
				}
				if _, err := y.WriteTo(&b); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
					t.Fatalf("WriteTo of the compact index differs (%v)", err)
				}

				// A failed write leaves it compact; the first write
				// converts it, and both go on alike.
				if err := y.Delete(uint32(5 * n)); !errors.Is(err, ErrNotFound) || y.cg == nil {
					t.Fatalf("Delete of an absent id: %v, compact %v", err, y.cg != nil)
				}
				if y.DeleteBatch(absent) != 0 || y.cg == nil {
					t.Fatal("DeleteBatch of absent ids converted the index")
				}
				ops := []func(z *Index) error{
					func(z *Index) error { return z.Delete(ids[7]) },
					func(z *Index) error { return z.Insert(ids[9], data[n+1]) }, // replace
					func(z *Index) error { return z.Insert(uint32(5*n+3), data[n+2]) },
					func(z *Index) error { z.DeleteBatch(ids[100:300]); return nil },
					func(z *Index) error { return z.Insert(ids[150], data[n+3]) }, // a freed slot
				}
				for i, op := range ops {
					if err := op(x); err != nil {
						t.Fatal(err)
					}
					if err := op(y); err != nil {
						t.Fatal(err)
					}
					if y.cg != nil || y.identity {
						t.Fatalf("op %d: still compact after a write", i)
					}
					mustCheck(t, y)
					sameIndex(t, x, y, data[n:], append(slices.Clone(ids), absent...))
				}
				if a, b := x.TakeDirty(), y.TakeDirty(); !slices.Equal(a, b) {
					t.Fatalf("dirty ids differ: %v\n%v", a, b)
				}
				// And reloading the changed index is compact again.
				z := reload(t, y)
				if z.cg == nil || z.identity {
					t.Fatalf("reload after writes: compact %v identity %v", z.cg != nil, z.identity)
				}
				sameIndex(t, x, z, data[n:], ids)
			})
		}
	}
}

func TestCompactLoadShared(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const dim = 16
	data := clustered(rng, 600, dim, 5, 0.5)
	x := New(dim, Config{M: 6, EfConstruction: 40, Seed: 1, Int8: true})
	s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
	// Ids 0, 2, 4, ...: the odd rows belong to no node; id == row.
	for i, v := range data[:500] {
		if err := x.Insert(uint32(2*i), v); err != nil {
			t.Fatal(err)
		}
	}
	s.sync(x)
	rows := make([]float32, 2*500*dim)
	for i := 0; i < 500; i++ {
		copy(rows[2*i*dim:], x.Vector(uint32(2*i)))
	}
	nodes := func(yield func(uint32, []byte) error) error {
		for id, rec := range s.recs {
			if err := yield(id, rec); err != nil {
				return err
			}
		}
		return nil
	}
	y, err := LoadShared(s.meta, rows, func(id uint32) (int, bool) { return int(id), id < 1000 }, nodes)
	if err != nil {
		t.Fatal(err)
	}
	if y.cg == nil || !y.identity || y.ids != nil || y.slotOf != nil {
		t.Fatalf("LoadShared with ids equal to rows: compact %v, identity %v", y.cg != nil, y.identity)
	}
	all := seqIDs(1002)
	sameIndex(t, x, y, data[500:], all)
	for _, id := range []uint32{1, 3, 999, 1000, 1 << 31} {
		if y.Contains(id) || y.Vector(id) != nil {
			t.Fatalf("Contains(%d) on rows without a node", id)
		}
	}
	// A row without a node is reused by the first insert after the
	// conversion, as by any LoadShared index.
	for _, z := range []*Index{x, y} {
		if err := z.Insert(1001, data[550]); err != nil {
			t.Fatal(err)
		}
	}
	mustCheck(t, y)
	sameSearch(t, x, y, data[500:])
	if !y.Contains(1001) || y.Contains(1) {
		t.Fatal("ids after the insert")
	}
}

// TestCompactLazyFill: a lazily loaded index becomes compact when the
// background fill has filled every node, while searches run, and answers
// alike; with a node that fails to fill it stays padded.
func TestCompactLazyFill(t *testing.T) {
	for _, int8 := range []bool{false, true} {
		f := newLazyFixture(t, 3000, int8)
		y := f.open(t, true)
		want := make([][]Result, len(f.queries))
		for i, q := range f.queries {
			want[i] = f.x.Search(q, 10, 40, nil)
		}
		before := y.MemoryBytes()
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for r := 0; r < 3; r++ {
					for i := range f.queries {
						i := (i + 11*g) % len(f.queries)
						if got, err := y.SearchErr(f.queries[i], 10, 40, 0, nil); err != nil || !slices.Equal(got, want[i]) {
							errs <- fmt.Errorf("search %d: %v, %v, want %v", i, got, err, want[i])
							return
						}
					}
				}
			}(g)
		}
		for next := 0; next < y.Slots(); {
			var err error
			// Rows that are no node have no record: their fetch fails.
			if next, err = y.FillNext(next, 100); err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatal(err)
			}
			if next < y.Slots() && (y.cg != nil || !y.filling()) {
				t.Fatal("compact, or searches without fill checks, before the fill ended")
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if y.cg == nil || y.l0 != nil || !y.Lazy() || y.filling() {
			t.Fatalf("int8 %v: after the whole fill: compact %v, fill checks %v", int8, y.cg != nil, y.filling())
		}
		if after := y.MemoryBytes(); after >= before {
			t.Errorf("int8 %v: MemoryBytes %d compact, %d padded", int8, after, before)
		}
		for i, q := range f.queries {
			if got := y.Search(q, 10, 40, nil); !slices.Equal(got, want[i]) {
				t.Fatalf("search %d after compaction: %v, want %v", i, got, want[i])
			}
		}
	}

	// A damaged node is never filled: the graph stays padded.
	f := newLazyFixture(t, 500, true)
	f.recs[f.ids[0]] = f.recs[f.ids[0]][:3]
	y := f.open(t, true)
	for next := 0; next < y.Slots(); {
		next, _ = y.FillNext(next, 100)
	}
	if y.cg != nil || y.Filled() != f.x.Len()-1 {
		t.Fatalf("with a damaged node: compact %v, filled %d of %d", y.cg != nil, y.Filled(), f.x.Len())
	}
}

// BenchmarkSearchLayout compares searches over the same loaded graph in the
// compact layout and, converted as by a first write, the padded one.
func BenchmarkSearchLayout(b *testing.B) {
	const n, dim = 10000, 100
	for _, int8 := range []bool{false, true} {
		rng := rand.New(rand.NewSource(1))
		data := clustered(rng, n+200, dim, 100, 1.0)
		cache := filepath.Join(os.TempDir(), fmt.Sprintf("vecdb-ann-bench-%d-%d-int8-%v-v1.hnsw", n, dim, int8))
		var compact *Index
		if raw, err := os.ReadFile(cache); err == nil {
			compact, _ = ReadFrom(bytes.NewReader(raw))
		}
		if compact == nil {
			x := New(dim, Config{Seed: 1, Int8: int8})
			if err := x.Build(context.Background(), seqIDs(n), data[:n], 2, nil); err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := x.WriteTo(&buf); err != nil {
				b.Fatal(err)
			}
			_ = os.WriteFile(cache, buf.Bytes(), 0o644)
			if compact, _ = ReadFrom(&buf); compact == nil {
				b.Fatal("reading the graph back failed")
			}
		}
		var buf bytes.Buffer
		compact.WriteTo(&buf)
		padded, _ := ReadFrom(&buf)
		padded.mu.Lock()
		padded.mutable()
		padded.mu.Unlock()
		queries := data[n:]
		for _, ef := range []int{40, 160} {
			// The two layouts alternate, a round of every query each,
			// and each keeps its fastest round: on a shared machine the
			// load then falls on both alike.
			b.Run(fmt.Sprintf("int8=%v/ef=%d", int8, ef), func(b *testing.B) {
				best := [2]time.Duration{time.Hour, time.Hour}
				for i := 0; i < b.N; i++ {
					for j, x := range []*Index{padded, compact} {
						start := time.Now()
						for _, q := range queries {
							x.Search(q, 10, ef, nil)
						}
						best[j] = min(best[j], time.Since(start))
					}
				}
				b.ReportMetric(float64(best[0].Nanoseconds())/float64(len(queries)), "padded-ns/search")
				b.ReportMetric(float64(best[1].Nanoseconds())/float64(len(queries)), "compact-ns/search")
				b.ReportMetric(float64(padded.MemoryBytes())/n, "padded-bytes/vec")
				b.ReportMetric(float64(compact.MemoryBytes())/n, "compact-bytes/vec")
			})
		}
	}
}

// openInPlace is open for LoadLazyInPlace.
func (f *lazyFixture) openInPlace(t *testing.T, read VectorFunc) *Index {
	t.Helper()
	dim := f.x.Dim()
	y, err := LoadLazyInPlace(f.meta, f.ids, f.rowOf, func(ids []uint32, rs []int, vecs []float32, recs [][]byte) error {
		f.fetches.Add(int64(len(ids)))
		for i, id := range ids {
			copy(vecs[i*dim:], f.rows[rs[i]*dim:(rs[i]+1)*dim])
			rec, ok := f.recs[id]
			if !ok {
				return ErrCorrupt
			}
			recs[i] = rec
		}
		return nil
	}, read)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// TestLoadLazyInPlace: a lazily loaded int8 index that reads its vectors
// in place holds none, answers exactly as the index it was saved from,
// fills and compacts as any lazy index, and a failed read is the search's
// error; a float32 index copies the vectors it reaches as LoadLazy does.
func TestLoadLazyInPlace(t *testing.T) {
	f := newLazyFixture(t, 3000, true)
	dim := f.x.Dim()
	var reads atomic.Int64
	fail := errors.New("read failed")
	var failing atomic.Bool
	var short atomic.Bool
	read := func(rows []int, each func(int, []float32)) error {
		if failing.Load() {
			return fail
		}
		reads.Add(1)
		for i, r := range rows {
			v := f.rows[r*dim : (r+1)*dim]
			if short.Load() {
				v = v[:dim-1]
			}
			each(i, v)
		}
		return nil
	}
	fl := newLazyFixture(t, 500, false)
	z := fl.openInPlace(t, read)
	if z.vecs == nil || z.lazy.read != nil {
		t.Fatal("a float32 index opened in place holds no vectors")
	}
	sameSearch(t, fl.x, z, fl.queries)
	if reads.Load() != 0 {
		t.Fatal("a float32 index read vectors in place")
	}

	held := f.open(t, false)
	y := f.openInPlace(t, read)
	if y.vecs != nil {
		t.Fatal("an int8 index opened in place holds vectors")
	}
	sameSearch(t, f.x, y, f.queries)
	for _, q := range f.queries {
		for _, rescore := range []int{1, 4} {
			if a, b := f.x.SearchWith(q, 5, 30, rescore, nil), y.SearchWith(q, 5, 30, rescore, nil); !slices.Equal(a, b) {
				t.Fatalf("rescore %d differs:\n%v\n%v", rescore, a, b)
			}
		}
	}
	if reads.Load() == 0 {
		t.Fatal("no vector read")
	}
	for next := 0; next < y.Slots(); {
		next, _ = y.FillNext(next, 200)
	}
	for next := 0; next < held.Slots(); {
		next, _ = held.FillNext(next, 200)
	}
	if y.cg == nil || y.vecs != nil {
		t.Fatalf("after the fill: compact %v, vectors held %v", y.cg != nil, y.vecs != nil)
	}
	if got, want := held.MemoryBytes()-y.MemoryBytes(), int64(4*dim*len(f.ids)); got != want {
		t.Errorf("holds %d bytes less than with its vectors, want %d", got, want)
	}
	sameSearch(t, f.x, y, f.queries)
	short.Store(true)
	if res, err := y.SearchErr(f.queries[0], 10, 40, 0, nil); !errors.Is(err, ErrCorrupt) || res != nil {
		t.Fatalf("search reading a short vector: %v, %v", res, err)
	}
	failing.Store(true)
	if res, err := y.SearchErr(f.queries[0], 10, 40, 0, nil); !errors.Is(err, fail) || res != nil {
		t.Fatalf("search with a failing read: %v, %v", res, err)
	}
}
