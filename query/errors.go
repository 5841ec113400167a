package query

import (
	"strings"
	"unicode/utf8"
)

// Error is a language error: a parse error, or a semantic error found later
// by the planner. It prints as "line:column: message", followed by what was
// expected and a hint when there are some:
//
//	1:27: unexpected token "FORM"; expected FROM (did you mean FROM?)
//
// Err is the cause, which Unwrap returns: a sentinel such as
// db.ErrDimension for a problem the compiler found, or the backend's error.
// It is not printed (Msg says it in the statement's terms), but
// errors.Is and errors.As see it.
type Error struct {
	Pos      Position
	Msg      string
	Expected []string // what would have been accepted at Pos, for display
	Hint     string   // "did you mean FROM?"; empty when there is none
	// Suggest is what the hint proposes to write instead, for programs
	// (an editor's quick fix, a test): a keyword ("FROM", "WITHIN") or a
	// column ("similarity"); empty when the hint proposes nothing to type.
	Suggest string
	Source  string // the text parsed, for Pretty; may be empty
	// SourceOffset is where Source starts in its script, in bytes
	// (ParseOptions.Base): positions count from the script's start.
	SourceOffset int
	Err          error // the cause; nil for a syntax error
}

// Unwrap returns the cause, Err.
func (e *Error) Unwrap() error { return e.Err }

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos.IsValid() {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if len(e.Expected) > 0 {
		b.WriteString("; expected ")
		b.WriteString(orList(e.Expected))
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Pretty returns Error() followed by the source line of the error and a caret
// under its column. Without a Source it returns Error().
func (e *Error) Pretty() string { return e.format(e.Source, e.SourceOffset) }

// Format is Pretty with the given source text: the whole script that the
// error's offset counts in.
func (e *Error) Format(src string) string { return e.format(src, 0) }

// format is Format for a src that starts at byte offset base of the script.
func (e *Error) format(src string, base int) string {
	msg := e.Error()
	off := e.Pos.Offset - base
	if src == "" || !e.Pos.IsValid() || off < 0 || off > len(src) {
		return msg
	}
	start := strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[off:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += off
	}
	line := strings.TrimRight(src[start:end], "\r")
	// Keep tabs in the caret line so that it lines up under the token.
	var caret strings.Builder
	for _, r := range src[start:off] {
		if r == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	caret.WriteByte('^')
	return msg + "\n  " + line + "\n  " + caret.String()
}

// ErrorList is a list of errors, reported together (go/scanner style): all
// the unknown keys of a statement, say.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the errors of the list, so that errors.Is and errors.As
// look into each.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list, the error itself for a list of one, and
// the list otherwise.
func (l ErrorList) Err() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return l
}

// Pretty is Pretty of each error, separated by blank-free newlines.
func (l ErrorList) Pretty() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Pretty()
	}
	return strings.Join(s, "\n")
}

// orList renders [a b c] as "a, b or c".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// positionAt computes the position of byte offset off in src.
func positionAt(src string, off int) Position {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return Position{Line: line, Column: 1 + utf8.RuneCountInString(src[start:off]), Offset: off}
}
