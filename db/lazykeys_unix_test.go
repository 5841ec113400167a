//go:build unix

package db

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestInPlaceKeysOfTruncatedFile: when the file is cut short under a view
// read in place, its keys and counts read from the lost pages come back as
// "" and 0 (a memory fault caught, not a crash), a suggestion finds
// nothing, and a search fails with ErrCorrupt.
func TestInPlaceKeysOfTruncatedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const n = 5000
	c := fillKeysColl(t, d, "c", n, 24) // 1024 rows a block: five blocks
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	if !v.InPlace() || v.Key(n-1) != "K4999" {
		t.Fatalf("want a view read in place (%v), %q", v.InPlace(), v.Key(n-1))
	}
	if err := os.Truncate(path, 16<<10); err != nil {
		t.Fatal(err)
	}
	if k, cnt := v.Key(n-2), v.Count(n-2); k != "" || cnt != 0 {
		t.Fatalf("row of a lost page: %q %d", k, cnt)
	}
	if s := v.Suggest("k4998"); s != "" {
		t.Fatalf("Suggest on lost pages: %q", s)
	}
	q := make([]float32, 24)
	q[0] = 1
	if _, err := v.Search(bg, q, 3, &SearchOptions{Exact: true}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("search on lost pages: %v, want ErrCorrupt", err)
	}
}
