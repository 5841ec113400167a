// Command vecdb is the command-line client of vecdb (SPEC §6):
//
//	vecdb [flags] [FILE] [STATEMENTS]
//
// With STATEMENTS it runs them and exits; with statements on a pipe it runs
// those. Errors go to stderr, each starting with "Error:", and make the exit
// status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/vecdb/vecdb/db"
	_ "github.com/vecdb/vecdb/format/fetch"   // IMPORT … FROM CATALOG
	_ "github.com/vecdb/vecdb/format/parquet" // IMPORT and EXPORT of .parquet files
	"github.com/vecdb/vecdb/internal/demo"
	_ "github.com/vecdb/vecdb/plotfile" // PROJECT … TO 'x.png' and 'x.svg'
	"github.com/vecdb/vecdb/repl"
	"golang.org/x/term"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// defaultDatabase returns the path of the database opened when no FILE is
// given: the bundled demo database, built in the user's cache directory on
// first use (progress through ctx's db.WithProgress).
func defaultDatabase(ctx context.Context) (string, error) {
	return demo.Ensure(ctx)
}

const usage = `usage: vecdb [flags] [FILE] [STATEMENTS]

Runs STATEMENTS (separated by ';') against the database FILE and exits, or
runs the statements read from standard input when it is not a terminal, or
starts the interactive shell on a terminal. Without FILE it opens the demo
database (built in the user's cache directory on first use).

Flags:
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vecdb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "", "output mode: "+strings.Join(repl.Modes, "|")+" (default box on a terminal, list otherwise)")
	readonly := fs.Bool("readonly", false, "open the database read-only")
	bail := fs.Bool("bail", false, "stop at the first error")
	timer := fs.Bool("timer", false, "print each statement's run time")
	header := fs.Bool("header", false, "print column headers")
	noheader := fs.Bool("noheader", false, "do not print column headers")
	sandbox := fs.String("sandbox", "", "file statements may only touch this directory")
	check := fs.Bool("check", false, "verify FILE (pages, key and row maps, checksums, vectors, index) and exit: status 0 when sound")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	cfg := repl.Config{Mode: *mode, Bail: *bail, Timer: *timer}
	if *header {
		cfg.Headers = 1
	}
	if *noheader {
		cfg.Headers = -1
	}
	outTerm := isTerminal(stdout)
	if cfg.Mode == "" {
		cfg.Mode = "list"
		if outTerm {
			cfg.Mode = "box"
		}
	}
	valid := false
	for _, m := range repl.Modes {
		valid = valid || m == cfg.Mode
	}
	if !valid {
		fmt.Fprintf(stderr, "Error: unknown mode %q (want %s)\n", cfg.Mode, strings.Join(repl.Modes, ", "))
		return 1
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// Progress bars only where a person watches stderr.
	var bar *repl.ProgressBar
	if isTerminal(stderr) {
		tty := stderr
		bar = repl.NewProgressBar(tty, func() int { return termWidth(tty) })
		ctx = db.WithProgress(ctx, bar.Update)
		stdout, stderr = bar.Guard(stdout), bar.Guard(stderr)
		defer bar.Clear()
	} else {
		// Piped: no bar, but the lines meant to stay (TRAIN's watched
		// pairs after every epoch) still reach stderr.
		ctx = db.WithProgress(ctx, repl.ProgressNotes(stderr))
	}

	rest := fs.Args()
	if *check {
		if len(rest) != 1 {
			fmt.Fprintln(stderr, "Error: -check takes exactly one FILE")
			return 1
		}
		rep, err := db.CheckFile(rest[0])
		if err != nil {
			fmt.Fprintf(stderr, "Error: check %s: %v\n", rest[0], err)
			return 1
		}
		fmt.Fprintln(stdout, rep.String())
		if !rep.OK() {
			fmt.Fprintf(stderr, "Error: %s: %d problems found\n", rest[0], len(rep.Problems()))
			return 1
		}
		return 0
	}
	var path string
	if len(rest) > 0 {
		path, rest = rest[0], rest[1:]
	} else {
		p, err := defaultDatabase(ctx)
		if bar != nil {
			bar.Clear()
		}
		if err != nil {
			fmt.Fprintf(stderr, "Error: %v\n", err)
			fs.Usage()
			return 1
		}
		path = p
	}
	d, err := db.Open(path, &db.Options{ReadOnly: *readonly, Sandbox: *sandbox})
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	defer func() { d.Close() }() // the shell's .open may replace d

	var script io.Reader
	switch {
	case len(rest) > 0:
		script = strings.NewReader(strings.Join(rest, " "))
	case !isTerminal(stdin):
		script = stdin
	default:
		// The shell handles Ctrl-C itself: it cancels one statement.
		stop()
		sh := &repl.Shell{DB: d, Path: path, Options: &db.Options{ReadOnly: *readonly, Sandbox: *sandbox},
			Config: cfg, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			HistoryFile: repl.DefaultHistoryFile(), Color: outTerm, Progress: bar != nil}
		err := sh.Interact(context.Background())
		d = sh.DB
		if err != nil {
			fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			return 1
		}
		return 0
	}
	if !repl.RunScript(ctx, d, script, stdout, stderr, cfg) {
		return 1
	}
	return 0
}

// termWidth returns f's terminal width in columns, or 0.
func termWidth(f any) int {
	if fd, ok := f.(interface{ Fd() uintptr }); ok {
		if w, _, err := term.GetSize(int(fd.Fd())); err == nil {
			return w
		}
	}
	return 0
}

// isTerminal reports whether f is an interactive terminal.
func isTerminal(f any) bool {
	fd, ok := f.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(fd.Fd()))
}
