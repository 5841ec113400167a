package repl

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
)

func TestComplete(t *testing.T) {
	for src, want := range map[string]bool{
		"":                           true,
		"SELECT 1":                   false,
		"SELECT 1;":                  true,
		"SELECT ';'":                 false,
		"SELECT 'x' -- ;":            false,
		"SELECT 'x'; SELECT 2":       false,
		"SELECT 'x'; SELECT 2;  \n ": true,
	} {
		if got := Complete(src); got != want {
			t.Errorf("Complete(%q) = %v, want %v", src, got, want)
		}
	}
}

func openTest(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "r.vdb"), &db.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestRunScriptPositionsAndCarets(t *testing.T) {
	d := openTest(t)
	script := "CREATE COLLECTION c (DIM 2);\nINSERT INTO c (key, vector) VALUES ('a', [1, 0]), ('b', [0, 1]);\n\tSELECT NEAREST 1 TO 'A' + 'bb' FROM c;\nSELECT key FROM c;\nSELEC key FROM c;\n"
	var out, errb bytes.Buffer
	ok := RunScript(context.Background(), d, strings.NewReader(script), &out, &errb, Config{Mode: "list"})
	if ok {
		t.Error("RunScript reported success")
	}
	wantOut := "created collection c\ninserted 2 rows into c\na\nb\n"
	if out.String() != wantOut {
		t.Errorf("stdout:\n%q\nwant\n%q", out.String(), wantOut)
	}
	e := errb.String()
	for _, want := range []string{
		"Error: 3:22: 'A' is not in c; did you mean 'a'?\n      SELECT NEAREST 1 TO 'A' + 'bb' FROM c;\n                          ^\n",
		"Error: 3:28: 'bb' is not in c; did you mean 'b'?\n",
		"Error: 5:1: unexpected token \"SELEC\"",
		"\n  SELEC key FROM c;\n  ^\n",
	} {
		if !strings.Contains(e, want) {
			t.Errorf("stderr:\n%s\nwant it to contain:\n%s", e, want)
		}
	}
}

func TestRunScriptBail(t *testing.T) {
	d := openTest(t)
	var out, errb bytes.Buffer
	ok := RunScript(context.Background(), d, strings.NewReader("SELECT key FROM nope; CREATE COLLECTION c (DIM 2);"), &out, &errb, Config{Bail: true})
	if ok || out.Len() != 0 || len(d.CollectionNames()) != 0 {
		t.Errorf("bail: ok=%v out=%q collections=%v", ok, out.String(), d.CollectionNames())
	}
	if !strings.HasPrefix(errb.String(), "Error: 1:17: collection nope does not exist") {
		t.Errorf("stderr: %q", errb.String())
	}
}

func TestMachineModeMessagesGoToStderr(t *testing.T) {
	d := openTest(t)
	var out, errb bytes.Buffer
	if !RunScript(context.Background(), d, strings.NewReader("CREATE COLLECTION c (DIM 2); SHOW COLLECTIONS"), &out, &errb, Config{Mode: "json"}) {
		t.Fatal(errb.String())
	}
	if out.String() != "[\n{\"name\":\"c\",\"dim\":2,\"metric\":\"COSINE\",\"rows\":0,\"index\":\"none\"}\n]\n" {
		t.Errorf("stdout: %q", out.String())
	}
	if errb.String() != "created collection c\n" {
		t.Errorf("stderr: %q", errb.String())
	}
}

// TestShellReadsAsTheParser checks that the shell's statement splitter,
// its continuation test and completion see quotes, comments and
// semicolons as the parser does, at every point of tricky scripts.
func TestShellReadsAsTheParser(t *testing.T) {
	scripts := []string{
		"SELECT NEAREST 2 TO 'don''t; stop' FROM \"my;coll\" -- a; comment 'x\n; DESCRIBE \"a\"\"b;--\";",
		"SELECT key FROM c WHERE title = 'x--y;' AND \"it's\" = 'it''s' -- ';\n;SHOW COLLECTIONS;;",
		"SELECT ANALOGY 'a' : 'b' :: 'c' : ? FROM w;\r\nDESCRIBE \"--\"; -- last\n",
		"SELECT NEAREST 1 TO 'é;è' FROM w WHERE x = '' ;SELECT NEAREST 5 TO 1e-3 * 'x' FROM w",
	}
	for _, script := range scripts {
		stmts, err := query.Parse(script)
		if err != nil {
			t.Fatalf("%q: %v", script, err)
		}
		// The splitter cuts where the parser does.
		chunks := query.SplitStatements(script)
		if len(chunks) != len(stmts) {
			t.Errorf("%q: %d chunks for %d statements", script, len(chunks), len(stmts))
		}
		for i := 0; i < len(chunks) && i < len(stmts); i++ {
			st, err := query.ParseWith(chunks[i].Text, query.ParseOptions{Base: chunks[i].Pos})
			if err != nil || len(st) != 1 || st[0].String() != stmts[i].String() || st[0].Position() != stmts[i].Position() {
				t.Errorf("%q: chunk %q parses to %v, %v; want %s at %v", script, chunks[i].Text, st, err, stmts[i], stmts[i].Position())
			}
		}
		for i := 0; i <= len(script); i++ {
			prefix := script[:i]
			if !utf8.ValidString(prefix) {
				continue
			}
			// A complete prefix takes one more statement after it.
			n, errPrefix := query.Parse(prefix)
			if errPrefix == nil {
				more, err := query.Parse(prefix + "\nSHOW COLLECTIONS")
				if got, want := Complete(prefix), err == nil && len(more) == len(n)+1; got != want {
					t.Errorf("Complete(%q) = %v, the parser says %v", prefix, got, want)
				}
			}
			// Completion is in a quote exactly where the parser finds
			// an unterminated one, and completes what follows it.
			sc := scan(prefix)
			msg := ""
			if errPrefix != nil {
				msg = errPrefix.Error()
			}
			open := strings.HasSuffix(msg, "unterminated string") || strings.HasSuffix(msg, "unterminated quoted identifier")
			if sc.openQuote != open {
				t.Errorf("scan(%q): in a quote %v, the parser says %q", prefix, sc.openQuote, msg)
			}
			if sc.openQuote {
				q := len(prefix) - len(sc.partial) - 1
				if q < 0 || prefix[q] != '\'' && prefix[q] != '"' || !strings.HasSuffix(prefix, sc.partial) {
					t.Errorf("scan(%q): partial %q does not follow a quote", prefix, sc.partial)
				}
			}
		}
	}
	// An open 'don'' is one open string (the lexer's pattern alone would
	// read 'don' and an open '), so completion offers keys after "don'".
	if sc := scan("SELECT NEAREST 5 TO 'don''"); !sc.openQuote || sc.partial != "don''" {
		t.Errorf("scan of an open 'don'': %+v", sc)
	}
}

// TestRunScriptLongScript runs a script of 30,000 statements (1.4 MB, ten
// on a line): none is refused for its size, and the error of a late one
// points at its line and column.
func TestRunScriptLongScript(t *testing.T) {
	d := openTest(t)
	const n, perLine = 30000, 10
	stmt := "SHOW COLLECTIONS;                              " // 48 bytes
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i == n-5 {
			b.WriteString("SHOW COLLECTIONZ;                              ")
		} else {
			b.WriteString(stmt)
		}
		if i%perLine == perLine-1 {
			b.WriteString("\n")
		}
	}
	script := b.String()
	if len(script) < 1<<20 {
		t.Fatalf("script has %d bytes", len(script))
	}
	var out, errb bytes.Buffer
	if RunScript(context.Background(), d, strings.NewReader(script), &out, &errb, Config{Mode: "list"}) {
		t.Error("RunScript reported success")
	}
	line, col := (n-5)/perLine+1, (n-5)%perLine*len(stmt)+6
	want := fmt.Sprintf("Error: %d:%d: unknown setting collectionz; did you mean COLLECTIONS?", line, col)
	if e := errb.String(); !strings.HasPrefix(e, want) || strings.Count(e, "Error:") != 1 ||
		!strings.HasSuffix(e, "\n  SHOW COLLECTIONZ;\n       ^\n") {
		t.Errorf("stderr:\n%.300s\nwant one error starting %s", e, want)
	}
	// db.Run takes 30,000 statements at once as well.
	res, err := d.Run(context.Background(), strings.Repeat("SHOW COLLECTIONS;", n))
	if err != nil || len(res) != n {
		t.Errorf("db.Run: %d results, %v", len(res), err)
	}
}

// TestByteOrderMark: a script that starts with a UTF-8 byte order mark
// runs, piped or read with .read, and positions do not count the mark.
func TestByteOrderMark(t *testing.T) {
	const script = "\uFEFFCREATE COLLECTION c (DIM 2);\nSELEC key FROM c;\n"
	d := openTest(t)
	var out, errb bytes.Buffer
	RunScript(context.Background(), d, strings.NewReader(script), &out, &errb, Config{Mode: "list"})
	if len(d.CollectionNames()) != 1 || !strings.HasPrefix(errb.String(), "Error: 2:1: unexpected token \"SELEC\"") {
		t.Errorf("piped: collections %v, stderr %q", d.CollectionNames(), errb.String())
	}

	s, _, errs := newTestShell(t)
	path := filepath.Join(t.TempDir(), "bom.vq")
	if err := os.WriteFile(path, []byte("\uFEFFDROP COLLECTION songs; SELEC 1;"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Dot(context.Background(), ".read "+path)
	if len(s.DB.CollectionNames()) != 0 || !strings.HasPrefix(errs.String(), "Error: 1:24: unexpected token \"SELEC\"") ||
		!strings.HasSuffix(errs.String(), "\n  SELEC 1;\n  ^\n") {
		t.Errorf(".read: collections %v, stderr %q", s.DB.CollectionNames(), errs.String())
	}
}

// TestErrorShowsTheFailingStatement: of a script on one line (statements
// given on the command line), an error shows the failing statement with
// the caret under its column, not the whole line; a statement that spans
// lines shows the line of the error.
func TestErrorShowsTheFailingStatement(t *testing.T) {
	d := openTest(t)
	var out, errb bytes.Buffer
	script := "CREATE COLLECTION c (DIM 2); INSERT INTO c (key, vector) VALUES ('a', [1, 0]);  SELECT NEAREST 1 TO 'A' FROM c; SHOW COLLECTIONS"
	if RunScript(context.Background(), d, strings.NewReader(script), &out, &errb, Config{Mode: "list"}) {
		t.Error("RunScript reported success")
	}
	want := "Error: 1:101: 'A' is not in c; did you mean 'a'?\n  SELECT NEAREST 1 TO 'A' FROM c;\n                      ^\n"
	if errb.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errb.String(), want)
	}

	errb.Reset()
	script = "SHOW COLLECTIONS; SELECT NEAREST 1\n  TO 'A' FROM c WHERE key = 'b'; SHOW COLLECTIONS;\n"
	RunScript(context.Background(), d, strings.NewReader(script), &out, &errb, Config{Mode: "list"})
	want = "Error: 2:6: 'A' is not in c; did you mean 'a'?\n    TO 'A' FROM c WHERE key = 'b';\n       ^\n"
	if errb.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errb.String(), want)
	}
}
