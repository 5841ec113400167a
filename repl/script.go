package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

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
	sh := &Shell{DB: d, Stdout: out, Stderr: errOut, Config: cfg}
	return sh.RunScript(ctx, r)
}

// RunScript is the package's RunScript on the shell's database, Config,
// Stdout and Stderr: the parameters that its .parameter lines set stay set
// for the shell's later calls, and the settings that dot-commands run
// before it (Command) changed apply to it.
func (s *Shell) RunScript(ctx context.Context, r io.Reader) (ok bool) {
	s.init()
	out, errOut := s.Stdout, s.Stderr
	data, err := io.ReadAll(r)
	if err != nil {
		fmt.Fprintf(errOut, "Error: %v\n", err)
		return false
	}
	src := trimBOM(string(data))
	cfg := s.Config
	ok = true
	for _, p := range parts(src) {
		if p.Dot != "" {
			if !s.scriptDot(ctx, p, errOut) {
				ok = false
				if cfg.Bail {
					return false
				}
			}
			continue
		}
		cfg.Params = s.bindings()
		for _, st := range p.chunks() {
			if err := ctx.Err(); err != nil {
				fmt.Fprintf(errOut, "Error: %v\n", err)
				return false
			}
			if !Execute(ctx, s.DB, src, st, out, errOut, cfg) {
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
		printError(errOut, src, st, err)
		return false
	}
	return true
}

// PrintError writes err on w as "Error: ..." and, for errors with a
// position in src, the line with a caret under the column.
func PrintError(w io.Writer, src string, err error) { printError(w, src, query.Chunk{}, err) }

// printError is PrintError for an error of the statement st of src (a
// chunk of query.SplitStatements, with its position in src): it looks for
// the error's line from the statement's start, so that errors late in a
// long script cost no more than early ones, and shows only the part of
// the line that belongs to st: of a one-line script "A; B; C", the
// failing statement rather than the whole line.
func printError(w io.Writer, src string, st query.Chunk, err error) {
	var list query.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		for _, e := range list {
			printOne(w, src, st, e.Pos, e.Error())
		}
		return
	}
	var qe *query.Error
	if errors.As(err, &qe) {
		printOne(w, src, st, qe.Pos, err.Error())
		return
	}
	fmt.Fprintf(w, "Error: %s\n", err.Error())
}

func printOne(w io.Writer, src string, st query.Chunk, pos query.Position, msg string) {
	fmt.Fprintf(w, "Error: %s\n", msg)
	if !pos.IsValid() {
		return
	}
	start, end, ok := lineOf(src, st.Pos, pos.Line)
	if !ok {
		return
	}
	col := max(pos.Column-1, 0) // in runes from start
	// Clip the line to the statement: from its start (after the previous
	// ';', without the blanks that follow it) to its own ';', where those
	// fall inside the line.
	if st.Text != "" {
		from, to := st.Pos.Offset, st.Pos.Offset+len(st.Text)
		if to < len(src) && src[to] == ';' {
			to++
		}
		if from > start && from <= end {
			for from < end && (src[from] == ' ' || src[from] == '\t') {
				from++
			}
			if skip := utf8.RuneCountInString(src[start:from]); skip <= col {
				start, col = from, col-skip
			}
		}
		if to >= start && to < end {
			end = to
		}
	}
	line := strings.TrimRight(src[start:end], " \t\r")
	runes := []rune(line)
	col = min(col, len(runes))
	// Expand tabs so that the caret lines up.
	prefix := strings.ReplaceAll(string(runes[:col]), "\t", "    ")
	fmt.Fprintf(w, "  %s\n  %s^\n", strings.ReplaceAll(line, "\t", "    "), strings.Repeat(" ", runewidth.StringWidth(prefix)))
}

// lineOf returns the offsets in src of the start and end (before its
// newline) of line n (from 1), counting from the line of position from
// (the start of src when from is before it or not set).
func lineOf(src string, from query.Position, n int) (start, end int, ok bool) {
	line := 1
	if from.IsValid() && from.Line <= n && from.Offset <= len(src) {
		start, line = strings.LastIndexByte(src[:from.Offset], '\n')+1, from.Line
	}
	for ; line < n; line++ {
		i := strings.IndexByte(src[start:], '\n')
		if i < 0 {
			return 0, 0, false
		}
		start += i + 1
	}
	end = strings.IndexByte(src[start:], '\n')
	if end < 0 {
		return start, len(src), true
	}
	return start, start + end, true
}
