package ann

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/vecdb/vecdb/internal/vec"
)

// segFixture is an index over rows (ids[r] the id of row r; some rows are
// no node, some nodes were deleted before the segment was written) with
// the stored form of every row's vector.
type segFixture struct {
	x       *Index
	ids     []uint32
	rows    []float32 // row r at r*dim (zero for a row without a node)
	meta    []byte
	queries [][]float32
}

func newSegFixture(t testing.TB, n int, cfg Config, identity bool) *segFixture {
	t.Helper()
	rng := rand.New(rand.NewSource(5))
	const dim = 16
	data := clustered(rng, n+40, dim, 12, 0.4)
	f := &segFixture{x: New(dim, cfg), ids: make([]uint32, n), rows: make([]float32, n*dim)}
	for r := range n {
		f.ids[r] = uint32(r)
		if !identity {
			f.ids[r] = uint32(3*r + 2)
		}
		if r%7 == 3 {
			continue // a row without a node
		}
		if err := f.x.Insert(f.ids[r], data[r]); err != nil {
			t.Fatal(err)
		}
	}
	for r := 5; r < n; r += 11 { // deletions before the segment is written
		f.x.Delete(f.ids[r])
	}
	for r, id := range f.ids {
		if v := f.x.Vector(id); v != nil {
			copy(f.rows[r*dim:], v)
		}
	}
	f.x.TakeDirty()
	f.meta = f.x.MarshalMeta()
	f.queries = data[n:]
	return f
}

// aligned copies every array of seg into 8-byte aligned memory, as the
// file's map holds them.
func aligned(seg [][]byte) [][]byte {
	out := make([][]byte, len(seg))
	for i, b := range seg {
		w := make([]uint64, (len(b)+7)/8+1)
		out[i] = unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), 8*len(w))[:len(b):len(b)]
		copy(out[i], b)
	}
	return out
}

func (f *segFixture) read() VectorFunc {
	dim := f.x.Dim()
	return func(rows []int, each func(int, []float32)) error {
		for i, r := range rows {
			each(i, f.rows[r*dim:(r+1)*dim])
		}
		return nil
	}
}

// blocks returns the rows' vectors in blocks of 8 rows.
func (f *segFixture) blocks() Vectors {
	dim := f.x.Dim()
	var bs [][]float32
	for s := 0; s < len(f.ids); s += 8 {
		e := min(s+8, len(f.ids))
		bs = append(bs, slices.Clone(f.rows[s*dim:e*dim]))
	}
	return Vectors{Blocks: bs, BlockRows: 8}
}

func (f *segFixture) load(t testing.TB, seg [][]byte, vecs Vectors) *Index {
	t.Helper()
	y, err := LoadInPlace(f.meta, seg, f.ids, vecs, f.read())
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func TestSegmentRoundTrip(t *testing.T) {
	for _, metric := range []vec.Metric{vec.Cosine, vec.L2} {
		for _, int8 := range []bool{false, true} {
			for _, identity := range []bool{true, false} {
				name := fmt.Sprintf("metric%d/int8=%v/identity=%v", metric, int8, identity)
				t.Run(name, func(t *testing.T) {
					f := newSegFixture(t, 400, Config{M: 6, EfConstruction: 40, Seed: 3, Metric: metric, Int8: int8}, identity)
					seg, err := f.x.Segment(f.ids)
					if err != nil {
						t.Fatal(err)
					}
					if got := seg[segHeader][16] & segFlagRows; (got != 0) != identity {
						t.Fatalf("identity flag %d, want %v", got, identity)
					}
					seg = aligned(seg)
					vs := []Vectors{f.blocks(), {Flat: f.rows}}
					for _, v := range vs {
						y := f.load(t, seg, v)
						if !y.InPlace() || !y.Lazy() || y.Len() != f.x.Len() {
							t.Fatalf("in place %v, lazy %v, len %d (want %d)", y.InPlace(), y.Lazy(), y.Len(), f.x.Len())
						}
						// No copy: the links and codes are the segment's bytes.
						if unsafe.Pointer(unsafe.SliceData(y.cg.l0)) != unsafe.Pointer(&seg[segL0][0]) {
							t.Fatal("layer-0 links were copied")
						}
						if int8 && unsafe.Pointer(unsafe.SliceData(y.codes)) != unsafe.Pointer(&seg[segCodes][0]) {
							t.Fatal("int8 codes were copied")
						}
						if y.MappedBytes() == 0 || y.MemoryBytes() > int64(4*len(f.ids)+64) {
							t.Fatalf("mapped %d bytes, heap %d", y.MappedBytes(), y.MemoryBytes())
						}
						for _, q := range f.queries {
							for _, k := range []int{1, 10} {
								want, err := f.x.SearchErr(q, k, 30, 0, nil)
								if err != nil {
									t.Fatal(err)
								}
								got, err := y.SearchErr(q, k, 30, 0, nil)
								if err != nil {
									t.Fatal(err)
								}
								if !slices.Equal(got, want) {
									t.Fatalf("k %d: in place %v, loaded %v", k, got, want)
								}
							}
						}
						if err := f.x.VerifySegment(f.meta, seg, f.ids); err != nil {
							t.Fatal(err)
						}
						if err := y.Insert(1<<30, f.queries[0]); !errors.Is(err, ErrLazy) {
							t.Fatalf("insert into an index read in place: %v", err)
						}
						if next, _ := y.FillNext(0, 10); next != y.Slots() || y.ClaimFill() || y.Filled() != y.Len() {
							t.Fatalf("fill of an index read in place: next %d, filled %d", next, y.Filled())
						}
					}
				})
			}
		}
	}
}

// An unaligned segment (a small bucket stored inline) is copied, with the
// same answers.
func TestSegmentUnaligned(t *testing.T) {
	f := newSegFixture(t, 200, Config{M: 6, EfConstruction: 40, Seed: 3, Int8: true}, true)
	seg, err := f.x.Segment(f.ids)
	if err != nil {
		t.Fatal(err)
	}
	un := make([][]byte, len(seg))
	for i, b := range seg {
		buf := make([]byte, len(b)+1)
		un[i] = buf[1:]
		copy(un[i], b)
	}
	y := f.load(t, un, Vectors{})
	if y.MemoryBytes() == 0 {
		t.Fatal("unaligned arrays not counted as copied")
	}
	for _, q := range f.queries {
		if got, want := y.Search(q, 5, 20, nil), f.x.Search(q, 5, 20, nil); !slices.Equal(got, want) {
			t.Fatalf("unaligned: %v, want %v", got, want)
		}
	}
}

func TestSegmentStaleAndBadHeader(t *testing.T) {
	f := newSegFixture(t, 150, Config{M: 6, EfConstruction: 40, Seed: 3, Int8: true}, true)
	seg, err := f.x.Segment(f.ids)
	if err != nil {
		t.Fatal(err)
	}
	seg = aligned(seg)
	// The graph changes: its segment is stale.
	if err := f.x.Insert(9999, f.queries[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadInPlace(f.x.MarshalMeta(), seg, f.ids, Vectors{}, f.read()); !errors.Is(err, ErrStaleSegment) {
		t.Fatalf("stale segment: %v", err)
	}
	// Other rows: stale too.
	if _, err := LoadInPlace(f.meta, seg, f.ids[1:], Vectors{}, f.read()); !errors.Is(err, ErrStaleSegment) {
		t.Fatalf("segment of other rows: %v", err)
	}
	// A truncated array is refused by the header's lengths.
	for i := 1; i < segArrays; i++ {
		if len(seg[i]) == 0 {
			continue
		}
		bad := slices.Clone(seg)
		bad[i] = bad[i][:len(bad[i])-1]
		if _, err := LoadInPlace(f.meta, bad, f.ids, Vectors{}, f.read()); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("array %d truncated: %v", i, err)
		}
	}
	if _, err := LoadInPlace(f.meta, seg[:5], f.ids, Vectors{}, f.read()); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("missing arrays: %v", err)
	}
}

// searchAll runs every query on y and reports whether one failed with
// ErrCorrupt; any other error, or a panic, fails the test.
func searchAll(t testing.TB, y *Index, qs [][]float32) (corrupt bool) {
	t.Helper()
	for _, q := range qs {
		_, err := y.SearchErr(q, 10, 40, 0, nil)
		switch {
		case errors.Is(err, ErrCorrupt):
			corrupt = true
		case err != nil:
			t.Fatalf("search: %v", err)
		}
	}
	return corrupt
}

func TestSegmentDamage(t *testing.T) {
	for _, int8 := range []bool{false, true} {
		f := newSegFixture(t, 300, Config{M: 6, EfConstruction: 40, Seed: 3, Int8: int8, Metric: vec.L2}, false)
		good, err := f.x.Segment(f.ids)
		if err != nil {
			t.Fatal(err)
		}
		fresh := func() [][]byte {
			s := make([][]byte, len(good))
			for i, b := range good {
				s[i] = slices.Clone(b)
			}
			return aligned(s)
		}
		open := func(seg [][]byte) *Index {
			y, err := LoadInPlace(f.meta, seg, f.ids, f.blocks(), f.read())
			if err != nil {
				if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrStaleSegment) {
					t.Fatalf("load: %v", err)
				}
				return nil
			}
			return y
		}
		// Every layer-0 link set to a huge slot.
		seg := fresh()
		for i := 0; i < len(seg[segL0]); i += 4 {
			binary.LittleEndian.PutUint32(seg[segL0][i:], 1<<31)
		}
		if y := open(seg); y == nil || !searchAll(t, y, f.queries) {
			t.Fatal("links out of range were not reported")
		}
		// off0 not monotonic.
		seg = fresh()
		for i := 4; i+4 < len(seg[segOff0]); i += 4 {
			binary.LittleEndian.PutUint32(seg[segOff0][i:], 1<<30)
		}
		if y := open(seg); y == nil || !searchAll(t, y, f.queries) {
			t.Fatal("off0 out of range was not reported")
		}
		// Upper-layer offsets and counts out of range.
		seg = fresh()
		for i := 0; i < len(seg[segUp]); i += 4 {
			binary.LittleEndian.PutUint32(seg[segUp][i:], 0xfffffff0)
		}
		if y := open(seg); y == nil || !searchAll(t, y, f.queries) {
			t.Fatal("upper-layer counts out of range were not reported")
		}
		// Levels lowered: nodes reached on layers they do not have.
		seg = fresh()
		for i := range seg[segLevels] {
			if seg[segLevels][i] != freeLevel && seg[segLevels][i] > 0 {
				seg[segLevels][i]--
			}
		}
		open(seg) // the entry point's level no longer matches
		// Random flips anywhere but the header: no panic.
		rng := rand.New(rand.NewSource(9))
		for round := 0; round < 300; round++ {
			seg = fresh()
			for range 1 + rng.Intn(8) {
				a := 1 + rng.Intn(segArrays-1)
				if len(seg[a]) == 0 {
					continue
				}
				seg[a][rng.Intn(len(seg[a]))] ^= byte(1 << rng.Intn(8))
			}
			if y := open(seg); y != nil {
				searchAll(t, y, f.queries[:8])
			}
			// (A last bit of a squared norm is within the tolerance that
			// another processor's rounding needs; the checksum finds it.)
			changed := false
			for i := 1; i < segArrays; i++ {
				changed = changed || i != segNorm && !slices.Equal(seg[i], good[i])
			}
			if err := f.x.VerifySegment(f.meta, seg, f.ids); err == nil && changed {
				t.Fatalf("round %d: a damaged segment verified", round)
			}
		}
	}
}

// FuzzSegment feeds damaged segments to LoadInPlace and searches what it
// accepts: an error or an answer, never a panic.
func FuzzSegment(f *testing.F) {
	fx := newSegFixture(f, 120, Config{M: 4, EfConstruction: 20, Seed: 3, Int8: true, Metric: vec.L2}, false)
	good, err := fx.x.Segment(fx.ids)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(segL0), uint32(0), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint8(segOff0), uint32(8), []byte{0, 0, 0, 0x7f})
	f.Add(uint8(segUp), uint32(4), []byte{0xf0})
	f.Add(uint8(segHeader), uint32(8), []byte{1})
	f.Fuzz(func(t *testing.T, which uint8, at uint32, patch []byte) {
		seg := make([][]byte, len(good))
		for i, b := range good {
			seg[i] = slices.Clone(b)
		}
		a := int(which) % segArrays
		if n := len(seg[a]); n > 0 {
			for i, b := range patch {
				seg[a][(int(at)+i)%n] = b
			}
		}
		// CHECK's comparison: an error or nil, never a panic.
		if err := fx.x.VerifySegment(fx.meta, aligned(seg), fx.ids); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrStaleSegment) {
			t.Fatalf("verify: %v", err)
		}
		y, err := LoadInPlace(fx.meta, aligned(seg), fx.ids, Vectors{}, fx.read())
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrStaleSegment) {
				t.Fatalf("load: %v", err)
			}
			return
		}
		searchAll(t, y, fx.queries[:4])
	})
}

func TestVerifySegmentFindsDifferences(t *testing.T) {
	f := newSegFixture(t, 200, Config{M: 6, EfConstruction: 40, Seed: 3, Int8: true}, true)
	good, err := f.x.Segment(f.ids)
	if err != nil {
		t.Fatal(err)
	}
	// A link renamed to another valid row: searches cannot tell, CHECK can.
	seg := aligned(good)
	l0 := seg[segL0]
	v := binary.LittleEndian.Uint32(l0)
	binary.LittleEndian.PutUint32(l0, (v+1)%uint32(len(f.ids)))
	if err := f.x.VerifySegment(f.meta, seg, f.ids); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("renamed link: %v", err)
	}
	// A link far out of range, in a segment with an id array.
	g := newSegFixture(t, 200, Config{M: 6, EfConstruction: 40, Seed: 3, Int8: true}, false)
	gseg, err := g.x.Segment(g.ids)
	if err != nil {
		t.Fatal(err)
	}
	gseg = aligned(gseg)
	binary.LittleEndian.PutUint32(gseg[segL0][8:], 1<<31)
	if err := g.x.VerifySegment(g.meta, gseg, g.ids); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("link out of range: %v", err)
	}
	seg = aligned(good)
	seg[segCodes][17] ^= 4
	if err := f.x.VerifySegment(f.meta, seg, f.ids); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("changed code: %v", err)
	}
	if err := f.x.VerifySegment(f.meta, aligned(good), f.ids); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSearchInPlace compares searches over the same graph loaded
// whole (compact, on the heap) and read in place from its segment (the
// links checked as they are read; the float32 vectors in blocks of 128
// rows, as the file's vector blocks hold them at dim 100; an int8 index
// rescoring through a read function). Rounds alternate, each keeps its
// fastest, so that a shared machine's load falls on both alike.
func BenchmarkSearchInPlace(b *testing.B) {
	const n, dim = 10000, 100
	for _, int8 := range []bool{false, true} {
		rng := rand.New(rand.NewSource(1))
		data := clustered(rng, n+200, dim, 100, 1.0)
		x := New(dim, Config{Seed: 1, Int8: int8})
		if err := x.Build(context.Background(), seqIDs(n), data[:n], 2, nil); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		x.WriteTo(&buf)
		loaded, err := ReadFrom(&buf)
		if err != nil {
			b.Fatal(err)
		}
		rows := seqIDs(n)
		seg, err := loaded.Segment(rows)
		if err != nil {
			b.Fatal(err)
		}
		seg = aligned(seg)
		flat := make([]float32, 0, n*dim)
		for _, id := range rows {
			flat = append(flat, loaded.Vector(id)...)
		}
		var blocks [][]float32
		for s := 0; s < n; s += 128 {
			blocks = append(blocks, flat[s*dim:min(s+128, n)*dim])
		}
		read := func(rs []int, each func(int, []float32)) error {
			for i, r := range rs {
				each(i, flat[r*dim:(r+1)*dim])
			}
			return nil
		}
		inPlace, err := LoadInPlace(loaded.MarshalMeta(), seg, rows, Vectors{Blocks: blocks, BlockRows: 128}, read)
		if err != nil {
			b.Fatal(err)
		}
		// The third: for int8, the graph opened lazily as the db opens
		// it without a segment (vectors through read), every node filled
		// (compact); for float32, in place over one flat array of vectors.
		var third *Index
		name := "inplace-flat"
		if int8 {
			name = "lazy-filled"
			recs := map[uint32][]byte{}
			for _, id := range rows {
				recs[id] = loaded.MarshalNode(id)
			}
			third, err = LoadLazyInPlace(loaded.MarshalMeta(), rows, func(id uint32) (int, bool) { return int(id), int(id) < n },
				func(ids []uint32, rs []int, vecs []float32, out [][]byte) error {
					for i, id := range ids {
						out[i] = recs[id]
						copy(vecs[i*dim:], flat[rs[i]*dim:(rs[i]+1)*dim])
					}
					return nil
				}, read)
			for next := 0; err == nil && next < third.Slots(); {
				next, err = third.FillNext(next, 512)
			}
		} else {
			third, err = LoadInPlace(loaded.MarshalMeta(), seg, rows, Vectors{Flat: flat}, read)
		}
		if err != nil {
			b.Fatal(err)
		}
		queries := data[n:]
		for _, ef := range []int{40, 160} {
			b.Run(fmt.Sprintf("int8=%v/ef=%d", int8, ef), func(b *testing.B) {
				best := [3]time.Duration{time.Hour, time.Hour, time.Hour}
				for i := 0; i < b.N; i++ {
					for j, y := range []*Index{loaded, inPlace, third} {
						start := time.Now()
						for _, q := range queries {
							y.Search(q, 10, ef, nil)
						}
						best[j] = min(best[j], time.Since(start))
					}
				}
				b.ReportMetric(float64(best[0].Nanoseconds())/float64(len(queries)), "loaded-ns/search")
				b.ReportMetric(float64(best[1].Nanoseconds())/float64(len(queries)), "inplace-ns/search")
				b.ReportMetric(float64(best[2].Nanoseconds())/float64(len(queries)), name+"-ns/search")
			})
		}
	}
}
