package db

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/trainer"
)

// TestParquetWithoutCodec runs every Parquet path, through the Go API and
// through the language (FORMAT PARQUET as by extension), in a test binary
// that links no Parquet codec: each fails with ErrNoTableCodec, a
// statement's error has a position, no file is created and the collection
// is as it was. The round trips with the codec are in package
// format/parquet.
func TestParquetWithoutCodec(t *testing.T) {
	codecErr := func() error { _, err := format.TableCodecFor(format.Parquet); return err }()
	if codecErr == nil {
		t.Fatal("db's tests link a Parquet codec; they must not")
	}
	d := MustOpen(t)
	c := importGensim(t, d)
	rows := c.Len()
	dir := t.TempDir()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrNoTableCodec) || !errors.Is(err, format.ErrNoTableCodec) {
			t.Errorf("%s: got %v, want ErrNoTableCodec", what, err)
		}
	}
	exec := func(stmt string) {
		t.Helper()
		_, err := d.Exec(bg, stmt)
		check(stmt, err)
		var qe *query.Error
		if !errors.As(err, &qe) || !qe.Pos.IsValid() {
			t.Errorf("%s: %v has no position", stmt, err)
		}
	}
	out := filepath.Join(dir, "c.parquet")
	_, err := d.Export(bg, "speeches", out, format.Auto)
	check("Export by extension", err)
	_, err = d.ExportParquet(bg, "speeches", out, ParquetOptions{})
	check("ExportParquet", err)
	// The message names the import to add (the codec's own message).
	if want := "export speeches: " + codecErr.Error(); err.Error() != want {
		t.Errorf("ExportParquet: %q, want %q", err, want)
	}
	exec("EXPORT speeches TO '" + out + "'")
	exec("EXPORT speeches TO '" + filepath.Join(dir, "x.dat") + "' FORMAT PARQUET")
	exec("EXPORT speeches TO '" + out + "' WITH (fixed_size = true)")
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
	exec("IMPORT INTO speeches FROM '" + in + "' FORMAT PARQUET")
	exec("IMPORT INTO speeches FROM '" + in + "'")
	_, err = d.ImportMetadata(bg, "speeches", in, MetadataOptions{})
	check("ImportMetadata by magic", err)
	exec("IMPORT METADATA INTO speeches FROM '" + in + "' FORMAT PARQUET")
	_, err = d.EventLogSource(in, trainer.EventLogOptions{SequenceBy: "u", Item: "i"})
	check("EventLogSource", err)
	exec("TRAIN speeches FROM '" + in + "' WITH (sequence_by = 'u', item = 'i')")
	exec("CREATE COLLECTION u FROM SEQUENCES OF speeches FROM '" + in + "' WITH (sequence_by = 'u', item = 'i')")
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

// TestParquetOptionsRefused: fixed_size goes only with Parquet, and the
// text-file options of IMPORT METADATA not with it; each refusal is
// ErrInvalid at the option, before anything runs.
func TestParquetOptionsRefused(t *testing.T) {
	d := MustOpen(t)
	importGensim(t, d)
	dir := t.TempDir()
	for _, stmt := range []string{
		"EXPORT speeches TO '" + filepath.Join(dir, "x.txt") + "' WITH (fixed_size = true)",
		"EXPORT speeches TO '" + filepath.Join(dir, "x.parquet") + "' FORMAT CSV WITH (fixed_size = true)",
		"EXPORT speeches TO '" + filepath.Join(dir, "x.bin") + "' FORMAT WORD2VEC BINARY WITH (fixed_size = false)",
		"IMPORT METADATA INTO speeches FROM 'm.parquet' WITH (delimiter = ',')",
		"IMPORT METADATA INTO speeches FROM 'm.dat' FORMAT PARQUET WITH (header = false)",
		"IMPORT METADATA INTO speeches FROM 'm.dat' FORMAT PARQUET WITH (columns = 'a,b')",
		"IMPORT METADATA INTO speeches FROM 'm.parquet' WITH (trim = false)",
	} {
		_, err := d.Exec(bg, stmt)
		var qe *query.Error
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) || qe.Pos.Column < 30 {
			t.Errorf("%s: got %v, want ErrInvalid at the option", stmt, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files written: %v", ents)
	}
	// IMPORT METADATA takes FORMAT PARQUET and no other.
	_, err := d.Exec(bg, "IMPORT METADATA INTO speeches FROM 'm.txt' FORMAT CSV")
	var qe *query.Error
	if !errors.As(err, &qe) || qe.Pos.Column != 44 {
		t.Errorf("IMPORT METADATA … FORMAT CSV: %v", err)
	}
}
