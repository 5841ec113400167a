package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vecdb/vecdb/storage"
)

// hasSegment reports whether collection name has a graph segment.
func hasSegment(t testing.TB, d *DB, name string) bool {
	t.Helper()
	has := false
	if err := d.view(name, func(c *storage.Coll) error {
		has = c.HasIndexSegment()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return has
}

// segmentArrays returns a copy of the arrays of collection name's segment.
func segmentArrays(t testing.TB, d *DB, name string) [][]byte {
	t.Helper()
	var out [][]byte
	if err := d.view(name, func(c *storage.Coll) error {
		seg, err := c.IndexSegment()
		for _, a := range seg {
			out = append(out, bytes.Clone(a))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// answers runs every query through the index and returns the keys.
func answers(t testing.TB, v *View, qs [][]float32) []string {
	t.Helper()
	out := make([]string, len(qs))
	for i, q := range qs {
		hs, err := v.Search(bg, q, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = fmt.Sprint(hitKeys(hs))
	}
	return out
}

func inPlaceIndex(t testing.TB, v *View) bool {
	t.Helper()
	idx, err := v.loadedIndex()
	if err != nil {
		t.Fatal(err)
	}
	return idx != nil && idx.InPlace()
}

// TestGraphSegmentInPlace: a graph written by CREATE INDEX is read in
// place after a reopen (SHOW STATS says so) and answers as the graph
// opened from its records; an INSERT drops the segment in its commit (the
// graph is then opened from its records, with the new row), and VACUUM
// writes it again.
func TestGraphSegmentInPlace(t *testing.T) {
	const n = 3000
	for _, quant := range []string{"", "int8"} {
		for _, metric := range []Metric{Cosine, L2} {
			path := filepath.Join(t.TempDir(), "g.vdb")
			d, err := Open(path, &Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			c, vs := fillColl(t, d, "c", n, 16, metric)
			if err := d.CreateIndex(bg, "c", IndexConfig{M: 8, EfConstruction: 40, Quantize: quant}, 1); err != nil {
				t.Fatal(err)
			}
			if !hasSegment(t, d, "c") {
				t.Fatalf("%q %v: CREATE INDEX wrote no segment", quant, metric)
			}
			if _, err := d.Query(bg, "CHECK c"); err != nil {
				t.Fatalf("CHECK: %v", err)
			}
			d.Close()
			d, err = Open(path, &Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			c = mustCollection(t, d, "c")
			v, _ := c.View()
			qs := vs[:40]
			inPlace := answers(t, v, qs)
			if !inPlaceIndex(t, v) {
				t.Fatalf("%q %v: the reopened graph is not read in place", quant, metric)
			}
			if st := queryCells(t, d, "SHOW STATS c"); st["graph_in_place"] != "true" || st["index_bytes_per_vector"] != "0" {
				t.Errorf("%q %v: stats %v", quant, metric, st)
			}
			// The same file without its segment: the graph from its records.
			dropSegment(t, d, "c")
			v, _ = c.View()
			if inPlaceIndex(t, v) {
				t.Fatal("read in place without a segment")
			}
			if lazy := answers(t, v, qs); fmt.Sprint(lazy) != fmt.Sprint(inPlace) {
				t.Fatalf("%q %v: in place %v, from the records %v", quant, metric, inPlace, lazy)
			}
			if _, err := d.Exec(bg, "VACUUM"); err != nil {
				t.Fatal(err)
			}
			if !hasSegment(t, d, "c") {
				t.Fatal("VACUUM wrote no segment")
			}
			// An INSERT: the segment goes in the same commit.
			extra := make([]float32, 16)
			extra[5] = 3
			if err := c.Insert(bg, Row{Key: "extra", Vector: extra}); err != nil {
				t.Fatal(err)
			}
			if hasSegment(t, d, "c") {
				t.Fatal("the segment outlived an INSERT")
			}
			v, _ = c.View()
			if hs, err := v.Search(bg, extra, 1, nil); err != nil || len(hs) != 1 || hs[0].Key != "extra" || inPlaceIndex(t, v) {
				t.Fatalf("after the insert: %v %v", hs, err)
			}
			if st := queryCells(t, d, "SHOW STATS c"); st["graph_in_place"] != "false" {
				t.Errorf("after the insert: stats %v", st)
			}
			if _, err := d.Exec(bg, "VACUUM"); err != nil {
				t.Fatal(err)
			}
			v, _ = c.View()
			if hs, err := v.Search(bg, extra, 1, nil); err != nil || len(hs) != 1 || hs[0].Key != "extra" || !inPlaceIndex(t, v) {
				t.Fatalf("after VACUUM: %v %v, in place %v", hs, err, inPlaceIndex(t, v))
			}
			if _, err := d.Query(bg, "CHECK c"); err != nil {
				t.Fatalf("CHECK after VACUUM: %v", err)
			}
			d.Close()
		}
	}
}

// TestGraphSegmentImportAndZeros: IMPORT with an index writes the segment
// in the load's commit; the zero vectors a COSINE graph leaves out are
// rows without a node, never returned.
func TestGraphSegmentImportAndZeros(t *testing.T) {
	const n, dim = 1500, 8
	r := rand.New(rand.NewSource(3))
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d %d\n", n, dim)
	for i := 0; i < n; i++ {
		fmt.Fprint(&b, "w", i)
		for j := 0; j < dim; j++ {
			x := r.Float32() - 0.5
			if i%300 == 7 {
				x = 0
			}
			fmt.Fprintf(&b, " %g", x)
		}
		b.WriteString("\n")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "z.vec")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "z.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, fmt.Sprintf("IMPORT INTO c FROM '%s' WITH (index = true)", file)); err != nil {
		t.Fatal(err)
	}
	if !hasSegment(t, d, "c") {
		t.Fatal("IMPORT with an index wrote no segment")
	}
	d.Close()
	d, err = Open(path, &Options{NoSync: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	v, _ := mustCollection(t, d, "c").View()
	for p := 0; p < 50; p++ {
		hs, err := v.Search(bg, v.SearchVector(p*29+1), 5, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			var i int
			fmt.Sscanf(h.Key, "w%d", &i)
			if i%300 == 7 {
				t.Fatalf("a zero vector returned: %v", hs)
			}
		}
	}
	idx, _ := v.loadedIndex()
	if idx == nil || !idx.InPlace() || idx.Len() != n-n/300 {
		t.Fatalf("graph %v", idx)
	}
	if _, err := d.Query(bg, "CHECK c"); err != nil {
		t.Fatalf("CHECK: %v", err)
	}
}

// TestGraphSegmentDamaged: bytes changed in a segment's values in the
// file are found by CHECK (the checksums, and the comparison with the
// records), and searches never panic: they answer or report ErrCorrupt.
func TestGraphSegmentDamaged(t *testing.T) {
	for _, which := range []int{3 /* l0 */, 8 /* codes */, 2 /* off0 */} {
		path := filepath.Join(t.TempDir(), "g.vdb")
		d, err := Open(path, &Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		_, vs := fillColl(t, d, "c", 2000, 16, Cosine)
		if err := d.CreateIndex(bg, "c", IndexConfig{M: 8, EfConstruction: 40, Quantize: "int8"}, 1); err != nil {
			t.Fatal(err)
		}
		seg := segmentArrays(t, d, "c")
		d.Close()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		probe := seg[which][8:72]
		i := bytes.Index(raw, probe)
		if i < 0 || bytes.Index(raw[i+1:], probe) >= 0 {
			t.Fatalf("array %d: want its bytes once in the file, at %d", which, i)
		}
		for j := i; j < i+64; j += 4 {
			raw[j+3] ^= 0x7f // links and offsets far out of range
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err = Open(path, &Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Query(bg, "CHECK c"); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("array %d: CHECK of a damaged segment: %v", which, err)
		}
		v, _ := mustCollection(t, d, "c").View()
		corrupt := 0
		for _, q := range vs[:200] {
			_, err := v.Search(bg, q, 10, nil)
			switch {
			case errors.Is(err, ErrCorrupt):
				corrupt++
			case err != nil:
				t.Fatalf("array %d: search: %v", which, err)
			}
		}
		if which != 8 && corrupt == 0 {
			t.Errorf("array %d: no search reported the damaged links", which)
		}
		d.Close()
	}
}

// TestGraphSegmentStale: a segment of another state of the graph (as a
// release that did not delete it on a write would leave) is never used;
// CHECK reports it.
func TestGraphSegmentStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := fillColl(t, d, "c", 1000, 16, Cosine)
	if err := d.CreateIndex(bg, "c", IndexConfig{M: 8, EfConstruction: 40, Quantize: "int8"}, 1); err != nil {
		t.Fatal(err)
	}
	old := segmentArrays(t, d, "c")
	extra := make([]float32, 16)
	extra[2] = 1
	if err := c.Insert(bg, Row{Key: "extra", Vector: extra}); err != nil {
		t.Fatal(err)
	}
	if err := d.store.Update(func(tx *storage.Tx) error {
		sc, err := tx.Collection("c")
		if err != nil {
			return err
		}
		return sc.IndexPutSegment(old)
	}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	v, _ := mustCollection(t, d, "c").View()
	if hs, err := v.Search(bg, extra, 1, nil); err != nil || len(hs) != 1 || hs[0].Key != "extra" || inPlaceIndex(t, v) {
		t.Fatalf("with a stale segment: %v %v", hs, err)
	}
	if _, err := d.Query(bg, "CHECK c"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("CHECK of a stale segment: %v", err)
	}
	// VACUUM writes it again.
	if _, err := d.Exec(bg, "VACUUM"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Query(bg, "CHECK c"); err != nil {
		t.Fatalf("CHECK after VACUUM: %v", err)
	}
	v, _ = mustCollection(t, d, "c").View()
	if hs, err := v.Search(bg, extra, 1, nil); err != nil || len(hs) != 1 || hs[0].Key != "extra" || !inPlaceIndex(t, v) {
		t.Fatalf("after VACUUM: %v %v", hs, err)
	}
}

// TestGraphSegmentAbortedCreateIndex: the segment is written aside and
// swapped in by the commit of the records: a CREATE INDEX cancelled before
// it leaves neither.
func TestGraphSegmentAbortedCreateIndex(t *testing.T) {
	d := MustOpen(t)
	defer d.Close()
	fillColl(t, d, "c", 5000, 16, Cosine)
	ctx, cancel := context.WithCancel(WithProgress(bg, func(p Progress) {}))
	ctx = WithProgress(ctx, func(p Progress) {
		if p.Done == p.Total {
			cancel() // built: the records are being written aside
		}
	})
	if err := d.CreateIndex(ctx, "c", IndexConfig{M: 8, EfConstruction: 40}, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled CREATE INDEX: %v", err)
	}
	if hasSegment(t, d, "c") {
		t.Fatal("a cancelled CREATE INDEX left a segment")
	}
	if err := d.view("c", func(c *storage.Coll) error {
		if c.IndexMeta() != nil || c.IndexNodes() != 0 {
			return fmt.Errorf("a cancelled CREATE INDEX left graph records")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if rep, err := d.Check(bg, ""); err != nil || !rep.OK() {
		t.Fatalf("check: %v %v", rep, err)
	}
}

// TestWriterGrowsFileWhileGraphSearches: with a small map headroom, a
// writer grows the file (another collection, so the searched one keeps
// its segment) while readers search the graph read in place: the pins are
// released under them (the graph is dropped and opened again from its
// records) and every search finds the queried row first.
func TestWriterGrowsFileWhileGraphSearches(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true, MapHeadroom: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const dim = 32
	c, _ := fillColl(t, d, "c", 2000, dim, Cosine)
	w, _ := fillColl(t, d, "w", 10, dim, Cosine)
	if err := d.CreateIndex(bg, "c", IndexConfig{M: 8, EfConstruction: 40, Quantize: "int8"}, 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer cancel()
		r := rand.New(rand.NewSource(11))
		deadline := time.Now().Add(3 * time.Second)
		for i := 0; time.Now().Before(deadline) && (d.store.Releases() < 3 || i < 50); i++ {
			rows := make([]Row, 20)
			for j := range rows {
				rows[j] = Row{Key: fmt.Sprintf("w%d-%d", i, j), Vector: randVecs(r, 1, dim)[0]}
			}
			if err := w.Insert(bg, rows...); err != nil {
				errc <- fmt.Errorf("writer: %w", err)
				return
			}
		}
	}()
	inPlace := make([]int, 3)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(g)))
			for ctx.Err() == nil {
				v, err := c.View()
				if err != nil {
					errc <- err
					return
				}
				for range 20 {
					p := r.Intn(v.Len())
					hs, err := v.Search(bg, v.SearchVector(p), 3, nil)
					if err != nil {
						errc <- fmt.Errorf("reader %d: %w", g, err)
						return
					}
					if len(hs) == 0 || hs[0].Key != v.Key(p) {
						errc <- fmt.Errorf("reader %d: row %s: %v", g, v.Key(p), hitKeys(hs))
						return
					}
					if idx := v.inPlaceGraph(); idx != nil {
						inPlace[g]++
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if d.store.Releases() == 0 {
		t.Error("the map never had to grow: the test did not test it")
	}
	t.Logf("releases %d, searches in place %v", d.store.Releases(), inPlace)
	if inPlace[0]+inPlace[1]+inPlace[2] == 0 {
		t.Error("no search read the graph in place")
	}
	if !hasSegment(t, d, "c") {
		t.Error("writes to another collection dropped the segment")
	}
	if rep, err := d.Check(bg, ""); err != nil || !rep.OK() {
		t.Fatalf("check: %v %v", rep, err)
	}
}

// TestGraphSegmentRandomDamage flips seeded random bytes of the arrays of
// a segment in a real file (float32 and int8 graphs): CHECK reports every
// variant, and no search panics (each answers or reports ErrCorrupt).
func TestGraphSegmentRandomDamage(t *testing.T) {
	for _, quant := range []string{"", "int8"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "g.vdb")
		d, err := Open(path, &Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		_, vs := fillColl(t, d, "c", 1500, 16, L2)
		if err := d.CreateIndex(bg, "c", IndexConfig{M: 8, EfConstruction: 40, Quantize: quant}, 1); err != nil {
			t.Fatal(err)
		}
		seg := segmentArrays(t, d, "c")
		d.Close()
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var spans [][2]int
		for _, a := range seg {
			if len(a) < 16 {
				continue
			}
			i := bytes.Index(orig, a[:min(64, len(a))])
			if i < 0 {
				t.Fatalf("%q: a segment array is not in the file", quant)
			}
			spans = append(spans, [2]int{i, i + len(a)})
		}
		r := rand.New(rand.NewSource(7))
		for variant := 0; variant < 30; variant++ {
			data := bytes.Clone(orig)
			for range 1 + r.Intn(6) {
				sp := spans[r.Intn(len(spans))]
				data[sp[0]+r.Intn(sp[1]-sp[0])] ^= byte(1 + r.Intn(255))
			}
			p := filepath.Join(dir, fmt.Sprintf("v%d.vdb", variant))
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			func() {
				d, err := Open(p, &Options{NoSync: true, ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				if _, err := d.Query(bg, "CHECK c"); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%q variant %d: CHECK: %v", quant, variant, err)
				}
				v, _ := mustCollection(t, d, "c").View()
				for _, q := range vs[:30] {
					if _, err := v.Search(bg, q, 10, nil); err != nil && !errors.Is(err, ErrCorrupt) {
						t.Fatalf("%q variant %d: search: %v", quant, variant, err)
					}
				}
			}()
			os.Remove(p)
		}
	}
}

// TestGraphSegmentOnlyWhenUsable: a collection with deleted rows holds its
// vectors in memory and opens its graph from the records, so CREATE INDEX
// and VACUUM write it no segment (it would only take room).
func TestGraphSegmentOnlyWhenUsable(t *testing.T) {
	d := MustOpen(t)
	defer d.Close()
	c, _ := fillColl(t, d, "c", 500, 8, Cosine)
	if _, err := c.Delete(bg, "k3"); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(bg, "c", IndexConfig{M: 8, EfConstruction: 40}, 1); err != nil {
		t.Fatal(err)
	}
	if hasSegment(t, d, "c") {
		t.Fatal("a segment for a collection with deleted rows")
	}
	if _, err := d.Exec(bg, "VACUUM"); err != nil {
		t.Fatal(err)
	}
	if hasSegment(t, d, "c") {
		t.Fatal("VACUUM wrote a segment for a collection with deleted rows")
	}
	v, _ := c.View()
	if hs, err := v.Search(bg, v.SearchVector(10), 1, nil); err != nil || len(hs) != 1 || hs[0].Key != v.Key(10) {
		t.Fatalf("search: %v %v", hs, err)
	}
}
