// Command openbench measures issue 15's zero-copy open: the time from
// db.Open to the answer of the first query, and the process's resident
// memory after Open and after that query, on a collection it builds
// itself. bench/open/run.sh builds it twice, from this tree and from an
// earlier one (the layout that decodes every vector into memory), and
// compares them on files written by each.
//
//	openbench build -db FILE -n 200000 -dim 100 [-index [-quantize int8]]
//	openbench convert -db FILE -to NEWFILE   (VACUUM INTO: this release
//	                                          writes its own layout)
//	openbench open -db FILE [-exact] [-repeat N] [-nofill]   (N: also the
//	                        steady state: N queries, then the same N timed;
//	                        -nofill: no background fill of the graph)
//
// It uses only the typed API that both layouts' releases have.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/vecdb/vecdb/db"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: openbench build|open [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = build(os.Args[2:])
	case "open":
		err = open(os.Args[2:])
	case "convert":
		err = convert(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openbench:", err)
		os.Exit(1)
	}
}

// build writes n clustered random vectors (seeded: the same for every
// build) in batches of 10k rows, then an HNSW index (M 16, ef_construction
// 200) when asked.
func build(args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	path := fs.String("db", "", "database file")
	n := fs.Int("n", 200000, "rows")
	dim := fs.Int("dim", 100, "dimension")
	index := fs.Bool("index", false, "build an HNSW index")
	quantize := fs.String("quantize", "", "the index's quantize setting (int8)")
	fs.Parse(args)
	ctx := context.Background()
	d, err := db.Open(*path, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	c, err := d.CreateCollection(ctx, db.Spec{Name: "c", Dim: *dim}, false)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewSource(1))
	centers := make([][]float32, 256)
	for i := range centers {
		centers[i] = make([]float32, *dim)
		for j := range centers[i] {
			centers[i][j] = float32(r.NormFloat64())
		}
	}
	t0 := time.Now()
	for start := 0; start < *n; start += 10000 {
		rows := make([]db.Row, 0, 10000)
		for i := start; i < min(start+10000, *n); i++ {
			ctr := centers[r.Intn(len(centers))]
			v := make([]float32, *dim)
			for j := range v {
				v[j] = ctr[j] + 0.5*float32(r.NormFloat64())
			}
			rows = append(rows, db.Row{Key: fmt.Sprintf("k%d", i), Vector: v, Count: int64(*n - i)})
		}
		if err := c.Insert(ctx, rows...); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "inserted %d rows in %v\n", *n, time.Since(t0).Round(time.Millisecond))
	if *index {
		t0 = time.Now()
		if err := d.CreateIndex(ctx, "c", db.IndexConfig{Kind: "HNSW", M: 16, EfConstruction: 200, EfSearch: 64, Quantize: *quantize}, runtime.NumCPU()); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "indexed in %v\n", time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// convert writes a compacted copy of a database with VacuumInto, which
// converts collections of an earlier layout to this release's.
func convert(args []string) error {
	fs := flag.NewFlagSet("convert", flag.ExitOnError)
	path := fs.String("db", "", "database file")
	to := fs.String("to", "", "the copy to write")
	fs.Parse(args)
	d, err := db.Open(*path, &db.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer d.Close()
	t0 := time.Now()
	if _, err := d.VacuumInto(context.Background(), *to); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "converted in %v\n", time.Since(t0).Round(time.Millisecond))
	return nil
}

// heapMiB returns the Go heap in use, in MiB.
func heapMiB() float64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(int(float64(ms.HeapInuse)/(1<<20)*10)) / 10
}

// open measures one open and first query, in a fresh process.
func open(args []string) error {
	fs := flag.NewFlagSet("open", flag.ExitOnError)
	path := fs.String("db", "", "database file")
	exact := fs.Bool("exact", false, "search by exact scan even when there is an index")
	repeat := fs.Int("repeat", 0, "after the first two queries, run this many more, then the same again timed (queries per second once the graph they reach is in memory)")
	noFill := fs.Bool("nofill", false, "SET graph_fill = false after Open (no background fill of a lazily opened graph; not in earlier releases)")
	fs.Parse(args)
	ctx := context.Background()
	t0 := time.Now()
	d, err := db.Open(*path, &db.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer d.Close()
	if *noFill {
		// A statement, not the Options field, so that the earlier
		// release that run.sh builds from this file compiles it.
		if _, err := d.Exec(ctx, "SET graph_fill = false"); err != nil {
			return err
		}
	}
	tOpen := time.Since(t0)
	afterOpen := rss()
	c, err := d.Collection("c")
	if err != nil {
		return err
	}
	v, err := c.View()
	if err != nil {
		return err
	}
	tView := time.Since(t0)
	heapView := heapMiB()
	q := v.Vector(v.Len() / 2)
	hits, err := v.Search(ctx, q, 10, &db.SearchOptions{Exact: *exact})
	if err != nil {
		return err
	}
	tFirst := time.Since(t0)
	afterQuery := rss()
	heapQuery := heapMiB()
	t1 := time.Now()
	if _, err := v.Search(ctx, v.Vector(7), 10, &db.SearchOptions{Exact: *exact}); err != nil {
		return err
	}
	tSecond := time.Since(t1)
	var warmup, steady time.Duration
	if *repeat > 0 {
		n := v.Len()
		batch := func() (time.Duration, error) {
			t := time.Now()
			for i := 0; i < *repeat; i++ {
				if _, err := v.Search(ctx, v.Vector((i*7919)%n), 10, &db.SearchOptions{Exact: *exact}); err != nil {
					return 0, err
				}
			}
			return time.Since(t), nil
		}
		if warmup, err = batch(); err != nil {
			return err
		}
		if steady, err = batch(); err != nil {
			return err
		}
	}
	out := map[string]any{
		"rows": v.Len(), "dim": v.Dim(), "exact": *exact, "top": hits[0].Key,
		"open_ms": ms(tOpen), "view_ms": ms(tView), "open_first_query_ms": ms(tFirst), "second_query_ms": ms(tSecond),
		"rss_after_open": afterOpen, "rss_after_first_query": afterQuery,
		"heap_before_first_query_MiB": heapView, "heap_after_first_query_MiB": heapQuery,
	}
	if *repeat > 0 {
		out["repeat"] = *repeat
		out["repeat_first_pass_s"] = warmup.Seconds()
		out["repeat_qps"] = float64(*repeat) / steady.Seconds()
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rss returns the resident set of the process in MiB, split as the kernel
// reports it (anonymous: the heap; file: pages of mapped files, such as
// the database's map, shared with the page cache).
func rss() map[string]float64 {
	out := map[string]float64{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for _, k := range []string{"VmRSS", "RssAnon", "RssFile"} {
			if v, ok := strings.CutPrefix(sc.Text(), k+":"); ok {
				var kb float64
				fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
				out[k+"_MiB"] = float64(int(kb/1024*10)) / 10
			}
		}
	}
	return out
}
