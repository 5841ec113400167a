package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
)

// command is one dot-command. The table drives dispatch, .help, usage
// errors, "did you mean" and completion.
type command struct {
	name     string // with its dot: ".mode"
	args     string // usage of the arguments, "" when none
	help     string
	min, max int // number of arguments
	run      func(s *Shell, ctx context.Context, args []string) error
	complete func(cat Catalog, typed string) []string // the last argument; nil when none
}

// commands is the dot-command table, in .help order.
var commands []command

func init() {
	onOff := func(Catalog, string) []string { return []string{"on", "off"} }
	files := func(_ Catalog, typed string) []string { return completeFiles(typed) }
	colls := func(cat Catalog, _ string) []string { return cat.CollectionNames() }
	commands = []command{
		{name: ".help", help: "show this help", run: (*Shell).dotHelp},
		{name: ".quit", help: "exit the shell", run: (*Shell).dotQuit},
		{name: ".exit", help: "exit the shell", run: (*Shell).dotQuit},
		{name: ".open", args: "FILE", help: "close this database and open FILE", min: 1, max: 1, run: (*Shell).dotOpen, complete: files},
		{name: ".collections", help: "list the collections", run: (*Shell).dotCollections},
		{name: ".tables", help: "list the collection names (sqlite3's spelling)", run: (*Shell).dotTables},
		{name: ".describe", args: "COLLECTION", help: "show a collection's dimension, metric, fields and index", min: 1, max: 1, run: (*Shell).dotDescribe, complete: colls},
		{name: ".schema", args: "[COLLECTION]", help: "show the statements that create a collection (all without one) and its index", max: 1, run: (*Shell).dotSchema, complete: colls},
		{name: ".mode", args: "MODE", help: "output mode: " + strings.Join(Modes, ", "), max: 1, run: (*Shell).dotMode,
			complete: func(Catalog, string) []string { return Modes }},
		{name: ".headers", args: "on|off", help: "show column headers", min: 1, max: 1, run: (*Shell).dotHeaders, complete: onOff},
		{name: ".timer", args: "on|off", help: "print each statement's run time", min: 1, max: 1, run: (*Shell).dotTimer, complete: onOff},
		{name: ".read", args: "FILE", help: "run the statements in FILE", min: 1, max: 1, run: (*Shell).dotRead, complete: files},
		{name: ".output", args: "[FILE]", help: "write results to FILE, or back to the terminal without one", max: 1, run: (*Shell).dotOutput, complete: files},
		{name: ".maxrows", args: "N", help: "show at most N rows of a result (0: all)", min: 1, max: 1, run: (*Shell).dotMaxRows},
		{name: ".bail", args: "on|off", help: "stop a .read script at its first error", min: 1, max: 1, run: (*Shell).dotBail, complete: onOff},
		{name: ".plot", help: "draw the last PROJECT result in the terminal", run: (*Shell).dotPlot},
		{name: ".parameter", args: "set NAME VALUE|unset NAME|list|clear", help: "values for the placeholders :name, ?N, $N of the statements", min: 1, max: maxParamArgs,
			run: (*Shell).dotParameter, complete: func(Catalog, string) []string { return []string{"set", "unset", "list", "clear"} }},
	}
}

// lookupCommand returns the command of that name, or nil.
func lookupCommand(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func (c *command) usage() string {
	if c.args == "" {
		return c.name
	}
	return c.name + " " + c.args
}

// errQuit is returned by .quit and .exit.
var errQuit = errors.New("quit")

// errReported is returned by a dot-command that failed and has printed
// its errors already (those that run statements).
var errReported = errors.New("reported")

// ran is the error of a dot-command that ran statements with Run.
func ran(ok bool) error {
	if !ok {
		return errReported
	}
	return nil
}

// Dot runs one dot-command line. Errors are printed on the shell's error
// stream; it reports whether the shell should exit.
func (s *Shell) Dot(ctx context.Context, line string) (quit bool) {
	quit, _ = s.dot(ctx, line)
	return quit
}

// Command runs text as the command line's -cmd does, before the shell or
// the script: a dot-command when it starts with '.', else statements. It
// reports whether it succeeded and whether it asked to quit.
func (s *Shell) Command(ctx context.Context, text string) (ok, quit bool) {
	s.init()
	if t := strings.TrimSpace(text); strings.HasPrefix(t, ".") {
		quit, ok = s.dot(ctx, t)
		return ok, quit
	}
	return s.Run(ctx, text), false
}

// dot is Dot, also reporting whether the command succeeded.
func (s *Shell) dot(ctx context.Context, line string) (quit, ok bool) {
	s.init()
	args := splitArgs(line)
	if len(args) == 0 {
		return false, true
	}
	cmd := lookupCommand(args[0])
	if cmd == nil {
		names := make([]string, len(commands))
		for i, c := range commands {
			names[i] = c.name
		}
		msg := fmt.Sprintf("Error: unknown command %s", args[0])
		if sug := query.Suggest(args[0], names); sug != "" {
			msg += fmt.Sprintf("; did you mean %s?", sug)
		}
		fmt.Fprintln(s.errOut(), msg+" (.help lists the commands)")
		return false, false
	}
	args = args[1:]
	if len(args) < cmd.min || len(args) > cmd.max {
		fmt.Fprintf(s.errOut(), "Error: usage: %s\n", cmd.usage())
		return false, false
	}
	s.dotLine = line
	err := cmd.run(s, ctx, args)
	if errors.Is(err, errQuit) {
		return true, true
	}
	if err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintf(s.errOut(), "Error: %v\n", err)
		}
		return false, false
	}
	return false, true
}

// splitArgs splits a dot-command line at white space; an argument may be
// quoted with ' or " to hold spaces.
func splitArgs(line string) []string {
	var out []string
	var cur strings.Builder
	in := false
	var q rune
	quoted := false
	for _, r := range line {
		switch {
		case in && r == q:
			in = false
		case in:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			in, q, quoted = true, r, true
		case r == ' ' || r == '\t':
			if cur.Len() > 0 || quoted {
				out = append(out, cur.String())
				cur.Reset()
				quoted = false
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 || quoted {
		out = append(out, cur.String())
	}
	return out
}

func (s *Shell) dotHelp(_ context.Context, _ []string) error {
	width := 0
	for _, c := range commands {
		width = max(width, len(c.usage()))
	}
	w := s.output()
	for _, c := range commands {
		fmt.Fprintf(w, "%-*s  %s\n", width, c.usage(), c.help)
	}
	fmt.Fprintln(w, "Statements end with ';' and may span lines. Tab completes; Ctrl-C cancels; Ctrl-D exits.")
	return nil
}

func (s *Shell) dotQuit(context.Context, []string) error { return errQuit }

func (s *Shell) dotOpen(_ context.Context, args []string) error {
	opts := db.Options{}
	if s.Options != nil {
		opts = *s.Options
	}
	opts.SandboxFile = opts.Sandbox != ""
	d, err := db.Open(args[0], &opts)
	if err != nil {
		return err
	}
	if s.DB != nil {
		s.DB.Close()
	}
	s.DB, s.Path, s.last = d, args[0], nil
	return nil
}

func (s *Shell) dotCollections(ctx context.Context, _ []string) error {
	return ran(s.Run(ctx, "SHOW COLLECTIONS;"))
}

func (s *Shell) dotDescribe(ctx context.Context, args []string) error {
	return ran(s.Run(ctx, "DESCRIBE "+query.QuoteIdent(args[0])+";"))
}

// dotTables is sqlite3's .tables: the collection names in columns across
// the terminal, sorted.
func (s *Shell) dotTables(_ context.Context, _ []string) error {
	names := s.DB.CollectionNames()
	if len(names) == 0 {
		return nil
	}
	width := 0
	for _, n := range names {
		width = max(width, runewidth.StringWidth(n))
	}
	termWidth, _ := s.size()
	perLine := max(1, (termWidth+2)/(width+2))
	w := s.output()
	for i, n := range names {
		switch {
		case i%perLine == perLine-1 || i == len(names)-1:
			fmt.Fprintln(w, n)
		default:
			fmt.Fprint(w, n+strings.Repeat(" ", width+2-runewidth.StringWidth(n)))
		}
	}
	return nil
}

// dotSchema is sqlite3's .schema: for the named collection (every
// collection without a name), the CREATE COLLECTION statement that makes
// one like it, and its CREATE INDEX when it has an index. The text runs
// as it is.
func (s *Shell) dotSchema(_ context.Context, args []string) error {
	var infos []db.Info
	if len(args) == 1 {
		c, err := s.DB.Collection(args[0])
		if err != nil {
			return err
		}
		in, err := c.Info()
		if err != nil {
			return err
		}
		infos = append(infos, in)
	} else {
		all, err := s.DB.Collections()
		if err != nil {
			return err
		}
		infos = all
	}
	w := s.output()
	for _, in := range infos {
		fmt.Fprintln(w, SchemaOf(in))
	}
	return nil
}

// SchemaOf returns the statements that create a collection with in's
// name, dimension, metric, fields and index (without rows), each ending
// in ";", one per line.
func SchemaOf(in db.Info) string {
	cc := &query.CreateCollection{Name: in.Name, Dim: in.Dim, Metric: in.Metric.String()}
	for _, f := range in.Fields {
		cc.Fields = append(cc.Fields, query.FieldDef{Name: f.Name, Type: f.Type.String()})
	}
	text := cc.String() + ";"
	if ix := in.Index; ix != nil {
		text += fmt.Sprintf("\nCREATE INDEX ON %s USING %s WITH (m = %d, ef_construction = %d, ef_search = %d);",
			query.QuoteIdent(in.Name), ix.Kind, ix.M, ix.EfConstruction, ix.EfSearch)
	}
	return text
}

func (s *Shell) dotMode(_ context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(s.output(), "current output mode: %s\n", s.Config.mode())
		return nil
	}
	m := strings.ToLower(args[0])
	for _, v := range Modes {
		if v == m {
			s.Config.Mode = m
			return nil
		}
	}
	msg := fmt.Sprintf("unknown mode %s (want %s)", args[0], strings.Join(Modes, ", "))
	if sug := query.Suggest(m, Modes); sug != "" {
		msg += fmt.Sprintf("; did you mean %s?", sug)
	}
	return errors.New(msg)
}

// onOff parses a switch argument.
func onOff(cmd, arg string) (bool, error) {
	switch strings.ToLower(arg) {
	case "on", "yes", "true", "1":
		return true, nil
	case "off", "no", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("usage: %s on|off", cmd)
}

func (s *Shell) dotHeaders(_ context.Context, args []string) error {
	on, err := onOff(".headers", args[0])
	if err != nil {
		return err
	}
	s.Config.Headers = -1
	if on {
		s.Config.Headers = 1
	}
	return nil
}

func (s *Shell) dotTimer(_ context.Context, args []string) error {
	on, err := onOff(".timer", args[0])
	s.Config.Timer = on && err == nil
	return err
}

func (s *Shell) dotBail(_ context.Context, args []string) error {
	on, err := onOff(".bail", args[0])
	s.Config.Bail = on && err == nil
	return err
}

func (s *Shell) dotMaxRows(_ context.Context, args []string) error {
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 {
		return errors.New("usage: .maxrows N (a number of rows, 0 for all)")
	}
	s.Config.MaxRows = n
	return nil
}

func (s *Shell) dotRead(ctx context.Context, args []string) error {
	var data []byte
	f, err := s.DB.OpenInput(args[0])
	if err == nil {
		data, err = io.ReadAll(f)
		f.Close()
	}
	if err != nil {
		return err
	}
	return ran(s.Run(ctx, string(data)))
}

func (s *Shell) dotOutput(_ context.Context, args []string) error {
	if s.outFile != nil {
		err := s.outFile.Close()
		s.outFile = nil
		if err != nil {
			return err
		}
	}
	if len(args) == 0 {
		return nil
	}
	f, err := s.DB.OpenOutput(args[0])
	if err != nil {
		return err
	}
	s.outFile = f
	return nil
}

func (s *Shell) dotPlot(_ context.Context, _ []string) error {
	p, err := s.lastProjection()
	if err != nil {
		return err
	}
	width, height := s.size()
	return p.Terminal(s.output(), width, max(height-2, 10), s.colorOn())
}

// lastProjection rebuilds the last PROJECT result as a db.Projection.
func (s *Shell) lastProjection() (*db.Projection, error) {
	if s.last == nil {
		return nil, errors.New("no projection to plot: run PROJECT ('a', 'b', ...) FROM c USING PCA first")
	}
	res := s.last
	col := map[string]int{}
	for i, c := range res.Columns {
		col[c] = i
	}
	xi, okx := col["x"]
	yi, oky := col["y"]
	ki, okk := col["key"]
	if !s.lastIsProject || !okx || !oky || !okk {
		if _, ok := col["projection"]; s.lastIsProject && ok {
			return nil, errors.New("the last result is a projection onto an axis; .plot draws PROJECT ... USING PCA or TSNE")
		}
		return nil, errors.New("the last result is not a projection: run PROJECT ('a', 'b', ...) FROM c USING PCA first")
	}
	gi, okg := col["group"]
	p := &db.Projection{Method: "PCA"}
	for _, r := range res.Rows {
		k, _ := r[ki].(string)
		x, _ := r[xi].(float64)
		y, _ := r[yi].(float64)
		p.Keys = append(p.Keys, k)
		p.Coords = append(p.Coords, []float64{x, y})
		if okg {
			g, _ := r[gi].(string)
			p.Groups = append(p.Groups, g)
		}
	}
	return p, nil
}
