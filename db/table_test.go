package db

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/format"
)

// TestParquetWithoutCodec runs Parquet export and import in a test binary
// that links no Parquet codec: each fails with format.ErrNoTableCodec
// naming the import to add, creates no file and leaves the collection as
// it was. The round trips with the codec are in package format/parquet.
func TestParquetWithoutCodec(t *testing.T) {
	if _, err := format.TableCodecFor(format.Parquet); err == nil {
		t.Fatal("db's tests link a Parquet codec; they must not")
	}
	d := MustOpen(t)
	c := importGensim(t, d)
	rows := c.Len()
	dir := t.TempDir()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, format.ErrNoTableCodec) || !strings.Contains(err.Error(), format.ParquetImport) {
			t.Errorf("%s: got %v, want ErrNoTableCodec naming %s", what, err, format.ParquetImport)
		}
	}
	out := filepath.Join(dir, "c.parquet")
	_, err := d.Export(bg, "speeches", out, format.Auto)
	check("Export by extension", err)
	_, err = d.ExportParquet(bg, "speeches", out, ParquetOptions{})
	check("ExportParquet", err)
	_, err = d.Exec(bg, "EXPORT speeches TO '"+out+"'")
	check("EXPORT … TO 'c.parquet'", err)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
	// A file with Parquet's magic bytes, whatever its name, and a directory.
	in := filepath.Join(dir, "x.bin")
	os.WriteFile(in, []byte("PAR1 not really"), 0o644)
	_, err = d.Import(bg, "speeches", in, ImportOptions{})
	check("Import by magic", err)
	_, err = d.ImportParquet(bg, "speeches", in, ImportOptions{})
	check("ImportParquet", err)
	os.WriteFile(filepath.Join(dir, "part-0.parquet"), []byte("PAR1"), 0o644)
	_, err = d.Import(bg, "speeches", dir, ImportOptions{})
	check("Import of a directory", err)
	if c.Len() != rows {
		t.Errorf("speeches has %d rows, want %d", c.Len(), rows)
	}
	if f := guessFormat("X.Parquet"); f != format.Parquet {
		t.Errorf("guessFormat(X.Parquet) = %v", f)
	}
}
