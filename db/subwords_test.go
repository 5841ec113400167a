package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// subwordTrain is a small subword TRAIN of the factbook corpus (dim 16, one
// epoch; fastText's 2,000,000 buckets, of which only those hit are stored).
const subwordTrain = "TRAIN fb FROM '" + factbook + "' WITH (subwords = true, dim = 16, epochs = 1, min_count = 10)"

// oovWord is not in the factbook corpus, but its n-grams are.
const oovWord = "countrywideness"

func subwordDB(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Exec(context.Background(), subwordTrain); err != nil {
		t.Fatal(err)
	}
	return d, path
}

func builtOf(t *testing.T, res *Result) string {
	t.Helper()
	return strings.Join(res.Built, ",")
}

// TestSubwordTrainAndDescribe: TRAIN … WITH (subwords = true) stores the
// n-gram table with the rows; DESCRIBE and SHOW STATS show it; the
// options are checked; a collection trained without subwords has none.
func TestSubwordTrainAndDescribe(t *testing.T) {
	ctx := context.Background()
	d, _ := subwordDB(t)
	v, err := mustCollection(t, d, "fb").View()
	if err != nil {
		t.Fatal(err)
	}
	if !v.HasSubwords() {
		t.Fatal("no subword table after TRAIN WITH (subwords = true)")
	}
	desc := mustQuery(t, d, "DESCRIBE fb")
	got := map[string]string{}
	for _, r := range desc.Rows {
		got[r[0].(string)] = r[1].(string)
	}
	if got["param subwords"] != "true" || got["param minn"] != "3" || got["param maxn"] != "6" || got["param buckets"] != "2000000" || got["param ngram_rows"] == "" {
		t.Fatalf("DESCRIBE params: %v", got)
	}
	if res, err := d.Exec(ctx, strings.Replace(subwordTrain, "TRAIN fb", "TRAIN fb2", 1)); err != nil || !strings.HasSuffix(res.Message, "; "+got["param ngram_rows"]+" n-gram rows") {
		t.Fatalf("TRAIN's message: %v %v", res, err)
	}
	if want := "n-grams of 3 to 6 characters, " + got["param ngram_rows"] + " n-gram rows (buckets 2000000, min_ngram_words 1)"; got["subwords"] != want {
		t.Fatalf("DESCRIBE subwords = %q, want %q", got["subwords"], want)
	}
	stats := mustQuery(t, d, "SHOW STATS fb")
	found := false
	for _, r := range stats.Rows {
		if r[0] == "ngram_rows" {
			found = r[1] == got["param ngram_rows"] && r[1] != "0"
		}
	}
	if !found {
		t.Fatalf("SHOW STATS has no ngram_rows of %s: %v", got["param ngram_rows"], stats.Rows)
	}

	// Subword options without subwords = true, and maxn below minn, are refused.
	for _, stmt := range []string{
		"TRAIN x FROM '" + factbook + "' WITH (minn = 2)",
		"TRAIN x FROM '" + factbook + "' WITH (subwords = true, minn = 5, maxn = 4)",
	} {
		if _, err := d.Exec(ctx, stmt); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", stmt, err)
		}
	}
	if _, err := d.Exec(ctx, "TRAIN x FROM '"+factbook+"' WITH (subwords = true, minn = 40)"); err == nil {
		t.Error("minn = 40 accepted")
	}
	if _, err := d.Collection("x"); !errors.Is(err, ErrCollectionNotFound) {
		t.Fatalf("a refused TRAIN created x: %v", err)
	}

	// Subwords are off by default: an unknown key stays an error.
	if _, err := d.Exec(ctx, "TRAIN plain FROM '"+factbook+"' WITH (dim = 8, epochs = 1, min_count = 10)"); err != nil {
		t.Fatal(err)
	}
	if pv, _ := mustCollection(t, d, "plain").View(); pv.HasSubwords() {
		t.Fatal("a TRAIN without subwords stored a subword table")
	}
	if _, err := d.Query(ctx, "SELECT NEAREST 3 TO '"+oovWord+"' FROM plain"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("unknown key without subwords: %v", err)
	}
}

// TestSubwordUnknownKeys: in a collection with subwords every vector
// expression may name a key that is not stored; the result says so
// (Result.Built, Message) and EXPLAIN names it; SET subwords = false
// restores the error; a key without a known n-gram is still the error
// with did-you-mean; AMONG takes stored keys only.
func TestSubwordUnknownKeys(t *testing.T) {
	ctx := context.Background()
	d, _ := subwordDB(t)
	want := "'" + oovWord + "' (fb)"
	for _, stmt := range []string{
		"SELECT NEAREST 5 TO '" + oovWord + "' FROM fb",
		"SELECT NEAREST 5 TO '" + oovWord + "' - 'war' + 'peace' FROM fb",
		"SELECT NEAREST 5 TO NORMALIZE('" + oovWord + "') FROM fb",
		"SELECT NEAREST 5 TO EACH ('" + oovWord + "', 'country') FROM fb",
		"SELECT NEAREST 5 TO '" + oovWord + "' + 'country' FROM fb USING COSMUL",
		"SELECT ANALOGY 'country' : '" + oovWord + "' :: 'city' : ? FROM fb",
		"SELECT SIMILARITY('" + oovWord + "', 'country'), DISTANCE('" + oovWord + "', 'country'), RANK('country', '" + oovWord + "') FROM fb",
		"SELECT SIMILARITY(('" + oovWord + "', 'war'), ('country', 'peace')) FROM fb",
		"SELECT ODD_ONE_OUT('" + oovWord + "', 'country', 'nation', 'war') FROM fb",
		"SELECT PROJECTION('" + oovWord + "') ONTO 'war' - 'peace' FROM fb",
		"PROJECT ('" + oovWord + "', 'country', 'war', 'peace') FROM fb",
		"PROJECT ('" + oovWord + "', 'country') FROM fb ONTO 'war' - 'peace'",
		"RECOMMEND 3 FROM fb FOR ('country', '" + oovWord + "')",
	} {
		res, err := d.Query(ctx, stmt)
		if err != nil {
			t.Errorf("%s: %v", stmt, err)
			continue
		}
		if builtOf(t, res) != want || !strings.Contains(res.Message, oovWord) {
			t.Errorf("%s: Built %v, Message %q", stmt, res.Built, res.Message)
		}
		for _, r := range res.Rows {
			for i, c := range res.Columns {
				if c == "key" && r[i] == oovWord && !strings.Contains(stmt, "PROJECT") {
					t.Errorf("%s: a search returned the built key: %v", stmt, r)
				}
			}
		}
		ex := mustQuery(t, d, "EXPLAIN "+stmt)
		if !strings.Contains(ex.Stats.Plan, "built from n-grams (not stored): "+want) {
			t.Errorf("EXPLAIN %s:\n%s", stmt, ex.Stats.Plan)
		}
	}
	// With an HNSW index the search path changes, not the answer's origin.
	if _, err := d.Exec(ctx, "CREATE INDEX ON fb"); err != nil {
		t.Fatal(err)
	}
	if res := mustQuery(t, d, "SELECT NEAREST 5 TO '"+oovWord+"' FROM fb"); builtOf(t, res) != want || len(res.Rows) != 5 {
		t.Fatalf("with an index: %v %v", res.Built, res.Rows)
	}
	if ex := mustQuery(t, d, "EXPLAIN SELECT NEAREST 5 TO '"+oovWord+"' FROM fb"); !strings.Contains(ex.Stats.Plan, "HNSW") {
		t.Fatalf("EXPLAIN with an index:\n%s", ex.Stats.Plan)
	}
	// A statement with stored keys only says nothing.
	if res := mustQuery(t, d, "SELECT NEAREST 3 TO 'country' FROM fb"); len(res.Built) != 0 || res.Message != "" {
		t.Fatalf("stored key: Built %v, Message %q", res.Built, res.Message)
	}
	// The built vector is the Go API's View.WordVector.
	v, _ := mustCollection(t, d, "fb").View()
	x, built, err := v.WordVector(oovWord)
	if err != nil || !built || len(x) != 16 {
		t.Fatalf("WordVector: %v %v %v", x, built, err)
	}
	if _, built, err := v.WordVector("country"); err != nil || built {
		t.Fatalf("WordVector of a stored key: built %v, %v", built, err)
	}
	// The Go API's own methods stay strict.
	if _, err := v.Similarity(oovWord, "country"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("View.Similarity of an unknown key: %v", err)
	}

	// A key whose n-grams are all unknown is still the not-found error.
	_, err = d.Query(ctx, "SELECT NEAREST 3 TO 'ЖЖЖЖЖ' FROM fb")
	var kerr *KeysNotFoundError
	if !errors.Is(err, ErrKeyNotFound) || !errors.As(err, &kerr) || kerr.Keys[0] != "ЖЖЖЖЖ" {
		t.Fatalf("no known n-gram: %v", err)
	}
	// AMONG lists stored keys.
	if _, err := d.Query(ctx, "SELECT NEAREST 3 TO 'country' FROM fb AMONG ('nation', '"+oovWord+"')"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("AMONG with an unknown key: %v", err)
	}
	// SET subwords = false restores the error, SET subwords = true lifts it.
	if _, err := d.Exec(ctx, "SET subwords = false"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Query(ctx, "SELECT NEAREST 3 TO '"+oovWord+"' FROM fb"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("SET subwords = false: %v", err)
	}
	if _, err := d.Exec(ctx, "SET subwords = true"); err != nil {
		t.Fatal(err)
	}
	if res := mustQuery(t, d, "SELECT NEAREST 3 TO '"+oovWord+"' FROM fb"); builtOf(t, res) != want {
		t.Fatalf("SET subwords = true: %v", res.Built)
	}
}

// TestSubwordEvaluate: EVALUATE scores pairs and questions whose words are
// not stored with vectors built from n-grams, and says how many.
func TestSubwordEvaluate(t *testing.T) {
	ctx := context.Background()
	d, _ := subwordDB(t)
	dir := t.TempDir()
	pairs := filepath.Join(dir, "pairs.txt")
	os.WriteFile(pairs, []byte("country\tnation\t9\n"+oovWord+"\tcountry\t5\nwar\tpeace\t3\nwar\tЖЖЖЖЖ\t1\n"), 0o644)
	res := mustQuery(t, d, "EVALUATE PAIRS fb FROM '"+pairs+"'")
	if res.Rows[0][0] != int64(3) || !strings.HasPrefix(res.Message, "1 of 3 pairs") {
		t.Fatalf("EVALUATE PAIRS: %v %q", res.Rows, res.Message)
	}
	ana := filepath.Join(dir, "q.txt")
	os.WriteFile(ana, []byte(": s\ncountry "+oovWord+" city town\ncountry nation city town\n"), 0o644)
	res = mustQuery(t, d, "EVALUATE ANALOGIES fb FROM '"+ana+"'")
	if !strings.Contains(res.Message, "on 2 questions (0.0% skipped") || !strings.Contains(res.Message, "1 questions used vectors built") {
		t.Fatalf("EVALUATE ANALOGIES: %q", res.Message)
	}
	if _, err := d.Exec(ctx, "SET subwords = false"); err != nil {
		t.Fatal(err)
	}
	res = mustQuery(t, d, "EVALUATE PAIRS fb FROM '"+pairs+"'")
	if res.Rows[0][0] != int64(2) || res.Message != "" {
		t.Fatalf("EVALUATE PAIRS with SET subwords = false: %v %q", res.Rows, res.Message)
	}
}

// TestSubwordTableLifecycle: the table goes with its collection: a
// cancelled or failed TRAIN leaves the previous one, continue = true is
// refused clearly, VACUUM and BACKUP keep it, CHECK reads it, DROP removes
// it.
func TestSubwordTableLifecycle(t *testing.T) {
	ctx := context.Background()
	d, path := subwordDB(t)
	v0, _ := mustCollection(t, d, "fb").View()
	before, _, err := v0.WordVector(oovWord)
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string) {
		t.Helper()
		v, _ := mustCollection(t, d, "fb").View()
		x, built, err := v.WordVector(oovWord)
		if err != nil || !built || fmt.Sprint(x) != fmt.Sprint(before) {
			t.Fatalf("%s: the subword table changed (%v, %v)", what, built, err)
		}
		in, _ := mustCollection(t, d, "fb").Info()
		if in.Params["minn"] != "3" {
			t.Fatalf("%s: params %v", what, in.Params)
		}
	}
	// Cancelled: once before training, once while it runs.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Exec(cctx, strings.Replace(subwordTrain, "minn", "minn", 1)+""); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled TRAIN: %v", err)
	}
	same("cancelled TRAIN")
	pctx, pcancel := context.WithCancel(ctx)
	defer pcancel()
	pctx = WithProgress(pctx, func(p Progress) {
		if p.Op == "train" && p.Done > 0 {
			pcancel()
		}
	})
	if _, err := d.Exec(pctx, strings.Replace(subwordTrain, "subwords = true", "subwords = true, minn = 2", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("TRAIN cancelled while running: %v", err)
	}
	same("TRAIN cancelled while running")
	// Failed: nothing reaches min_count.
	if _, err := d.Exec(ctx, strings.Replace(subwordTrain, "min_count = 10", "min_count = 100000000", 1)); err == nil {
		t.Fatal("TRAIN with an impossible min_count succeeded")
	}
	same("failed TRAIN")
	// continue = true is refused on a subword collection, and with
	// subwords = true on a word collection.
	if _, err := d.Exec(ctx, "TRAIN fb FROM '"+factbook+"' WITH (continue = true, epochs = 1)"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("continue on a subword collection: %v", err)
	}
	same("refused continue")
	if _, err := d.Exec(ctx, "TRAIN plain FROM '"+factbook+"' WITH (dim = 8, epochs = 1, min_count = 10)"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "TRAIN plain FROM '"+factbook+"' WITH (continue = true, subwords = true, epochs = 1)"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("continue with subwords on a word collection: %v", err)
	}

	// CHECK reads the table.
	if res := mustQuery(t, d, "CHECK fb"); len(res.Rows) == 0 {
		t.Fatal("CHECK fb returned nothing")
	}
	// VACUUM keeps it; so does a BACKUP.
	if _, err := d.Exec(ctx, "VACUUM"); err != nil {
		t.Fatal(err)
	}
	same("VACUUM")
	backup := filepath.Join(t.TempDir(), "b.vdb")
	if _, err := d.Exec(ctx, "BACKUP TO '"+backup+"'"); err != nil {
		t.Fatal(err)
	}
	b, err := Open(backup, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := b.Query(ctx, "SELECT NEAREST 3 TO '"+oovWord+"' FROM fb"); err != nil || len(res.Built) != 1 {
		t.Fatalf("backup: %v %v", res, err)
	}
	if rep, err := b.Check(ctx, ""); err != nil || !rep.OK() {
		t.Fatalf("backup check: %v %v", rep, err)
	}
	b.Close()
	// A second TRAIN replaces it; DROP removes it with the collection.
	if _, err := d.Exec(ctx, strings.Replace(subwordTrain, "subwords = true", "subwords = true, minn = 2, maxn = 3", 1)); err != nil {
		t.Fatal(err)
	}
	if in, _ := mustCollection(t, d, "fb").Info(); in.Params["maxn"] != "3" {
		t.Fatalf("retrained params %v", in.Params)
	}
	buckets := d.store.DataBuckets()
	if _, err := d.Exec(ctx, "DROP COLLECTION fb"); err != nil {
		t.Fatal(err)
	}
	if d.store.DataBuckets() != buckets-1 {
		t.Fatalf("DROP left %d data buckets of %d", d.store.DataBuckets(), buckets)
	}
	_ = path
}

// TestSubwordDamagedTable: a damaged subword table is a CHECK problem and
// ErrCorrupt when a statement needs it, never a panic; stored keys still
// answer.
func TestSubwordDamagedTable(t *testing.T) {
	ctx := context.Background()
	d, path := subwordDB(t)
	d.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(raw, []byte("VSUB"))
	if i < 0 || bytes.Index(raw[i+1:], []byte("VSUB")) >= 0 {
		t.Fatalf("want one stored table, found the magic at %d", i)
	}
	raw[i+4*1024] ^= 0x40 // a vector value: the checksum no longer matches
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	d2, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	rep, err := d2.Check(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Found) != 1 || rep.Found[0].Collection != "fb" || !strings.HasPrefix(rep.Found[0].What, "subword table: ") {
		t.Fatalf("CHECK of a damaged table: %v", rep.Found)
	}
	if _, err := d2.Query(ctx, "CHECK fb"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("CHECK fb: %v", err)
	}
	if _, err := d2.Query(ctx, "SELECT NEAREST 3 TO '"+oovWord+"' FROM fb"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("unknown key over a damaged table: %v", err)
	}
	if _, err := d2.Query(ctx, "SELECT NEAREST 3 TO 'country' FROM fb"); err != nil {
		t.Fatalf("stored key over a damaged table: %v", err)
	}
	v, _ := mustCollection(t, d2, "fb").View()
	if _, _, err := v.WordVector(oovWord); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("WordVector over a damaged table: %v", err)
	}
}
