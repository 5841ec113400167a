package parquet_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/format"
)

// duckdbEnv, set to "require", turns a missing node or DuckDB package into
// a failure instead of a skip; .ci/run sets it after installing DuckDB.
const duckdbEnv = "VECDB_DUCKDB"

// duckdb returns a function that runs SQL statements in a real DuckDB (the
// npm package @duckdb/node-api under bench/duckdb, driven by node) and
// returns the rows of the last one, or skips the test when either is
// missing.
func duckdb(t *testing.T) func(sql ...string) []map[string]any {
	t.Helper()
	dir, err := filepath.Abs("../../bench/duckdb")
	if err != nil {
		t.Fatal(err)
	}
	why := ""
	node, err := exec.LookPath("node")
	if err != nil {
		why = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil {
		why = "@duckdb/node-api is not installed: run npm ci --prefix bench/duckdb"
	}
	if why != "" {
		if os.Getenv(duckdbEnv) == "require" {
			t.Fatalf("DuckDB interoperability test cannot run (%s=require): %s", duckdbEnv, why)
		}
		t.Skipf("DuckDB interoperability test skipped: %s", why)
	}
	return func(sql ...string) []map[string]any {
		t.Helper()
		cmd := exec.Command(node, append([]string{filepath.Join(dir, "duckdb.mjs")}, sql...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("duckdb %q: %v\n%s", sql, err, stderr.Bytes())
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber() // keep every digit: the comparisons are exact
		var rows []map[string]any
		if err := dec.Decode(&rows); err != nil {
			t.Fatalf("duckdb output: %v\n%s", err, out)
		}
		return rows
	}
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func num(t *testing.T, v any) float64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// bigint reads a BIGINT, which DuckDB's JSON conversion writes as a string.
func bigint(t *testing.T, v any) int64 {
	t.Helper()
	s, _ := v.(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%v (%T) is not a BIGINT", v, v)
	}
	return n
}

// TestDuckDBReadsExport exports a collection with metadata and has DuckDB
// read it: the column types, every value of every vector (exactly), the
// counts and the metadata match.
func TestDuckDBReadsExport(t *testing.T) {
	duck := duckdb(t)
	d := openDB(t)
	rows := fill(t, d, "c", 500, 16)
	byKey := map[string]db.Row{}
	for _, r := range rows {
		byKey[r.Key] = r
	}
	for _, opts := range []db.ParquetOptions{{RowGroupRows: 128}, {FixedSize: true}} {
		path := filepath.Join(t.TempDir(), "c.parquet")
		if opts.FixedSize {
			// Through the language: EXPORT … WITH (fixed_size = true).
			run(t, d, "EXPORT c TO '"+path+"' FORMAT PARQUET WITH (fixed_size = true)")
		} else if _, err := d.ExportParquet(bg, "c", path, opts); err != nil {
			t.Fatal(err)
		}
		src := "read_parquet(" + sqlString(path) + ")"
		types := map[string]string{}
		for _, r := range duck("DESCRIBE SELECT * FROM " + src) {
			types[r["column_name"].(string)] = r["column_type"].(string)
		}
		want := map[string]string{"key": "VARCHAR", "count": "BIGINT", "vector": "FLOAT[]",
			"pos": "VARCHAR", "freq": "BIGINT", "score": "DOUBLE", "stop": "BOOLEAN"}
		// A fixed-size list is a plain list in Parquet; DuckDB does not read
		// the Arrow schema that carries the size, so it sees FLOAT[] too.
		if !reflect.DeepEqual(types, want) {
			t.Errorf("%+v: DuckDB sees types %v, want %v", opts, types, want)
		}
		got := duck("SELECT key, count, len(vector) AS dim, vector[1] AS v1, vector, pos, freq, score, stop FROM " + src)
		if len(got) != len(rows) {
			t.Fatalf("DuckDB read %d rows, want %d", len(got), len(rows))
		}
		for _, g := range got {
			r, ok := byKey[g["key"].(string)]
			if !ok {
				t.Fatalf("DuckDB read unknown key %v", g["key"])
			}
			if bigint(t, g["count"]) != r.Count || bigint(t, g["dim"]) != 16 || num(t, g["v1"]) != float64(r.Vector[0]) {
				t.Fatalf("%s: count %v dim %v v1 %v, want %d 16 %v", r.Key, g["count"], g["dim"], g["v1"], r.Count, r.Vector[0])
			}
			vec := g["vector"].([]any)
			for j, v := range vec {
				if num(t, v) != float64(r.Vector[j]) {
					t.Fatalf("%s: value %d is %v, want %v", r.Key, j+1, v, r.Vector[j])
				}
			}
			meta := []any{g["pos"], nil, nil, g["stop"]}
			if g["freq"] != nil {
				meta[1] = bigint(t, g["freq"])
			}
			if g["score"] != nil {
				meta[2] = num(t, g["score"])
			}
			if !reflect.DeepEqual(meta, r.Meta) {
				t.Fatalf("%s: metadata %v, want %v", r.Key, meta, r.Meta)
			}
		}
	}
}

// TestDuckDBWritesImport has DuckDB write Parquet files (FLOAT[] and
// DOUBLE[] vectors, metadata columns with NULLs, several row groups) and
// imports them: every row equals what DuckDB reads back from its own file.
func TestDuckDBWritesImport(t *testing.T) {
	duck := duckdb(t)
	dir := t.TempDir()
	d := openDB(t)
	for _, tc := range []struct{ name, key, vec, elem string }{
		{"floats", "word", "vector", "FLOAT"},
		{"doubles", "id", "embedding", "DOUBLE"},
	} {
		path := filepath.Join(dir, tc.name+".parquet")
		sel := fmt.Sprintf(`SELECT 'w' || i AS %s,
			[i * 0.25, -i / 7.0, pi() * i, 1e-3 / i]::%s[] AS %s,
			CASE WHEN i %% 5 = 0 THEN NULL ELSE 'tag' || (i %% 3) END AS tag,
			(i * i)::BIGINT AS sq,
			CASE WHEN i %% 7 = 0 THEN NULL ELSE (i / 3)::DOUBLE END AS ratio,
			i %% 2 = 0 AS even
			FROM range(1, 5001) t(i)`, tc.key, tc.elem, tc.vec)
		want := duck(
			"COPY ("+sel+") TO "+sqlString(path)+" (FORMAT parquet, ROW_GROUP_SIZE 2048)",
			"SELECT * FROM read_parquet("+sqlString(path)+")")
		if len(want) != 5000 {
			t.Fatalf("DuckDB wrote %d rows", len(want))
		}
		res, err := d.Import(bg, tc.name, path, db.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 5000 || res.Dim != 4 || res.Format != format.Parquet {
			t.Fatalf("import %+v", res)
		}
		c, _ := d.Collection(tc.name)
		info, _ := c.Info()
		if fmt.Sprint(info.Fields) != "[{tag TEXT} {sq INT} {ratio FLOAT} {even BOOL}]" {
			t.Errorf("fields %v", info.Fields)
		}
		for i, w := range want {
			r, err := c.Get(w[tc.key].(string))
			if err != nil {
				t.Fatal(err)
			}
			if r.Count != int64(i+1) {
				t.Fatalf("%s: count %d, want rank %d", r.Key, r.Count, i+1)
			}
			for j, v := range w[tc.vec].([]any) {
				if r.Vector[j] != float32(num(t, v)) {
					t.Fatalf("%s: value %d is %v, DuckDB has %v", r.Key, j+1, r.Vector[j], v)
				}
			}
			meta := []any{w["tag"], bigint(t, w["sq"]), nil, w["even"]}
			if w["ratio"] != nil {
				meta[2] = num(t, w["ratio"])
			}
			if !reflect.DeepEqual(r.Meta, meta) {
				t.Fatalf("%s: metadata %v, DuckDB has %v", r.Key, r.Meta, meta)
			}
		}
	}
}

// TestDuckDBEventLogAndMetadata has DuckDB write an event log (BIGINT
// users, VARCHAR items, TIMESTAMP times, rows shuffled) to Parquet and to
// CSV, and a metadata table with NULLs to Parquet: TRAIN reads the same
// vocabulary, counts and vectors from both logs, and IMPORT METADATA sets
// the values DuckDB reads back from its own file.
func TestDuckDBEventLogAndMetadata(t *testing.T) {
	duck := duckdb(t)
	dir := t.TempDir()
	pqLog, csvLog, meta := filepath.Join(dir, "events.parquet"), filepath.Join(dir, "events.csv"), filepath.Join(dir, "meta.parquet")
	const events = `SELECT (i % 50)::BIGINT AS user_id, 'item' || ((i * 7919) % 40) AS item,
		TIMESTAMP '2024-01-01' + INTERVAL (((i * 104729) % 100000)) SECOND AS ts
		FROM range(0, 2000) t(i) ORDER BY (i * 31) % 2000`
	want := duck(
		"COPY ("+events+") TO "+sqlString(pqLog)+" (FORMAT parquet, ROW_GROUP_SIZE 500)",
		"COPY ("+events+") TO "+sqlString(csvLog)+" (HEADER)",
		`COPY (SELECT 'item' || i AS item, CASE WHEN i % 3 = 0 THEN NULL ELSE 'genre' || (i % 4) END AS genre,
			i::INTEGER AS year, CASE WHEN i % 5 = 0 THEN NULL ELSE i / 8 END AS score, i % 2 = 0 AS new
			FROM range(0, 40) t(i)) TO `+sqlString(meta)+" (FORMAT parquet)",
		"SELECT * FROM read_parquet("+sqlString(meta)+")")
	d := openDB(t)
	const with = " WITH (sequence_by = 'user_id', order_by = 'ts', item = 'item', dim = 8, epochs = 1, threads = 1, seed = 3, min_count = 1)"
	run(t, d, "TRAIN fromcsv FROM '"+csvLog+"'"+with)
	run(t, d, "TRAIN frompq FROM '"+pqLog+"'"+with)
	a, b := allRows(t, d, "fromcsv"), allRows(t, d, "frompq")
	if len(a) != 40 || !reflect.DeepEqual(a, b) {
		t.Fatalf("TRAIN from DuckDB's Parquet log differs from its CSV log (%d and %d keys)", len(a), len(b))
	}
	res := run(t, d, "IMPORT METADATA INTO frompq FROM '"+meta+"' WITH (key = 'item')")
	if res.Stats.RowsAffected != 40 {
		t.Fatalf("%s", res.Message)
	}
	c, _ := d.Collection("frompq")
	info, _ := c.Info()
	if fmt.Sprint(info.Fields) != "[{genre TEXT} {year INT} {score FLOAT} {new BOOL}]" {
		t.Errorf("fields %v", info.Fields)
	}
	for _, w := range want {
		r, err := c.Get(w["item"].(string))
		if err != nil {
			t.Fatal(err)
		}
		m := []any{w["genre"], int64(num(t, w["year"])), nil, w["new"]}
		if w["score"] != nil {
			m[2] = num(t, w["score"])
		}
		if !reflect.DeepEqual(r.Meta, m) {
			t.Fatalf("%s: metadata %v, DuckDB has %v", r.Key, r.Meta, m)
		}
	}
}
