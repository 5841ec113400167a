package format

import (
	"bufio"
	"bytes"
	"unicode/utf8"
)

// sniff guesses the layout from the first bytes of br without consuming
// them.
func sniff(br *bufio.Reader) Format {
	win, _ := br.Peek(sniffWindow)
	first, rest := win, []byte(nil)
	if i := bytes.IndexByte(win, '\n'); i >= 0 {
		first, rest = win[:i], win[i+1:]
	}
	first = trimRight(first)
	if _, d, ok := parseHeader(first); ok {
		if looksBinary(rest, d) {
			return Word2VecBinary
		}
		return Word2VecText
	}
	if t := bytes.TrimLeft(win, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return JSONL
	}
	if bytes.IndexByte(first, ',') >= 0 &&
		(bytes.IndexAny(first, " \t") < 0 || (first[0] == '"' && bytes.Contains(first, []byte(`",`)))) {
		return CSV
	}
	return GloVe
}

// looksBinary reports whether the bytes after an `N D` header are binary
// rows: the first line is not a key followed by d numbers, and the bytes
// hold control characters or invalid UTF-8.
func looksBinary(rest []byte, d int) bool {
	if len(rest) == 0 {
		return false
	}
	if j := bytes.IndexByte(rest, '\n'); j >= 0 && textRow(trimRight(rest[:j]), d) {
		return false
	}
	for i := 0; i < len(rest); {
		c := rest[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return true
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(rest[i:])
		if r == utf8.RuneError && size == 1 && len(rest)-i >= utf8.UTFMax {
			return true
		}
		i += size
	}
	return false
}

// textRow reports whether line is a key followed by d numbers.
func textRow(line []byte, d int) bool {
	toks := bytes.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(toks) < d+1 {
		return false
	}
	for _, t := range toks[len(toks)-d:] {
		if !isNumber(string(t)) {
			return false
		}
	}
	return true
}
