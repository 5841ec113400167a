package repl

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
)

func TestSplitStatements(t *testing.T) {
	src := "SELECT 'a;b' FROM c; -- x; y\nSELECT \"q;\" FROM d;;\n  -- only a comment\n; SELECT 'it''s;' FROM e"
	var got []string
	for _, s := range SplitStatements(src) {
		got = append(got, strings.TrimSpace(s.Text))
		if src[s.Offset:s.Offset+len(s.Text)] != s.Text {
			t.Errorf("offset %d does not point at %q", s.Offset, s.Text)
		}
	}
	want := []string{"SELECT 'a;b' FROM c", "-- x; y\nSELECT \"q;\" FROM d", "SELECT 'it''s;' FROM e"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

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
