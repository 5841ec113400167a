package query_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
)

func TestRunStopsAtFirstErrorAndKeepsEarlierResults(t *testing.T) {
	d := openSeeded(t)
	res, err := d.Run(context.Background(), "CREATE COLLECTION a (DIM 2); SELECT NEAREST 1 TO 'zz' FROM speeches; CREATE COLLECTION b (DIM 2)")
	if err == nil {
		t.Fatal("no error")
	}
	if len(res) != 1 || res[0].Message != "created collection a" {
		t.Errorf("results so far: %+v", res)
	}
	names := d.CollectionNames()
	if strings.Join(names, ",") != "a,speeches" {
		t.Errorf("collections %v: the statement after the error ran", names)
	}
}

func TestErrorsMatchSentinelsAndCarryPositions(t *testing.T) {
	d := openSeeded(t)
	ctx := context.Background()
	_, err := d.Query(ctx, "SELECT NEAREST 3 TO 'War' + 'pease' FROM speeches")
	if !errors.Is(err, db.ErrKeyNotFound) || !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unknown keys: %v does not match ErrKeyNotFound", err)
	}
	var list query.ErrorList
	if !errors.As(err, &list) || len(list) != 2 || list[0].Pos.Column != 21 || list[1].Pos.Column != 29 {
		t.Errorf("want two positioned errors, got %#v", list)
	}
	var qe *query.Error
	if !errors.As(err, &qe) || qe.Pos.Column != 21 {
		t.Errorf("errors.As *query.Error: %v", qe)
	}
	_, err = d.Exec(ctx, "INSERT INTO speeches (key, vector) VALUES ('x', [1, 2])")
	if !errors.As(err, &qe) || qe.Pos.Column != 49 {
		t.Errorf("dimension error position: %v", err)
	}
	_, err = d.Exec(ctx, "TRAIN w FROM 'corpus.txt'")
	if err != nil && !strings.Contains(err.Error(), "corpus.txt") {
		t.Errorf("TRAIN: %v", err)
	}
}

func TestQueryTakesOneStatementThatReturnsRows(t *testing.T) {
	d := openSeeded(t)
	ctx := context.Background()
	if _, err := d.Query(ctx, "SELECT key FROM speeches LIMIT 1; SELECT key FROM speeches LIMIT 1"); err == nil {
		t.Error("Query ran two statements")
	}
	if _, err := d.Query(ctx, "CREATE COLLECTION x (DIM 2)"); err == nil || !errors.Is(err, db.ErrInvalid) {
		t.Errorf("Query ran a statement without rows: %v", err)
	}
	if names := d.CollectionNames(); len(names) != 1 {
		t.Errorf("Query with a non-row statement changed the database: %v", names)
	}
	res, err := d.Query(ctx, "SELECT NEAREST 2 TO 'war' FROM speeches RETURNING key, distance")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Columns, ",") != "key,distance" || len(res.Rows) != 2 || res.Rows[0][0] != "cold" {
		t.Errorf("got %v %v", res.Columns, res.Rows)
	}
}

func TestShowStats(t *testing.T) {
	d := openSeeded(t)
	res, err := d.Query(context.Background(), "SHOW STATS speeches")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range res.Rows {
		got[r[0].(string)] = r[1].(string)
	}
	if got["rows"] != "2000" || got["dim"] != "32" || got["index"] != "none" || got["vector_bytes"] != "256000" || got["file_bytes"] == "" {
		t.Errorf("SHOW STATS: %v", got)
	}
	if _, err := d.Exec(context.Background(), "CREATE INDEX ON speeches WITH (m = 8)"); err != nil {
		t.Fatal(err)
	}
	res, err = d.Query(context.Background(), "SHOW STATS speeches")
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]string{}
	for _, r := range res.Rows {
		got[r[0].(string)] = r[1].(string)
	}
	if !strings.HasPrefix(got["index"], "HNSW m=8") || got["index_nodes"] != "2000" || got["index_deleted_fraction"] != "0.0000" {
		t.Errorf("SHOW STATS with an index: %v", got)
	}
}

func TestLanguageMatchesGoAPI(t *testing.T) {
	d := openSeeded(t)
	ctx := context.Background()
	c, err := d.Collection("speeches")
	if err != nil {
		t.Fatal(err)
	}
	hits, err := c.MostSimilar(ctx, []string{"women", "he"}, []string{"men"}, 10, &db.SearchOptions{WithinTop: 1000})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(ctx, "SELECT NEAREST 10 TO 'women' - 'men' + 'he' FROM speeches WITHIN TOP 1000")
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hits {
		if res.Rows[i][1] != h.Key || res.Rows[i][2] != float64(h.Similarity) {
			t.Errorf("row %d: language %v, API %v", i, res.Rows[i], h)
		}
	}
}

func TestExplainDoesNotRun(t *testing.T) {
	d := openSeeded(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, "EXPLAIN DELETE FROM speeches"); err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(ctx, "SELECT key FROM speeches LIMIT 1")
	if err != nil || len(res.Rows) != 1 {
		t.Errorf("EXPLAIN DELETE deleted rows: %v %v", res, err)
	}
}

func TestSandbox(t *testing.T) {
	dir := t.TempDir()
	d, err := db.Open(dir+"/s.vdb", &db.Options{Sandbox: dir + "/box", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = d.Exec(context.Background(), "IMPORT INTO x FROM '../../etc/passwd'")
	if err == nil || !strings.Contains(err.Error(), "sandbox") {
		t.Errorf("import outside the sandbox: %v", err)
	}
}
