package repl

import (
	"context"
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
