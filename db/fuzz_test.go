package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vecdb/vecdb/query"
)

// fuzzSeeds are real statements of every kind, run by FuzzExec against
// the database of seedSmallDB.
var fuzzSeeds = []string{
	"SELECT NEAREST 5 TO 'war' FROM speeches",
	"SELECT NEAREST 5 TO 'war' - 'peace' + 'tax' FROM speeches USING EXACT",
	"SELECT NEAREST 3 TO 0.5 * 'war' + NORMALIZE('peace') FROM speeches INCLUDE INPUTS",
	"SELECT NEAREST 3 TO CENTROID('war', 'peace', 'tax') FROM speeches OFFSET 2 RETURNING key, distance",
	"SELECT NEAREST 4 TO EACH ('war', 'peace') FROM speeches",
	"SELECT NEAREST 2 TO 'war' FROM speeches AMONG ('peace', 'tax', 'the')",
	"SELECT NEAREST ALL TO 'war' FROM speeches WHERE similarity >= 0.5",
	"SELECT NEAREST 5 TO 'war' FROM speeches WITHIN TOP 100 USING COSMUL",
	"SELECT NEAREST 3 TO [1, 0, 0, 0] FROM items WHERE year > 2000 AND live = true",
	"SELECT NEAREST 3 TO 'a' FROM items WITH (ef_search = 8) WHERE title LIKE '%a'",
	"SELECT NEAREST 3 TO ITEM(title = 'Beta') FROM items WHERE score BETWEEN 1 AND 5",
	"SELECT NEAREST 3 TO 'a' + [0, 0.5, 0, 0] FROM items WHERE key NOT IN ('b', 'c') OR year IS NULL",
	"SELECT ANALOGY 'war' : 'peace' :: 'tax' : ? FROM speeches",
	"SELECT ANALOGY 'a' : 'b' :: 'c' : ? FROM items USING COSMUL",
	"SELECT SIMILARITY('war', 'peace'), DISTANCE('war', 'peace'), RANK('war', 'peace') FROM speeches",
	"SELECT SIMILARITY(('war', 'peace'), ('tax', 'the')) FROM speeches",
	"SELECT ODD_ONE_OUT('war', 'peace', 'tax', 'the') FROM speeches",
	"SELECT PROJECTION('war') ONTO 'peace' - 'tax' FROM speeches",
	"SELECT key, count FROM speeches WHERE count < 10 ORDER BY key DESC LIMIT 5 OFFSET 1",
	"SELECT key, PROJECTION(key) ONTO 'a' - 'b' AS axis FROM items WHERE key IN ('c', 'd')",
	"SELECT * FROM items WHERE NOT (year >= 2000) ORDER BY score",
	"INSERT INTO items (key, vector, title, year) VALUES ('m', [0.1, 0.2, 0.3, 0.4], 'Nu', 2001)",
	"INSERT INTO items (key, vector) VALUES ('n', [1, 2, 3, 4]), ('o', [-1, -2, -3, -4])",
	"UPSERT INTO items (key, vector, live) VALUES ('a', [0, 0, 0, 1], false), ('p', [1, 1, 1, 1], true)",
	"UPDATE items SET title = 'Changed', score = 0.25 WHERE year < 2000",
	"DELETE FROM items WHERE live = false",
	"DELETE FROM speeches WHERE count > 250",
	"CREATE COLLECTION IF NOT EXISTS extra (DIM 2, METRIC L2, name TEXT)",
	"CREATE COLLECTION dots (DIM 3, METRIC DOT); INSERT INTO dots (key, vector) VALUES ('x', [1, 2, 3]); SELECT NEAREST 1 TO 'x' FROM dots INCLUDE INPUTS",
	"DROP COLLECTION IF EXISTS items",
	"DROP COLLECTION speeches",
	"CREATE INDEX ON speeches USING HNSW WITH (m = 4, ef_construction = 8)",
	"DROP INDEX ON items",
	"CLUSTER items INTO 3 WITH (iterations = 5, seed = 1)",
	"CLUSTER speeches INTO 4 WHERE count < 100",
	"PROJECT ('war', 'peace', 'tax') FROM speeches USING PCA WITH (dims = 2)",
	"PROJECT (SELECT NEAREST 10 TO 'war' FROM speeches) USING PCA",
	"RECOMMEND 3 FROM items FOR ('a', 'b') WHERE year > 1990",
	"SHOW COLLECTIONS",
	"DESCRIBE items",
	"SHOW STATS speeches",
	"EXPLAIN SELECT NEAREST 5 TO 'a' FROM items WHERE year > 2000",
	"EXPLAIN SELECT NEAREST 5 TO 'war' FROM speeches",
	"SET ef_search = 20",
	"SET timeout = 0.05",
	"IMPORT INTO small FROM 'small.vec'",
	"IMPORT INTO items FROM 'small4.vec' WITH (limit = 1)",
	"EXPORT items TO 'out.txt' FORMAT GLOVE",
	"IMPORT METADATA INTO items FROM 'meta.tsv'",
	"TRAIN tiny FROM 'corpus.txt' WITH (dim = 8, epochs = 1, min_count = 1, threads = 1)",
	"TRAIN sub FROM 'corpus.txt' WITH (dim = 4, epochs = 1, min_count = 1, subwords = true, minn = 2, maxn = 4); SELECT NEAREST 2 TO 'warring' - 'peaces' FROM sub; EXPLAIN SELECT SIMILARITY('taxes', 'war') FROM sub",
	"TRAIN sub FROM 'corpus.txt' WITH (min_count = 1, subwords = true, buckets = 3); SET subwords = false; SELECT NEAREST 2 TO 'warring' FROM sub",
	"CHECK items",
	// mutations: errors of every kind
	"SELECT NEAREST 5 TO 'War' + 'zzqx' FROM speeches",
	"SELECT NEAREST 0 TO [1, 0, 0] FROM items",
	"SELECT NEAREST 5 TO [1, NaN, 1e39, 0] FROM items",
	"INSERT INTO items (key, vector) VALUES ('a', [1, 0, 0, 0])",
	"IMPORT INTO items FROM '../x'",
	"SELECT key FROM items WHERE year = 'x' AND (title > 3",
	"SELECT NEAREST 5 TO ((((((((('war'))))))))) FROM speeches",
	"TRAIN t FROM 'corpus.txt' WITH (epochs = 100000, min_count = 1)",
	"CREATE INDEX ON items USING HNSW WITH (m = 1000)",
	"SELECT SIMILARITY('a') FROM items;;; SHOW",
	"'\xff\x00",
}

// fuzzFiles are the files in FuzzExec's sandbox.
var fuzzFiles = map[string]string{
	"small.vec":  "3 4\nx 1 0 0 0\ny 0 1 0 0\nz 0 0 1 0\n",
	"small4.vec": "2 4\nq 1 2 3 4\nr 4 3 2 1\n",
	"meta.tsv":   "key\ttitle\tyear\na\tA2\t1\nb\tB2\t2\n",
	"corpus.txt": "the war and the peace\nthe tax and the war\npeace and tax\n",
}

var fuzzBase struct {
	once sync.Once
	dir  string // holds the pristine database file and the sandbox
	data []byte // the pristine database file
	err  error
}

// FuzzExec runs random statements against a small seeded database (a
// fresh copy of it for each input) confined to a sandbox, with short
// limits. No input may panic; each must return results or a positioned
// error (or the deadline), and the database must pass Check afterwards.
// The seed corpus runs in every go test; fuzz it with
//
//	go test ./db -run '^$' -fuzz FuzzExec -fuzztime 10m
func FuzzExec(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	fuzzBase.once.Do(func() {
		fuzzBase.dir, fuzzBase.err = os.MkdirTemp("", "vecdb-fuzzexec-")
		if fuzzBase.err != nil {
			return
		}
		dir := fuzzBase.dir
		f.Cleanup(func() { os.RemoveAll(dir) })
		box := filepath.Join(fuzzBase.dir, "box")
		if fuzzBase.err = os.MkdirAll(box, 0o755); fuzzBase.err != nil {
			return
		}
		for name, text := range fuzzFiles {
			if fuzzBase.err = os.WriteFile(filepath.Join(box, name), []byte(text), 0o644); fuzzBase.err != nil {
				return
			}
		}
		path := filepath.Join(fuzzBase.dir, "base.vdb")
		d := seedSmallDB(f, path, box, badLimits)
		if fuzzBase.err = d.Close(); fuzzBase.err != nil {
			return
		}
		fuzzBase.data, fuzzBase.err = os.ReadFile(path)
	})
	if fuzzBase.err != nil {
		f.Fatal(fuzzBase.err)
	}
	box := filepath.Join(fuzzBase.dir, "box")
	lim := badLimits
	lim.Timeout = 250 * time.Millisecond
	f.Fuzz(func(t *testing.T, src string) {
		path := filepath.Join(t.TempDir(), "f.vdb")
		if err := os.WriteFile(path, fuzzBase.data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := Open(path, &Options{NoSync: true, Sandbox: box, Limits: lim})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		res, err := d.Run(ctx, src)
		if err != nil {
			var qe *query.Error
			var ql query.ErrorList
			if !errors.As(err, &qe) && !errors.As(err, &ql) &&
				!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				t.Errorf("%q: error without a position: %v", src, err)
			}
			if qe != nil && !qe.Pos.IsValid() {
				t.Errorf("%q: error with an invalid position: %v", src, err)
			}
		} else {
			for _, r := range res {
				if r == nil {
					t.Errorf("%q: nil result", src)
					continue
				}
				for _, row := range r.Rows {
					if len(row) != len(r.Columns) {
						t.Errorf("%q: a row has %d cells for %d columns", src, len(row), len(r.Columns))
						break
					}
				}
			}
		}
		rep, err := d.Check(context.Background(), "")
		if err != nil {
			t.Fatalf("%q: Check: %v", src, err)
		}
		if !rep.OK() {
			t.Fatalf("%q: Check after it found problems: %v", src, rep)
		}
	})
}
