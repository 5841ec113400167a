package query

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// updating reports whether golden files should be rewritten. The -update
// flag is declared by the package's external tests (script_test.go); a
// second declaration would clash, so it is looked up, with VQ_UPDATE=1 as a
// fallback.
func updating() bool {
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		return true
	}
	return os.Getenv("VQ_UPDATE") == "1"
}

// parseCase is one "-- test:" block of testdata/parse/*.vq.
type parseCase struct {
	name   string
	line   int
	src    string
	expect []string // "-- ast: ..." and "-- error: ..." lines, prefix kept
}

func readParseCases(t testing.TB, path string) []*parseCase {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []*parseCase
	var cur *parseCase
	var src []string
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "-- test:"):
			cur = &parseCase{name: strings.TrimSpace(strings.TrimPrefix(line, "-- test:")), line: i + 1}
			cases = append(cases, cur)
			src = nil
		case cur == nil:
		case strings.HasPrefix(line, "-- ast:") || strings.HasPrefix(line, "-- error:"):
			if cur.src == "" {
				cur.src = strings.TrimRight(strings.Join(src, "\n"), "\n ")
			}
			cur.expect = append(cur.expect, line)
		case len(cur.expect) == 0:
			src = append(src, line)
		}
	}
	for _, c := range cases {
		if c.src == "" {
			c.src = strings.TrimRight(strings.Join(src, "\n"), "\n ")
		}
	}
	return cases
}

func writeParseCases(t testing.TB, path string, cases []*parseCase) {
	var b strings.Builder
	for i, c := range cases {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("-- test: " + c.name + "\n" + c.src + "\n")
		for _, e := range c.expect {
			b.WriteString(e + "\n")
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// outcome is what Parse says about src, as expectation lines.
func outcome(src string) []string {
	stmts, err := Parse(src)
	if err != nil {
		return []string{"-- error: " + err.Error()}
	}
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = "-- ast: " + s.String()
	}
	return out
}

func TestParseScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.vq")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parse scripts: %v", err)
	}
	accepted, rejected := 0, 0
	for _, file := range files {
		cases := readParseCases(t, file)
		for _, c := range cases {
			got := outcome(c.src)
			if updating() {
				c.expect = got
				continue
			}
			if !reflect.DeepEqual(got, c.expect) {
				t.Errorf("%s:%d: %s\n%s\ngot:\n%s\nwant:\n%s", file, c.line, c.name, c.src,
					strings.Join(got, "\n"), strings.Join(c.expect, "\n"))
				continue
			}
			if strings.HasPrefix(got[0], "-- error:") {
				rejected++
				checkErrorPosition(t, c.src, mustErr(c.src))
				continue
			}
			accepted += len(got)
			checkRoundTrip(t, c.name, c.src)
		}
		if updating() {
			writeParseCases(t, file, cases)
		}
	}
	t.Logf("%d statements accepted, %d rejected", accepted, rejected)
	if !updating() && (accepted < 100 || rejected < 40) {
		t.Errorf("want at least 100 accepted statements and 40 errors, have %d and %d", accepted, rejected)
	}
}

func mustErr(src string) error {
	_, err := Parse(src)
	return err
}

// checkRoundTrip checks that the canonical form of every statement parses
// back to an equal tree (positions aside) and prints identically.
func checkRoundTrip(t *testing.T, name, src string) {
	t.Helper()
	stmts, err := Parse(src)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, s := range stmts {
		again, err := Parse(s.String())
		if err != nil {
			t.Errorf("%s: canonical form %q does not parse: %v", name, s.String(), err)
			continue
		}
		if len(again) != 1 {
			t.Errorf("%s: canonical form %q parses to %d statements", name, s.String(), len(again))
			continue
		}
		a, b := clearPositions(s), clearPositions(again[0])
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: round trip changed the tree:\n%#v\n%#v", name, a, b)
		}
		if again[0].String() != s.String() {
			t.Errorf("%s: round trip changed the text:\n%s\n%s", name, s.String(), again[0].String())
		}
	}
}

var positionType = reflect.TypeOf(Position{})

// clearPositions zeroes every Position in the tree of s, in place, and
// returns s.
func clearPositions(s Statement) Statement {
	clearValue(reflect.ValueOf(s))
	return s
}

func clearValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearValue(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == positionType {
			if v.CanSet() {
				v.Set(reflect.Zero(positionType))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			clearValue(v.Field(i))
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			clearValue(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			clearValue(e)
			v.SetMapIndex(k, e)
		}
	}
}

// checkErrorPosition checks what FuzzParse checks: a typed error with a
// position inside the input.
func checkErrorPosition(t testing.TB, src string, err error) {
	t.Helper()
	var list ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			checkErrorPosition(t, src, e)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%q) returned %T, not *Error: %v", src, err, err)
	}
	if e.Pos.Line < 1 || e.Pos.Column < 1 || e.Pos.Offset < 0 || e.Pos.Offset > len(src) {
		t.Fatalf("Parse(%q): bad position %+v in %v", src, e.Pos, err)
	}
	if e.Source != src {
		t.Fatalf("Parse(%q): error has no source attached", src)
	}
	_ = e.Pretty()
}

func TestGrammarGolden(t *testing.T) {
	const golden = "testdata/grammar.ebnf"
	got := parser.String() + "\n"
	if updating() {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("grammar changed; review and refresh with go test ./query -run TestGrammarGolden -update\n%s", got)
	}
}

func TestErrorPretty(t *testing.T) {
	src := "SELECT NEAREST 5\n\tTO 'a' FORM c"
	_, err := Parse(src)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	want := "2:9: unexpected token \"FORM\"; expected FROM (did you mean FROM?)\n  \tTO 'a' FORM c\n  \t       ^"
	if got := e.Pretty(); got != want {
		t.Errorf("Pretty:\n%q\nwant\n%q", got, want)
	}
}

func TestParseLimits(t *testing.T) {
	deep := "SELECT NEAREST 1 TO " + strings.Repeat("(", 100) + "'a'" + strings.Repeat(")", 100) + " FROM c"
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested too deeply (more than 64 levels)") {
		t.Errorf("deep parentheses: %v", err)
	}
	if _, err := ParseWith(deep, ParseOptions{MaxDepth: 200}); err != nil {
		t.Errorf("MaxDepth 200: %v", err)
	}
	nots := "DELETE FROM c WHERE " + strings.Repeat("NOT ", 1000) + "a = 1"
	if _, err := Parse(nots); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deep NOT: %v", err)
	}
	// A huge nesting must fail fast without exhausting the stack.
	huge := strings.Repeat("[", 1<<20)
	if _, err := Parse(huge); err == nil {
		t.Error("huge nesting accepted")
	}
}

func TestParseMany(t *testing.T) {
	stmts, err := Parse(";; SHOW COLLECTIONS; DESCRIBE c;\n-- done\nCHECK c;;")
	if err != nil || len(stmts) != 3 {
		t.Fatalf("got %v, %v", stmts, err)
	}
	if p := stmts[1].Position(); p != (Position{Line: 1, Column: 22, Offset: 21}) {
		t.Errorf("DESCRIBE at %+v", p)
	}
	if stmts, err := Parse("  -- nothing\n"); err != nil || len(stmts) != 0 {
		t.Errorf("empty script: %v %v", stmts, err)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/parse/*.vq")
	for _, file := range files {
		for _, c := range readParseCases(f, file) {
			f.Add(c.src)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			return // the database bounds statement text before parsing
		}
		stmts, err := Parse(src)
		if err != nil {
			checkErrorPosition(t, src, err)
			return
		}
		for _, s := range stmts {
			if s == nil {
				t.Fatalf("nil statement from %q", src)
			}
			_ = s.String()
		}
	})
}
