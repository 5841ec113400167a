package query

import (
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Keywords lists every keyword of the language in upper case, sorted. It is
// used for "did you mean" hints and by the REPL's completion. Do not modify.
var Keywords = func() []string {
	k := append(append([]string{}, reservedWords...), softWords...)
	sort.Strings(k)
	return k
}()

var reservedSet = func() map[string]bool {
	m := make(map[string]bool, len(reservedWords))
	for _, w := range reservedWords {
		m[w] = true
	}
	return m
}()

// isReserved reports whether name, in any case, is a reserved keyword.
func isReserved(name string) bool { return reservedSet[strings.ToUpper(name)] }

func wordsRegexp(words []string) string {
	// The trailing \b makes the order of the alternatives irrelevant: IN
	// cannot match the start of INTO.
	return `(?i)\b(?:` + strings.Join(words, "|") + `)\b`
}

// buildLexer returns the lexer of the language. The order of the rules is
// deliberate: the first rule that matches at a position wins.
func buildLexer() *lexer.StatefulDefinition {
	return lexer.MustSimple([]lexer.SimpleRule{
		// Blanks separate tokens and are elided by the parser.
		{Name: "Whitespace", Pattern: `[ \t\r\n\f]+`},
		// "--" comments run to the end of the line; before Punct so that
		// "--" is never read as two minus signs.
		{Name: "Comment", Pattern: `--[^\n]*`},
		// Single-quoted strings (keys, paths); '' inside is one quote. An
		// unterminated string matches no rule and becomes a lexer error,
		// which Parse reports as "unterminated string".
		{Name: "String", Pattern: `'(?:[^']|'')*'`},
		// Double-quoted identifiers; "" inside is one double quote.
		{Name: "QIdent", Pattern: `"(?:[^"]|"")*"`},
		// Unsigned numbers: 3, 0.5, .5, 1e-3, 2.5E+10. The pattern is greedy
		// on purpose (it also swallows 12abc or 1.2.3) so that a malformed
		// number is one token that the converter rejects with "bad number".
		{Name: "Number", Pattern: `(?:[0-9]|\.[0-9])(?:[eE][+-][0-9]|[0-9A-Za-z_.])*`},
		// Keywords are case-insensitive whole words: before Ident, and with
		// \b so that FROMAGE is an identifier and not FROM followed by AGE.
		{Name: "Reserved", Pattern: wordsRegexp(reservedWords)},
		{Name: "Keyword", Pattern: wordsRegexp(softWords)},
		// Plain identifiers.
		{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
		// Parameters (placeholders for values bound at run time): ? and
		// ?NNN, $NNN, :name (also @name and $name, as SQLite reads them).
		// Before Punct so that ?1 is one token; "::" stays punctuation
		// since a name must follow the colon.
		{Name: "Param", Pattern: `\?[0-9]*|\$[0-9]+|[:@$][A-Za-z_][A-Za-z0-9_]*`},
		// Operators and punctuation, two-character ones first.
		{Name: "Punct", Pattern: `<>|!=|<=|>=|::|[:.()\[\],;+\-*/=<>]`},
	})
}

// vqLexer is the lexer definition shared by the parser and Tokens.
var VqLexer = buildLexer()
