// Package testutil holds helpers shared by vecdb's tests: finding the shared
// data kit and skipping politely when it is absent.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns the path of the project's ../shared folder (the one holding
// data/ and bench/), or "" when it cannot be found. VECDB_SHARED overrides the
// search; otherwise every parent of the working directory is tried for a
// sibling named "shared".
func SharedDir() string {
	if d := os.Getenv("VECDB_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; {
		cand := filepath.Join(filepath.Dir(dir), "shared")
		if st, err := os.Stat(filepath.Join(cand, "data")); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// SharedData returns the path of a file or folder under shared/data, or skips
// the test with a message when the data kit or that entry is absent.
func SharedData(t testing.TB, rel string) string {
	t.Helper()
	root := SharedDir()
	if root == "" {
		t.Skipf("skipping: ../shared/data not found (set VECDB_SHARED); needs %s", rel)
	}
	p := filepath.Join(root, "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s not present in the shared data kit", p)
	}
	return p
}
