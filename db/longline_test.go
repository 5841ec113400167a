package db

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/textline"
)

// TestLongLinesInStatementFiles: every file a statement reads stops at the
// line limit (lowered here to 64 KiB) with ErrLineTooLong, the file and the
// line in the message, and leaves the database as it was.
func TestLongLinesInStatementFiles(t *testing.T) {
	defer textline.SetLimitForTest(64 << 10)()
	d := MustOpen(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zeros := strings.Repeat("\x00", 200<<10) // no newline at all
	long := strings.Repeat("x", 200<<10)
	ok := write("ok.vec", "a 1 0\nb 0 1\nc 1 1\n")
	if _, err := d.Exec(bg, "IMPORT INTO c FROM '"+ok+"'"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		stmt, file, text, line string
	}{
		{"IMPORT INTO c FROM '%s' FORMAT CSV", "z.csv", zeros, "line 1"},
		{"IMPORT INTO c FROM '%s' FORMAT CSV", "l.csv", "a,1,0\n" + long, "line 2"},
		{"IMPORT INTO c FROM '%s'", "z.txt", "a 1 0\n" + long, "line 2"},
		{"IMPORT METADATA INTO c FROM '%s'", "z.tsv", "key\tn\na\t1\n" + zeros, "line 3"},
		{"EVALUATE PAIRS c FROM '%s'", "p.txt", zeros, "line 1"},
		{"EVALUATE ANALOGIES c FROM '%s'", "q.txt", ": s\na b c a\n" + long, "line 3"},
	} {
		p := write(c.file, c.text)
		stmt := strings.Replace(c.stmt, "%s", p, 1)
		_, err := d.Exec(bg, stmt)
		if !errors.Is(err, ErrLineTooLong) {
			t.Errorf("%s: err = %v, want ErrLineTooLong", stmt, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.file) || !strings.Contains(msg, c.line+": longer than the 64 KiB line limit") {
			t.Errorf("%s: message %q should name %s and %s", stmt, msg, c.file, c.line)
		}
	}
	c, err := d.Collection("c")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := c.Info(); err != nil || info.Rows != 3 || len(info.Fields) != 0 {
		t.Fatalf("collection changed: %+v %v", info, err)
	}
}
