// Command annbench is the HNSW benchmark of issue 4: vecdb's index against
// hnswlib (../../shared/bench/ann_reference.py) on the same vector file and
// the same split (file position i%50 == 7 is a query, the rest the base).
// run.sh drives it; each subcommand prints JSON lines.
//
//	annbench bench FILE DIR [flags]   import the base set into DIR/bench.vdb
//	                                  (no index), CREATE INDEX on each thread
//	                                  count (fresh index each), then recall@10
//	                                  and single-thread QPS per ef_search,
//	                                  memory per vector; writes DIR/query.txt;
//	                                  -quantize int8 [-rescore N] measures the
//	                                  int8 index
//	annbench open DB QUERYFILE        in a fresh process: Open read-only and
//	                                  the first NEAREST through the index
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/format"
)

const coll = "vecs"

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: annbench bench FILE DIR [flags] | open DB QUERYFILE")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "bench":
		err = benchCmd(os.Args[2], os.Args[3], os.Args[4:])
	case "open":
		err = openCmd(os.Args[2], os.Args[3])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "annbench:", err)
		os.Exit(1)
	}
}

func emit(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func round(x float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

type dataset struct {
	baseKeys  []string
	base      [][]float32
	queryKeys []string
	queries   [][]float32
}

// readSplit reads a vector file with the split of ann_reference.py.
func readSplit(file string) (*dataset, error) {
	rd, err := format.Open(file, format.ReaderOptions{})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	ds := &dataset{}
	for i := 0; ; i++ {
		k, v, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		v = append([]float32(nil), v...)
		if i%50 == 7 {
			ds.queryKeys = append(ds.queryKeys, k)
			ds.queries = append(ds.queries, v)
		} else {
			ds.baseKeys = append(ds.baseKeys, k)
			ds.base = append(ds.base, v)
		}
	}
	return ds, nil
}

// readTruth reads ann_reference.py's --truth file: query key, tab, keys.
func readTruth(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		q, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		out[q] = strings.Fields(rest)
	}
	return out, sc.Err()
}

// rss returns VmRSS and RssAnon of this process in bytes.
func rss() (total, anon int64) {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			total = n * 1024
		case "RssAnon:":
			anon = n * 1024
		}
	}
	return
}

func benchCmd(file, dir string, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	threadsFlag := fs.String("threads", "1,2", "CREATE INDEX thread counts, each on a fresh index")
	truthPath := fs.String("truth", "", "ann_reference.py --truth file (else exact search in vecdb)")
	nq := fs.Int("queries", 0, "use only the first n queries (0: all)")
	efs := fs.String("ef", "10,20,40,80,160,320", "ef_search values")
	m := fs.Int("m", 16, "M")
	efc := fs.Int("efc", 200, "ef_construction")
	quant := fs.String("quantize", "none", "CREATE INDEX quantize: none or int8 (int8 walk, float32 rescoring)")
	rescore := fs.Int("rescore", 0, "int8 oversampling factor (0: the default)")
	annDirect := fs.Bool("ann", true, "also build an ann.Index in process (2 threads): MemoryBytes and QPS without db")
	cpuprof := fs.String("cpuprofile", "", "write a CPU profile of the query loops")
	rounds := fs.Int("rounds", 1, "time each ef_search this many times and keep the best (a shared machine's quietest)")
	reopen := fs.Bool("reopen", false, "close the database after CREATE INDEX and search it reopened read-only (the graph read in place from the file)")
	fs.Parse(args)
	ctx := context.Background()

	t0 := time.Now()
	ds, err := readSplit(file)
	if err != nil {
		return err
	}
	if *nq > 0 && *nq < len(ds.queries) {
		ds.queries, ds.queryKeys = ds.queries[:*nq], ds.queryKeys[:*nq]
	}
	dim := len(ds.base[0])
	emit(map[string]any{"base": len(ds.base), "queries": len(ds.queries), "dim": dim, "k": 10, "read_seconds": round(time.Since(t0).Seconds(), 2)})

	// The base set as GloVe text (no header) for IMPORT.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	basePath := filepath.Join(dir, "base.txt")
	bf, err := os.Create(basePath)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(bf, 1<<20)
	var line []byte
	for i, v := range ds.base {
		line = append(line[:0], ds.baseKeys[i]...)
		for _, x := range v {
			line = append(line, ' ')
			line = strconv.AppendFloat(line, float64(x), 'g', -1, 32)
		}
		line = append(line, '\n')
		bw.Write(line)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	bf.Close()
	qf, err := os.Create(filepath.Join(dir, "query.txt"))
	if err != nil {
		return err
	}
	for _, x := range ds.queries[0] {
		fmt.Fprintf(qf, "%g\n", x)
	}
	qf.Close()

	dbPath := filepath.Join(dir, "bench.vdb")
	os.Remove(dbPath)
	d, err := db.Open(dbPath, nil)
	if err != nil {
		return err
	}
	no := false
	t0 = time.Now()
	if _, err := d.Import(ctx, coll, basePath, db.ImportOptions{Format: format.GloVe, Index: &no}); err != nil {
		return err
	}
	emit(map[string]any{"vecdb": "import", "rows": len(ds.base), "seconds": round(time.Since(t0).Seconds(), 3)})
	os.Remove(basePath)

	cfg := db.IndexConfig{M: *m, EfConstruction: *efc, EfSearch: 64, Quantize: *quant, Rescore: *rescore}
	for i, ts := range strings.Split(*threadsFlag, ",") {
		th, _ := strconv.Atoi(ts)
		if i > 0 {
			if err := d.DropIndex(ctx, coll, false); err != nil {
				return err
			}
		}
		runtime.GC()
		t0 = time.Now()
		if err := d.CreateIndex(ctx, coll, cfg, th); err != nil {
			return err
		}
		secs := time.Since(t0).Seconds()
		emit(map[string]any{"vecdb": "create-index", "M": *m, "ef_construction": *efc, "threads": th, "quantize": *quant,
			"seconds": round(secs, 3), "vectors_per_sec": int(float64(len(ds.base)) / secs)})
	}
	// Memory per vector of the opened collection as SHOW STATS reports it:
	// the index's heap (graph, int8 codes) and, with the float32 vectors,
	// all a vector costs.
	st, err := d.Query(ctx, "SHOW STATS "+coll)
	if err != nil {
		return err
	}
	stats := map[string]any{"vecdb": "stats", "quantize": *quant}
	for _, row := range st.Rows {
		if k := fmt.Sprint(row[0]); k == "index_bytes_per_vector" || k == "bytes_per_vector" {
			stats[k], _ = strconv.ParseFloat(fmt.Sprint(row[1]), 64)
		}
	}
	emit(stats)
	if *reopen {
		if err := d.Close(); err != nil {
			return err
		}
		if d, err = db.Open(dbPath, &db.Options{ReadOnly: true}); err != nil {
			return err
		}
		st, err := d.Query(ctx, "SHOW STATS "+coll)
		if err != nil {
			return err
		}
		for _, row := range st.Rows {
			if fmt.Sprint(row[0]) == "graph_in_place" {
				emit(map[string]any{"vecdb": "reopened", "graph_in_place": fmt.Sprint(row[1])})
			}
		}
	}
	c, err := d.Collection(coll)
	if err != nil {
		return err
	}
	v, err := c.View()
	if err != nil {
		return err
	}

	// Ground truth: ann_reference's file, or vecdb's exact search.
	truth := make([]map[string]bool, len(ds.queries))
	if *truthPath != "" {
		tm, err := readTruth(*truthPath)
		if err != nil {
			return err
		}
		for i, qk := range ds.queryKeys {
			t, ok := tm[qk]
			if !ok {
				return fmt.Errorf("truth file lacks query %q", qk)
			}
			truth[i] = map[string]bool{}
			for _, k := range t {
				truth[i][k] = true
			}
		}
	} else {
		t0 = time.Now()
		for i, q := range ds.queries {
			hits, err := v.Search(ctx, q, 10, &db.SearchOptions{Exact: true})
			if err != nil {
				return err
			}
			truth[i] = map[string]bool{}
			for _, h := range hits {
				truth[i][h.Key] = true
			}
		}
		emit(map[string]any{"vecdb": "exact-truth", "qps_2threads_available": round(float64(len(ds.queries))/time.Since(t0).Seconds(), 1)})
	}

	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	var efList []int
	for _, s := range strings.Split(*efs, ",") {
		n, _ := strconv.Atoi(s)
		efList = append(efList, n)
	}
	prev := runtime.GOMAXPROCS(1)
	// Warm the lazily loaded index (the graph was just built, so this is
	// cheap) and check that searches take the HNSW path.
	var plan db.SearchPlan
	if _, err := v.Search(ctx, ds.queries[0], 10, &db.SearchOptions{EfSearch: 10, Plan: &plan}); err != nil {
		return err
	}
	if !strings.HasPrefix(plan.Path, "HNSW") {
		return fmt.Errorf("search did not use the index: %s", plan)
	}
	for _, ef := range efList {
		hit, secs := 0, 0.0
		for r := 0; r < max(1, *rounds); r++ { // the best of the rounds
			hit = 0
			t0 = time.Now()
			for i, q := range ds.queries {
				hits, err := v.Search(ctx, q, 10, &db.SearchOptions{EfSearch: ef})
				if err != nil {
					return err
				}
				for _, h := range hits {
					if truth[i][h.Key] {
						hit++
					}
				}
			}
			if s := time.Since(t0).Seconds(); r == 0 || s < secs {
				secs = s
			}
		}
		emit(map[string]any{"vecdb": "search", "via": "db.View.Search", "reopened": *reopen, "quantize": *quant, "ef_search": ef, "threads": 1, "rounds": max(1, *rounds),
			"recall": round(float64(hit)/float64(10*len(ds.queries)), 4), "qps": round(float64(len(ds.queries))/secs, 1)})
	}
	runtime.GOMAXPROCS(prev)
	if err := d.Close(); err != nil {
		return err
	}
	d = nil
	v = nil
	c = nil
	if err := openedStats(ctx, dbPath, ds.queries[0], *quant); err != nil {
		return err
	}

	if !*annDirect {
		return nil
	}
	// The same graph parameters straight on package ann: memory of the
	// index alone, and the search loop without db's per-node filter.
	heap0 := heapAlloc()
	ids := make([]uint32, len(ds.base))
	for i := range ids {
		ids[i] = uint32(i)
	}
	idx := ann.New(dim, ann.Config{M: *m, EfConstruction: *efc, Seed: 1, Int8: *quant == "int8"})
	t0 = time.Now()
	if err := idx.Build(ctx, ids, ds.base, 2, nil); err != nil {
		return err
	}
	secs := time.Since(t0).Seconds()
	heap1 := heapAlloc()
	n := float64(len(ds.base))
	emit(map[string]any{"ann": "build", "threads": 2, "seconds": round(secs, 3), "vectors_per_sec": int(n / secs),
		"memory_bytes_per_vector": round(float64(idx.MemoryBytes())/n, 1),
		"heap_delta_per_vector":   round(float64(heap1-heap0)/n, 1)})
	keyIdx := make(map[string]uint32, len(ds.baseKeys))
	for i, k := range ds.baseKeys {
		keyIdx[k] = uint32(i)
	}
	truthIDs := make([]map[uint32]bool, len(truth))
	for i, t := range truth {
		truthIDs[i] = map[uint32]bool{}
		for k := range t {
			truthIDs[i][keyIdx[k]] = true
		}
	}
	prev = runtime.GOMAXPROCS(1)
	for _, ef := range efList {
		hit := 0
		t0 = time.Now()
		for i, q := range ds.queries {
			for _, r := range idx.SearchWith(q, 10, ef, *rescore, nil) {
				if truthIDs[i][r.ID] {
					hit++
				}
			}
		}
		secs := time.Since(t0).Seconds()
		emit(map[string]any{"ann": "search", "via": "ann.Index.Search", "ef_search": ef, "threads": 1,
			"recall": round(float64(hit)/float64(10*len(ds.queries)), 4), "qps": round(float64(len(ds.queries))/secs, 1)})
	}
	// The same loop with the filter db.View.searchIndex always passes (a
	// binary search of the id among the sorted row ids, plus a map lookup
	// of an empty exclusion set), to size that part of db's overhead.
	excl := map[int]bool{}
	posOf := func(id uint32) (int, bool) {
		i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
		return i, i < len(ids) && ids[i] == id
	}
	filter := func(id uint32) bool {
		p, ok := posOf(id)
		return ok && !excl[p]
	}
	for _, ef := range efList {
		hit := 0
		t0 = time.Now()
		for i, q := range ds.queries {
			for _, r := range idx.SearchWith(q, 10, ef, *rescore, filter) {
				if truthIDs[i][r.ID] {
					hit++
				}
			}
		}
		secs := time.Since(t0).Seconds()
		emit(map[string]any{"ann": "search-dbfilter", "via": "ann.Index.Search + db-style filter", "ef_search": ef, "threads": 1,
			"recall": round(float64(hit)/float64(10*len(ds.queries)), 4), "qps": round(float64(len(ds.queries))/secs, 1)})
	}
	runtime.GOMAXPROCS(prev)
	return nil
}

// openedStats reopens the database read-only, loads the graph with one
// search and emits SHOW STATS's memory per vector: what an opened
// collection holds (the float32 vectors, the graph and any int8 codes; the
// graph reads the vectors in place). Right after CREATE INDEX the new
// graph still holds a copy of the vectors, so the figures emitted there
// count them twice.
func openedStats(ctx context.Context, path string, q []float32, quant string) error {
	d, err := db.Open(path, &db.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer d.Close()
	c, err := d.Collection(coll)
	if err != nil {
		return err
	}
	v, err := c.View()
	if err != nil {
		return err
	}
	if _, err := v.Search(ctx, q, 10, nil); err != nil {
		return err
	}
	st, err := d.Query(ctx, "SHOW STATS "+coll)
	if err != nil {
		return err
	}
	stats := map[string]any{"vecdb": "stats-opened", "quantize": quant}
	for _, row := range st.Rows {
		if k := fmt.Sprint(row[0]); k == "index_bytes_per_vector" || k == "bytes_per_vector" {
			stats[k], _ = strconv.ParseFloat(fmt.Sprint(row[1]), 64)
		}
	}
	emit(stats)
	return nil
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func openCmd(dbPath, queryFile string) error {
	b, err := os.ReadFile(queryFile)
	if err != nil {
		return err
	}
	var q []float32
	for _, f := range strings.Fields(string(b)) {
		x, err := strconv.ParseFloat(f, 32)
		if err != nil {
			return err
		}
		q = append(q, float32(x))
	}
	_, anon0 := rss()
	ctx := context.Background()
	t0 := time.Now()
	d, err := db.Open(dbPath, &db.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer d.Close()
	t1 := time.Now()
	c, err := d.Collection(coll)
	if err != nil {
		return err
	}
	if p := os.Getenv("ANNBENCH_OPEN_PROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	// The first NEAREST loads the view (every row) and then the graph;
	// time the view on its own to split the two.
	if _, err := c.View(); err != nil {
		return err
	}
	tv := time.Now()
	var plan db.SearchPlan
	hits, err := c.Nearest(ctx, q, 10, &db.SearchOptions{Plan: &plan})
	if err != nil {
		return err
	}
	t2 := time.Now()
	if _, err := c.Nearest(ctx, q, 10, nil); err != nil {
		return err
	}
	t3 := time.Now()
	tot, anon1 := rss()
	live := heapAlloc()
	n := c.Len()
	emit(map[string]any{"vecdb": "open", "rows": n, "path": plan.Path, "open_seconds": round(t1.Sub(t0).Seconds(), 4),
		"first_query_seconds": round(t2.Sub(t1).Seconds(), 4), "of_which_view_load_seconds": round(tv.Sub(t1).Seconds(), 4),
		"of_which_index_load_and_search_seconds": round(t2.Sub(tv).Seconds(), 4), "total_seconds": round(t2.Sub(t0).Seconds(), 4),
		"second_query_seconds": round(t3.Sub(t2).Seconds(), 5), "hits": len(hits),
		"rss_bytes": tot, "rss_anon_delta_per_vector": round(float64(anon1-anon0)/float64(n), 1),
		"heap_live_per_vector": round(float64(live)/float64(n), 1)})
	return nil
}
