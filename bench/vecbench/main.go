// Command vecbench measures vecdb on a vector file, for BENCHMARKS.md. It
// mirrors the anchors in ../shared/bench so both sides see the same data:
//
//	vecbench import FILE DB        time IMPORT of FILE into DB (fresh file)
//	vecbench index DB              time CREATE INDEX (HNSW, M 16, ef_construction 200, all cores)
//	vecbench coldstart DB KEY      time Open + first most_similar(KEY)
//	vecbench exact FILE            exact top-10 search, one thread: the base
//	                               set is every key whose file position i has
//	                               i%50 != 7, the queries the others (the
//	                               split of ann_reference.py)
//
// Each prints one JSON line.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/format"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: vecbench import FILE DB | coldstart DB KEY | exact FILE")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "import":
		err = importCmd(os.Args[2], os.Args[3])
	case "index":
		err = indexCmd(os.Args[2])
	case "coldstart":
		err = coldCmd(os.Args[2], os.Args[3])
	case "exact":
		err = exactCmd(os.Args[2])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func emit(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func importCmd(file, dbPath string) error {
	os.Remove(dbPath)
	t0 := time.Now()
	d, err := db.Open(dbPath, nil)
	if err != nil {
		return err
	}
	// The comparison with gensim's loader is the import itself; the HNSW
	// index that IMPORT adds by default from 100k rows is timed apart
	// (vecbench index).
	noIndex := false
	res, err := d.Import(context.Background(), "vecs", file, db.ImportOptions{Index: &noIndex})
	if err != nil {
		return err
	}
	if err := d.Close(); err != nil {
		return err
	}
	secs := time.Since(t0).Seconds()
	st, _ := os.Stat(dbPath)
	emit(map[string]any{"vecdb": "import", "keys": res.Rows, "dim": res.Dim, "seconds": round(secs, 3),
		"rows_per_sec": int(float64(res.Rows) / secs), "db_bytes": st.Size()})
	return nil
}

func indexCmd(dbPath string) error {
	d, err := db.Open(dbPath, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	t0 := time.Now()
	if err := d.CreateIndex(context.Background(), "vecs", db.DefaultIndexConfig(), 0); err != nil {
		return err
	}
	emit(map[string]any{"vecdb": "create-index", "threads": runtime.NumCPU(), "seconds": round(time.Since(t0).Seconds(), 3)})
	return nil
}

func coldCmd(dbPath, key string) error {
	t0 := time.Now()
	d, err := db.Open(dbPath, &db.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer d.Close()
	t1 := time.Now()
	c, err := d.Collection("vecs")
	if err != nil {
		return err
	}
	hits, err := c.MostSimilar(context.Background(), []string{key}, nil, 5, nil)
	if err != nil {
		return err
	}
	t2 := time.Now()
	var top []string
	for _, h := range hits {
		top = append(top, h.Key)
	}
	emit(map[string]any{"vecdb": "coldstart", "open_seconds": round(t1.Sub(t0).Seconds(), 4),
		"first_query_seconds": round(t2.Sub(t1).Seconds(), 4), "total_seconds": round(t2.Sub(t0).Seconds(), 4), "top": top})
	return nil
}

func exactCmd(file string) error {
	runtime.GOMAXPROCS(1)
	rd, err := format.Open(file, format.ReaderOptions{})
	if err != nil {
		return err
	}
	defer rd.Close()
	dir, err := os.MkdirTemp("", "vecbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	basePath := filepath.Join(dir, "base.vec")
	bf, err := os.Create(basePath)
	if err != nil {
		return err
	}
	var queries [][]float32
	var baseKeys [][]float32
	for i := 0; ; i++ {
		k, v, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if i%50 == 7 {
			queries = append(queries, v)
			continue
		}
		baseKeys = append(baseKeys, v)
		fmt.Fprint(bf, k)
		for _, x := range v {
			fmt.Fprintf(bf, " %g", x)
		}
		fmt.Fprintln(bf)
	}
	bf.Close()
	d, err := db.Open(filepath.Join(dir, "b.vdb"), &db.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := context.Background()
	noIndex := false
	if _, err := d.Import(ctx, "base", basePath, db.ImportOptions{Format: format.GloVe, Index: &noIndex}); err != nil {
		return err
	}
	c, _ := d.Collection("base")
	v, err := c.View()
	if err != nil {
		return err
	}
	t0 := time.Now()
	for _, q := range queries {
		if _, err := v.Search(ctx, q, 10, &db.SearchOptions{Exact: true}); err != nil {
			return err
		}
	}
	secs := time.Since(t0).Seconds()
	emit(map[string]any{"vecdb": "exact-search", "mode": "one query at a time", "threads": 1, "base": v.Len(), "queries": len(queries),
		"qps": round(float64(len(queries))/secs, 1)})
	t0 = time.Now()
	if _, err := v.SearchBatch(ctx, queries, 10, nil); err != nil {
		return err
	}
	secs = time.Since(t0).Seconds()
	emit(map[string]any{"vecdb": "exact-search", "mode": "batch (SearchBatch, as FAISS's search of all queries)", "threads": 1, "base": v.Len(), "queries": len(queries),
		"qps": round(float64(len(queries))/secs, 1)})
	return nil
}

func round(x float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}
