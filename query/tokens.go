package query

import (
	"errors"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// TokenKind is the kind of a Token: one per rule of the lexer, and
// TokenInvalid for a character that starts none.
type TokenKind int

// The kinds of tokens, in the order of the lexer's rules.
const (
	TokenInvalid     TokenKind = iota // a character that starts no token (#, !, é)
	TokenSpace                        // blanks: space, tab, CR, LF, FF
	TokenComment                      // -- to the end of the line
	TokenString                       // 'single-quoted'; '' inside is a quote
	TokenQuotedIdent                  // "double-quoted"; "" inside is a double quote
	TokenNumber                       // an unsigned number
	TokenReserved                     // a reserved keyword (FROM, SELECT)
	TokenKeyword                      // a keyword that is also a name (NEAREST, INDEX)
	TokenIdent                        // a plain identifier
	TokenParam                        // a parameter: ?, ?NNN, $NNN or :name
	TokenPunct                        // an operator or punctuation: ; , ( ) :: <> ...
)

// tokenKinds maps the lexer's token types to kinds.
var tokenKinds = map[lexer.TokenType]TokenKind{
	vqTokens["Whitespace"]: TokenSpace,
	vqTokens["Comment"]:    TokenComment,
	vqTokens["String"]:     TokenString,
	vqTokens["QIdent"]:     TokenQuotedIdent,
	vqTokens["Number"]:     TokenNumber,
	vqTokens["Reserved"]:   TokenReserved,
	vqTokens["Keyword"]:    TokenKeyword,
	vqTokens["Ident"]:      TokenIdent,
	vqTokens["Param"]:      TokenParam,
	vqTokens["Punct"]:      TokenPunct,
}

// Token is one token of the language as the parser's lexer reads it.
type Token struct {
	Kind TokenKind
	Text string   // as written: quotes, doubled quotes and dashes included
	Pos  Position // where Text starts
	// Unterminated is set on a TokenString or TokenQuotedIdent that runs
	// to the end of the source without its closing quote: the statement
	// is not complete yet.
	Unterminated bool
}

// Blank reports whether the token is white space or a comment, which the
// parser skips.
func (t Token) Blank() bool { return t.Kind == TokenSpace || t.Kind == TokenComment }

// End returns the byte offset just after the token.
func (t Token) End() int { return t.Pos.Offset + len(t.Text) }

// Tokens returns the tokens of src, blanks and comments included, so that
// their texts put end to end are src. It reads src with the parser's
// lexer and never fails: a quote without its closing quote makes a last
// token marked Unterminated, and a character that starts no token is a
// TokenInvalid token of its own (Parse reports both as errors). The shell
// uses it to split scripts into statements, to tell whether a statement is
// complete, and to complete what is typed.
func Tokens(src string) []Token {
	return tokensAt(src, Position{})
}

// tokensAt is Tokens with positions counted from base (see
// ParseOptions.Base).
func tokensAt(src string, base Position) []Token {
	var out []Token
	at := lexPos(base.start())
	rest := src
	for {
		lx, _ := VqLexer.LexString("", rest) // never fails on a string
		restart := false
		for !restart {
			t, err := lx.Next()
			var le *lexer.Error
			switch {
			case errors.As(err, &le):
				off := le.Pos.Offset // in rest
				p := at.Add(le.Pos)
				if ch := rest[off]; ch == '\'' || ch == '"' {
					kind := TokenString
					if ch == '"' {
						kind = TokenQuotedIdent
					}
					tok := Token{Kind: kind, Text: rest[off:], Pos: pos(p), Unterminated: true}
					// The lexer's pattern backtracks: 'don''t without its
					// closing quote reads as 'don' then an open 't. In the
					// language two quoted texts never touch, so they are
					// one open one.
					if n := len(out); n > 0 && out[n-1].Kind == kind && out[n-1].End() == tok.Pos.Offset {
						tok.Pos = out[n-1].Pos
						tok.Text = out[n-1].Text + tok.Text
						out = out[:n-1]
					}
					return append(out, tok)
				}
				_, size := utf8.DecodeRuneInString(rest[off:])
				out = append(out, Token{Kind: TokenInvalid, Text: rest[off : off+size], Pos: pos(p)})
				p.Advance(rest[off : off+size])
				at, rest = p, rest[off+size:]
				restart = true
			case err != nil: // not produced by the lexer on strings
				return append(out, Token{Kind: TokenInvalid, Text: rest, Pos: pos(at)})
			case t.EOF():
				return out
			default:
				out = append(out, Token{Kind: tokenKinds[t.Type], Text: t.Value, Pos: pos(at.Add(t.Pos))})
			}
		}
	}
}

// Chunk is the text of one statement cut from a script: the blanks and
// comments before it included, its semicolon not. Pos is where Text
// starts in the script; pass it as ParseOptions.Base (or to db's RunAt)
// so that positions in errors are those of the script.
type Chunk struct {
	Text string
	Pos  Position
}

// SplitStatements cuts a script at the semicolons that end statements
// (those outside quotes and comments, as the parser reads them) and
// returns the statements in order. Chunks that hold only blanks and
// comments are dropped. It takes time linear in len(src).
func SplitStatements(src string) []Chunk {
	var out []Chunk
	start, startPos, blank := 0, Position{Line: 1, Column: 1}, true
	for _, t := range Tokens(src) {
		switch {
		case t.Kind == TokenPunct && t.Text == ";":
			if !blank {
				out = append(out, Chunk{Text: src[start:t.Pos.Offset], Pos: startPos})
			}
			start, blank = t.End(), true
			startPos = Position{Line: t.Pos.Line, Column: t.Pos.Column + 1, Offset: t.End()}
		case !t.Blank():
			blank = false
		}
	}
	if !blank {
		out = append(out, Chunk{Text: src[start:], Pos: startPos})
	}
	return out
}

// start returns p, or 1:1 at offset 0 for the zero Position.
func (p Position) start() Position {
	if p.Line < 1 {
		return Position{Line: 1, Column: 1, Offset: p.Offset}
	}
	return p
}

// Add returns rel, a position in a text that starts at p in a larger
// text, as a position in the larger text: lines add up, and columns too on
// rel's first line. The zero p stands for the start (1:1).
func (p Position) Add(rel Position) Position {
	return pos(lexPos(p.start()).Add(lexPos(rel)))
}

func lexPos(p Position) lexer.Position {
	return lexer.Position{Line: p.Line, Column: p.Column, Offset: p.Offset}
}

// lexFrom returns the lexer over src with positions counted from base,
// the position of src's first byte in a larger text.
func LexFrom(src string, base Position) lexer.Lexer {
	lx, _ := VqLexer.LexString("", src) // never fails on a string
	if base = base.start(); base == (Position{Line: 1, Column: 1}) {
		return lx
	}
	return &shiftedLexer{lx: lx, base: lexPos(base)}
}

// shiftedLexer moves the positions of its lexer's tokens and errors by
// base.
type shiftedLexer struct {
	lx   lexer.Lexer
	base lexer.Position
}

func (s *shiftedLexer) Next() (lexer.Token, error) {
	t, err := s.lx.Next()
	t.Pos = s.base.Add(t.Pos)
	var le *lexer.Error
	if errors.As(err, &le) {
		le.Pos = s.base.Add(le.Pos)
	}
	return t, err
}
