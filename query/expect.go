package query

import "strings"

// firstSet reads the EBNF fragment that participle reports as "expected"
// (the rest of a sequence, such as `"FROM" Ident ("WHERE" OrCond)?`) and
// returns, in words, what could come first: keywords as themselves,
// punctuation quoted, and productions and token types by description.
func firstSet(ebnf string) []string {
	p := &ebnfReader{toks: tokenizeEBNF(ebnf)}
	first, _ := p.alt()
	var out []string
	seen := map[string]bool{}
	for _, f := range first {
		if d := describeExpected(f); d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if len(out) > 8 {
		out = append(out[:8], "…")
	}
	return out
}

func tokenizeEBNF(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		switch ch := s[i]; {
		case ch == ' ':
			i++
		case ch == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				j = len(s) - 1
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		case ch == '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return toks
			}
			toks = append(toks, s[i:i+j+1])
			i += j + 1
		case strings.IndexByte("()|?*+!", ch) >= 0:
			toks = append(toks, string(ch))
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(` "<()|?*+!`, s[j]) < 0 {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type ebnfReader struct {
	toks []string
	i    int
}

func (p *ebnfReader) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

// alt reads seq ("|" seq)* and returns its first set and whether it can
// match nothing.
func (p *ebnfReader) alt() ([]string, bool) {
	first, nullable := p.seq()
	for p.peek() == "|" {
		p.i++
		f, n := p.seq()
		first = append(first, f...)
		nullable = nullable || n
	}
	return first, nullable
}

func (p *ebnfReader) seq() ([]string, bool) {
	var first []string
	nullable, open := true, true
	for {
		t := p.peek()
		if t == "" || t == "|" || t == ")" {
			return first, nullable
		}
		f, n := p.item()
		if open {
			first = append(first, f...)
			if !n {
				open, nullable = false, false
			}
		}
	}
}

func (p *ebnfReader) item() ([]string, bool) {
	t := p.peek()
	p.i++
	var first []string
	nullable := false
	switch t {
	case "(":
		first, nullable = p.alt()
		if p.peek() == ")" {
			p.i++
		}
	case "!":
		first, _ = p.item()
		first = nil
	default:
		first = []string{t}
	}
	switch p.peek() {
	case "?", "*":
		p.i++
		nullable = true
	case "+":
		p.i++
	}
	return first, nullable
}

var productionWords = map[string]string{
	"Ident": "a name", "OptName": "a name", "Vexpr": "a vector expression", "Vterm": "a vector expression",
	"Vfactor": "a vector expression", "VopTerm": `"+"`, "Literal": "a value", "Number": "a number",
	"StrLit": "a string", "OrCond": "a condition", "AndCond": "a condition", "NotCond": "a condition",
	"Predicate": "a condition", "Test": "a condition", "Option": "an option", "Statement": "a statement",
	"Column": "a column", "SimFunc": "SIMILARITY, DISTANCE or RANK", "SimArg": "a string",
	"ColDef": "a column definition", "ValuesRow": `"("`, "FormatClause": "FORMAT",
	"<string>": "a string", "<number>": "a number", "<ident>": "a name", "<qident>": "a name",
	"<keyword>": "a name", "<reserved>": "",
	"CreateIndex": "INDEX", "CreateUsers": "COLLECTION", "CreateColl": "COLLECTION", "SelectStmt": "SELECT",
	"NearestQ": "NEAREST", "AnalogyQ": "ANALOGY", "SimilarityQ": "SIMILARITY", "OddQ": "ODD_ONE_OUT",
	"ProjectionQ": "PROJECTION", "RowsQ": "a column", "ColProj": "PROJECTION", "ItemRef": "a name",
	"OtherKey": "a name", "VLiteral": `"["`, "SettingName": "a setting name", "CountStmt": "SELECT",
	"KeyLit": "a string", "CountLit": "a number", "PathLit": "a string", "Param": "a parameter", "<param>": "a parameter",
}

func describeExpected(t string) string {
	if strings.HasPrefix(t, `"`) {
		lit := strings.Trim(t, `"`)
		if plainIdent.MatchString(lit) {
			return strings.ToUpper(lit)
		}
		return t
	}
	if d, ok := productionWords[t]; ok {
		return d
	}
	if strings.HasPrefix(t, "<") {
		return "a " + strings.Trim(t, "<>")
	}
	// Other productions start with a keyword of their own; name them.
	return strings.ToLower(t)
}
