package repl

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
)

// maxParamArgs bounds the words of a .parameter line (a vector value may
// have many).
const maxParamArgs = 1 << 16

// dotParameter is .parameter set NAME VALUE | unset NAME | list | clear,
// sqlite3's parameter table: the values bind to the placeholders of the
// statements that follow (see db.Bindings), never pasted into their text.
// NAME is :name (@name, $name and name alike), or a number ?N, $N or N; VALUE is a literal of the
// language ('text', 12, -0.5, [0.1, 0.2], TRUE, NULL), and a bare word is
// text.
func (s *Shell) dotParameter(_ context.Context, args []string) error {
	usage := errors.New("usage: .parameter set NAME VALUE | unset NAME | list | clear")
	switch strings.ToLower(args[0]) {
	case "list":
		if len(args) != 1 {
			return usage
		}
		names := make([]string, 0, len(s.params))
		for n := range s.params {
			names = append(names, n)
		}
		sort.Strings(names)
		w := s.output()
		for _, n := range names {
			fmt.Fprintf(w, "%s %s\n", n, s.params[n])
		}
		return nil
	case "clear":
		if len(args) != 1 {
			return usage
		}
		s.params = nil
		return nil
	case "unset":
		if len(args) != 2 {
			return usage
		}
		name, err := paramName(args[1])
		if err != nil {
			return err
		}
		if _, ok := s.params[name]; !ok {
			return fmt.Errorf("no parameter %s is set", name)
		}
		delete(s.params, name)
		return nil
	case "set":
		if len(args) < 3 {
			return usage
		}
		name, err := paramName(args[1])
		if err != nil {
			return err
		}
		lit, err := paramValue(valueText(s.dotLine, args[1]))
		if err != nil {
			return err
		}
		if s.params == nil {
			s.params = map[string]query.Literal{}
		}
		s.params[name] = lit
		return nil
	}
	return usage
}

// paramName checks a parameter name and returns it as a placeholder is
// written: :name, or ?N for a number given as ?N, $N or N.
func paramName(arg string) (string, error) {
	bad := fmt.Errorf("bad parameter name %q: write :name, ?N or $N", arg)
	switch {
	case strings.HasPrefix(arg, ":") || strings.HasPrefix(arg, "@"):
		if !plainName(arg[1:]) {
			return "", bad
		}
		return ":" + arg[1:], nil
	case strings.HasPrefix(arg, "?") || strings.HasPrefix(arg, "$"):
		arg = arg[1:]
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > query.MaxParamIndex {
		if err != nil && plainName(arg) {
			return ":" + arg, nil
		}
		return "", bad
	}
	return "?" + strconv.Itoa(n), nil
}

func plainName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// valueText returns what follows "set NAME" on the dot-command line, as
// typed (quotes kept).
func valueText(line, name string) string {
	rest := strings.TrimSpace(line)
	for _, word := range []string{".parameter", "set"} {
		rest = strings.TrimSpace(rest)
		if len(rest) >= len(word) && strings.EqualFold(rest[:len(word)], word) {
			rest = rest[len(word):]
		}
	}
	rest = strings.TrimSpace(rest)
	if i := strings.Index(rest, name); i >= 0 {
		rest = rest[i+len(name):]
	}
	return strings.TrimSpace(rest)
}

// paramValue reads a literal with the language's parser (SET x = VALUE),
// so that it means what it would in a statement.
func paramValue(text string) (query.Literal, error) {
	stmts, err := query.Parse("SET x = " + text)
	if err == nil && len(stmts) == 1 {
		if set, ok := stmts[0].(*query.Set); ok {
			lit := set.Value
			switch lit.Kind {
			case query.LitIdent:
				return query.Literal{Kind: query.LitString, Str: lit.Str}, nil
			case query.LitParam:
			default:
				return lit, nil
			}
		}
	}
	return query.Literal{}, fmt.Errorf("bad parameter value %s: write 'text', a number, a vector [x, y], TRUE, FALSE or NULL", text)
}

// bindings returns the .parameter values for db.
func (s *Shell) bindings() db.Bindings {
	if len(s.params) == 0 {
		return nil
	}
	b := make(db.Bindings, len(s.params))
	for n, v := range s.params {
		b[n] = v
	}
	return b
}
