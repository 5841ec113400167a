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
// every statement succeeded. A byte order mark at the start is skipped.
// The interactive shell runs each statement it reads through Execute, the
// same path.
func RunScript(ctx context.Context, d *db.DB, r io.Reader, out, errOut io.Writer, cfg Config) (ok bool) {
	data, err := io.ReadAll(r)
	if err != nil {
		fmt.Fprintf(errOut, "Error: %v\n", err)
		return false
	}
	src := trimBOM(string(data))
	ok = true
	sh := &Shell{DB: d, Stdout: out, Stderr: errOut} // for .parameter lines
	for _, p := range parts(src) {
		if p.Dot != "" {
			if !sh.scriptDot(ctx, p, errOut) {
				ok = false
				if cfg.Bail {
					return false
				}
			}
			continue
		}
		cfg.Params = sh.bindings()
		for _, st := range p.chunks() {
			if err := ctx.Err(); err != nil {
				fmt.Fprintf(errOut, "Error: %v\n", err)
				return false
			}
			if !Execute(ctx, d, src, st, out, errOut, cfg) {
				ok = false
				if cfg.Bail {
					return false
				}
			}
		}
	}
	return ok
}

// trimBOM removes the byte order mark that some editors put at the start
// of a UTF-8 file.
func trimBOM(src string) string { return strings.TrimPrefix(src, "\uFEFF") }

// blank reports whether src holds only blanks and comments.
func blank(src string) bool {
	for _, t := range query.Tokens(src) {
		if !t.Blank() {
			return false
		}
	}
	return true
}

// Complete reports whether src ends a statement (the shell's continuation
// prompt): after its last semicolon outside quotes and comments come only
// blanks and comments.
func Complete(src string) bool {
	done := true
	for _, t := range query.Tokens(src) {
		switch {
		case t.Kind == query.TokenPunct && t.Text == ";":
			done = true
		case !t.Blank():
			done = false
		}
	}
	return done
}

// Execute runs one statement st of the script src (a chunk from
// query.SplitStatements) and renders its result. Error positions are
// those of the whole script.
func Execute(ctx context.Context, d *db.DB, src string, st query.Chunk, out, errOut io.Writer, cfg Config) bool {
	start := time.Now()
	var args []any
	if len(cfg.Params) > 0 {
		args = []any{cfg.Params}
	}
	results, err := d.RunAt(ctx, st.Text, st.Pos, args...)
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
		printError(errOut, src, st.Pos, err)
		return false
	}
	return true
}

// PrintError writes err on w as "Error: ..." and, for errors with a
// position in src, the line with a caret under the column.
func PrintError(w io.Writer, src string, err error) { printError(w, src, query.Position{}, err) }

// printError is PrintError for an error of the statement that starts at
// from in src: it looks for the error's line from there, so that errors
// late in a long script cost no more than early ones.
func printError(w io.Writer, src string, from query.Position, err error) {
	var list query.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		for _, e := range list {
			printOne(w, src, from, e.Pos, e.Error())
		}
		return
	}
	var qe *query.Error
	if errors.As(err, &qe) {
		printOne(w, src, from, qe.Pos, err.Error())
		return
	}
	fmt.Fprintf(w, "Error: %s\n", err.Error())
}

func printOne(w io.Writer, src string, from, pos query.Position, msg string) {
	fmt.Fprintf(w, "Error: %s\n", msg)
	if !pos.IsValid() {
		return
	}
	line, ok := lineOf(src, from, pos.Line)
	if !ok {
		return
	}
	line = strings.TrimRight(line, "\r")
	runes := []rune(line)
	col := min(max(pos.Column-1, 0), len(runes))
	// Expand tabs so that the caret lines up.
	prefix := strings.ReplaceAll(string(runes[:col]), "\t", "    ")
	fmt.Fprintf(w, "  %s\n  %s^\n", strings.ReplaceAll(line, "\t", "    "), strings.Repeat(" ", runewidth.StringWidth(prefix)))
}

// lineOf returns line n (from 1) of src, counting from the line of
// position from (the start of src when from is before it or not set).
func lineOf(src string, from query.Position, n int) (string, bool) {
	start, line := 0, 1
	if from.IsValid() && from.Line <= n && from.Offset <= len(src) {
		start, line = strings.LastIndexByte(src[:from.Offset], '\n')+1, from.Line
	}
	for ; line < n; line++ {
		i := strings.IndexByte(src[start:], '\n')
		if i < 0 {
			return "", false
		}
		start += i + 1
	}
	end := strings.IndexByte(src[start:], '\n')
	if end < 0 {
		return src[start:], true
	}
	return src[start : start+end], true
}
