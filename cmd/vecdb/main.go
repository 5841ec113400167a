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
	iofs "io/fs"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
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

const usage = `usage: vecdb [flags] [FILE] [flags] [STATEMENTS]

Runs STATEMENTS (separated by ';') against the database FILE and exits, or
runs the statements read from standard input when it is not a terminal, or
starts the interactive shell on a terminal. Without FILE it opens the demo
database (built in the user's cache directory on first use). Flags may come
before or after FILE, up to the first statement; "--" ends the flags.

Flags:
`

// cmdFlags collects the values of a repeatable flag (-cmd).
type cmdFlags []string

func (c *cmdFlags) String() string     { return strings.Join(*c, "; ") }
func (c *cmdFlags) Set(v string) error { *c = append(*c, v); return nil }

// parseArgs parses args as sqlite3 and duckdb do: flags anywhere before
// the statements. It returns FILE (when given) and the statements, each an
// argument as typed. The first argument that is not a flag is FILE, the
// next one starts the statements; "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) (pos []string, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		ended := len(args) > len(rest) && args[len(args)-len(rest)-1] == "--"
		if ended || len(pos) == 1 {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// version is what -version prints: the module's version from the build
// information (a tag, or a pseudo-version that names the commit), or for a
// development build "(devel)" with the commit when the build recorded it.
func version(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "vecdb (unknown version)"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "(devel)"
		var rev, modified string
		for _, kv := range info.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				modified = kv.Value
			}
		}
		if rev != "" {
			v += " " + rev[:min(len(rev), 12)]
			if modified == "true" {
				v += "+dirty"
			}
		}
	}
	return fmt.Sprintf("vecdb %s (%s)", v, info.GoVersion)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vecdb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "", "output mode: "+strings.Join(repl.Modes, "|")+" (default box on a terminal, list otherwise)")
	readonly := fs.Bool("readonly", false, "open the database read-only")
	bail := fs.Bool("bail", false, "stop at the first error")
	timer := fs.Bool("timer", false, "print each statement's run time")
	header := fs.Bool("header", false, "print column headers")
	noheader := fs.Bool("noheader", false, "do not print column headers")
	sandbox := fs.String("sandbox", "", "file statements and dot-commands may only touch this directory (it must exist)")
	check := fs.Bool("check", false, "verify FILE (pages, key and row maps, checksums, vectors, index) and exit: status 0 when sound")
	showVersion := fs.Bool("version", false, "print the version and exit")
	var maxMem memFlag
	fs.Var(&maxMem, "max-memory", "the memory one statement may plan to use (TRAIN, PROJECT, IMPORT of a fastText model), as `SIZE` with K, M, G or T (powers of 1024); 0 means no limit (default 4G)")
	var cmds cmdFlags
	fs.Var(&cmds, "cmd", "run `STATEMENT` (or a dot-command) before the shell or the statements; repeatable")
	fs.Usage = func() {} // printed below, on stdout for -help
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	rest, err := parseArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return 0
		}
		printUsage(stderr)
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, version(debug.ReadBuildInfo()))
		return 0
	}
	if *sandbox != "" {
		fi, err := os.Stat(*sandbox)
		switch {
		case errors.Is(err, iofs.ErrNotExist):
			fmt.Fprintf(stderr, "Error: -sandbox %s: no such directory\n", *sandbox)
			return 1
		case err != nil:
			fmt.Fprintf(stderr, "Error: -sandbox %s: %v\n", *sandbox, err)
			return 1
		case !fi.IsDir():
			fmt.Fprintf(stderr, "Error: -sandbox %s: not a directory\n", *sandbox)
			return 1
		}
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
			printUsage(stderr)
			return 1
		}
		path = p
	}
	opts := &db.Options{ReadOnly: *readonly, Sandbox: *sandbox}
	if maxMem.set {
		opts.Limits.MaxMemory = maxMem.limit()
	}
	d, err := db.Open(path, opts)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	sh := &repl.Shell{DB: d, Path: path, Options: opts, Config: cfg, Stdout: stdout, Stderr: stderr}
	defer func() { sh.DB.Close() }() // .open may replace the database

	interactive := len(rest) == 0 && isTerminal(stdin)
	cmdCtx := ctx
	if interactive {
		// The shell handles Ctrl-C itself: it cancels one statement.
		stop()
		cmdCtx = context.Background()
		sh.Stdin, sh.Stdout, sh.Stderr = os.Stdin, os.Stdout, os.Stderr
		sh.HistoryFile, sh.Color, sh.Progress = repl.DefaultHistoryFile(), outTerm, bar != nil
	}
	ok := true
	for _, c := range cmds {
		cok, quit := sh.Command(cmdCtx, c)
		ok = ok && cok
		switch {
		case !cok && cfg.Bail:
			return 1
		case quit && ok:
			return 0
		case quit:
			return 1
		}
	}
	if interactive {
		if err := sh.Interact(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			return 1
		}
		return 0
	}
	script := stdin
	if len(rest) > 0 {
		script = strings.NewReader(strings.Join(rest, " "))
	}
	if !sh.RunScript(ctx, script) || !ok {
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

// memFlag is -max-memory: a size in bytes with an optional K, M, G or T
// suffix (powers of 1024); 0 means no limit.
type memFlag struct {
	bytes int64
	set   bool
}

func (m *memFlag) String() string {
	if m == nil || !m.set {
		return ""
	}
	return strconv.FormatInt(m.bytes, 10)
}

func (m *memFlag) Set(v string) error {
	num, mult := strings.ToUpper(strings.TrimSpace(v)), int64(1)
	for i, suf := range []string{"K", "M", "G", "T"} {
		if t, ok := strings.CutSuffix(strings.TrimSuffix(num, "B"), suf); ok {
			num, mult = t, int64(1)<<(10*(i+1))
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return fmt.Errorf("%q is not a size (a whole number, with K, M, G or T)", v)
	}
	m.bytes, m.set = n*mult, true
	return nil
}

// limit is the value for Limits.MaxMemory: negative for no limit.
func (m *memFlag) limit() int64 {
	if m.bytes == 0 {
		return -1
	}
	return m.bytes
}
