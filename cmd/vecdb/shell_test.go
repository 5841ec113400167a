package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// console drives a process through a pseudo-terminal and waits for its
// output.
type console struct {
	t    *testing.T
	f    *os.File
	mu   sync.Mutex
	buf  []byte
	mark int // expect looks at the output after the last send
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|[\r\x08\x07]`)

func (c *console) read() {
	b := make([]byte, 4096)
	for {
		n, err := c.f.Read(b)
		c.mu.Lock()
		c.buf = append(c.buf, b[:n]...)
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// since returns the output after the last send, without escapes.
func (c *console) since() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ansi.ReplaceAllString(string(c.buf[c.mark:]), "")
}

func (c *console) send(s string) {
	c.t.Helper()
	c.mu.Lock()
	c.mark = len(c.buf)
	c.mu.Unlock()
	if _, err := c.f.Write([]byte(s)); err != nil {
		c.t.Fatalf("write %q: %v", s, err)
	}
}

// expect waits (generously: slow machines) until the output since the
// last send holds each of want, in order.
func (c *console) expect(want ...string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := c.since()
		rest, ok := out, true
		for _, w := range want {
			i := strings.Index(rest, w)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(w):]
		}
		if ok {
			return out
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("waited for %q; the terminal shows:\n%s", want, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// expectEither waits like expect until the output holds one of the
// sequences a or b, and returns it.
func (c *console) expectEither(a, b []string) string {
	c.t.Helper()
	holds := func(out string, want []string) bool {
		for _, w := range want {
			i := strings.Index(out, w)
			if i < 0 {
				return false
			}
			out = out[i+len(w):]
		}
		return true
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := c.since()
		if holds(out, a) || holds(out, b) {
			return out
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("waited for %q or %q; the terminal shows:\n%s", a, b, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestShell drives the real binary's interactive shell through a
// pseudo-terminal: a multi-line statement, Tab completion of a collection
// and a key, history, Ctrl-C on a completion list, .mode json, Ctrl-C
// during a TRAIN, Ctrl-D.
func TestShell(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	corpus, err := filepath.Abs("../../trainer/testdata/factbook.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	dbf := filepath.Join(home, "t.vdb")
	if o := runBin(t, bin, "", dbf, "TRAIN words FROM '"+corpus+"' WITH (epochs = 1, dim = 16, threads = 1)"); o.code != 0 {
		t.Fatalf("train: %s", o.stderr)
	}

	cmd := exec.Command(bin, dbf)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"TERM=xterm", "VECDB_HISTORY=", "NO_COLOR=")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	c := &console{t: t, f: f}
	go c.read()
	c.expect("vecdb> ")

	// A statement over two lines: the continuation prompt, then a box.
	c.send("SELECT NEAREST 3\r")
	c.expect("   ...> ")
	c.send("TO 'king' FROM words;\r")
	c.expect("│ rank │ key", "└", "vecdb> ")

	// Ctrl-C while typing drops the statement and shows the prompt.
	c.send("SELECT NEAREST 3\r")
	c.expect("   ...> ")
	c.send("TO 'qu\x03")
	c.expect("^C", "vecdb> ")
	c.send("DESCRIBE nope;\r")
	c.expect("Error: ", "vecdb> ")

	// Up recalls a whole statement as one line (the one before the error).
	c.send("\x1b[A\x1b[A")
	c.expect("vecdb> SELECT NEAREST 3 TO 'king' FROM words;")
	c.send("\r")
	c.expect("│ rank │ key", "vecdb> ")

	// Tab completes a collection, then a key (with its closing quote).
	c.send("DESCRIBE wo\t")
	c.expect("DESCRIBE words")
	c.send(";\r")
	c.expect("COSINE", "vecdb> ")
	c.send("SELECT NEAREST 2 TO 'fragi\t")
	c.expect("TO 'fragile'")
	c.send(" FROM words;\r")
	c.expect("│ rank │ key", "vecdb> ")

	// Ctrl-C while a completion list is shown clears the line: the next
	// statement runs alone, not glued onto the old text.
	c.send("S\t")
	c.expect("SELECT", "SHOW")
	c.send("\x03")
	c.expect("^C", "vecdb> ")
	c.send("SHOW COLLECTIONS;\r")
	// Wait for the statement's answer (a box, or an error) and the prompt
	// after it: readline redraws the prompt for each typed character first.
	if out := c.expectEither([]string{"│ words", "└", "vecdb> "}, []string{"Error", "vecdb> "}); !strings.Contains(out, "│ words") || strings.Contains(out, "Error") {
		t.Errorf("after Ctrl-C on a completion list:\n%s", out)
	}
	c.send("SELECT NEAREST 3\r")
	c.expect("   ...> ")
	c.send("TO 'king' FROM words W\t")
	c.expect("WHERE", "WITHIN")
	c.send("\x03")
	c.expect("^C", "vecdb> ")
	c.send("SHOW COLLECTIONS;\r")
	// Wait for the statement's answer (a box, or an error) and the prompt
	// after it: readline redraws the prompt for each typed character first.
	if out := c.expectEither([]string{"│ words", "└", "vecdb> "}, []string{"Error", "vecdb> "}); !strings.Contains(out, "│ words") || strings.Contains(out, "Error") {
		t.Errorf("after Ctrl-C on a completion list in a continued statement:\n%s", out)
	}

	// .mode json.
	c.send(".mode json\r")
	c.expect("vecdb> ")
	c.send("SELECT NEAREST 1 TO 'king' FROM words;\r")
	c.expect(`[`, `{"rank":1,"key":"`, `]`, "vecdb> ")
	c.send(".mode box\r")
	c.expect("vecdb> ")

	// Ctrl-C cancels a long TRAIN: the prompt comes back, nothing changed.
	c.send("TRAIN big FROM '" + corpus + "' WITH (epochs = 50, threads = 1);\r")
	c.expect("train [", "epoch")
	c.send("\x03")
	out := c.expect("Interrupted.", "vecdb> ")
	if !strings.Contains(out, "canceled") {
		t.Errorf("no cancellation error:\n%s", out)
	}
	c.send(".collections\r")
	out = c.expect("│ words", "└", "vecdb> ")
	if strings.Contains(out, "big") {
		t.Errorf("a cancelled TRAIN left a collection:\n%s", out)
	}

	// Ctrl-D on an empty line exits with status 0.
	c.send("\x04")
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-D did not exit")
	}
	hist, err := os.ReadFile(filepath.Join(home, ".vecdb_history"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), "SELECT NEAREST 3 TO 'king' FROM words;\n") {
		t.Errorf("history:\n%s", hist)
	}
}

// TestShellSandbox drives the interactive shell under -sandbox through a
// pseudo-terminal: .output, .read and .open outside the sandbox are
// refused and touch nothing there; inside they work.
func TestShellSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	box, outside := filepath.Join(home, "box"), filepath.Join(home, "outside")
	os.Mkdir(box, 0o755)
	os.Mkdir(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "x.sql"), []byte("CREATE COLLECTION escaped (DIM 2);\n"), 0o644)
	cmd := exec.Command(bin, "-sandbox", box, filepath.Join(box, "app.vdb"))
	cmd.Env = append(os.Environ(), "HOME="+home, "TERM=xterm", "VECDB_HISTORY=", "NO_COLOR=")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defer cmd.Process.Kill()
	c := &console{t: t, f: f}
	go c.read()
	c.expect("vecdb> ")
	for _, line := range []string{
		".output " + filepath.Join(outside, "o.txt"),
		".read ../outside/x.sql",
		".open " + filepath.Join(outside, "new.vdb"),
		".output app.vdb",
	} {
		c.send(line + "\r")
		c.expect("Error: ", "vecdb> ")
	}
	c.send(".output in.txt\r")
	c.expect("vecdb> ")
	c.send("SHOW COLLECTIONS;\r")
	c.expect("vecdb> ")
	c.send(".quit\r")
	cmd.Wait()
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("the shell touched files outside the sandbox: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(box, "in.txt")); err != nil {
		t.Errorf(".output inside the sandbox: %v", err)
	}
}
