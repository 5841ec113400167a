package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDotParameter(t *testing.T) {
	ctx := context.Background()
	s, out, errb := newTestShell(t)
	s.Config.Mode = "list"
	steps := []struct {
		line      string // a dot-command or statements
		out, errs string // exact output; errs a substring
	}{
		{line: ".parameter set :k 'don''t'"},
		{line: ".parameter set n 2"},
		{line: ".parameter set ?1 [0, 1]"},
		{line: ".parameter set $2 Heroes"},
		{line: ".parameter set @at 1"},
		{line: ".parameter unset $at"},
		{line: ".parameter list", out: ":k 'don''t'\n:n 2\n?1 [0, 1]\n?2 'Heroes'\n"},
		{line: "SELECT NEAREST :n TO ?1 FROM songs;", out: "1|c|1.0000|Lodger\n2|b|0.8000|Low\n"},
		{line: "SELECT key FROM songs WHERE title = ?2; SELECT NEAREST 1 TO :k FROM songs;", out: "a\n", errs: "'don''t' is not in songs"},
		{line: ".parameter unset :k"},
		{line: ".parameter unset :k", errs: "Error: no parameter :k is set"},
		{line: ".parameter set :v [1, 0", errs: "Error: bad parameter value [1, 0"},
		{line: ".parameter set 0 1", errs: "Error: bad parameter name"},
		{line: ".parameter frob", errs: "Error: usage: .parameter set NAME VALUE"},
		{line: ".parameter clear"},
		{line: ".parameter list"},
		{line: "SELECT NEAREST :n TO 'a' FROM songs;", errs: "parameter :n has no value"},
	}
	for _, st := range steps {
		out.Reset()
		errb.Reset()
		if strings.HasPrefix(st.line, ".") {
			s.Dot(ctx, st.line)
		} else {
			s.Run(ctx, st.line)
		}
		if out.String() != st.out {
			t.Errorf("%s: out %q, want %q", st.line, out.String(), st.out)
		}
		if st.errs == "" && errb.Len() > 0 || !strings.Contains(errb.String(), st.errs) {
			t.Errorf("%s: errors %q, want %q", st.line, errb.String(), st.errs)
		}
	}
}

func TestScriptParameters(t *testing.T) {
	s, _, _ := newTestShell(t)
	script := `-- a script with its parameters
.parameter set :k 'a'
.parameter set n 2
SELECT NEAREST :n TO :k
  FROM songs;
.parameter set :k 'zz'
SELECT NEAREST :n TO :k FROM songs; SELECT key FROM songs
WHERE title = :t;
  .parameter list
.mode csv
SELECT NEAREST 1 TO 'a'
.parameter set :k 'c' -- not a dot-command: the statement is under way
FROM songs;
`
	var out, errb bytes.Buffer
	ok := RunScript(context.Background(), s.DB, strings.NewReader(script), &out, &errb, Config{Mode: "list"})
	if ok {
		t.Error("RunScript reported success")
	}
	wantOut := "1|b|0.6000|Low\n2|c|0.0000|Lodger\n:k 'zz'\n:n 2\n"
	if out.String() != wantOut {
		t.Errorf("out:\n%s\nwant:\n%s", out.String(), wantOut)
	}
	for _, want := range []string{
		"Error: 7:22: 'zz' is not in songs",
		"Error: 8:15: parameter :t has no value (no value named t)",
		"Error: 10:1: .mode: in a script only .parameter runs",
		"Error: 12:1: unexpected token \".\"; expected FROM",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("errors:\n%s\nwant %s", errb.String(), want)
		}
	}

	// .read runs the same script in the shell, whose parameters it sets.
	path := filepath.Join(t.TempDir(), "p.vq")
	os.WriteFile(path, []byte(".parameter set :k 'c'\nSELECT NEAREST 1 TO :k FROM songs;\n"), 0o644)
	sOut, sErr := s.Stdout.(*bytes.Buffer), s.Stderr.(*bytes.Buffer)
	sOut.Reset()
	sErr.Reset()
	s.Config.Mode = "list"
	s.Dot(context.Background(), ".read "+path)
	if sOut.String() != "1|b|0.8000|Low\n" || sErr.Len() > 0 {
		t.Errorf(".read: out %q, errors %q", sOut.String(), sErr.String())
	}
	s.Dot(context.Background(), ".parameter list")
	if !strings.Contains(sOut.String(), ":k 'c'") {
		t.Errorf(".parameter list after .read: %q", sOut.String())
	}
}
