package db

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// parFixture is a collection c of n random rows of dim values, with an
// INT field g (the row number mod 5), and an HNSW index when index is set.
func parFixture(t testing.TB, n, dim int, index bool) (*DB, *Collection) {
	t.Helper()
	d := MustOpen(t)
	c, err := d.CreateCollection(bg, Spec{Name: "c", Dim: dim, Metric: Cosine, Fields: []Field{{Name: "g", Type: Int}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(int64(n)))
	vecs := randVecs(r, n, dim)
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Key: fmt.Sprint("k", i), Vector: vecs[i], Meta: []any{int64(i % 5)}}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	if index {
		if err := d.CreateIndex(bg, "c", IndexConfig{Kind: "HNSW", M: 8, EfConstruction: 40, EfSearch: 40}, 0); err != nil {
			t.Fatal(err)
		}
	}
	return d, c
}

// eachKeys is "('k0', 'k7', ...)": m keys of the fixture.
func eachKeys(m, step int) string {
	keys := make([]string, m)
	for i := range keys {
		keys[i] = fmt.Sprintf("'k%d'", i*step)
	}
	return "(" + strings.Join(keys, ", ") + ")"
}

// TestEachThreadsSameRows: NEAREST … TO EACH gives the same rows, in the
// same order, on one worker and on several, by every path (HNSW, the
// blocked exact scan, 3CosMul, a filter with a similarity bound), and
// with threads = n it uses n search slots at once, never more.
func TestEachThreadsSameRows(t *testing.T) {
	d, _ := parFixture(t, 3000, 16, true)
	keys := eachKeys(40, 61)
	stmts := []string{
		"SELECT NEAREST 5 TO EACH " + keys + " FROM c",
		"SELECT NEAREST 5 TO EACH " + keys + " FROM c USING EXACT",
		"SELECT NEAREST 3 TO EACH " + keys + " FROM c USING COSMUL",
		"SELECT NEAREST 4 TO EACH " + keys + " FROM c WHERE g != 2 AND similarity > 0.1 OFFSET 1",
	}
	for _, st := range stmts {
		var want *Result
		for _, threads := range []int{1, 2, 3} {
			if err := d.SetThreads(threads); err != nil {
				t.Fatal(err)
			}
			d.peakSlots()
			res, err := d.Query(bg, st)
			if err != nil {
				t.Fatalf("%s: %v", st, err)
			}
			if peak := d.peakSlots(); peak != threads {
				t.Errorf("threads = %d: %s used %d search slots at once", threads, st, peak)
			}
			if len(res.Rows) < 40 {
				t.Fatalf("%s: %d rows", st, len(res.Rows))
			}
			if want == nil {
				want = res
				continue
			}
			if !reflect.DeepEqual(res.Rows, want.Rows) {
				t.Errorf("%s: threads = %d gives other rows than threads = 1", st, threads)
			}
		}
	}
	if err := d.SetThreads(-1); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetThreads(-1): %v", err)
	}
	// SET threads through the language caps the batch too.
	if _, err := d.Exec(bg, "SET threads = 1"); err != nil {
		t.Fatal(err)
	}
	d.peakSlots()
	if _, err := d.Query(bg, "SELECT NEAREST 5 TO EACH "+keys+" FROM c"); err != nil {
		t.Fatal(err)
	}
	if peak := d.peakSlots(); peak != 1 {
		t.Errorf("SET threads = 1: TO EACH used %d search slots at once", peak)
	}
}

// TestSearchBatchThreads: View.SearchBatch spreads its blocks over the
// workers with the same answer, and stops soon after its context is
// cancelled: the blocks under way finish, no other starts.
func TestSearchBatchThreads(t *testing.T) {
	d, c := parFixture(t, 20000, 16, false)
	v, _ := c.View()
	qs := randVecs(rand.New(rand.NewSource(9)), 7, 16)
	var want [][]Hit
	for _, threads := range []int{1, 2, 4} {
		d.SetThreads(threads)
		d.peakSlots()
		got, err := v.SearchBatch(bg, qs, 10, &SearchOptions{Filter: func(p int) bool { return p%3 != 0 }})
		if err != nil {
			t.Fatal(err)
		}
		if peak := d.peakSlots(); peak != threads {
			t.Errorf("threads = %d: SearchBatch used %d slots", threads, peak)
		}
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("threads = %d: SearchBatch answers otherwise than on one worker", threads)
		}
	}

	// A filter that keeps nothing is called for every row of every block
	// a worker scores; it cancels the context at its first call.
	const threads = 2
	d.SetThreads(threads)
	block := batchBlockBytes / (4 * 16)
	block -= block % 12
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var calls atomic.Int64
	_, err := v.SearchBatch(ctx, qs, 10, &SearchOptions{Filter: func(int) bool {
		if calls.Add(1) == 1 {
			cancel()
		}
		return false
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled SearchBatch returned %v", err)
	}
	if n, most := calls.Load(), int64(threads*len(qs)*block); n > most {
		t.Errorf("the filter ran %d times after the cancel; the blocks under way call it at most %d times", n, most)
	}
}

// TestSpreadOrderAndErrors: spread runs every item once; the first failing
// item by input order gives the error whatever the workers' timing; a
// cancelled context stops the workers at their next item.
func TestSpreadOrderAndErrors(t *testing.T) {
	d := MustOpen(t)
	errAt := func(i int) error { return fmt.Errorf("item %d: %w", i, ErrInvalid) }
	for _, threads := range []int{1, 2, 3, 8} {
		d.SetThreads(threads)
		ran := make([]atomic.Int32, 500)
		if err := d.spread(bg, len(ran), d.workers(len(ran)), func(_ context.Context, _, i int) error {
			ran[i].Add(1)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i := range ran {
			if ran[i].Load() != 1 {
				t.Fatalf("threads = %d: item %d ran %d times", threads, i, ran[i].Load())
			}
		}
		// Item 9 fails at once, item 5 later: the error is item 5's.
		var first error
		err := d.spread(bg, 100, d.workers(100), func(_ context.Context, _, i int) error {
			switch i {
			case 5:
				time.Sleep(20 * time.Millisecond)
				first = errAt(5)
				return first
			case 9:
				return errAt(9)
			}
			return nil
		})
		if err == nil || err != first {
			t.Errorf("threads = %d: spread returned %v, want item 5's error", threads, err)
		}

		// Cancelled at item 10: the items under way finish, no other starts.
		ctx, cancel := context.WithCancel(bg)
		var after atomic.Int32
		err = d.spread(ctx, 1000, d.workers(1000), func(ctx context.Context, _, i int) error {
			if ctx.Err() != nil {
				after.Add(1)
			}
			if i == 10 {
				cancel()
			}
			time.Sleep(time.Millisecond)
			return nil
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("threads = %d: cancelled spread returned %v", threads, err)
		}
		if n := after.Load(); n >= int32(threads) {
			t.Errorf("threads = %d: %d items started after the cancel", threads, n)
		}
	}
}

// TestRecommendBatch: RecommendBatch answers each history as Recommend
// does, and reports the first bad history by input order.
func TestRecommendBatch(t *testing.T) {
	d, c := parFixture(t, 2000, 16, false)
	v, _ := c.View()
	hist := make([][]string, 30)
	for i := range hist {
		hist[i] = []string{fmt.Sprint("k", i), fmt.Sprint("k", 3*i+1)}
	}
	opts := RecommendOptions{Recency: 0.5, Filter: func(p int) bool { return p%2 == 0 }}
	d.SetThreads(3)
	d.peakSlots()
	got, err := v.RecommendBatch(bg, hist, 5, opts)
	if err != nil {
		t.Fatal(err)
	}
	if peak := d.peakSlots(); peak != 3 {
		t.Errorf("threads = 3: RecommendBatch used %d slots", peak)
	}
	for i, h := range hist {
		one, err := v.Recommend(bg, h, 5, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], one) {
			t.Fatalf("history %d: batch %v, alone %v", i, got[i], one)
		}
	}
	hist[7] = []string{"k1", "nope7"}
	hist[4] = []string{"nope4"}
	for _, threads := range []int{1, 4} {
		d.SetThreads(threads)
		_, err := v.RecommendBatch(bg, hist, 5, opts)
		var ke *KeysNotFoundError
		if !errors.As(err, &ke) || !reflect.DeepEqual(ke.Keys, []string{"nope4"}) {
			t.Errorf("threads = %d: want history 5's unknown key, got %v", threads, err)
		}
	}
	if _, err := v.RecommendBatch(bg, hist, 0, opts); !errors.Is(err, ErrInvalid) {
		t.Errorf("k = 0: %v", err)
	}
}

// TestConcurrentQueriesAndWriter: reads are not serialised (a query and a
// write finish while another search is stopped in the middle), threads
// caps the searches running at once (with threads = 1 a query waits for
// the slot, and gives up when its context ends), and queries running on
// many goroutines beside a writer stay consistent. Run with -race.
func TestConcurrentQueriesAndWriter(t *testing.T) {
	d, c := parFixture(t, 2000, 16, true)
	d.SetThreads(2)
	v, _ := c.View()
	entered, unblock := make(chan struct{}), make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := v.Search(bg, v.SearchVector(0), 5, &SearchOptions{Exact: true, Filter: func(int) bool {
			once.Do(func() { close(entered) })
			<-unblock
			return true
		}})
		done <- err
	}()
	<-entered
	// One slot is held by the stopped search: a query takes the other.
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	if _, err := d.Query(ctx, "SELECT NEAREST 3 TO 'k1' FROM c"); err != nil {
		t.Fatalf("a query beside a running search: %v", err)
	}
	cancel()
	if err := c.Insert(bg, Row{Key: "new", Vector: v.Vector(3), Meta: []any{int64(1)}}); err != nil {
		t.Fatalf("a write beside a running search: %v", err)
	}
	// With threads = 1 the stopped search holds the only slot.
	d.SetThreads(1)
	ctx, cancel = context.WithTimeout(bg, 50*time.Millisecond)
	_, err := d.Query(ctx, "SELECT NEAREST 3 TO 'k1' FROM c")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("threads = 1: a second search did not wait for the slot: %v", err)
	}
	close(unblock)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Many readers and a writer at once.
	d.SetThreads(2)
	d.peakSlots()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := rand.New(rand.NewSource(2))
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := c.Insert(bg, Row{Key: fmt.Sprint("w", i), Vector: randVecs(r, 1, 16)[0], Meta: []any{int64(i % 5)}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var readers sync.WaitGroup
	for g := 0; g < 4; g++ {
		readers.Add(1)
		go func(g int) {
			defer readers.Done()
			for i := 0; i < 15; i++ {
				st := fmt.Sprintf("SELECT NEAREST 3 TO 'k%d' FROM c", g*100+i)
				if i%3 == 0 {
					st = "SELECT NEAREST 3 TO EACH " + eachKeys(6, g+i+1) + " FROM c"
				}
				res, err := d.Query(bg, st)
				if err != nil {
					t.Error(err)
					return
				}
				if len(res.Rows) == 0 || len(res.Rows)%3 != 0 {
					t.Errorf("%s: %d rows", st, len(res.Rows))
					return
				}
			}
		}(g)
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	if peak := d.peakSlots(); peak > 2 {
		t.Errorf("threads = 2: %d searches ran at once", peak)
	}
}

// TestEachRowLimit: the queries of TO EACH stop once their rows pass
// Limits.MaxRows, on any number of threads, and a result under the limit
// is the same on all.
func TestEachRowLimit(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "l.vdb"), &Options{NoSync: true, Limits: Limits{MaxRows: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, _ := d.CreateCollection(bg, Spec{Name: "c", Dim: 4}, false)
	vecs := randVecs(rand.New(rand.NewSource(4)), 300, 4)
	for i, v := range vecs {
		if err := c.Insert(bg, Row{Key: fmt.Sprint("k", i), Vector: v}); err != nil {
			t.Fatal(err)
		}
	}
	var want *Result
	for _, threads := range []int{1, 2} {
		d.SetThreads(threads)
		if _, err := d.Query(bg, "SELECT NEAREST ALL TO EACH "+eachKeys(30, 7)+" FROM c WHERE similarity >= -2"); err == nil {
			t.Errorf("threads = %d: 30 × 299 rows under a limit of 1000", threads)
		}
		res, err := d.Query(bg, "SELECT NEAREST ALL TO EACH "+eachKeys(30, 7)+" FROM c WHERE similarity >= 0.9")
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = res
		} else if !reflect.DeepEqual(res.Rows, want.Rows) {
			t.Errorf("threads = %d: other rows", threads)
		}
	}
}

// TestSlotGate: waiters get freed slots first come first served, a waiter
// whose context ends leaves the queue, and no slot is lost.
func TestSlotGate(t *testing.T) {
	var g slotGate
	if err := g.acquire(bg, 1); err != nil {
		t.Fatal(err)
	}
	if g.tryAcquire(1) {
		t.Fatal("tryAcquire took a second slot of one")
	}
	queued := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; {
			g.mu.Lock()
			w := len(g.waiters)
			g.mu.Unlock()
			if w == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d waiters, want %d", w, n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	ctxB, cancelB := context.WithCancel(bg)
	errB := make(chan error, 1)
	go func() { errB <- g.acquire(ctxB, 1) }()
	queued(1)
	order := make(chan string, 2)
	for _, name := range []string{"C", "D"} {
		go func() {
			if err := g.acquire(bg, 1); err != nil {
				t.Error(err)
			}
			order <- name
			g.release(1)
		}()
		queued(map[string]int{"C": 2, "D": 3}[name])
	}
	cancelB()
	if err := <-errB; !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled waiter: %v", err)
	}
	queued(2)
	if g.tryAcquire(5) {
		t.Fatal("tryAcquire went before the waiters")
	}
	g.release(1)
	if a, b := <-order, <-order; a != "C" || b != "D" {
		t.Errorf("slots handed out in order %s, %s", a, b)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy != 0 || len(g.waiters) != 0 || g.peak != 1 {
		t.Errorf("busy %d, waiters %d, peak %d after all released", g.busy, len(g.waiters), g.peak)
	}
}

// TestSetThreads: DB.SetThreads and SET threads set the one number of
// threads, which SHOW SETTINGS shows with its source.
func TestSetThreads(t *testing.T) {
	d := MustOpen(t)
	show := func() []any {
		t.Helper()
		res, err := d.Query(bg, "SHOW threads")
		if err != nil || len(res.Rows) != 1 {
			t.Fatalf("SHOW threads: %v %v", res, err)
		}
		return res.Rows[0]
	}
	if err := d.SetThreads(3); err != nil || d.threads() != 3 {
		t.Fatalf("SetThreads(3): %v, threads %d", err, d.threads())
	}
	if got := show(); got[1] != "3" || got[2] != "Go API" {
		t.Errorf("after SetThreads(3): %v", got)
	}
	if err := d.SetThreads(0); err != nil || d.threads() != runtime.GOMAXPROCS(0) {
		t.Fatalf("SetThreads(0): %v, threads %d", err, d.threads())
	}
	if got := show(); got[2] != "default" {
		t.Errorf("after SetThreads(0): %v", got)
	}
	for _, n := range []int{-1, 1025} {
		if err := d.SetThreads(n); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetThreads(%d): %v", n, err)
		}
	}
	if _, err := d.Exec(bg, "SET threads = 2"); err != nil || d.threads() != 2 {
		t.Fatalf("SET threads = 2: %v, threads %d", err, d.threads())
	}
	if got := show(); got[1] != "2" || got[2] != "SET" {
		t.Errorf("after SET threads = 2: %v", got)
	}
}
