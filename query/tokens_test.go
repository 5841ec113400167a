package query

import (
	"fmt"
	"strings"
	"testing"
)

// tricky are scripts where a naive scanner goes wrong: doubled quotes,
// semicolons inside strings, quoted identifiers and comments, keywords
// inside names, characters that start no token.
var tricky = []string{
	"SELECT 'a;b' FROM c; -- x; y\nSELECT \"q;\" FROM d;;\n  -- only a comment\n; SELECT 'it''s;' FROM e",
	"SELECT NEAREST 5 TO 'don''t stop me now' FROM \"my;coll\" WHERE \"a\"\"b\" = 'x--y' -- ';\n;",
	"SHOW COLLECTIONS;SHOW COLLECTIONS --;\n;DESCRIBE \"--\";",
	"SELECT NEAREST 5 TO 'king' - 'man' + 'woman' FROM w; SELECT ANALOGY 'a' : 'b' :: 'c' : ? FROM w",
	"SELECT 'unterminated; SELECT 2;",
	"DESCRIBE \"open; ident",
	"SELECT 'don''",
	"SELECT 'abc''def",
	"SELECT # FROM w; SELECT é;",
	"-- only a comment",
	"",
	";;;",
	"SELECT\t'x'\r\n;\r\nSELECT 1e-3;",
}

func TestTokensCoverSource(t *testing.T) {
	for _, src := range tricky {
		var b strings.Builder
		off := 0
		for _, tok := range Tokens(src) {
			if tok.Pos.Offset != off {
				t.Errorf("%q: token %q at offset %d, want %d", src, tok.Text, tok.Pos.Offset, off)
			}
			if p := positionAt(src, off); p != tok.Pos {
				t.Errorf("%q: token %q at %v, want %v", src, tok.Text, tok.Pos, p)
			}
			b.WriteString(tok.Text)
			off += len(tok.Text)
		}
		if b.String() != src {
			t.Errorf("tokens of %q put together give %q", src, b.String())
		}
	}
}

func TestTokens(t *testing.T) {
	kinds := map[TokenKind]string{TokenInvalid: "Invalid", TokenSpace: "Space", TokenComment: "Comment",
		TokenString: "String", TokenQuotedIdent: "QIdent", TokenNumber: "Number", TokenReserved: "Reserved",
		TokenKeyword: "Keyword", TokenIdent: "Ident", TokenParam: "Param", TokenPunct: "Punct"}
	for src, want := range map[string]string{
		"SELECT 'it''s;' -- c;\n;": "Reserved:SELECT String:'it''s;' Comment:-- c; Punct:;",
		`"a""b;" FROMAGE nearest`:  `QIdent:"a""b;" Ident:FROMAGE Keyword:nearest`,
		"a # b":                    "Ident:a Invalid:# Ident:b",
		"é1 !":                     "Invalid:é Number:1 Invalid:!",
		"x 'open; y":               "Ident:x String:'open; y(open)",
		`x "open`:                  `Ident:x QIdent:"open(open)`,
		"'don''":                   "String:'don''(open)",
		"'a' 'b''c":                "String:'a' String:'b''c(open)",
		"'abc''def":                "String:'abc''def(open)",
	} {
		var got []string
		for _, tok := range Tokens(src) {
			if tok.Blank() && tok.Kind != TokenComment {
				continue
			}
			s := kinds[tok.Kind] + ":" + tok.Text
			if tok.Unterminated {
				s += "(open)"
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("Tokens(%q):\n got %s\nwant %s", src, strings.Join(got, " "), want)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	for src, want := range map[string][]string{
		tricky[0]: {"SELECT 'a;b' FROM c", "-- x; y\nSELECT \"q;\" FROM d", "SELECT 'it''s;' FROM e"},
		tricky[1]: {"SELECT NEAREST 5 TO 'don''t stop me now' FROM \"my;coll\" WHERE \"a\"\"b\" = 'x--y' -- ';"},
		tricky[2]: {"SHOW COLLECTIONS", "SHOW COLLECTIONS --;", "DESCRIBE \"--\""},
		tricky[4]: {"SELECT 'unterminated; SELECT 2;"},
		tricky[9]: nil,
		";;;":     nil,
		"a;\n b;": {"a", "b"},
	} {
		var got []string
		for _, c := range SplitStatements(src) {
			got = append(got, strings.TrimSpace(c.Text))
			if src[c.Pos.Offset:c.Pos.Offset+len(c.Text)] != c.Text {
				t.Errorf("offset %d does not point at %q", c.Pos.Offset, c.Text)
			}
			if p := positionAt(src, c.Pos.Offset); p != c.Pos {
				t.Errorf("%q: chunk %q at %v, want %v", src, c.Text, c.Pos, p)
			}
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("SplitStatements(%q):\n got %q\nwant %q", src, got, want)
		}
	}
}

// TestSplitStatementsAgreesWithParse checks that the splitter cuts where
// the parser does: each chunk parses, with its Base, to the statement
// that the whole script gives, at the same position.
func TestSplitStatementsAgreesWithParse(t *testing.T) {
	for _, src := range tricky {
		whole, err := Parse(src)
		chunks := SplitStatements(src)
		if err != nil {
			continue // the unterminated and invalid ones
		}
		if len(whole) != len(chunks) {
			t.Errorf("%q: %d statements, %d chunks", src, len(whole), len(chunks))
			continue
		}
		for i, c := range chunks {
			st, err := ParseWith(c.Text, ParseOptions{Base: c.Pos})
			if err != nil || len(st) != 1 {
				t.Errorf("%q: chunk %q: %v", src, c.Text, err)
				continue
			}
			if st[0].String() != whole[i].String() || st[0].Position() != whole[i].Position() {
				t.Errorf("%q: chunk %d is %s at %v, want %s at %v", src, i, st[0], st[0].Position(), whole[i], whole[i].Position())
			}
		}
	}
}

// padded is how the shell used to place a statement in its script: the
// text before it blanked out, newlines kept.
func padded(src string, c Chunk) string {
	before := src[:c.Pos.Offset]
	nl := strings.Count(before, "\n")
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:]))
	return strings.Repeat("\n", nl) + strings.Repeat(" ", col) + c.Text
}

// TestParseBaseMatchesPadding checks that errors of a chunk parsed with
// its Base give the line and column that blanking out the script before
// it gave, and that Pretty shows the chunk's line.
func TestParseBaseMatchesPadding(t *testing.T) {
	src := "SHOW COLLECTIONS; SELEC x FROM c;\n\tSELECT NEAREST 5 TO 'a' FORM c;  DESCRIBE\n" +
		"  \"from\" x; -- é;\n SELECT 'été' 'x'; CREATE COLLECTION é (DIM 2); SELECT 'open"
	chunks := SplitStatements(src)
	if len(chunks) != 7 {
		t.Fatalf("%d chunks: %q", len(chunks), chunks)
	}
	for _, c := range chunks[1:] {
		_, err := ParseWith(c.Text, ParseOptions{Base: c.Pos})
		_, old := Parse(padded(src, c))
		if err == nil || old == nil || err.Error() != old.Error() {
			t.Errorf("%q: got %v, want %v", c.Text, err, old)
			continue
		}
		e := err.(*Error)
		if got, want := underCaret(e.Pretty()), underCaret(e.Format(src)); got == "" || !strings.HasPrefix(want, got) {
			t.Errorf("%q: Pretty points at %q, Format at %q", c.Text, got, want)
		}
	}
}

// underCaret returns the text of the line of a pretty error from the
// caret to the end of that line.
func underCaret(pretty string) string {
	lines := strings.Split(pretty, "\n")
	if len(lines) < 3 {
		return ""
	}
	line, caret := []rune(lines[len(lines)-2]), lines[len(lines)-1]
	col := strings.IndexByte(caret, '^') // one byte per character before it
	if col < 0 || col > len(line) {
		return ""
	}
	return string(line[col:])
}

func TestPositionAdd(t *testing.T) {
	base := Position{Line: 3, Column: 5, Offset: 40}
	for _, tc := range []struct{ rel, want Position }{
		{Position{Line: 1, Column: 1, Offset: 0}, base},
		{Position{Line: 1, Column: 4, Offset: 3}, Position{Line: 3, Column: 8, Offset: 43}},
		{Position{Line: 2, Column: 2, Offset: 9}, Position{Line: 4, Column: 2, Offset: 49}},
	} {
		if got := base.Add(tc.rel); got != tc.want {
			t.Errorf("%v.Add(%v) = %v, want %v", base, tc.rel, got, tc.want)
		}
		if got := (Position{}).Add(tc.rel); got != tc.rel {
			t.Errorf("zero.Add(%v) = %v", tc.rel, got)
		}
	}
}

// FuzzTokens: Tokens never fails or panics, its tokens cover the text
// with true positions, and the chunks of SplitStatements are pieces of
// the text at their positions.
func FuzzTokens(f *testing.F) {
	for _, src := range tricky {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		off := 0
		for _, tok := range Tokens(src) {
			if tok.Text == "" || tok.Pos.Offset != off || src[off:off+len(tok.Text)] != tok.Text {
				t.Fatalf("%q: token %+v at offset %d", src, tok, off)
			}
			if p := positionAt(src, off); p != tok.Pos {
				t.Fatalf("%q: token %q at %v, want %v", src, tok.Text, tok.Pos, p)
			}
			off += len(tok.Text)
		}
		if off != len(src) {
			t.Fatalf("%q: tokens end at %d", src, off)
		}
		for _, c := range SplitStatements(src) {
			if src[c.Pos.Offset:c.Pos.Offset+len(c.Text)] != c.Text || positionAt(src, c.Pos.Offset) != c.Pos {
				t.Fatalf("%q: chunk %q at %v", src, c.Text, c.Pos)
			}
		}
	})
}
