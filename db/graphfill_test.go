package db

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vecdb/vecdb/storage"
)

// openFill opens path with the background fill on (the default) and
// returns its view of "c".
func openFill(t *testing.T, path string, opts Options) (*DB, *View) {
	t.Helper()
	opts.NoSync = true
	d, err := Open(path, &opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Collection("c")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	return d, v
}

// fillOf returns the collection's running fill (nil when none).
func fillOf(t *testing.T, d *DB) *graphFill {
	t.Helper()
	s, err := d.state("c")
	if err != nil {
		t.Fatal(err)
	}
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	return s.fill
}

func waitDone(t *testing.T, f *graphFill, what string) {
	t.Helper()
	select {
	case <-f.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: the fill did not stop", what)
	}
}

// TestGraphFillSameAnswers: after the first query the rest of the graph is
// filled in the background while queries from several goroutines run
// (go test -race -run TestGraphFill); they answer as the whole graph does,
// and the fill ends with every node filled.
func TestGraphFillSameAnswers(t *testing.T) {
	const n = 3000
	defer func(b int) { fillBatch = b }(fillBatch)
	fillBatch = 4 // many steps: the queries below run during the fill
	for _, quant := range []string{"", "int8"} {
		path, vs := lazyIndexDB(t, n, quant)
		queries := vs[:80]
		want := make([][]Hit, len(queries))
		dw, vw := openView(t, path)
		if _, err := vw.fullIndex(); err != nil {
			t.Fatal(err)
		}
		for i, q := range queries {
			hs, err := vw.Search(bg, q, 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			want[i] = hs
		}
		dw.Close()

		d, v := openFill(t, path, Options{})
		if fillOf(t, d) != nil {
			t.Fatal("a fill before the first query")
		}
		if _, err := v.Search(bg, queries[0], 10, nil); err != nil {
			t.Fatal(err)
		}
		f := fillOf(t, d)
		if f == nil {
			t.Fatalf("%q: no fill after the first query", quant)
		}
		var wg sync.WaitGroup
		var during atomic.Int64 // queries answered while the fill ran
		errs := make(chan error, 4)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := range queries {
					i := (i + 13*g) % len(queries)
					hs, err := v.Search(bg, queries[i], 10, nil)
					if err != nil || !reflect.DeepEqual(hs, want[i]) {
						errs <- fmt.Errorf("%q: query %d during the fill: %v %v, want %v", quant, i, hitKeys(hs), err, hitKeys(want[i]))
						return
					}
					select {
					case <-f.done:
					default:
						during.Add(1)
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if during.Load() == 0 {
			t.Errorf("%q: no query ran during the fill", quant)
		}
		waitDone(t, f, quant)
		idx, err := v.loadedIndex()
		if err != nil || !idx.Lazy() || idx.Filled() != n {
			t.Fatalf("%q: after the fill: %d of %d nodes filled (%v)", quant, idx.Filled(), n, err)
		}
		for i, q := range queries {
			if hs, err := v.Search(bg, q, 10, nil); err != nil || !reflect.DeepEqual(hs, want[i]) {
				t.Fatalf("%q: query %d after the fill: %v %v", quant, i, hitKeys(hs), err)
			}
		}
		d.Close()
	}
}

// holdFills keeps every fill started during the test from taking a step
// until what ends a fill (a write, a drop, Close) happens or the returned
// function runs, so that a test of stopping a fill does not race the fill
// to its end.
func holdFills(t *testing.T) (release func()) {
	t.Helper()
	open := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(open) }) }
	fillStepHook = func(stop, quit <-chan struct{}) {
		select {
		case <-stop:
		case <-quit:
		case <-open:
		}
	}
	t.Cleanup(func() { release(); fillStepHook = nil })
	return release
}

// TestGraphFillClose: Close during the fill returns, stops it and leaves
// no goroutine behind.
func TestGraphFillClose(t *testing.T) {
	path, vs := lazyIndexDB(t, 3000, "")
	before := runtime.NumGoroutine()
	holdFills(t)
	d, v := openFill(t, path, Options{})
	if _, err := v.Search(bg, vs[0], 10, nil); err != nil {
		t.Fatal(err)
	}
	f := fillOf(t, d)
	if f == nil {
		t.Fatal("no fill after the first query")
	}
	idx, _ := v.loadedIndex()
	start := time.Now()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Close took %v", el)
	}
	select {
	case <-f.done:
	default:
		t.Fatal("Close returned before the fill stopped")
	}
	if idx.Filled() == idx.Len() {
		t.Error("the fill completed: Close did not stop it midway")
	}
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines after Close, %d before Open", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGraphFillStops: a write to the collection stops the fill of its
// old graph, as dropping the collection does; neither finishes it.
func TestGraphFillStops(t *testing.T) {
	path, vs := lazyIndexDB(t, 3000, "")
	holdFills(t)
	d, v := openFill(t, path, Options{})
	defer d.Close()
	if _, err := v.Search(bg, vs[0], 10, nil); err != nil {
		t.Fatal(err)
	}
	f := fillOf(t, d)
	lazy, _ := v.loadedIndex()
	c, _ := d.Collection("c")
	if err := c.Insert(bg, Row{Key: "new", Vector: vs[1]}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, f, "write")
	if lazy.Filled() == lazy.Len() {
		t.Error("the old graph's fill went on after the write")
	}
	if g := fillOf(t, d); g != nil {
		t.Errorf("a fill of the graph loaded whole: %v", g)
	}

	// Drop: a fresh file, a fill held back, then DROP COLLECTION.
	path, vs = lazyIndexDB(t, 3000, "")
	d2, v2 := openFill(t, path, Options{})
	defer d2.Close()
	if _, err := v2.Search(bg, vs[0], 10, nil); err != nil {
		t.Fatal(err)
	}
	f = fillOf(t, d2)
	if _, err := d2.Exec(bg, "DROP COLLECTION c"); err != nil {
		t.Fatal(err)
	}
	waitDone(t, f, "drop")
}

// TestGraphFillOff: with Options.NoGraphFill, or after SET graph_fill =
// false, the graph keeps only the nodes the queries reached.
func TestGraphFillOff(t *testing.T) {
	const n = 3000
	path, vs := lazyIndexDB(t, n, "")
	partly := func(d *DB, v *View, what string) {
		t.Helper()
		for _, q := range vs[:20] {
			if _, err := v.Search(bg, q, 10, nil); err != nil {
				t.Fatal(err)
			}
		}
		if f := fillOf(t, d); f != nil {
			waitDone(t, f, what) // stopped at its next step
		}
		time.Sleep(50 * time.Millisecond)
		idx, _ := v.loadedIndex()
		if got := idx.Filled(); got == 0 || got >= n {
			t.Errorf("%s: %d of %d nodes filled, want part of them", what, got, n)
		}
	}
	d, v := openFill(t, path, Options{NoGraphFill: true})
	partly(d, v, "Options.NoGraphFill")
	if fillOf(t, d) != nil {
		t.Error("a fill with Options.NoGraphFill")
	}
	res, err := d.Query(bg, "SHOW graph_fill")
	if err != nil || fmt.Sprint(res.Rows[0][1]) != "false" {
		t.Errorf("SHOW graph_fill with Options.NoGraphFill: %v %v", res, err)
	}
	d.Close()

	// SET graph_fill = false stops a fill that is running.
	release := holdFills(t)
	d, v = openFill(t, path, Options{})
	if _, err := v.Search(bg, vs[0], 10, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "SET graph_fill = false"); err != nil {
		t.Fatal(err)
	}
	release()
	partly(d, v, "SET graph_fill = false")
	// SET graph_fill = true: the next lazily opened graph is filled.
	if _, err := d.Exec(bg, "SET graph_fill = true"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, v = openFill(t, path, Options{NoGraphFill: true})
	defer d.Close()
	if _, err := d.Exec(bg, "SET graph_fill = true"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Search(bg, vs[0], 10, nil); err != nil {
		t.Fatal(err)
	}
	f := fillOf(t, d)
	if f == nil {
		t.Fatal("no fill after SET graph_fill = true")
	}
	waitDone(t, f, "SET graph_fill = true")
	if idx, _ := v.loadedIndex(); idx.Filled() != n {
		t.Errorf("SET graph_fill = true: %d of %d nodes filled", idx.Filled(), n)
	}
}

// TestGraphFillDamagedNode: the fill passes a damaged node record by,
// leaving it unfilled; the query that reaches it fails with ErrCorrupt,
// and the fill fills every other node.
func TestGraphFillDamagedNode(t *testing.T) {
	const n = 1000
	path, vs := lazyIndexDB(t, n, "")
	d, v := openView(t, path)
	pos, err := v.Positions([]string{"k7"})
	if err != nil {
		t.Fatal(err)
	}
	id := v.ID(pos[0])
	err = d.store.Update(func(tx *storage.Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		return c.IndexPut(id, []byte{0, 3, 1}) // truncated
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	d, v = openFill(t, path, Options{})
	defer d.Close()
	if _, err := v.Search(bg, vs[500], 3, nil); err != nil {
		t.Fatalf("a query that does not reach the node: %v", err)
	}
	f := fillOf(t, d)
	if f == nil {
		t.Fatal("no fill")
	}
	waitDone(t, f, "damaged")
	idx, _ := v.loadedIndex()
	if idx.Filled() != n-1 {
		t.Errorf("%d of %d nodes filled, one damaged", idx.Filled(), n)
	}
	if _, err := v.Search(bg, vs[7], 3, nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("query reaching the damaged node: %v, want ErrCorrupt", err)
	}
}

// TestGraphFillWhileFileGrows: writes that grow the file past its small
// map (so that it is mapped again) while the fill reads the graph; the
// fill holds no transaction across its steps, so the writes go through
// (go test -race -run TestGraphFill), the fill of the old graph stops,
// and queries see the new rows.
func TestGraphFillWhileFileGrows(t *testing.T) {
	defer func(b int) { fillBatch = b }(fillBatch)
	fillBatch = 4
	path, vs := lazyIndexDB(t, 3000, "")
	d, v := openFill(t, path, Options{MapHeadroom: 1 << 16})
	defer d.Close()
	if _, err := v.Search(bg, vs[0], 10, nil); err != nil {
		t.Fatal(err)
	}
	f := fillOf(t, d)
	if f == nil {
		t.Fatal("no fill")
	}
	size := d.FileSize()
	c, _ := d.Collection("c")
	extra := clustered(rand.New(rand.NewSource(5)), 400, 16, 4)
	for i := 0; i < len(extra); i += 40 {
		rows := make([]Row, 0, 40)
		for j, x := range extra[i : i+40] {
			rows = append(rows, Row{Key: fmt.Sprint("grow", i+j), Vector: x})
		}
		if err := c.Insert(bg, rows...); err != nil {
			t.Fatal(err)
		}
	}
	waitDone(t, f, "writes")
	if d.FileSize() <= size {
		t.Errorf("the file did not grow (%d -> %d bytes)", size, d.FileSize())
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(extra); i += 37 {
		hs, err := v.Search(bg, extra[i], 1, nil)
		if err != nil || hs[0].Key != fmt.Sprint("grow", i) {
			t.Fatalf("new row %d: %v %v", i, hitKeys(hs), err)
		}
	}
}
