package db

import (
	"strings"

	"github.com/vecdb/vecdb/query"

	"github.com/alecthomas/participle/v2/lexer"
)

// The exported AST keeps a position on each node but not on every name
// inside it (a statement's collection, an option name, an INSERT column).
// When the compiler reports an error about such a name it finds the name's
// token again by lexing the source, which happens only on the error path.

// locator finds the positions of tokens in a source text.
type locator struct {
	src  string
	base query.Position // where src starts in its script (ParseOptions.Base)
	toks []lexer.Token
	done bool
}

var (
	tokIdent    = query.VqLexer.Symbols()["Ident"]
	tokQIdent   = query.VqLexer.Symbols()["QIdent"]
	tokKeyword  = query.VqLexer.Symbols()["Keyword"]
	tokReserved = query.VqLexer.Symbols()["Reserved"]
	tokSkip     = map[lexer.TokenType]bool{
		query.VqLexer.Symbols()["Whitespace"]: true,
		query.VqLexer.Symbols()["Comment"]:    true,
	}
)

func (l *locator) tokens() []lexer.Token {
	if l.done {
		return l.toks
	}
	l.done = true
	lx := query.LexFrom(l.src, l.base)
	for {
		t, err := lx.Next()
		if err != nil || t.EOF() {
			break
		}
		if !tokSkip[t.Type] {
			l.toks = append(l.toks, t)
		}
	}
	return l.toks
}

func toPosition(p lexer.Position) query.Position {
	return query.Position{Line: p.Line, Column: p.Column, Offset: p.Offset}
}

// identText returns the name a token spells when it is an identifier-like
// token, and false otherwise.
func identText(t lexer.Token) (string, bool) {
	switch t.Type {
	case tokIdent, tokKeyword, tokReserved:
		return t.Value, true
	case tokQIdent:
		v := t.Value[1 : len(t.Value)-1]
		return strings.ReplaceAll(v, `""`, `"`), true
	}
	return "", false
}

// name returns the position of the first identifier token spelling name
// (case-insensitively) at or after from and, when kw is not empty, after
// the keyword kw. It returns from when none is found.
func (l *locator) name(from query.Position, kw, name string) query.Position {
	toks := l.tokens()
	i := 0
	for i < len(toks) && toks[i].Pos.Offset < from.Offset {
		i++
	}
	if kw != "" {
		for i < len(toks) && !(toks[i].Type != tokQIdent && strings.EqualFold(toks[i].Value, kw)) {
			i++
		}
		if i == len(toks) {
			return from
		}
		i++
	}
	for ; i < len(toks); i++ {
		if s, ok := identText(toks[i]); ok && strings.EqualFold(s, name) {
			return toPosition(toks[i].Pos)
		}
	}
	return from
}

// nameBefore returns the position of the last identifier token spelling
// name before the offset of at (an option name before its value).
func (l *locator) nameBefore(at query.Position, name string) query.Position {
	toks := l.tokens()
	found := at
	for _, t := range toks {
		if t.Pos.Offset >= at.Offset {
			break
		}
		if s, ok := identText(t); ok && strings.EqualFold(s, name) {
			found = toPosition(t.Pos)
		}
	}
	return found
}

// after returns the position of the token following the first token at or
// after from that reads kw, or from.
func (l *locator) after(from query.Position, kw string) query.Position {
	toks := l.tokens()
	for i, t := range toks {
		if t.Pos.Offset >= from.Offset && t.Type != tokQIdent && strings.EqualFold(t.Value, kw) && i+1 < len(toks) {
			return toPosition(toks[i+1].Pos)
		}
	}
	return from
}
