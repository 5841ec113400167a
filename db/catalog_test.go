package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/format"
)

// TestImportCatalog: IMPORT … FROM CATALOG goes through the registered
// downloader; without one the error names the import to add; under a
// sandbox it is refused before anything is downloaded.
func TestImportCatalog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(filepath.Join(dir, "c.vdb"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	format.RegisterDownloader(nil)
	_, err = d.Exec(ctx, "IMPORT INTO g FROM CATALOG 'glove-wiki-gigaword-50'")
	if !errors.Is(err, format.ErrNoDownloader) || !strings.Contains(err.Error(), format.FetchImport) {
		t.Fatalf("without a downloader: %v", err)
	}

	file := filepath.Join(dir, "g.txt")
	if err := os.WriteFile(file, []byte("2 3\na 1 0 0\nb 0 1 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := 0
	format.RegisterDownloader(func(ctx context.Context, e format.CatalogEntry, progress func(done, total int64)) (string, error) {
		calls++
		return file, nil
	})
	t.Cleanup(func() { format.RegisterDownloader(nil) })
	if _, err := d.Exec(ctx, "IMPORT INTO g FROM CATALOG 'glove-wiki-gigaword-50' FORMAT WORD2VEC"); err != nil {
		t.Fatal(err)
	}
	if c, err := d.Collection("g"); err != nil {
		t.Fatal(err)
	} else if in, _ := c.Info(); in.Rows != 2 || !strings.Contains(in.Source, "CATALOG") {
		t.Fatalf("imported %+v", in)
	}

	sb, err := Open(filepath.Join(dir, "s.vdb"), &Options{NoSync: true, Sandbox: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	calls = 0
	_, err = sb.Exec(ctx, "IMPORT INTO g FROM CATALOG 'glove-wiki-gigaword-50'")
	if !errors.Is(err, ErrSandbox) || calls != 0 {
		t.Fatalf("under a sandbox: %v after %d downloads", err, calls)
	}
}
