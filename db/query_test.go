package db

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/query"
)

// TestRunAtPositions: a statement run with RunAt reports the positions
// that running it with the script before it blanked out reported, for
// parse errors and for the errors the planner finds (names, keys,
// options, text limits).
func TestRunAtPositions(t *testing.T) {
	d := MustOpen(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, "CREATE COLLECTION c (DIM 2, title TEXT); INSERT INTO c (key, vector) VALUES ('a', [1, 0]), ('b', [0, 1])"); err != nil {
		t.Fatal(err)
	}
	script := "SHOW COLLECTIONS; SELECT NEAREST 1 TO 'A' + 'bb' FROM c;\n" +
		"\t-- é; comment\n  SELECT key FROM nope; SELECT key FROM c WHERE titel = 'x';\n" +
		"CREATE INDEX ON c USING HNSW WITH (m = 16, ef_constrution = 10); SELECT NEAREST 1 TO 'a' FROM c OFFSET 1 WITH (ef = 3);\n" +
		"SELECT 'été' FROM c; SELECT NEAREST 1 TO 'a' FROM c WHERE similarity > 'x'"
	chunks := query.SplitStatements(script)
	if len(chunks) != 8 {
		t.Fatalf("%d chunks", len(chunks))
	}
	for _, c := range chunks[1:] {
		_, err := d.RunAt(ctx, c.Text, c.Pos)
		_, old := d.Run(ctx, padded(script, c))
		if err == nil || old == nil || err.Error() != old.Error() {
			t.Errorf("%q:\n got %v\nwant %v", c.Text, err, old)
		}
	}
	// The size limit counts the statement alone, and says where it is.
	small, err := Open(filepath.Join(t.TempDir(), "small.vdb"), &Options{Limits: Limits{MaxStatementBytes: 40}})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	long := strings.Repeat("SHOW COLLECTIONS; ", 100) + "\nSHOW   COLLECTIONS         ;  SHOW" + strings.Repeat(" ", 30) + "COLLECTIONS"
	var msgs []string
	for _, c := range query.SplitStatements(long) {
		if _, err := small.RunAt(ctx, c.Text, c.Pos); err != nil {
			msgs = append(msgs, err.Error())
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v is not ErrInvalid", err)
			}
		}
	}
	if want := "2:29: the statement text has 47 bytes, the limit is 40"; strings.Join(msgs, "|") != want {
		t.Errorf("got %q, want %q", msgs, want)
	}
}

// padded is how the shell used to place a statement in its script: the
// text before it blanked out, newlines kept.
func padded(src string, c query.Chunk) string {
	before := src[:c.Pos.Offset]
	nl := strings.Count(before, "\n")
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:]))
	return strings.Repeat("\n", nl) + strings.Repeat(" ", col) + c.Text
}

// TestRunSkipsByteOrderMark: a script saved with a UTF-8 byte order mark
// runs, and positions do not count the mark.
func TestRunSkipsByteOrderMark(t *testing.T) {
	d := MustOpen(t)
	ctx := context.Background()
	res, err := d.Run(ctx, "\uFEFFCREATE COLLECTION c (DIM 2); SHOW COLLECTIONS")
	if err != nil || len(res) != 2 {
		t.Fatalf("Run: %v", err)
	}
	if _, err := d.Query(ctx, "\uFEFFSHOW COLLECTIONS"); err != nil {
		t.Errorf("Query: %v", err)
	}
	_, err = d.Run(ctx, "\uFEFFSHOW COLLECTIONS;\nSELEC 1")
	var qe *query.Error
	if !errors.As(err, &qe) || !strings.HasPrefix(err.Error(), "2:1: unexpected token \"SELEC\"") {
		t.Fatalf("got %v", err)
	}
	if p := qe.Pretty(); !strings.HasSuffix(p, "\n  SELEC 1\n  ^") {
		t.Errorf("Pretty:\n%s", p)
	}
	// Only at the start: elsewhere it is a character the lexer refuses.
	if _, err := d.Run(ctx, "SHOW COLLECTIONS; \uFEFFSHOW COLLECTIONS"); err == nil || !strings.HasPrefix(err.Error(), "1:19: unexpected character") {
		t.Errorf("a mark inside: %v", err)
	}
}
