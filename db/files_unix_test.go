//go:build unix

package db

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vecdb/vecdb/internal/textline"
)

// TestNonRegularInputsRefused: a FIFO without a writer (whose open would
// block past any timeout), a socket and a device are refused promptly with
// ErrInvalid, with and without a sandbox, by every statement that reads a
// file.
func TestNonRegularInputsRefused(t *testing.T) {
	defer textline.SetLimitForTest(64 << 10)() // bounds /dev/zero if it were read
	box := t.TempDir()
	fifo := filepath.Join(box, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	// Whatever happens, a blocked open is released at the end.
	defer func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}()
	ok := filepath.Join(box, "ok.vec")
	if err := os.WriteFile(ok, []byte("a 1 0\nb 0 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stmts := []string{
		"IMPORT INTO c FROM '%s'",
		"IMPORT INTO c FROM '%s' FORMAT CSV",
		"IMPORT METADATA INTO c FROM '%s'",
		"EVALUATE PAIRS c FROM '%s'",
		"TRAIN t FROM '%s'",
	}
	for _, sandbox := range []string{"", box} {
		d, err := Open(filepath.Join(t.TempDir(), "f.vdb"), &Options{NoSync: true, Sandbox: sandbox, Limits: Limits{Timeout: 10 * time.Second}}) // under the 20 s hang bound below, and far above a busy machine's IMPORT of three rows
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(bg, "IMPORT INTO c FROM '"+ok+"'"); err != nil {
			t.Fatal(err)
		}
		inputs := []string{fifo}
		if sandbox == "" {
			inputs = append(inputs, "/dev/zero", "/dev/null")
		}
		for _, in := range inputs {
			for _, s := range stmts {
				stmt := strings.Replace(s, "%s", in, 1)
				done := make(chan error, 1)
				start := time.Now()
				go func() { _, err := d.Exec(bg, stmt); done <- err }()
				select {
				case err := <-done:
					if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is not a regular file") {
						t.Errorf("sandbox %q: %s: err = %v, want ErrInvalid: not a regular file", sandbox, stmt, err)
					}
				case <-time.After(20 * time.Second):
					t.Fatalf("sandbox %q: %s still blocked after %v", sandbox, stmt, time.Since(start))
				}
			}
		}
		d.Close()
	}
}
