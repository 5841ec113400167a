package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
)

// RunScript reads statements from r and runs them one by one against d,
// rendering results on out and errors on errOut (each starting with
// "Error:"). With cfg.Bail it stops at the first error. It reports whether
// every statement succeeded. The interactive shell runs each statement it
// reads through Execute, the same path.
func RunScript(ctx context.Context, d *db.DB, r io.Reader, out, errOut io.Writer, cfg Config) (ok bool) {
	data, err := io.ReadAll(r)
	if err != nil {
		fmt.Fprintf(errOut, "Error: %v\n", err)
		return false
	}
	ok = true
	for _, st := range SplitStatements(string(data)) {
		if err := ctx.Err(); err != nil {
			fmt.Fprintf(errOut, "Error: %v\n", err)
			return false
		}
		if !Execute(ctx, d, string(data), st, out, errOut, cfg) {
			ok = false
			if cfg.Bail {
				return false
			}
		}
	}
	return ok
}

// Statement is one statement of a script: its text and where it starts.
type Statement struct {
	Text   string
	Offset int // byte offset in the script
}

// SplitStatements cuts a script at the semicolons that end statements,
// skipping those inside quotes and comments. Blank statements (only white
// space and comments) are dropped.
func SplitStatements(src string) []Statement {
	var out []Statement
	start := 0
	emit := func(end int) {
		text := src[start:end]
		if !blank(text) {
			out = append(out, Statement{Text: text, Offset: start})
		}
		start = end + 1
	}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\'', '"':
			q := src[i]
			for i++; i < len(src); i++ {
				if src[i] == q {
					if i+1 < len(src) && src[i+1] == q {
						i++
						continue
					}
					break
				}
			}
		case '-':
			if i+1 < len(src) && src[i+1] == '-' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			}
		case ';':
			emit(i)
		}
	}
	if start < len(src) {
		emit(len(src))
	}
	return out
}

// blank reports whether s holds only white space and comments.
func blank(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "--") {
			return false
		}
	}
	return true
}

// Complete reports whether src ends a statement (the shell's continuation
// prompt): its last non-blank statement text is followed by a semicolon
// outside quotes and comments.
func Complete(src string) bool {
	sts := SplitStatements(src)
	if len(sts) == 0 {
		return true
	}
	last := sts[len(sts)-1]
	end := last.Offset + len(last.Text)
	return end < len(src) && src[end] == ';'
}

// Execute runs one statement st of the script src and renders its result.
// Error positions are those of the whole script: the statement is run
// with the text before it blanked out (newlines kept).
func Execute(ctx context.Context, d *db.DB, src string, st Statement, out, errOut io.Writer, cfg Config) bool {
	text := positioned(src, st)
	start := time.Now()
	results, err := d.Run(ctx, text)
	for _, res := range results {
		if cfg.OnResult != nil && res != nil {
			cfg.OnResult(*res)
		}
		if rerr := Render(out, res, cfg); rerr != nil {
			fmt.Fprintf(errOut, "Error: %v\n", rerr)
			return false
		}
		if res.Columns == nil && res.Message != "" && IsMachineMode(cfg.mode()) {
			fmt.Fprintln(errOut, res.Message)
		}
	}
	if cfg.Timer {
		fmt.Fprintf(errOut, "Run Time: %.3fs\n", time.Since(start).Seconds())
	}
	if err != nil {
		PrintError(errOut, src, err)
		return false
	}
	return true
}

// positioned returns the statement's text preceded by blanks that stand
// for the script before it, so that positions count from the script start.
func positioned(src string, st Statement) string {
	before := src[:st.Offset]
	nl := strings.Count(before, "\n")
	col := len([]rune(before[strings.LastIndex(before, "\n")+1:]))
	return strings.Repeat("\n", nl) + strings.Repeat(" ", col) + st.Text
}

// PrintError writes err on w as "Error: ..." and, for errors with a
// position in src, the line with a caret under the column.
func PrintError(w io.Writer, src string, err error) {
	var list query.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		for _, e := range list {
			printOne(w, src, e.Pos, e.Error())
		}
		return
	}
	var qe *query.Error
	if errors.As(err, &qe) {
		printOne(w, src, qe.Pos, err.Error())
		return
	}
	fmt.Fprintf(w, "Error: %s\n", err.Error())
}

func printOne(w io.Writer, src string, pos query.Position, msg string) {
	fmt.Fprintf(w, "Error: %s\n", msg)
	if !pos.IsValid() {
		return
	}
	lines := strings.Split(src, "\n")
	if pos.Line > len(lines) {
		return
	}
	line := strings.TrimRight(lines[pos.Line-1], "\r")
	runes := []rune(line)
	col := min(max(pos.Column-1, 0), len(runes))
	// Expand tabs so that the caret lines up.
	prefix := strings.ReplaceAll(string(runes[:col]), "\t", "    ")
	fmt.Fprintf(w, "  %s\n  %s^\n", strings.ReplaceAll(line, "\t", "    "), strings.Repeat(" ", runewidth.StringWidth(prefix)))
}
