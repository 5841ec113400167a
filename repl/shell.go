package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/chzyer/readline"
	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
	"golang.org/x/term"
)

// Prompts of the shell.
const (
	Prompt             = "vecdb> "
	ContinuationPrompt = "   ...> "
)

// Shell is the interactive shell (SPEC §6): a readline prompt with
// history, completion and dot-commands in front of Execute. Set the
// exported fields, then call Interact. A Shell is not safe for concurrent
// use.
type Shell struct {
	// DB is the open database; .open replaces it (and closes the old one).
	DB *db.DB
	// Path is DB's file, Options how .open opens another.
	Path    string
	Options *db.Options
	// Config holds the output settings that dot-commands change.
	Config Config
	// Stdin, Stdout and Stderr are the terminal.
	Stdin          io.ReadCloser
	Stdout, Stderr io.Writer
	// HistoryFile keeps the statements typed, one per line ("" keeps none).
	HistoryFile string
	// Color dims grid borders and reddens "Error:" on the terminal (never
	// in a .output file).
	Color bool
	// Progress draws a progress bar on Stderr during long statements.
	Progress bool

	outFile       *os.File   // .output's file, or nil for Stdout
	last          *db.Result // the last result with columns, for .plot
	lastIsProject bool
	pending       []string                 // lines of the statement being typed
	dotLine       string                   // the dot-command line being run, unsplit
	params        map[string]query.Literal // .parameter set: name as typed -> value
	bar           *ProgressBar
	inited        bool
}

// DefaultHistoryFile returns $VECDB_HISTORY, else ~/.vecdb_history, else "".
func DefaultHistoryFile() string {
	if p := os.Getenv("VECDB_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".vecdb_history")
}

func (s *Shell) init() {
	if s.inited {
		return
	}
	s.inited = true
	if s.Stdout == nil {
		s.Stdout = io.Discard
	}
	if s.Stderr == nil {
		s.Stderr = io.Discard
	}
	s.bar = NewProgressBar(s.Stderr, func() int { w, _ := s.size(); return w })
}

// Interact runs the prompt loop until .quit or Ctrl-D on an empty line.
// Ctrl-C clears the line being typed, or cancels the running statement.
func (s *Shell) Interact(ctx context.Context) error {
	s.init()
	defer s.closeOutput()
	// Ctrl-C while a completion list is shown: readline would only close
	// the list and keep the text, which the next line then continued
	// (the old text glued onto the next statement). Close the list here
	// and let readline treat the key as an interrupt: the line is
	// cleared, as Ctrl-C does everywhere else. The filter runs on
	// readline's input goroutine, as the completer does.
	var inst atomic.Pointer[readline.Instance]
	filter := func(r rune) (rune, bool) {
		if rl := inst.Load(); r == readline.CharInterrupt && rl != nil && rl.Operation.IsInCompleteMode() {
			rl.Operation.ExitCompleteMode(true)
		}
		return r, true
	}
	rl, err := readline.NewEx(&readline.Config{
		FuncFilterInputRune:    filter,
		Prompt:                 Prompt,
		HistoryFile:            s.HistoryFile,
		HistoryLimit:           1000,
		DisableAutoSaveHistory: true,
		AutoComplete:           readlineCompleter{c: &Completer{Catalog: shellCatalog{s}}, pending: s.pendingText},
		InterruptPrompt:        "^C",
		Stdin:                  s.Stdin,
		Stdout:                 s.Stdout,
		Stderr:                 s.Stderr,
	})
	if err != nil {
		return err
	}
	inst.Store(rl)
	defer rl.Close()
	if names := s.DB.CollectionNames(); len(names) > 0 {
		fmt.Fprintf(s.Stdout, "%s: collections %s\n", s.Path, strings.Join(names, ", "))
	} else {
		fmt.Fprintf(s.Stdout, "%s: no collections yet\n", s.Path)
	}
	fmt.Fprintln(s.Stdout, `Enter ".help" for usage hints; statements end with ";".`)
	for {
		line, err := rl.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			s.pending = nil
			rl.SetPrompt(Prompt)
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		if len(s.pending) == 0 && strings.HasPrefix(line, ".") {
			rl.SaveHistory(line)
			if s.Dot(ctx, line) {
				return nil
			}
			continue
		}
		s.pending = append(s.pending, line)
		src := strings.Join(s.pending, "\n")
		if blank(src) && len(s.pending) == 1 {
			s.pending = nil
			continue
		}
		if !Complete(src) {
			rl.SetPrompt(ContinuationPrompt)
			continue
		}
		rl.SaveHistory(HistoryEntry(s.pending))
		s.pending = nil
		rl.SetPrompt(Prompt)
		s.Run(ctx, src)
	}
}

// pendingText is the statement typed so far, each line ending in "\n".
func (s *Shell) pendingText() string {
	if len(s.pending) == 0 {
		return ""
	}
	return strings.Join(s.pending, "\n") + "\n"
}

// HistoryEntry joins the lines of one statement into one history entry:
// each line trimmed, blank lines dropped, joined by spaces.
func HistoryEntry(lines []string) string {
	var parts []string
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}

// Run runs the statements of src against the shell's database, rendering
// results on the output (Stdout or the .output file) and errors on
// Stderr. An interrupt (Ctrl-C) cancels the running statement through its
// context; the database keeps its state from before it. A byte order
// mark at the start of src (a file for .read) is skipped. It reports
// whether every statement succeeded.
func (s *Shell) Run(ctx context.Context, src string) bool {
	s.init()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sig:
			cancel()
		case <-done:
		}
	}()
	out, errOut := s.output(), s.errOut()
	if s.Progress {
		runCtx = db.WithProgress(runCtx, s.bar.Update)
		out, errOut = s.bar.Guard(out), s.bar.Guard(errOut)
		defer s.bar.Clear()
	} else {
		runCtx = db.WithProgress(runCtx, ProgressNotes(errOut))
	}
	cfg := s.Config
	cfg.Params = s.bindings()
	isProject := false
	cfg.OnResult = func(r db.Result) {
		if r.Columns != nil {
			s.last, s.lastIsProject = &r, isProject
		}
	}
	ok := true
	src = trimBOM(src)
script:
	for _, p := range parts(src) {
		if p.Dot != "" {
			if !s.scriptDot(runCtx, p, errOut) {
				ok = false
				if cfg.Bail {
					break
				}
			}
			cfg.Params = s.bindings()
			continue
		}
		for _, st := range p.chunks() {
			if runCtx.Err() != nil {
				ok = false
				break script
			}
			isProject = firstWordIs(st.Text, "PROJECT")
			if !Execute(runCtx, s.DB, src, st, out, errOut, cfg) {
				ok = false
				if cfg.Bail {
					break script
				}
			}
		}
	}
	if runCtx.Err() != nil && ctx.Err() == nil {
		fmt.Fprintln(errOut, "Interrupted.")
	}
	return ok
}

// firstWordIs reports whether a statement starts with word (after blanks
// and comments).
func firstWordIs(text, word string) bool {
	toks := words(query.Tokens(text))
	return len(toks) > 0 && toks[0].is(word)
}

// output is where results go: the .output file, else Stdout (coloured
// when Color is set).
func (s *Shell) output() io.Writer {
	if s.outFile != nil {
		return s.outFile
	}
	if s.colorOn() {
		switch s.Config.mode() {
		case "box", "table":
			return &dimBoxWriter{w: s.Stdout}
		}
	}
	return s.Stdout
}

func (s *Shell) errOut() io.Writer {
	if s.Color && os.Getenv("NO_COLOR") == "" {
		return redErrorWriter{s.Stderr}
	}
	return s.Stderr
}

// colorOn reports whether results are coloured now.
func (s *Shell) colorOn() bool {
	return s.Color && s.outFile == nil && os.Getenv("NO_COLOR") == ""
}

func (s *Shell) closeOutput() {
	if s.outFile != nil {
		s.outFile.Close()
		s.outFile = nil
	}
}

// size returns the terminal's columns and rows (80×24 when unknown).
func (s *Shell) size() (int, int) {
	for _, w := range []any{s.Stdout, s.Stderr} {
		if f, ok := w.(*os.File); ok {
			if c, r, err := term.GetSize(int(f.Fd())); err == nil && c > 0 {
				return c, r
			}
		}
	}
	return 80, 24
}

// shellCatalog completes against the shell's current database.
type shellCatalog struct{ s *Shell }

func (c shellCatalog) cat() Catalog { return DBCatalog(c.s.DB) }

func (c shellCatalog) CollectionNames() []string       { return c.cat().CollectionNames() }
func (c shellCatalog) FieldNames(name string) []string { return c.cat().FieldNames(name) }
func (c shellCatalog) KeysWithPrefix(name, prefix string, limit int) []string {
	return c.cat().KeysWithPrefix(name, prefix, limit)
}
