package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSecondHandleInProcess: a second handle on a file this process has
// open for writing is refused at once with a message that says so (it
// waited for the lock and blamed "another process"); two read-only
// handles share the file; a closed handle frees it.
func TestSecondHandleInProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.vdb")
	db, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Open(path, &Options{Timeout: time.Minute})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "this process already has it open for writing") {
		t.Fatalf("second writable handle: %v", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("the second open waited for the lock")
	}
	if _, err := Open(path, &Options{ReadOnly: true, Timeout: time.Minute}); !errors.Is(err, ErrLocked) {
		t.Fatalf("read-only handle beside a writer: %v", err)
	}
	db.Close()
	r1, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("two read-only handles: %v", err)
	}
	r2.Close()
}

// TestOpenErrorNamesThePathOnce: "open X: open X: …" is gone.
func TestOpenErrorNamesThePathOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "x.vdb")
	for _, ro := range []bool{false, true} {
		_, err := Open(path, &Options{ReadOnly: ro})
		if err == nil || strings.Count(err.Error(), path) != 1 {
			t.Errorf("read-only %v: %v", ro, err)
		}
	}
}

// TestOpenFileHookError: an error of Options.OpenFile (a sandbox refusal)
// comes back as itself, not as a damaged file.
func TestOpenFileHookError(t *testing.T) {
	refused := errors.New("refused by the hook")
	_, err := Open(filepath.Join(t.TempDir(), "x.vdb"), &Options{OpenFile: func(string, int, os.FileMode) (*os.File, error) {
		return nil, refused
	}})
	if !errors.Is(err, refused) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v", err)
	}
}
