package ann

import (
	"bytes"
	"errors"
	"math/rand"
	"slices"
	"testing"

	"github.com/vecdb/vecdb/internal/vec"
)

// store mimics storage: node records and raw vectors keyed by id.
type store struct {
	meta  []byte
	recs  map[uint32][]byte
	vecs  map[uint32][]float32
	order []uint32
}

func (s *store) sync(x *Index) {
	for _, id := range x.TakeDirty() {
		if x.Contains(id) {
			s.recs[id] = x.MarshalNode(id)
		} else {
			delete(s.recs, id)
		}
	}
	s.meta = x.MarshalMeta()
}

func (s *store) load() (*Index, error) {
	ids := make([]uint32, 0, len(s.recs))
	for id := range s.recs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return Load(s.meta, func(id uint32) []float32 { return s.vecs[id] },
		func(yield func(uint32, []byte) error) error {
			for _, id := range ids {
				if err := yield(id, s.recs[id]); err != nil {
					return err
				}
			}
			return nil
		})
}

func sameSearch(t *testing.T, a, b *Index, queries [][]float32) {
	t.Helper()
	keep := func(id uint32) bool { return id%3 != 0 }
	for _, q := range queries {
		for _, f := range []func(uint32) bool{nil, keep} {
			ra, rb := a.Search(q, 10, 40, f), b.Search(q, 10, 40, f)
			if !slices.Equal(ra, rb) {
				t.Fatalf("search differs after reload:\n%v\n%v", ra, rb)
			}
		}
	}
}

func TestMarshalLoadRoundTrip(t *testing.T) {
	for _, m := range metrics {
		t.Run(m.String(), func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			data := clustered(rng, 1600, 16, 10, 0.5)
			x := New(16, Config{M: 8, EfConstruction: 60, Metric: m, Seed: 7})
			s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
			for i, v := range data[:1500] {
				if err := x.Insert(uint32(i), v); err != nil {
					t.Fatal(err)
				}
				s.vecs[uint32(i)] = v
				if i%200 == 0 {
					s.sync(x)
				}
			}
			for i := 0; i < 1500; i += 7 {
				if err := x.Delete(uint32(i)); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < 1500; i += 14 { // update some: re-insert half
				if err := x.Insert(uint32(i), data[1500+i%100]); err != nil {
					t.Fatal(err)
				}
				s.vecs[uint32(i)] = data[1500+i%100]
			}
			s.sync(x)
			if d := x.TakeDirty(); len(d) != 0 {
				t.Fatalf("dirty after TakeDirty: %v", d)
			}
			y, err := s.load()
			if err != nil {
				t.Fatal(err)
			}
			mustCheck(t, y)
			if y.Len() != x.Len() || y.Config() != x.Config() || y.Dim() != x.Dim() {
				t.Fatalf("loaded Len %d Config %+v, want %d %+v", y.Len(), y.Config(), x.Len(), x.Config())
			}
			if len(y.TakeDirty()) != 0 {
				t.Fatal("a loaded index has dirty nodes")
			}
			sameSearch(t, x, y, data[1500:])
			for i := 0; i < 1500; i++ {
				if !bytes.Equal(x.MarshalNode(uint32(i)), y.MarshalNode(uint32(i))) {
					t.Fatalf("node %d record differs", i)
				}
			}
			// Both go on identically: the level generator state was kept.
			for i := 1600; i < 1700; i++ {
				v := data[i%1600]
				x.Insert(uint32(i), v)
				y.Insert(uint32(i), v)
			}
			sameSearch(t, x, y, data[1500:])

			// Whole-graph stream.
			var buf bytes.Buffer
			n, err := x.WriteTo(&buf)
			if err != nil || n != int64(buf.Len()) {
				t.Fatalf("WriteTo: %d, %v (buffer %d)", n, err, buf.Len())
			}
			z, err := ReadFrom(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			mustCheck(t, z)
			sameSearch(t, x, z, data[1500:])
			// Every truncation is an error, not a panic.
			b := buf.Bytes()
			for cut := 0; cut < len(b); cut += 1 + len(b)/97 {
				if _, err := ReadFrom(bytes.NewReader(b[:cut])); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("truncated at %d of %d: %v", cut, len(b), err)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, 100, 8, 3, 0.5)
	x := New(8, Config{M: 4, EfConstruction: 20, Seed: 1})
	s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
	for i, v := range data {
		x.Insert(uint32(i), v)
		s.vecs[uint32(i)] = v
	}
	s.sync(x)
	if _, err := s.load(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(s *store){
		"missing node":   func(s *store) { delete(s.recs, x.ids[x.linksOf(x.entry, 0)[0]]) },
		"extra bytes":    func(s *store) { s.recs[5] = append(slices.Clone(s.recs[5]), 0) },
		"truncated":      func(s *store) { s.recs[5] = s.recs[5][:len(s.recs[5])-1] },
		"empty record":   func(s *store) { s.recs[5] = nil },
		"too many links": func(s *store) { s.recs[5] = []byte{0, 9, 1, 2, 3, 4, 6, 7, 8, 9, 10} },
		"self link":      func(s *store) { s.recs[5] = []byte{0, 1, 5} },
		"dangling link":  func(s *store) { s.recs[5] = []byte{0, 1, 100} },
		"duplicate link": func(s *store) { s.recs[5] = []byte{0, 2, 1, 1} },
		"level too high": func(s *store) { s.recs[5] = []byte{31, 0} },
		"short vector":   func(s *store) { s.vecs[5] = s.vecs[5][:7] },
		"no vector":      func(s *store) { delete(s.vecs, 5) },
		"bad meta":       func(s *store) { s.meta = s.meta[:len(s.meta)-1] },
		"meta count":     func(s *store) { s.recs[1000] = []byte{0, 0}; s.vecs[1000] = data[0] },
	}
	for name, mutate := range cases {
		c := &store{meta: slices.Clone(s.meta), recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
		for k, v := range s.recs {
			c.recs[k] = v
		}
		for k, v := range s.vecs {
			c.vecs[k] = v
		}
		mutate(c)
		_, err := c.load()
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// FuzzLoad feeds corrupted node and meta records to Load: it must return an
// error or a valid index, never panic.
func FuzzLoad(f *testing.F) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, 60, 4, 3, 0.5)
	x := New(4, Config{M: 3, EfConstruction: 10, Seed: 1, Metric: vec.L2})
	s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
	for i, v := range data {
		x.Insert(uint32(i), v)
		s.vecs[uint32(i)] = v
	}
	s.sync(x)
	for id := uint32(0); id < 5; id++ {
		f.Add(uint8(id), s.recs[id], false)
	}
	f.Add(uint8(0), s.meta, true)
	f.Add(uint8(1), []byte{}, false)
	f.Fuzz(func(t *testing.T, which uint8, rec []byte, isMeta bool) {
		c := &store{meta: s.meta, recs: map[uint32][]byte{}, vecs: s.vecs}
		for k, v := range s.recs {
			c.recs[k] = v
		}
		if isMeta {
			c.meta = rec
		} else {
			c.recs[uint32(which)%70] = rec // ids >= 60 have no vector
		}
		y, err := c.load()
		if err == nil {
			if err := y.check(); err != nil {
				t.Fatalf("Load accepted an invalid graph: %v", err)
			}
			y.Search(data[0], 3, 10, nil)
		}
		var buf bytes.Buffer
		x.WriteTo(&buf)
		b := buf.Bytes()
		if len(rec) > 0 {
			i := int(which) * len(b) / 256
			b = append(b[:i:i], rec...)
			b = append(b, buf.Bytes()[i:]...)
		}
		if y, err := ReadFrom(bytes.NewReader(b)); err == nil {
			if err := y.check(); err != nil {
				t.Fatalf("ReadFrom accepted an invalid graph: %v", err)
			}
		}
	})
}

func TestLoadShared(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const dim = 16
	data := clustered(rng, 300, dim, 5, 0.5)
	x := New(dim, Config{M: 6, EfConstruction: 40, Seed: 1})
	s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
	// Ids 0, 2, 4, ...: the odd rows of the shared slice belong to no node.
	for i, v := range data[:250] {
		if err := x.Insert(uint32(2*i), v); err != nil {
			t.Fatal(err)
		}
	}
	s.sync(x)
	rows := make([]float32, 2*250*dim)
	for i := 0; i < 250; i++ {
		copy(rows[2*i*dim:], x.Vector(uint32(2*i)))
	}
	orig := slices.Clone(rows)
	nodes := func(yield func(uint32, []byte) error) error {
		for id, rec := range s.recs {
			if err := yield(id, rec); err != nil {
				return err
			}
		}
		return nil
	}
	rowOf := func(id uint32) (int, bool) { return int(id), id < 500 }
	y, err := LoadShared(s.meta, rows, rowOf, nodes)
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, y)
	if got, full := y.MemoryBytes(), x.MemoryBytes(); got >= full {
		t.Errorf("MemoryBytes %d with shared vectors, %d without", got, full)
	}
	sameSearch(t, x, y, data[250:])
	// Changes never write into the shared rows.
	for i, v := range data[250:260] {
		if err := y.Insert(uint32(1000+i), v); err != nil {
			t.Fatal(err)
		}
	}
	if err := y.Delete(4); err != nil {
		t.Fatal(err)
	}
	if err := y.Insert(1, data[0]); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, y)
	if !slices.Equal(rows, orig) {
		t.Fatal("the index wrote into the shared vectors")
	}
	if y.Len() != 250+10-1+1 {
		t.Fatalf("Len %d", y.Len())
	}

	// A row that is not unit length in a cosine index, a node without a
	// row, and two nodes on one row are corrupt.
	bad := slices.Clone(orig)
	bad[2*dim] *= 3
	if _, err := LoadShared(s.meta, bad, rowOf, nodes); !errors.Is(err, ErrCorrupt) {
		t.Errorf("non-unit row: %v", err)
	}
	if _, err := LoadShared(s.meta, orig, func(id uint32) (int, bool) { return int(id), id != 8 }, nodes); !errors.Is(err, ErrCorrupt) {
		t.Errorf("missing row: %v", err)
	}
	if _, err := LoadShared(s.meta, orig, func(id uint32) (int, bool) { return int(id / 4 * 4), true }, nodes); !errors.Is(err, ErrCorrupt) {
		t.Errorf("shared row: %v", err)
	}
}
