package db

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vecdb/vecdb/query"
)

// EXPORT to a .gz name gzips the file for every layout, and IMPORT reads
// each back to the same keys and vectors.
func TestExportGzipRoundTrip(t *testing.T) {
	d := MustOpen(t)
	if _, err := d.Exec(bg, "CREATE COLLECTION w (DIM 3); INSERT INTO w (key, vector) VALUES ('king', [0.5, -1.25, 3]), ('queen', [0.1, 0.2, 0.3]), ('x', [-7, 0, 1e-3])"); err != nil {
		t.Fatal(err)
	}
	wc, _ := d.Collection("w")
	want := snapshotRows(t, wc)
	dir := t.TempDir()
	for _, tc := range []struct{ file, format string }{
		{"w.txt.gz", ""},                     // word2vec text
		{"w.vec.gz", ""},                     // fastText .vec (word2vec text)
		{"w.bin.gz", ""},                     // word2vec binary, by the name before .gz
		{"w.csv.gz", ""},                     // CSV
		{"w.jsonl.gz", ""},                   // JSON lines
		{"w.glove.gz", ""},                   // GloVe (no header)
		{"w2.gz", " FORMAT WORD2VEC BINARY"}, // a layout named, any .gz name
		{"W3.TXT.GZ", " FORMAT CSV"},         // the suffix in any case
	} {
		p := filepath.Join(dir, tc.file)
		if _, err := d.Exec(bg, "EXPORT w TO "+query.QuoteString(p)+tc.format); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s is not gzipped: starts %q", tc.file, b[:min(len(b), 8)])
			continue
		}
		imp := " FORMAT GLOVE"
		if tc.format != "" || tc.file != "w.glove.gz" {
			imp = tc.format // sniffed, or the layout exported
		}
		if _, err := d.Exec(bg, "DROP COLLECTION IF EXISTS back; IMPORT INTO back FROM "+query.QuoteString(p)+imp); err != nil {
			t.Fatalf("IMPORT %s: %v", tc.file, err)
		}
		bc, _ := d.Collection("back")
		if got := snapshotRows(t, bc); !reflect.DeepEqual(got, want) {
			t.Errorf("%s round trip:\n got %v\nwant %v", tc.file, got, want)
		}
	}
	// Without .gz the file is plain.
	plain := filepath.Join(dir, "w.vec")
	if _, err := d.Exec(bg, "EXPORT w TO "+query.QuoteString(plain)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(plain); len(b) < 2 || b[0] == 0x1f {
		t.Errorf("w.vec was gzipped")
	}
}

// Parquet compresses inside: a .parquet.gz name is refused before anything
// is written (and on IMPORT), matching ErrInvalid, with a position.
func TestExportParquetGzRefused(t *testing.T) {
	d := MustOpen(t)
	if _, err := d.Exec(bg, "CREATE COLLECTION w (DIM 2); INSERT INTO w (key, vector) VALUES ('a', [1, 2])"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "w.parquet.gz")
	_, err := d.Exec(bg, "EXPORT w TO "+query.QuoteString(p))
	var qe *query.Error
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) || !qe.Pos.IsValid() {
		t.Fatalf("EXPORT to .parquet.gz: %v, want ErrInvalid at a position", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused EXPORT wrote %s", p)
	}
	if _, err := d.ExportParquet(bg, "w", filepath.Join(t.TempDir(), "w.gz"), ParquetOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("ExportParquet to .gz: %v, want ErrInvalid", err)
	}
	if err := os.WriteFile(p, []byte{0x1f, 0x8b}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "IMPORT INTO v FROM "+query.QuoteString(p)); !errors.Is(err, ErrInvalid) {
		t.Errorf("IMPORT of .parquet.gz: %v, want ErrInvalid", err)
	}
}
