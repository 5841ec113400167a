package db

import (
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"sync"
	"testing"
)

// fillKeysColl creates collection name with n rows of dim: keys of mixed
// case (k0, K1, k2, …) with counts n-i, so that keys, counts, case
// variants and close spellings all have something to find.
func fillKeysColl(t testing.TB, d *DB, name string, n, dim int) *Collection {
	t.Helper()
	c, err := d.CreateCollection(bg, Spec{Name: name, Dim: dim, Metric: Cosine}, false)
	if err != nil {
		t.Fatal(err)
	}
	vs := randVecs(rand.New(rand.NewSource(int64(n))), n, dim)
	rows := make([]Row, n)
	for i := range rows {
		k := fmt.Sprintf("k%d", i)
		if i%3 == 1 {
			k = fmt.Sprintf("K%d", i)
		}
		rows[i] = Row{Key: k, Vector: vs[i], Count: int64(n - i)}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	return c
}

// scanView loads the collection's view the earlier way (every row decoded
// into memory, keys and counts in slices), to compare with.
func scanView(t testing.TB, d *DB, name string) *View {
	t.Helper()
	v, err := d.loadViewScan(&View{viewData: &viewData{d: d}}, name)
	if err != nil {
		t.Fatal(err)
	}
	if v.file != nil || len(v.keys) != v.Len() {
		t.Fatal("the scan view reads in place")
	}
	return v
}

// sameRows fails unless v and want give the same key, count and id at
// every position.
func sameRows(t *testing.T, what string, v, want *View) {
	t.Helper()
	if v.Len() != want.Len() {
		t.Fatalf("%s: %d rows, want %d", what, v.Len(), want.Len())
	}
	for i := 0; i < want.Len(); i++ {
		if v.Key(i) != want.Key(i) || v.Count(i) != want.Count(i) || v.ID(i) != want.ID(i) {
			t.Fatalf("%s: position %d: %q %d id %d, want %q %d id %d", what, i,
				v.Key(i), v.Count(i), v.ID(i), want.Key(i), want.Count(i), want.ID(i))
		}
	}
}

// TestInPlaceViewReadsKeysLazily: a view read in place copies no key or
// count at open; Key, Count, ID, the first lookups and search hits read
// them from the blocks, and answer as a view loaded from the rows does;
// a suggestion (which needs every key) copies them once, and everything
// answers the same after.
func TestInPlaceViewReadsKeysLazily(t *testing.T) {
	d := MustOpen(t)
	const n, dim = 1500, 24 // two blocks
	c := fillKeysColl(t, d, "c", n, dim)
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	if !v.InPlace() || v.file.rowsIn.Load() || v.keys != nil || v.counts != nil || v.ids != nil {
		t.Fatal("a fresh view read in place copied its keys, counts or ids")
	}
	want := scanView(t, d, "c")
	sameRows(t, "in place", v, want)
	for _, k := range []string{"k0", "K1", "k1498", "K1499", "nope", "k1"} {
		p, ok := v.Lookup(k)
		wp, wok := want.Lookup(k)
		if p != wp || ok != wok {
			t.Fatalf("Lookup(%q) = %d %v, want %d %v", k, p, ok, wp, wok)
		}
	}
	q := v.Vector(700)
	hs, err := v.Search(bg, q, 5, &SearchOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	whs, err := want.Search(bg, q, 5, &SearchOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(hitKeys(hs)) != fmt.Sprint(hitKeys(whs)) || hs[0].Key != "K700" {
		t.Fatalf("search hits %v, want %v (K700 first)", hitKeys(hs), hitKeys(whs))
	}
	// The language's first question: the same neighbours (the key
	// itself left out), no key copied.
	rows, err := d.Query(bg, "SELECT NEAREST 4 TO 'K700' FROM c")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows.Rows {
		got = append(got, r[1].(string))
	}
	if fmt.Sprint(got) != fmt.Sprint(hitKeys(whs[1:])) {
		t.Fatalf("NEAREST: %v, want %v", got, hitKeys(whs[1:]))
	}
	if v.file.rowsIn.Load() || v.posReady.Load() || v.Len() != n {
		t.Fatalf("keys copied (or their map built) by Key, Count, Lookup, Search or NEAREST (%d rows)", v.Len())
	}
	// Every key at once: the case variants and a close spelling.
	for _, k := range []string{"K3", "k4", "k14999", "x"} {
		if got, w := v.Suggest(k), want.Suggest(k); got != w {
			t.Fatalf("Suggest(%q) = %q, want %q", k, got, w)
		}
	}
	if got := v.CaseVariants("k1"); fmt.Sprint(got) != "[K1]" {
		t.Fatalf("CaseVariants(k1) = %v", got)
	}
	if !v.file.rowsIn.Load() {
		t.Fatal("a suggestion did not copy the keys")
	}
	sameRows(t, "copied", v, want)
	for i := 0; i < 40; i++ { // from the 33rd on: the map
		k := want.Key(i * 37)
		if p, ok := v.Lookup(k); !ok || p != i*37 {
			t.Fatalf("Lookup(%q) = %d %v, want %d", k, p, ok, i*37)
		}
	}
	if v.PopularityPrior(10) != want.PopularityPrior(10) || v.PopularityPrior(10) <= 0 {
		t.Fatalf("PopularityPrior: %v, want %v", v.PopularityPrior(10), want.PopularityPrior(10))
	}
}

// TestInPlaceKeysOneByOneThenCopied: a caller that walks every key through
// Key gets them copied once after rowReadsBeforeCopy reads, not a lock
// and a copy each.
func TestInPlaceKeysOneByOneThenCopied(t *testing.T) {
	d := MustOpen(t)
	c := fillKeysColl(t, d, "c", int(rowReadsBeforeCopy)+500, 4)
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < int(rowReadsBeforeCopy)-1; i++ {
		v.Key(i)
	}
	if v.file.rowsIn.Load() {
		t.Fatal("copied before rowReadsBeforeCopy reads")
	}
	v.Count(5)
	if !v.file.rowsIn.Load() {
		t.Fatal("not copied after rowReadsBeforeCopy reads")
	}
	sameRows(t, "copied", v, scanView(t, d, "c"))
}

// TestInPlaceKeysAcrossEviction: a write that must grow the map releases
// the pin of a view whose keys were never copied: the view copies them
// then, and keeps answering with its own keys and counts.
func TestInPlaceKeysAcrossEviction(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true, MapHeadroom: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const n, dim = 1500, 16
	c := fillKeysColl(t, d, "c", n, dim)
	want := scanView(t, d, "c")
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	if !v.InPlace() || v.file.rowsIn.Load() {
		t.Fatal("want a fresh view read in place")
	}
	// A reader walks the keys meanwhile (one at a time while they are
	// in the blocks, from the copy after), never so many that it copies
	// them itself.
	defer func(was int32) { rowReadsBeforeCopy = was }(rowReadsBeforeCopy)
	rowReadsBeforeCopy = math.MaxInt32
	stop, bad := make(chan struct{}), make(chan string, 1)
	go func() {
		defer close(bad)
		for i := 0; ; i = (i + 7) % n {
			select {
			case <-stop:
				return
			default:
			}
			if k, c := v.Key(i), v.Count(i); k != want.Key(i) || c != want.Count(i) {
				bad <- fmt.Sprintf("position %d: %q %d during the writes", i, k, c)
				return
			}
		}
	}()
	stopReader := sync.OnceValue(func() string { close(stop); return <-bad })
	defer stopReader() // before rowReadsBeforeCopy is restored
	r := rand.New(rand.NewSource(3))
	before := d.store.Releases()
	for i := 0; v.InPlace(); i++ {
		if i == 200 {
			t.Fatal("the writes never released the view's pin")
		}
		rows := make([]Row, 200)
		for j := range rows {
			rows[j] = Row{Key: fmt.Sprintf("w%d-%d", i, j), Vector: randVecs(r, 1, dim)[0]}
		}
		if err := c.Insert(bg, rows...); err != nil {
			t.Fatal(err)
		}
	}
	if msg := stopReader(); msg != "" {
		t.Fatal(msg)
	}
	if d.store.Releases() == before || !v.file.rowsIn.Load() {
		t.Fatalf("pin released %d times; keys copied at the eviction: %v", d.store.Releases()-before, v.file.rowsIn.Load())
	}
	sameRows(t, "after the eviction", v, want)
	if p, ok := v.Lookup("K700"); !ok || p != 700 {
		t.Fatalf("Lookup(K700) = %d %v", p, ok)
	}
	if _, ok := v.Lookup("w0-0"); ok {
		t.Fatal("the old view found a row written after it")
	}
	hs, err := v.Search(bg, want.Vector(700), 3, &SearchOptions{Exact: true})
	if err != nil || hs[0].Key != "K700" {
		t.Fatalf("search after the eviction: %v %v", hitKeys(hs), err)
	}
}

// TestInPlaceKeysAfterClose: after Close a view read in place keeps its
// length; Key and Count give "" and 0 (the keys are not read from a
// closed file) unless they were copied before, and those it keeps.
func TestInPlaceKeysAfterClose(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	ca := fillKeysColl(t, d, "a", n, 8)
	cb := fillKeysColl(t, d, "b", n, 8)
	va, err := ca.View()
	if err != nil {
		t.Fatal(err)
	}
	vb, err := cb.View()
	if err != nil {
		t.Fatal(err)
	}
	if va.Key(3) != "k3" || va.Count(3) != n-3 {
		t.Fatalf("before Close: %q %d", va.Key(3), va.Count(3))
	}
	vb.Suggest("kk4") // copies b's keys
	wantB := scanView(t, d, "b")
	d.Close()
	if va.Len() != n || va.Key(3) != "" || va.Count(3) != 0 {
		t.Fatalf("after Close, keys never copied: %d rows, %q %d", va.Len(), va.Key(3), va.Count(3))
	}
	if _, ok := va.Lookup("k3"); ok {
		t.Fatal("after Close, keys never copied: Lookup found k3")
	}
	sameRows(t, "after Close, keys copied before", vb, wantB)
	if p, ok := vb.Lookup("K4"); !ok || p != 4 {
		t.Fatalf("after Close, keys copied before: Lookup(K4) = %d %v", p, ok)
	}
}
