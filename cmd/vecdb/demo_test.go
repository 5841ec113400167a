package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vecdb/vecdb/internal/demo"
)

// TestDemoDefault: without FILE, piped statements run against the demo
// database in the user's cache (seeded here so that nothing is trained).
func TestDemoDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t) // before HOME moves: the build uses the usual cache
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	p, err := demo.Path()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if o := runBin(t, bin, "", p, "CREATE COLLECTION words (DIM 2)"); o.code != 0 {
		t.Fatalf("seed the demo: %s", o.stderr)
	}
	o := runBin(t, bin, "SHOW COLLECTIONS;\n")
	if o.code != 0 || o.stderr != "" {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	if o.stdout == "" || o.stdout[:5] != "words" {
		t.Fatalf("SHOW COLLECTIONS on the demo: %q", o.stdout)
	}
}
