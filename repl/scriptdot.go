package repl

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/vecdb/vecdb/query"
)

// Dot-commands in scripts. A script (piped to vecdb, or read with .read)
// may hold .parameter lines between its statements, as sqlite3's scripts
// do, so that a script uses the same statements with placeholders as a
// program: a line whose first character (after blanks) is '.', where no
// statement is under way, is a dot-command. Other dot-commands belong to
// the interactive shell and are refused in a script. A script without such
// lines runs exactly as before (query.SplitStatements).

// scriptPart is a piece of a script: statements (Text, starting at Pos in
// the script) or one dot-command line (Dot, at Pos).
type scriptPart struct {
	Dot  string
	Text string
	Pos  query.Position
}

// hasDotLine reports whether a line of src starts with '.' after blanks.
func hasDotLine(src string) bool {
	for line := range strings.Lines(src) {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), ".") {
			return true
		}
	}
	return false
}

// scriptParts cuts src into runs of statements and the dot-command lines
// between them.
func scriptParts(src string) []scriptPart {
	var parts []scriptPart
	start, startPos := 0, query.Position{Line: 1, Column: 1}
	pendingBlank := true
	off, lineNo := 0, 1
	for line := range strings.Lines(src) {
		end := off + len(line)
		switch {
		case pendingBlank && strings.HasPrefix(strings.TrimLeft(line, " \t"), "."):
			parts = append(parts, scriptPart{Dot: strings.TrimSpace(line), Pos: query.Position{Line: lineNo, Column: 1, Offset: off}})
			start, startPos = end, query.Position{Line: lineNo + 1, Column: 1, Offset: end}
		case pendingBlank && blank(line):
		default:
			pendingBlank = false
			if strings.Contains(line, ";") && Complete(src[start:end]) {
				parts = append(parts, scriptPart{Text: src[start:end], Pos: startPos})
				start, startPos, pendingBlank = end, query.Position{Line: lineNo + 1, Column: 1, Offset: end}, true
			}
		}
		off, lineNo = end, lineNo+1
	}
	if !pendingBlank {
		parts = append(parts, scriptPart{Text: src[start:], Pos: startPos})
	}
	return parts
}

// chunks returns the statements of the script part p, with positions in
// the whole script.
func (p scriptPart) chunks() []query.Chunk {
	cs := query.SplitStatements(p.Text)
	for i := range cs {
		cs[i].Pos = p.Pos.Add(cs[i].Pos)
	}
	return cs
}

// parts returns the parts of the script src: one run of statements when
// it has no dot-command line.
func parts(src string) []scriptPart {
	if !hasDotLine(src) {
		return []scriptPart{{Text: src}}
	}
	return scriptParts(src)
}

// scriptDot runs the dot-command line of a script on s (.parameter only),
// writing errors on errOut. It reports whether it succeeded.
func (s *Shell) scriptDot(ctx context.Context, p scriptPart, errOut io.Writer) bool {
	line := p.Dot
	args := splitArgs(line)
	var err error
	switch {
	case args[0] != ".parameter":
		err = fmt.Errorf("%s: in a script only .parameter runs; the other dot-commands are for the interactive shell", args[0])
	case len(args) < 2:
		err = fmt.Errorf("usage: %s", lookupCommand(".parameter").usage())
	default:
		s.dotLine = line
		err = s.dotParameter(ctx, args[1:])
	}
	if err != nil {
		fmt.Fprintf(errOut, "Error: %s: %v\n", p.Pos, err)
		return false
	}
	return true
}
