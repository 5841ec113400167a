package query

import (
	"fmt"
	"strings"
	"testing"
)

func TestParamsNumbering(t *testing.T) {
	stmts, err := Parse("SELECT NEAREST ?3 TO ? - :x FROM c WHERE a = ? LIMIT 1; SELECT NEAREST ? TO $2 FROM c")
	if err == nil {
		t.Fatal("LIMIT is not a NEAREST clause: want an error")
	}
	stmts, err = Parse("SELECT NEAREST ?3 TO ? - :x FROM c WHERE a = ?; SELECT NEAREST ? TO $2 FROM c")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range stmts {
		var s []string
		for _, p := range Params(st) {
			s = append(s, fmt.Sprintf("%s=%d%s@%s", p.Text, p.Index, p.Name, p.Pos))
		}
		got = append(got, strings.Join(s, " "))
	}
	want := []string{"?3=3@1:16 ?=4@1:22 :x=0x@1:26 ?=5@1:46", "?=1@1:64 $2=2@1:69"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestBind(t *testing.T) {
	stmts, err := Parse("SELECT NEAREST ? TO ? + ? FROM c AMONG (?) WHERE y > :y OFFSET ?")
	if err != nil {
		t.Fatal(err)
	}
	st := stmts[0]
	vals := map[string]Literal{
		"1": {Kind: LitNumber, Num: 5}, "2": {Kind: LitString, Str: "don't"}, "3": {Kind: LitVector, Vec: []float64{1, 2}},
		"4": {Kind: LitString, Str: "x"}, "y": {Kind: LitNumber, Num: 1999}, "5": {Kind: LitNumber, Num: 0},
	}
	lookup := func(p *Param) (Literal, error) {
		if p.Name != "" {
			return vals[p.Name], nil
		}
		return vals[fmt.Sprint(p.Index)], nil
	}
	b, err := Bind(st, lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "SELECT NEAREST 5 TO 'don''t' + [1, 2] FROM c AMONG ('x') WHERE y > 1999"; got != want {
		t.Errorf("bound:\n got %s\nwant %s", got, want)
	}
	if got, want := st.String(), "SELECT NEAREST ? TO ? + ? FROM c AMONG (?) WHERE y > :y OFFSET ?"; got != want {
		t.Errorf("the parsed statement changed: %s", got)
	}
	for name, v := range map[string]Literal{
		"1": {Kind: LitString, Str: "five"}, "4": {Kind: LitVector, Vec: []float64{1}}, "5": {Kind: LitNumber, Num: -1},
		"2": {Kind: LitBool, Bool: true},
	} {
		old := vals[name]
		vals[name] = v
		_, err := Bind(st, lookup)
		vals[name] = old
		var e *Error
		if err == nil || !asError(err, &e) || !e.Pos.IsValid() || !strings.Contains(err.Error(), "parameter ") {
			t.Errorf("%s = %v: got %v, want a positioned parameter error", name, v, err)
		}
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// FuzzBind binds every placeholder of a parsed statement to values of
// each kind in turn: no panic, every error at a placeholder, and a bound
// statement that prints without placeholders parses back.
func FuzzBind(f *testing.F) {
	for _, c := range readParseCases(f, "testdata/parse/params.vq") {
		f.Add(c.src, uint8(0))
	}
	kinds := []Literal{{Kind: LitNumber, Num: 3}, {Kind: LitString, Str: "it's"}, {Kind: LitVector, Vec: []float64{1, 2}},
		{Kind: LitNull}, {Kind: LitBool, Bool: true}, {Kind: LitNumber, Num: -1.5}}
	f.Fuzz(func(t *testing.T, src string, seed uint8) {
		if len(src) > 1<<14 {
			return
		}
		stmts, err := Parse(src)
		if err != nil {
			return
		}
		for _, st := range stmts {
			i := int(seed)
			b, err := Bind(st, func(p *Param) (Literal, error) {
				i++
				return kinds[i%len(kinds)], nil
			})
			if err != nil {
				var e *Error
				if !asError(err, &e) || !e.Pos.IsValid() {
					t.Fatalf("%q: error without a position: %v", src, err)
				}
				continue
			}
			if ps := Params(b); len(ps) != 0 {
				t.Fatalf("%q: %d placeholders left after Bind", src, len(ps))
			}
			if _, err := Parse(b.String()); err != nil {
				// A bound value may be out of a count's written range
				// (LIMIT 0 of ANALOGY prints as no LIMIT), never malformed.
				if !strings.Contains(err.Error(), "must be") {
					t.Fatalf("%q bound to %q: %v", src, b.String(), err)
				}
			}
		}
	})
}
