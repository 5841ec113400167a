package db

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/format/fasttext"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/trainer"
)

// The fastText fixture of package format/fasttext: tiny.bin (dim 8, 55
// words, 500 buckets, n-grams of 2 to 4 characters) and what `fasttext
// print-word-vectors tiny.bin` prints for words in and out of its
// vocabulary (see format/fasttext/read_test.go for how they were made).
const ftFixture = "../format/fasttext/testdata/"

// ftExpected returns the fixture's words and fastText's vectors for them.
func ftExpected(t *testing.T) (words []string, vecs [][]float32) {
	t.Helper()
	b, err := os.ReadFile(ftFixture + "tiny_vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v := make([]float32, len(f)-1)
		for i, s := range f[1:] {
			x, err := strconv.ParseFloat(s, 32)
			if err != nil {
				t.Fatal(err)
			}
			v[i] = float32(x)
		}
		words, vecs = append(words, f[0]), append(vecs, v)
	}
	if len(words) < 10 {
		t.Fatalf("%d expected vectors", len(words))
	}
	return words, vecs
}

// closeVec reports whether a and b agree to tol in every value.
func closeVec(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i])-float64(b[i])) > tol {
			return false
		}
	}
	return true
}

func cosine32(a, b []float32) float64 {
	return float64(vec.Dot(a, b)) / (float64(vec.Norm(a)) * float64(vec.Norm(b)))
}

// ftDB opens a database in a fresh directory holding the fixture's files,
// confined to it.
func ftDB(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"tiny.bin", "tiny_sup.ftz"} {
		b, err := os.ReadFile(ftFixture + f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(filepath.Join(dir, "ft.vdb"), &Options{NoSync: true, Sandbox: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, dir
}

func ftView(t *testing.T, d *DB, name string) *View {
	t.Helper()
	c, err := d.Collection(name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestImportFastTextModel: IMPORT … FORMAT FASTTEXT BINARY stores the
// model's words with fastText's vectors and counts and its n-gram rows as
// the subword table; with all_buckets every word the model never saw gets
// exactly fastText's vector (View.WordVector, SIMILARITY, NEAREST).
func TestImportFastTextModel(t *testing.T) {
	ctx := context.Background()
	d, _ := ftDB(t)
	res, err := d.Exec(ctx, "IMPORT INTO ft FROM 'tiny.bin' FORMAT FASTTEXT BINARY WITH (all_buckets = true)")
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.RowsAffected != 55 || !strings.Contains(res.Message, "FASTTEXT BINARY") {
		t.Fatalf("import: %d rows, %q", res.Stats.RowsAffected, res.Message)
	}
	m, err := os.Open(ftFixture + "tiny.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	model, err := fasttext.Read(m, fasttext.ReadOptions{AllBuckets: true})
	if err != nil {
		t.Fatal(err)
	}
	v := ftView(t, d, "ft")
	if !v.HasSubwords() || v.Len() != 55 || v.Dim() != 8 {
		t.Fatalf("subwords %v, %d rows of dim %d", v.HasSubwords(), v.Len(), v.Dim())
	}
	for i, w := range model.Words { // the file's order, fastText's counts
		if v.Key(i) != w || v.Count(i) != model.Counts[i] {
			t.Fatalf("row %d: %q ×%d, want %q ×%d", i, v.Key(i), v.Count(i), w, model.Counts[i])
		}
	}
	words, want := ftExpected(t)
	known, unknown := 0, 0
	for i, w := range words {
		got, built, err := v.WordVector(w)
		if err != nil {
			t.Fatalf("%q: %v", w, err)
		}
		if !closeVec(got, want[i], 1e-4) {
			t.Errorf("%q (built %v): %v, fastText %v", w, built, got, want[i])
		}
		if built == slices.Contains(model.Words, w) {
			t.Errorf("%q: built = %v", w, built)
		}
		if built {
			unknown++
		} else {
			known++
		}
	}
	if known < 5 || unknown < 5 {
		t.Fatalf("%d known and %d unknown words", known, unknown)
	}

	// Through the language: a known and an unknown word.
	at := func(w string) []float32 { return want[slices.Index(words, w)] }
	const kn, unk = "walker", "walkings"
	if slices.Contains(model.Words, unk) || !slices.Contains(model.Words, kn) {
		t.Fatal("the fixture's words changed")
	}
	sim := mustQuery(t, d, fmt.Sprintf("SELECT SIMILARITY('%s', '%s') FROM ft", kn, unk))
	if got, ok := sim.Rows[0][0].(float64); !ok || math.Abs(got-cosine32(at(kn), at(unk))) > 1e-4 || len(sim.Built) != 1 {
		t.Fatalf("SIMILARITY: %v (built %v), fastText's vectors give %.5f", sim.Rows, sim.Built, cosine32(at(kn), at(unk)))
	}
	near := mustQuery(t, d, fmt.Sprintf("SELECT NEAREST 3 TO '%s' FROM ft", unk))
	if len(near.Rows) != 3 || strings.Join(near.Built, ",") != "'walkings' (ft)" {
		t.Fatalf("NEAREST to an unknown word: %v, built %v", near.Rows, near.Built)
	}
	// The nearest stored key by fastText's vectors.
	best, bestCos := "", -2.0
	for i := range v.Len() {
		if c := cosine32(v.Vector(i), at(unk)); c > bestCos && v.Key(i) != unk {
			best, bestCos = v.Key(i), c
		}
	}
	if near.Rows[0][slices.Index(near.Columns, "key")] != best {
		t.Errorf("NEAREST to %s: %v first, fastText's vectors give %s", unk, near.Rows[0], best)
	}
	if _, err := d.Exec(ctx, "SET subwords = false"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Query(ctx, fmt.Sprintf("SELECT NEAREST 3 TO '%s' FROM ft", unk)); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("SET subwords = false: %v", err)
	}

	// DESCRIBE shows the n-gram settings as for a trained collection.
	desc := describe(t, d, "ft")
	if desc["subwords"] != "n-grams of 2 to 4 characters, 500 n-gram rows (buckets 500, every bucket kept)" ||
		desc["param format"] != "FASTTEXT BINARY" || desc["param fasttext_model"] != "SKIPGRAM" {
		t.Fatalf("DESCRIBE: %v", desc)
	}
}

func describe(t *testing.T, d *DB, name string) map[string]string {
	t.Helper()
	res := mustQuery(t, d, "DESCRIBE "+name)
	out := map[string]string{}
	for _, r := range res.Rows {
		out[fmt.Sprint(r[0])] = fmt.Sprint(r[1])
	}
	return out
}

// TestImportFastTextSniffed: without FORMAT a fastText model is known by
// its magic number, gzipped or not, whatever its name; a word2vec binary
// .bin is still word2vec's. By default only the n-gram rows the words use
// are kept: the words' vectors are the same, and limit keeps the first
// words.
func TestImportFastTextSniffed(t *testing.T) {
	ctx := context.Background()
	d, dir := ftDB(t)
	raw, err := os.ReadFile(filepath.Join(dir, "tiny.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "model.bin.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.data"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "IMPORT INTO full FROM 'tiny.bin' FORMAT FASTTEXT BINARY WITH (all_buckets = true)"); err != nil {
		t.Fatal(err)
	}
	full := ftView(t, d, "full")
	for _, src := range []string{"tiny.bin", "model.bin.gz", "model.data"} {
		if _, err := d.Exec(ctx, "IMPORT INTO s FROM '"+src+"'"); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		v := ftView(t, d, "s")
		desc := describe(t, d, "s")
		if v.Len() != 55 || !v.HasSubwords() || desc["param format"] != "FASTTEXT BINARY" ||
			!strings.HasSuffix(desc["subwords"], "(buckets 500, those the words use)") {
			t.Fatalf("%s: %d rows, %v", src, v.Len(), desc)
		}
		n, _ := strconv.Atoi(desc["param ngram_rows"])
		if n == 0 || n >= 500 {
			t.Fatalf("%s: %d n-gram rows kept of 500", src, n)
		}
		for i := range v.Len() {
			if !slices.Equal(v.Vector(i), full.Vector(i)) {
				t.Fatalf("%s: %q differs with fewer n-gram rows", src, v.Key(i))
			}
		}
	}
	if _, err := d.Exec(ctx, "IMPORT INTO s FROM 'tiny.bin' WITH (limit = 5)"); err != nil {
		t.Fatal(err)
	}
	if v := ftView(t, d, "s"); v.Len() != 5 || v.Key(0) != full.Key(0) || v.Key(4) != full.Key(4) || !v.HasSubwords() {
		t.Fatalf("limit 5: %d rows", v.Len())
	}
	if _, built, err := ftView(t, d, "s").WordVector(full.Key(10)); err != nil || !built {
		t.Fatalf("a word past the limit: built %v, %v", built, err)
	}

	// word2vec's binary layout in a .bin is not taken for fastText's.
	var w2v bytes.Buffer
	fw, _ := format.NewWriter(&w2v, format.Word2VecBinary, 2, 8)
	fw.Write("alpha", []float32{1, 2, 3, 4, 5, 6, 7, 8})
	fw.Write("beta", []float32{8, 7, 6, 5, 4, 3, 2, 1})
	fw.Close()
	if err := os.WriteFile(filepath.Join(dir, "w2v.bin"), w2v.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err := d.Exec(ctx, "IMPORT INTO w FROM 'w2v.bin'"); err != nil || !strings.Contains(res.Message, "WORD2VEC BINARY") {
		t.Fatalf("word2vec .bin: %v %v", res, err)
	}
	if ftView(t, d, "w").HasSubwords() {
		t.Fatal("word2vec .bin has a subword table")
	}
	// all_buckets with a file that is not a fastText model is refused.
	_, err = d.Exec(ctx, "IMPORT INTO w FROM 'w2v.bin' WITH (all_buckets = true)")
	var qe *query.Error
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) {
		t.Fatalf("all_buckets with word2vec: %v", err)
	}
	// Replacing a fastText collection with a text import drops its table.
	if _, err := d.Exec(ctx, "EXPORT w TO 'w.vec'; IMPORT INTO w FROM 'w.vec'"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "EXPORT full TO 'full.vec'; IMPORT INTO full FROM 'full.vec'"); err != nil {
		t.Fatal(err)
	}
	if v := ftView(t, d, "full"); v.HasSubwords() || describe(t, d, "full")["subwords"] != "" {
		t.Fatal("a text import kept the fastText model's subword table")
	}
}

// TestImportFastTextBad: a quantized model is ErrQuantized, through the
// language and the Go API; a damaged model is a file error at its
// offset; either leaves the database as it was, a collection with a
// subword table included.
func TestImportFastTextBad(t *testing.T) {
	ctx := context.Background()
	d, dir := ftDB(t)
	if _, err := d.Exec(ctx, "IMPORT INTO ft FROM 'tiny.bin'"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "tiny.bin"))
	if err != nil {
		t.Fatal(err)
	}
	wrongMagic := slices.Clone(raw)
	wrongMagic[0] ^= 0xff
	bigDim := slices.Clone(raw[:80])
	bigDim[8], bigDim[9] = 0x11, 0x27 // 10001
	files := map[string][]byte{
		"cut.bin":    raw[:len(raw)/2],
		"magic.bin":  wrongMagic,
		"bigdim.bin": bigDim,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, d)
	for _, c := range []struct {
		stmt string
		want error
	}{
		{"IMPORT INTO q FROM 'tiny_sup.ftz'", ErrQuantized},
		{"IMPORT INTO q FROM 'tiny_sup.ftz' FORMAT FASTTEXT BINARY", ErrQuantized},
		{"IMPORT INTO ft FROM 'cut.bin'", format.ErrTruncated},
		{"IMPORT INTO ft FROM 'magic.bin' FORMAT FASTTEXT BINARY", format.ErrHeader},
		{"IMPORT INTO ft FROM 'bigdim.bin'", format.ErrHeader},
		{"IMPORT INTO other FROM 'cut.bin' FORMAT FASTTEXT BINARY", format.ErrTruncated},
		{"IMPORT INTO ft FROM 'tiny.bin' FORMAT WORD2VEC BINARY", format.ErrHeader},
	} {
		_, err := d.Exec(ctx, c.stmt)
		var qe *query.Error
		if !errors.Is(err, c.want) || !errors.As(err, &qe) {
			t.Errorf("%s: %v, want %v with a position", c.stmt, err, c.want)
		}
		if ok, diff := sameSnapshot(before, snapshot(t, d)); !ok {
			t.Fatalf("%s changed the database:\n%s", c.stmt, diff)
		}
	}
	// The Go API.
	if _, err := d.Import(ctx, "q", filepath.Join(dir, "tiny_sup.ftz"), ImportOptions{}); !errors.Is(err, ErrQuantized) || !errors.Is(err, format.ErrHeader) {
		t.Fatalf("Import of a .ftz: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "tiny_sup.ftz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := d.ImportReader(ctx, "q", f, "tiny_sup.ftz", ImportOptions{}); !errors.Is(err, ErrQuantized) {
		t.Fatalf("ImportReader of a .ftz: %v", err)
	}
	// A collection of another dimension is not replaced.
	if _, err := d.Exec(ctx, "CREATE COLLECTION four (DIM 4)"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "IMPORT INTO four FROM 'tiny.bin'"); !errors.Is(err, format.ErrRagged) {
		t.Fatalf("into DIM 4: %v", err)
	}
	// The words and n-gram rows held while the model is read must fit
	// Limits.MaxMemory: tiny.bin's are (55 + 500) × 8 float32s, and limit
	// bounds the words.
	small, err := Open(filepath.Join(dir, "small.vdb"), &Options{NoSync: true, Sandbox: dir, Limits: Limits{MaxMemory: 17000}})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	if _, err := small.Exec(ctx, "IMPORT INTO ft FROM 'tiny.bin'"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("above MaxMemory: %v", err)
	}
	if infos, _ := small.Collections(); len(infos) != 0 {
		t.Fatalf("a refused import created %v", infos)
	}
	if _, err := small.Exec(ctx, "IMPORT INTO ft FROM 'tiny.bin' WITH (limit = 5)"); err != nil {
		t.Fatalf("limit 5 under MaxMemory: %v", err)
	}

	// all_buckets with another format, or a catalog entry, is refused
	// where it is written.
	for _, stmt := range []string{
		"IMPORT INTO ft FROM 'tiny.bin' FORMAT WORD2VEC BINARY WITH (all_buckets = true)",
		"IMPORT INTO ft FROM 'tiny.bin' FORMAT FASTTEXT WITH (all_buckets = true)",
		"IMPORT INTO ft FROM CATALOG 'glove-wiki-gigaword-50' WITH (all_buckets = true)",
	} {
		_, err := d.Exec(ctx, stmt)
		var qe *query.Error
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) || qe.Pos.Column != strings.Index(stmt, "all_buckets")+1 {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

// TestExportFastTextModel: EXPORT … FORMAT FASTTEXT BINARY writes a model
// that fasttext.Read reads back with the same words, counts, vectors and
// n-gram rows (gzipped for a .gz name); IMPORT takes it back; and, when
// the fasttext program is installed, it prints the collection's vector
// for a word the collection does not store.
func TestExportFastTextModel(t *testing.T) {
	ctx := context.Background()
	d, _ := subwordDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "fb.bin")
	res, err := d.Exec(ctx, fmt.Sprintf("EXPORT fb TO %s FORMAT FASTTEXT BINARY", query.QuoteString(out)))
	if err != nil {
		t.Fatal(err)
	}
	v := ftView(t, d, "fb")
	if res.Stats.RowsAffected != v.Len() {
		t.Fatalf("exported %d rows of %d", res.Stats.RowsAffected, v.Len())
	}
	read := func(path string, gz bool) *fasttext.Model {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var r interface{ Read([]byte) (int, error) } = f
		if gz {
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		m, err := fasttext.Read(r, fasttext.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	sub, err := v.subwords()
	if err != nil || sub == nil {
		t.Fatalf("the trained table: %v", err)
	}
	check := func(path string, gz bool) {
		t.Helper()
		m := read(path, gz)
		if len(m.Words) != v.Len() || m.Subwords == nil || m.Args.MinN != int32(sub.MinN) || m.Args.MaxN != int32(sub.MaxN) || int(m.Args.Bucket) != sub.Buckets {
			t.Fatalf("%s: %d words, args %+v", path, len(m.Words), m.Args)
		}
		for i, w := range m.Words {
			if w != v.Key(i) || m.Counts[i] != v.Count(i) {
				t.Fatalf("%s: word %d %q ×%d, want %q ×%d", path, i, w, m.Counts[i], v.Key(i), v.Count(i))
			}
			if got := m.Vectors[i*v.Dim() : (i+1)*v.Dim()]; !closeVec(got, v.Vector(i), 1e-5) {
				t.Fatalf("%s: %q: %v, stored %v", path, w, got, v.Vector(i))
			}
		}
		// The n-gram rows read back (those the words use, not zeros)
		// are the table's.
		if !slices.Equal(m.Subwords.Hashes, sub.Hashes) || !slices.Equal(m.Subwords.Vectors, sub.Vectors) {
			t.Fatalf("%s: %d n-gram rows read back, the table has %d", path, m.Subwords.Len(), sub.Len())
		}
		want, _, err := v.WordVector(oovWord)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := m.Subwords.MeanVector(oovWord); !ok || !closeVec(got, want, 1e-6) {
			t.Fatalf("%s: %q from the exported n-grams: %v, want %v", path, oovWord, got, want)
		}
	}
	check(out, false)
	gzOut := filepath.Join(dir, "fb.bin.gz")
	if _, err := d.Exec(ctx, fmt.Sprintf("EXPORT fb TO %s FORMAT FASTTEXT BINARY", query.QuoteString(gzOut))); err != nil {
		t.Fatal(err)
	}
	check(gzOut, true)

	// IMPORT reads both back (by content), with the same vectors.
	for _, p := range []string{out, gzOut} {
		if _, err := d.Exec(ctx, fmt.Sprintf("IMPORT INTO back FROM %s", query.QuoteString(p))); err != nil {
			t.Fatal(err)
		}
		b := ftView(t, d, "back")
		if b.Len() != v.Len() || !b.HasSubwords() {
			t.Fatalf("%s read back: %d rows, subwords %v", p, b.Len(), b.HasSubwords())
		}
		got, built, err := b.WordVector(oovWord)
		want, _, _ := v.WordVector(oovWord)
		if err != nil || !built || cosine32(got, want) < 1-1e-5 {
			t.Fatalf("%s read back: %q: %v (built %v), want the direction of %v", p, oovWord, got, built, want)
		}
	}

	// A collection without subwords is a model without n-grams.
	if _, err := d.Exec(ctx, fmt.Sprintf("TRAIN plain FROM '%s' WITH (dim = 8, epochs = 1, min_count = 10); EXPORT plain TO %s FORMAT FASTTEXT BINARY", factbook, query.QuoteString(filepath.Join(dir, "plain.bin")))); err != nil {
		t.Fatal(err)
	}
	if m := read(filepath.Join(dir, "plain.bin"), false); m.Subwords != nil || len(m.Words) != ftView(t, d, "plain").Len() || m.Args.Epoch != 1 || m.Args.MinCount != 10 {
		t.Fatalf("plain: %d words, subwords %v, args %+v", len(m.Words), m.Subwords != nil, m.Args)
	}

	// fastText itself on the exported file, for an unknown word all of
	// whose n-grams have a row: the same vector.
	bin, err := exec.LookPath("fasttext")
	if err != nil {
		t.Skip("skipping the fasttext program's check: it is not installed (Debian package fasttext)")
	}
	cmd := exec.Command(bin, "print-word-vectors", out)
	cmd.Stdin = strings.NewReader(v.Key(0) + "\n" + oovWord + "\n")
	printed, err := cmd.Output()
	if err != nil {
		t.Fatalf("fasttext print-word-vectors: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(printed)), "\n")
	if len(lines) != 2 {
		t.Fatalf("fasttext printed %q", printed)
	}
	for i, w := range []string{v.Key(0), oovWord} {
		f := strings.Fields(lines[i])
		if len(f) != 1+v.Dim() || f[0] != w {
			t.Fatalf("fasttext printed %q", lines[i])
		}
		got := make([]float32, v.Dim())
		for j, s := range f[1:] {
			x, err := strconv.ParseFloat(s, 32)
			if err != nil {
				t.Fatal(err)
			}
			got[j] = float32(x)
		}
		want, _, _ := v.WordVector(w)
		// fastText divides an unknown word's sum by all its n-grams,
		// vecdb by those with a row: the same vector when the table has
		// them all, the same direction otherwise.
		exact := i == 0 || len(sub.Rows(w)) == len(trainer.Ngrams(w, sub.MinN, sub.MaxN))
		if exact && !closeVec(got, want, 1e-4) || !exact && cosine32(got, want) < 1-1e-4 {
			t.Fatalf("fasttext print-word-vectors %q: %v, vecdb %v (exact %v)", w, got, want, exact)
		}
		t.Logf("%q: fastText and vecdb agree (exact %v, cosine %.6f)", w, exact, cosine32(got, want))
	}
}

// TestFastTextExplainAndFailedExport: EXPLAIN names the binary layout, and
// an EXPORT that fasttext.Write refuses (a key holding NUL, which ends a
// word in a model file) writes nothing.
func TestFastTextExplainAndFailedExport(t *testing.T) {
	ctx := context.Background()
	d, dir := ftDB(t)
	for stmt, want := range map[string]string{
		"EXPLAIN IMPORT INTO ft FROM 'tiny.bin' FORMAT FASTTEXT BINARY WITH (all_buckets = true)": "(format FASTTEXT BINARY), every n-gram row",
		"EXPLAIN EXPORT ft TO 'm.bin' FORMAT FASTTEXT BINARY":                                     "(format FASTTEXT BINARY)",
		"EXPLAIN IMPORT INTO ft FROM 'tiny.bin'":                                                  "(format sniffed)",
	} {
		if stmt == "EXPLAIN EXPORT ft TO 'm.bin' FORMAT FASTTEXT BINARY" {
			if _, err := d.Exec(ctx, "IMPORT INTO ft FROM 'tiny.bin'"); err != nil {
				t.Fatal(err)
			}
		}
		if res := mustQuery(t, d, stmt); !strings.Contains(res.Stats.Plan, want) {
			t.Errorf("%s:\n%s", stmt, res.Stats.Plan)
		}
	}
	c, err := d.CreateCollection(ctx, Spec{Name: "nul", Dim: 2}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(ctx, Row{Key: "a\x00b", Vector: []float32{1, 2}}); err != nil {
		t.Skipf("a key with NUL is not stored: %v", err)
	}
	out := filepath.Join(dir, "nul.bin")
	if _, err := d.Export(ctx, "nul", out, format.FastTextBinary); !errors.Is(err, ErrInvalid) {
		t.Fatalf("export of a key with NUL: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a refused export left %s: %v", out, err)
	}
}
