package repl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
)

// MaxKeyCompletions caps the keys offered for one completion.
const MaxKeyCompletions = 50

// Catalog is what completion needs to know about the open database.
type Catalog interface {
	// CollectionNames returns the collections, sorted.
	CollectionNames() []string
	// FieldNames returns a collection's metadata fields (nil when the
	// collection does not exist).
	FieldNames(collection string) []string
	// KeysWithPrefix returns up to limit keys of a collection that start
	// with prefix, in byte order.
	KeysWithPrefix(collection, prefix string, limit int) []string
}

// DBCatalog is the Catalog of an open database.
func DBCatalog(d *db.DB) Catalog { return dbCatalog{d} }

type dbCatalog struct{ d *db.DB }

func (c dbCatalog) CollectionNames() []string { return c.d.CollectionNames() }

func (c dbCatalog) FieldNames(name string) []string {
	coll, err := c.d.Collection(name)
	if err != nil {
		return nil
	}
	info, err := coll.Info()
	if err != nil {
		return nil
	}
	out := make([]string, len(info.Fields))
	for i, f := range info.Fields {
		out[i] = f.Name
	}
	return out
}

func (c dbCatalog) KeysWithPrefix(name, prefix string, limit int) []string {
	coll, err := c.d.Collection(name)
	if err != nil {
		return nil
	}
	return coll.KeysWithPrefix(prefix, limit)
}

// Completer completes what is typed in the shell by position: keywords,
// collections, fields, WITH options, keys inside quotes, dot-commands and
// their arguments. It is safe for concurrent use when its Catalog is.
type Completer struct {
	Catalog Catalog
}

// Complete returns the words that can replace the word that ends at byte
// offset pos of text (the whole statement typed so far, earlier lines
// included). Every candidate starts with the text typed of that word; a
// key alone in its list carries its closing quote. Keywords follow the
// case the user typed (upper case when nothing is typed yet).
func (c *Completer) Complete(text string, pos int) []string {
	cands, _ := c.complete(text, pos)
	return cands
}

// complete returns the candidates and the typed part they extend.
func (c *Completer) complete(text string, pos int) ([]string, string) {
	pos = min(max(pos, 0), len(text))
	before := text[:pos]
	if strings.HasPrefix(before, ".") {
		return c.completeDot(before)
	}
	sc := scan(before)
	after := scan(before + text[pos:] + " ") // the whole statement
	partial := sc.partial
	var cands []string
	if sc.openQuote {
		cands = c.inQuote(sc, after.toks)
	} else {
		cands = c.inWord(sc, after.toks)
	}
	return withPrefix(cands, partial), partial
}

// withPrefix keeps the candidates that extend typed, without duplicates.
func withPrefix(cands []string, typed string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, typed) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// token kinds of the completion scanner.
const (
	tWord   = 'w' // keyword or identifier
	tNum    = 'n'
	tString = 's'
	tPunct  = 'p'
)

type tok struct {
	kind byte
	text string // words as typed; punctuation as is
}

func (t tok) is(words ...string) bool {
	for _, w := range words {
		if t.kind == tWord && strings.EqualFold(t.text, w) || t.kind == tPunct && t.text == w {
			return true
		}
	}
	return false
}

// scanned is the statement before the cursor as tokens, with the word or
// quoted text being typed at the cursor split off.
type scanned struct {
	toks      []tok
	partial   string // raw text typed of the current word or open quote
	openQuote bool
}

// scan reads the last statement of src with the language's lexer (which
// never fails): a word that ends src, or an open quote, is the partial
// text being typed.
func scan(src string) scanned {
	var s scanned
	for _, t := range query.Tokens(src) {
		switch {
		case t.Unterminated:
			s.openQuote, s.partial = true, t.Text[1:]
			return s
		case isWord(t) && t.End() == len(src):
			s.partial = t.Text
			return s
		case t.Kind == query.TokenPunct && t.Text == ";":
			s.toks = s.toks[:0]
		default:
			if w, ok := word(t); ok {
				s.toks = append(s.toks, w)
			}
		}
	}
	return s
}

// isWord reports whether t is a keyword or a plain identifier.
func isWord(t query.Token) bool {
	return t.Kind == query.TokenIdent || t.Kind == query.TokenKeyword || t.Kind == query.TokenReserved
}

// words turns the language's tokens into completion's (see word).
func words(toks []query.Token) []tok {
	var out []tok
	for _, t := range toks {
		if w, ok := word(t); ok {
			out = append(out, w)
		}
	}
	return out
}

// word turns a token of the language into completion's: blanks and
// comments are none, a quoted identifier is the word it spells, a string
// its text between the quotes (quotes still doubled).
func word(t query.Token) (tok, bool) {
	switch {
	case t.Blank():
		return tok{}, false
	case isWord(t):
		return tok{tWord, t.Text}, true
	case t.Kind == query.TokenQuotedIdent && !t.Unterminated:
		return tok{tWord, strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`)}, true
	case t.Kind == query.TokenString && !t.Unterminated:
		return tok{tString, t.Text[1 : len(t.Text)-1]}, true
	case t.Kind == query.TokenNumber:
		return tok{tNum, t.Text}, true
	}
	return tok{tPunct, t.Text}, true // punctuation, invalid characters, open quotes
}

// kind names the statement for OptionNames ("" when none applies).
func stmtKind(toks []tok) string {
	if len(toks) > 0 && toks[0].is("EXPLAIN") {
		toks = toks[1:]
	}
	if len(toks) == 0 || toks[0].kind != tWord {
		return ""
	}
	has := func(w string) bool {
		for _, t := range toks {
			if t.is(w) {
				return true
			}
		}
		return false
	}
	first := strings.ToUpper(toks[0].text)
	switch first {
	case "CREATE":
		if len(toks) > 1 && toks[1].is("INDEX") {
			return "CREATE INDEX"
		}
		if has("SEQUENCES") {
			return "SEQUENCES"
		}
		return "CREATE"
	case "IMPORT":
		if len(toks) > 1 && toks[1].is("METADATA") {
			return "IMPORT METADATA"
		}
	case "EVALUATE":
		if len(toks) > 1 {
			return "EVALUATE " + strings.ToUpper(toks[1].text)
		}
	case "SELECT":
		if has("NEAREST") {
			return "NEAREST"
		}
	}
	return first
}

// opener returns, for each token, the token before the innermost open
// parenthesis that encloses it ("" at depth 0), for the end of toks.
func openers(toks []tok) []string {
	var stack []string
	for i, t := range toks {
		switch {
		case t.is("("):
			prev := ""
			if i > 0 {
				prev = strings.ToUpper(toks[i-1].text)
			}
			stack = append(stack, prev)
		case t.is(")"):
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return stack
}

// keyOpeners are the words and operators whose parenthesis holds keys.
var keyOpeners = map[string]bool{
	"SIMILARITY": true, "ODD_ONE_OUT": true, "EACH": true, "AMONG": true, "FOR": true,
	"PROJECTION": true, "RANK": true, "DISTANCE": true, "CENTROID": true, "NORMALIZE": true,
	"PROJECT": true, "TO": true, "ONTO": true, "+": true, "-": true, "*": true,
}

// collectionOf finds the statement's collection: the name after FROM,
// UPDATE, INTO, ON, TRAIN, CLUSTER, DESCRIBE, STATS, EXPORT that is a
// collection of the database.
func (c *Completer) collectionOf(toks []tok) string {
	names := c.Catalog.CollectionNames()
	known := func(s string) bool {
		i := sort.SearchStrings(names, s)
		return i < len(names) && names[i] == s
	}
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].is("FROM", "UPDATE", "INTO", "ON", "TRAIN", "CLUSTER", "DESCRIBE", "STATS", "EXPORT", "ANALOGIES", "PAIRS") &&
			toks[i+1].kind == tWord && known(toks[i+1].text) {
			return toks[i+1].text
		}
	}
	return ""
}

// inQuote completes inside an open quote: keys where a vector expression
// or a key list expects one, file names where a path goes.
func (c *Completer) inQuote(sc scanned, all []tok) []string {
	toks := sc.toks
	if len(toks) == 0 {
		return nil
	}
	prev := toks[len(toks)-1]
	kind := stmtKind(toks)
	stack := openers(toks)
	depth := len(stack)
	keys := false
	coll := ""
	switch {
	case prev.is(".") && len(toks) >= 2 && toks[len(toks)-2].kind == tWord:
		keys, coll = true, toks[len(toks)-2].text
	case prev.is("TO"):
		if depth == 0 && (kind == "EXPORT" || kind == "PROJECT") {
			return completeFiles(sc.partial)
		}
		keys = true
	case prev.is("FROM") && (kind == "IMPORT" || kind == "IMPORT METADATA" || kind == "TRAIN" || strings.HasPrefix(kind, "EVALUATE")):
		return completeFiles(sc.partial)
	case prev.is("+", "-", "*", ":", "::", "ONTO"):
		keys = true
	case prev.is("(", ","):
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i] == "(" || stack[i] == "," {
				continue // a tuple inside a list: SIMILARITY(('a','b'), ...)
			}
			keys = keyOpeners[stack[i]]
			break
		}
	}
	if !keys {
		return nil
	}
	if coll == "" {
		coll = c.collectionOf(all)
	}
	prefix := strings.ReplaceAll(sc.partial, "''", "'")
	var found []string
	if coll != "" {
		found = c.Catalog.KeysWithPrefix(coll, prefix, MaxKeyCompletions)
	} else {
		for _, name := range c.Catalog.CollectionNames() {
			found = append(found, c.Catalog.KeysWithPrefix(name, prefix, MaxKeyCompletions)...)
		}
		sort.Strings(found)
		if len(found) > MaxKeyCompletions {
			found = found[:MaxKeyCompletions]
		}
	}
	out := make([]string, 0, len(found))
	for _, k := range found {
		out = append(out, strings.ReplaceAll(k, "'", "''"))
	}
	out = withPrefix(out, sc.partial)
	if len(out) == 1 {
		out[0] += "'"
	}
	return out
}

// collectionWords are the words a collection name follows.
var collectionWords = []string{"FROM", "INTO", "DESCRIBE", "ON", "STATS", "CHECK", "EXPORT", "TRAIN",
	"CLUSTER", "COLLECTION", "EXISTS", "ANALOGIES", "PAIRS", "UPDATE"}

// clauseWords end the backward search for the clause the cursor is in.
var clauseWords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "RETURNING": true, "BY": true, "SET": true,
	"LIMIT": true, "OFFSET": true, "WITH": true, "TO": true, "USING": true, "INTO": true,
	"VALUES": true, "WITHIN": true, "INCLUDE": true, "AMONG": true, "FOR": true, "ONTO": true,
}

// inWord completes a word (possibly empty) outside quotes.
func (c *Completer) inWord(sc scanned, all []tok) []string {
	toks := sc.toks
	typed := sc.partial
	kws := keywords(typed)
	if len(toks) == 0 {
		return kws
	}
	prev := toks[len(toks)-1]
	kind := stmtKind(toks)
	stack := openers(toks)

	// A collection name.
	if prev.is(collectionWords...) {
		switch {
		case prev.is("FROM") && (kind == "IMPORT" || kind == "IMPORT METADATA" || kind == "TRAIN" || strings.HasPrefix(kind, "EVALUATE") || kind == "CREATE" || kind == "SEQUENCES"):
			return kws
		case prev.is("COLLECTION", "EXISTS") && (kind == "CREATE" || kind == "SEQUENCES"):
			return nil // a new name
		case prev.is("INTO") && kind == "CLUSTER":
			return nil
		}
		if names := withPrefix(c.Catalog.CollectionNames(), typed); len(names) > 0 {
			return names
		}
		return kws
	}
	if prev.is(".") {
		return nil
	}

	// An option inside WITH ( ... ).
	if len(stack) > 0 && stack[len(stack)-1] == "WITH" {
		if prev.is("(", ",") {
			return caseLike(db.OptionNames(kind), typed)
		}
		return nil
	}
	if kind == "SET" && prev.is("SET") {
		return caseLike(db.SettingNames(), typed)
	}
	if len(toks) == 1 && prev.is("SHOW") {
		return caseLike(append([]string{"COLLECTIONS", "SETTINGS", "STATS"}, db.SettingNames()...), typed)
	}

	// A field, in the clauses that name fields.
	if c.fieldClause(toks, kind) && !prev.is("=", "!=", "<>", "<", "<=", ">", ">=", "LIKE", "BETWEEN", "IN", "IS") {
		fields := []string{"key", "count"}
		if kind == "NEAREST" {
			fields = append(fields, "similarity", "distance")
		}
		if coll := c.collectionOf(all); coll != "" {
			fields = append(fields, c.Catalog.FieldNames(coll)...)
		}
		fields = caseLike(fields, typed)
		if typed == "" {
			return fields
		}
		if prev.is("SELECT") {
			return append(fields, kws...) // NEAREST, ANALOGY, SIMILARITY, ...
		}
		return append(fields, only(kws, clauseKeywords)...)
	}

	// A vector expression: another collection's key (users.'u1'), or a function.
	if prev.is("TO", "+", "-", "ONTO") {
		return append(withPrefix(c.Catalog.CollectionNames(), typed), only(kws, vexprKeywords)...)
	}
	if typed == "" {
		return nil
	}
	return kws
}

// clauseKeywords may follow a field in a clause; vexprKeywords start a
// vector expression's term.
var (
	clauseKeywords = []string{"AND", "AS", "ASC", "BETWEEN", "BY", "COLOR", "DESC", "FALSE", "FROM", "IN",
		"INCLUDE", "IS", "LIKE", "LIMIT", "NOT", "NULL", "OFFSET", "ONTO", "OR", "ORDER", "PROJECTION",
		"RETURNING", "TRUE", "USING", "WHERE", "WITH", "WITHIN"}
	vexprKeywords = []string{"CENTROID", "EACH", "ITEM", "NORMALIZE"}
)

// only keeps the words (in any case) that are in set (upper case).
func only(words, set []string) []string {
	var out []string
	for _, w := range words {
		for _, k := range set {
			if strings.EqualFold(w, k) {
				out = append(out, w)
				break
			}
		}
	}
	return out
}

// fieldClause reports whether the cursor is in WHERE, RETURNING, ORDER BY,
// COLOR BY, UPDATE's SET or a plain SELECT's column list.
func (c *Completer) fieldClause(toks []tok, kind string) bool {
	depth := 0
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		switch {
		case t.is(")"):
			depth++
			continue
		case t.is("("):
			if depth == 0 {
				// Inside a parenthesis: fields only in a condition's group.
				if i > 0 && toks[i-1].is("WHERE", "AND", "OR", "NOT", "(") {
					continue
				}
				return false
			}
			depth--
			continue
		}
		if depth > 0 || t.kind != tWord || !clauseWords[strings.ToUpper(t.text)] {
			continue
		}
		switch strings.ToUpper(t.text) {
		case "WHERE", "RETURNING", "BY":
			return true
		case "SET":
			return kind == "UPDATE"
		case "SELECT":
			return kind == "SELECT"
		}
		return false
	}
	return false
}

// keywords returns the keywords that start with typed (in its case); none
// when nothing is typed.
func keywords(typed string) []string {
	if typed == "" {
		return nil
	}
	var out []string
	up := strings.ToUpper(typed)
	for _, k := range query.Keywords {
		if strings.HasPrefix(k, up) {
			out = append(out, k)
		}
	}
	return caseLike(out, typed)
}

// caseLike returns words in the case of typed: lower case when typed is
// lower case, Title case when it starts with a capital followed by lower
// case, else upper case for keywords. Names that are not all one case
// (fields, options) keep theirs when typed is empty.
func caseLike(words []string, typed string) []string {
	out := make([]string, 0, len(words))
	lower := typed != "" && strings.ToLower(typed) == typed && strings.ToUpper(typed) != typed
	title := len(typed) > 1 && unicode.IsUpper(rune(typed[0])) && strings.ToLower(typed[1:]) == typed[1:] && strings.ToUpper(typed[1:]) != typed[1:]
	upper := typed != "" && strings.ToUpper(typed) == typed && strings.ToLower(typed) != typed
	for _, w := range words {
		switch {
		case lower:
			w = strings.ToLower(w)
		case title:
			w = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		case upper:
			w = strings.ToUpper(w)
		case typed == "" && isKeyword(w):
			w = strings.ToUpper(w)
		}
		if strings.HasPrefix(w, typed) {
			out = append(out, w)
		}
	}
	return out
}

func isKeyword(w string) bool {
	i := sort.SearchStrings(query.Keywords, w)
	return i < len(query.Keywords) && query.Keywords[i] == w
}

// completeFiles lists the files and directories that start with prefix
// (directories end in a slash).
func completeFiles(prefix string) []string {
	dir, base := filepath.Split(prefix)
	list := dir
	if list == "" {
		list = "."
	}
	entries, err := os.ReadDir(list)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		if e.IsDir() {
			name += "/"
		}
		out = append(out, dir+name)
	}
	sort.Strings(out)
	return out
}

// completeDot completes a dot-command line: the command, then its argument.
func (c *Completer) completeDot(line string) ([]string, string) {
	fields := strings.Fields(line)
	if len(fields) <= 1 && !strings.HasSuffix(line, " ") {
		var out []string
		for _, cmd := range commands {
			out = append(out, cmd.name)
		}
		return withPrefix(out, line), line
	}
	cmd := lookupCommand(fields[0])
	if cmd == nil || cmd.complete == nil {
		return nil, ""
	}
	typed := ""
	if !strings.HasSuffix(line, " ") {
		typed = fields[len(fields)-1]
	}
	return withPrefix(cmd.complete(c.Catalog, typed), typed), typed
}

// readlineCompleter adapts a Completer to readline's AutoCompleter: it
// sees the shell's earlier lines of the statement, and returns suffixes.
type readlineCompleter struct {
	c       *Completer
	pending func() string // earlier lines of the statement, each ending in "\n"
}

func (r readlineCompleter) Do(line []rune, pos int) ([][]rune, int) {
	head := r.pending()
	text := head + string(line)
	cands, typed := r.c.complete(text, len(head)+len(string(line[:pos])))
	out := make([][]rune, 0, len(cands))
	for _, c := range cands {
		out = append(out, []rune(c[len(typed):]))
	}
	return out, len([]rune(typed))
}
