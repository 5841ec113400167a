package parquet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/format/parquet"
)

var bg = context.Background()

func openDB(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "t.vdb"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// fill creates collection name with metadata fields and n rows.
func fill(t *testing.T, d *db.DB, name string, n, dim int) []db.Row {
	t.Helper()
	c, err := d.CreateCollection(bg, db.Spec{Name: name, Dim: dim, Fields: []db.Field{
		{Name: "pos", Type: db.Text}, {Name: "freq", Type: db.Int}, {Name: "score", Type: db.Float}, {Name: "stop", Type: db.Bool},
	}}, false)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]db.Row, n)
	for i := range rows {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(i+1)/7 - float32(j)*1.25e-3
		}
		meta := []any{"w" + strings.Repeat("é", i%3), int64(i) - 3, float64(i) * 0.1, i%2 == 0}
		if i%4 == 3 {
			meta = []any{nil, nil, nil, nil}
		}
		rows[i] = db.Row{Key: "key" + string(rune('A'+i%26)) + strings.Repeat("_", i/26), Vector: v, Count: int64(1000 - i), Meta: meta}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	return rows
}

func rowsOf(t *testing.T, d *db.DB, name string, keys []db.Row) []db.Row {
	t.Helper()
	c, err := d.Collection(name)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != len(keys) {
		t.Fatalf("%s has %d rows, want %d", name, c.Len(), len(keys))
	}
	out := make([]db.Row, len(keys))
	for i, k := range keys {
		r, err := c.Get(k.Key)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = *r
	}
	return out
}

// TestExportImport exports a collection with metadata to Parquet (plain
// and fixed-size lists, several row groups) and imports it back: keys,
// vectors, counts and metadata are equal.
func TestExportImport(t *testing.T) {
	d := openDB(t)
	rows := fill(t, d, "src", 300, 8)
	dir := t.TempDir()
	for _, opts := range []db.ParquetOptions{{}, {FixedSize: true, RowGroupRows: 64}} {
		path := filepath.Join(dir, "c.parquet")
		n, err := d.ExportParquet(bg, "src", path, opts)
		if err != nil || n != 300 {
			t.Fatalf("export: %d, %v", n, err)
		}
		res, err := d.Import(bg, "dst", path, db.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 300 || res.Dim != 8 || res.Format != format.Parquet {
			t.Errorf("import result %+v", res)
		}
		if got := rowsOf(t, d, "dst", rows); !reflect.DeepEqual(got, rows) {
			t.Fatalf("%+v: rows differ: got %v\nwant %v", opts, got[:4], rows[:4])
		}
		if _, err := d.Exec(bg, "DROP COLLECTION dst"); err != nil {
			t.Fatal(err)
		}
	}
	// Export by extension, and Auto import by the magic bytes whatever the name.
	path := filepath.Join(dir, "by-ext.PARQUET")
	if _, err := d.Export(bg, "src", path, format.Auto); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "renamed.dat")
	if err := os.Rename(path, other); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Import(bg, "dst2", other, db.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(t, d, "dst2", rows); !reflect.DeepEqual(got, rows) {
		t.Fatal("rows differ after an import by magic bytes")
	}
}

// TestSparkDirectory imports a directory of part files with Spark's
// columns (word, vector), its _SUCCESS marker and checksum files.
func TestSparkDirectory(t *testing.T) {
	dir := t.TempDir()
	var all []format.TableRow
	for p := 0; p < 3; p++ {
		f, err := os.Create(filepath.Join(dir, "part-0000"+string(rune('0'+p))+"-abc.snappy.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := parquet.NewWriter(f, format.TableWriterOptions{Dim: 3, RowGroupRows: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			r := format.TableRow{Key: "w" + string(rune('a'+p*5+i)), Count: 0, Vector: []float32{float32(p), float32(i), -1.5}, Meta: []any{}}
			if err := w.Write(&r); err != nil {
				t.Fatal(err)
			}
			all = append(all, r)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		os.WriteFile(filepath.Join(dir, ".part-0000"+string(rune('0'+p))+"-abc.snappy.parquet.crc"), []byte("crc"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644)
	d := openDB(t)
	res, err := d.Import(bg, "spark", dir, db.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 15 || res.Dim != 3 {
		t.Fatalf("result %+v", res)
	}
	c, _ := d.Collection("spark")
	for i, r := range all {
		got, err := c.Get(r.Key)
		if err != nil || !reflect.DeepEqual(got.Vector, r.Vector) || got.Count != int64(i+1) {
			t.Fatalf("row %d: %+v, %v (count want %d)", i, got, err, i+1)
		}
	}
	// An empty directory is a clear error.
	if _, err := d.Import(bg, "none", t.TempDir(), db.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "no .parquet files") {
		t.Errorf("empty directory: %v", err)
	}
}

// TestFailedImportKeepsCollection imports a file whose last row group is
// ragged over an existing collection: the error names the file, row and
// row group, and the collection is as it was.
func TestFailedImportKeepsCollection(t *testing.T) {
	d := openDB(t)
	rows := fill(t, d, "c", 20, 4)
	path := filepath.Join(t.TempDir(), "bad.parquet")
	f, _ := os.Create(path)
	w, _ := parquet.NewWriter(f, format.TableWriterOptions{Dim: 4, RowGroupRows: 4})
	for i := 0; i < 10; i++ {
		w.Write(&format.TableRow{Key: "n" + string(rune('a'+i)), Vector: []float32{1, 2, 3, float32(i)}, Meta: []any{}})
	}
	w.Close()
	f.Close()
	// Same dimension: the file's rows replace c's, which keeps its fields.
	_, err := d.Import(bg, "c", path, db.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection("c")
	if got, err := c.Get("na"); err != nil || len(got.Meta) != 4 || c.Len() != 10 {
		t.Errorf("fields of c were not kept: %+v, %v", got, err)
	}
	// Another dimension: refused, c unchanged.
	d2 := openDB(t)
	rows = fill(t, d2, "c", 20, 5)
	_, err = d2.Import(bg, "c", path, db.ImportOptions{})
	if !errors.Is(err, format.ErrRagged) || !strings.Contains(err.Error(), "bad.parquet: row 1 (row group 0)") {
		t.Fatalf("got %v", err)
	}
	if got := rowsOf(t, d2, "c", rows); !reflect.DeepEqual(got, rows) {
		t.Fatal("a failed import changed the collection")
	}
	// Duplicate keys across row groups fail the same way.
	f, _ = os.Create(path)
	w, _ = parquet.NewWriter(f, format.TableWriterOptions{Dim: 5, RowGroupRows: 2})
	for i := 0; i < 5; i++ {
		w.Write(&format.TableRow{Key: "dup" + string(rune('0'+i%3)), Vector: make([]float32, 5), Meta: []any{}})
	}
	w.Close()
	f.Close()
	if _, err := d2.Import(bg, "c", path, db.ImportOptions{}); !errors.Is(err, db.ErrDuplicateKey) {
		t.Fatalf("duplicates: %v", err)
	}
	if got := rowsOf(t, d2, "c", rows); !reflect.DeepEqual(got, rows) {
		t.Fatal("a failed import changed the collection")
	}
}

// TestImportReaderAndLimit imports through ImportReader (an *os.File is
// random access; a plain reader is refused) and with a row limit.
func TestImportReaderAndLimit(t *testing.T) {
	d := openDB(t)
	rows := fill(t, d, "src", 50, 4)
	path := filepath.Join(t.TempDir(), "c.parquet")
	if _, err := d.ExportParquet(bg, "src", path, db.ParquetOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := d.ImportReader(bg, "r", f, "c.parquet", db.ImportOptions{Format: format.Parquet, Limit: 7})
	if err != nil || res.Rows != 7 {
		t.Fatalf("ImportReader: %+v, %v", res, err)
	}
	if got := rowsOf(t, d, "r", rows[:7]); !reflect.DeepEqual(got, rows[:7]) {
		t.Fatal("rows differ")
	}
	data, _ := os.ReadFile(path)
	if _, err := d.ImportReader(bg, "r", strings.NewReader(string(data)), "c.parquet", db.ImportOptions{Format: format.Parquet}); err != nil {
		t.Fatal(err) // strings.Reader is an io.ReaderAt and io.Seeker
	}
	if _, err := d.ImportReader(bg, "r2", struct{ io.Reader }{strings.NewReader(string(data))}, "c.parquet", db.ImportOptions{Format: format.Parquet}); !errors.Is(err, db.ErrInvalid) {
		t.Fatalf("a plain io.Reader: %v", err)
	}
}

// TestImportReadAheadEnds: the goroutine that decodes a Parquet file ahead
// of the loader ends with the import, whether the import fails early (a
// duplicate key while later rows are being decoded), stops at a limit or
// is cancelled, and the rows are those of the file, in order.
func TestImportReadAheadEnds(t *testing.T) {
	d := openDB(t)
	path := filepath.Join(t.TempDir(), "big.parquet")
	write := func(n, dupAt int) {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := parquet.NewWriter(f, format.TableWriterOptions{Dim: 3, RowGroupRows: 700})
		for i := 0; i < n; i++ {
			k := i
			if i == dupAt {
				k = 0
			}
			if err := w.Write(&format.TableRow{Key: fmt.Sprintf("k%d", k), Count: int64(n - i), Vector: []float32{float32(i), 1, 2}, Meta: []any{}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	base := runtime.NumGoroutine()
	ended := func(what string) {
		t.Helper()
		for i := 0; i < 100 && runtime.NumGoroutine() > base; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > base {
			t.Errorf("%s: %d goroutines, %d before the import", what, n, base)
		}
	}
	write(5000, 1500)
	if _, err := d.Import(bg, "c", path, db.ImportOptions{}); !errors.Is(err, db.ErrDuplicateKey) {
		t.Fatalf("duplicate at row 1501: %v", err)
	}
	ended("duplicate key")
	if _, err := d.Collection("c"); !errors.Is(err, db.ErrCollectionNotFound) {
		t.Errorf("a failed import left collection c: %v", err)
	}
	res, err := d.Import(bg, "c", path, db.ImportOptions{Limit: 1200})
	if err != nil || res.Rows != 1200 {
		t.Fatalf("limit 1200: %+v, %v", res, err)
	}
	ended("limit")
	c, _ := d.Collection("c")
	for _, i := range []int{0, 699, 700, 1023, 1024, 1199} {
		r, err := c.Get(fmt.Sprintf("k%d", i))
		if err != nil || r.Vector[0] != float32(i) || r.Count != int64(5000-i) {
			t.Errorf("row %d: %+v, %v", i, r, err)
		}
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := d.Import(ctx, "c", path, db.ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	ended("cancelled")
	if c.Len() != 1200 {
		t.Errorf("a cancelled import changed c: %d rows", c.Len())
	}
}
