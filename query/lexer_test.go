package query

import (
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

func lexAll(t *testing.T, src string) []string {
	t.Helper()
	l, err := VqLexer.LexString("", src)
	if err != nil {
		t.Fatal(err)
	}
	names := map[lexer.TokenType]string{}
	for n, tt := range VqLexer.Symbols() {
		names[tt] = n
	}
	var out []string
	for {
		tok, err := l.Next()
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if tok.EOF() {
			return out
		}
		if n := names[tok.Type]; n != "Whitespace" {
			out = append(out, n+":"+tok.Value)
		}
	}
}

func TestLexer(t *testing.T) {
	tests := []struct{ src, want string }{
		{"FROMAGE from From", "Ident:FROMAGE Reserved:from Reserved:From"},
		{"'don''t stop me now'", "String:'don''t stop me now'"},
		{`"my coll" "a""b"`, `QIdent:"my coll" QIdent:"a""b"`},
		{"1 0.5 .5 1e-3 2.5E+10 12abc", "Number:1 Number:0.5 Number:.5 Number:1e-3 Number:2.5E+10 Number:12abc"},
		{"[0.1,-0.2]", "Punct:[ Number:0.1 Punct:, Punct:- Number:0.2 Punct:]"},
		{"a <> b != c <= d >= e", "Ident:a Punct:<> Ident:b Punct:!= Ident:c Punct:<= Ident:d Punct:>= Ident:e"},
		{"'man' : 'king' :: 'woman' : ?", "String:'man' Punct:: String:'king' Punct::: String:'woman' Punct:: Param:?"},
		{"? ?12 $3 :name ::x @a $b_1", "Param:? Param:?12 Param:$3 Param::name Punct::: Ident:x Param:@a Param:$b_1"},
		{"users.'u42'", "Ident:users Punct:. String:'u42'"},
		{"x -- a comment\ny", "Ident:x Comment:-- a comment Ident:y"},
		{"nearest NEAREST odd_one_out l2 _x1", "Keyword:nearest Keyword:NEAREST Keyword:odd_one_out Keyword:l2 Ident:_x1"},
		{"a-b", "Ident:a Punct:- Ident:b"},
		{"* / + ; ( )", "Punct:* Punct:/ Punct:+ Punct:; Punct:( Punct:)"},
	}
	for _, tt := range tests {
		if got := strings.Join(lexAll(t, tt.src), " "); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestLexerErrors(t *testing.T) {
	for src, want := range map[string]string{
		"SELECT 'abc":   "1:8: unterminated string",
		"DESCRIBE \"ab": "1:10: unterminated quoted identifier",
		"SHOW\n  # x":   "2:3: unexpected character '#'",
	} {
		_, err := Parse(src)
		if err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", src, err, want)
		}
	}
}

func TestKeywordsSortedAndDistinct(t *testing.T) {
	for i := 1; i < len(Keywords); i++ {
		if Keywords[i-1] >= Keywords[i] {
			t.Fatalf("Keywords not sorted or duplicated at %q", Keywords[i])
		}
	}
}
