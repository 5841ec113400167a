package db

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// holdInChild re-executes the test binary as a process that opens path
// (read-only when ro) and keeps it open until killed.
func holdInChild(t *testing.T, path string, ro bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcesses$")
	mode := "rw"
	if ro {
		mode = "ro"
	}
	cmd.Env = append(os.Environ(), "VECDB_DB_HOLD="+path, "VECDB_DB_HOLD_MODE="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "HOLDING\n" {
		t.Fatalf("child: %q", line)
	}
}

func TestTwoProcesses(t *testing.T) {
	if p := os.Getenv("VECDB_DB_HOLD"); p != "" {
		d, err := Open(p, &Options{ReadOnly: os.Getenv("VECDB_DB_HOLD_MODE") == "ro"})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Println("HOLDING")
		time.Sleep(time.Minute)
		d.Close()
		os.Exit(0)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "two.vdb")
	d, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateCollection(ctx, Spec{Name: "c", Dim: 2}, false); err != nil {
		t.Fatal(err)
	}
	d.Close()

	t.Run("second writer gets ErrLocked", func(t *testing.T) {
		holdInChild(t, path, false)
		const timeout = 300 * time.Millisecond
		start := time.Now()
		_, err := Open(path, &Options{Timeout: timeout})
		el := time.Since(start)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("want ErrLocked, got %v", err)
		}
		// bbolt polls the lock every 50ms and may give up one poll early.
		// The upper bound only catches a hang: a busy machine can delay
		// the last poll by seconds.
		if el < timeout-100*time.Millisecond || el > timeout+30*time.Second {
			t.Fatalf("ErrLocked after %v, Timeout %v", el, timeout)
		}
		// A reader cannot share the file with a writer either.
		if _, err := Open(path, &Options{ReadOnly: true, Timeout: timeout}); !errors.Is(err, ErrLocked) {
			t.Fatalf("reader beside a writer: want ErrLocked, got %v", err)
		}
	})
	t.Run("readers share", func(t *testing.T) {
		holdInChild(t, path, true)
		var ds []*DB
		for i := 0; i < 2; i++ { // two more readers in this process
			r, err := Open(path, &Options{ReadOnly: true, Timeout: time.Second})
			if err != nil {
				t.Fatalf("reader %d beside another reader: %v", i, err)
			}
			ds = append(ds, r)
			if names := r.CollectionNames(); len(names) != 1 || names[0] != "c" {
				t.Fatalf("reader sees %v", names)
			}
			if _, err := r.CreateCollection(ctx, Spec{Name: "x", Dim: 2}, false); !errors.Is(err, ErrReadOnly) {
				t.Fatalf("write on a reader: %v", err)
			}
		}
		for _, r := range ds {
			r.Close()
		}
		if _, err := Open(path, &Options{Timeout: 200 * time.Millisecond}); !errors.Is(err, ErrLocked) {
			t.Fatalf("writer beside a reader: want ErrLocked, got %v", err)
		}
	})
}
