package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/storage"
)

// The binary is built once per test run, with the build cache of the
// environment the tests started in, and shared by the tests that run it.
// TestDemoDefault sets HOME and XDG_CACHE_HOME, and its build, which used
// to come first, then compiled everything, the standard library included,
// into an empty cache: 203 s of the package's 218 s on a busy machine, a
// third of go test's 10-minute limit.
var built struct {
	once    sync.Once
	gocache string // the starting environment's GOCACHE
	dir     string
	bin     string
	err     error
}

func TestMain(m *testing.M) {
	if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
		built.gocache = strings.TrimSpace(string(out))
	}
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildBinary builds vecdb into a temporary directory, once, and returns
// its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "vecdb-test-bin")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "vecdb")
		cmd := exec.Command("go", "build", "-o", built.bin, ".")
		if built.gocache != "" {
			cmd.Env = append(os.Environ(), "GOCACHE="+built.gocache)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, stderr.String())
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

type outcome struct {
	stdout, stderr string
	code           int
}

func runBin(t *testing.T, bin, stdin string, args ...string) outcome {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return outcome{out.String(), errb.String(), code}
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dbf := filepath.Join(t.TempDir(), "t.vdb")
	setup := `CREATE COLLECTION songs (DIM 2, title TEXT);
INSERT INTO songs (key, vector, title) VALUES ('a', [1, 0], 'Heroes'), ('b', [0.9, 0.1], '東京'), ('c', [0, 1], NULL);`

	cases := []struct {
		name   string
		stdin  string
		args   []string
		stdout string
		stderr string // substring
		code   int
	}{
		{name: "statements as an argument", args: []string{dbf, setup},
			stdout: "created collection songs\ninserted 3 rows into songs\n"},
		{name: "list mode when piped", args: []string{dbf, "SELECT NEAREST 2 TO 'a' FROM songs"},
			stdout: "1|b|0.9939|東京\n2|c|0.0000|\n"},
		{name: "header", args: []string{"-header", dbf, "SELECT key FROM songs LIMIT 1"},
			stdout: "key\na\n"},
		{name: "csv", args: []string{"-mode", "csv", "-header", dbf, "SELECT key, title FROM songs"},
			stdout: "key,title\na,Heroes\nb,東京\nc,\n"},
		{name: "json one array per statement", args: []string{"-mode", "json", dbf, "SELECT key FROM songs LIMIT 1; SELECT title FROM songs LIMIT 1"},
			stdout: "[\n{\"key\":\"a\"}\n]\n[\n{\"title\":\"Heroes\"}\n]\n"},
		{name: "box", args: []string{"-mode", "box", dbf, "SELECT key, title FROM songs WHERE key = 'b'"},
			stdout: "┌─────┬───────┐\n│ key │ title │\n├─────┼───────┤\n│ b   │ 東京  │\n└─────┴───────┘\n"},
		{name: "stdin", stdin: "SELECT key FROM songs LIMIT 1;\nSELECT key FROM songs LIMIT 1 OFFSET 2;\n", args: []string{dbf},
			stdout: "a\nc\n"},
		{name: "error with caret, continues, exit 1", stdin: "SELECT key FROM songs LIMIT 1;\nSELECT NEAREST 1 TO 'A' FROM songs;\nSELECT key FROM songs LIMIT 1 OFFSET 1;\n", args: []string{dbf},
			stdout: "a\nb\n", stderr: "Error: 2:21: 'A' is not in songs; did you mean 'a'?\n  SELECT NEAREST 1 TO 'A' FROM songs;\n                      ^\n", code: 1},
		{name: "bail stops", stdin: "SELECT NEAREST 1 TO 'zz' FROM songs;\nSELECT key FROM songs LIMIT 1;\n", args: []string{"-bail", dbf},
			stdout: "", stderr: "Error: 1:21:", code: 1},
		{name: "readonly refuses writes", args: []string{"-readonly", dbf, "DELETE FROM songs"},
			stderr: "Error: ", code: 1},
		{name: "readonly reads", args: []string{"-readonly", dbf, "SELECT key FROM songs LIMIT 1"},
			stdout: "a\n"},
		{name: "unknown mode", args: []string{"-mode", "xml", dbf, "SHOW COLLECTIONS"},
			stderr: "Error: unknown mode \"xml\"", code: 1},
		{name: "timer", args: []string{"-timer", dbf, "SELECT key FROM songs LIMIT 1"},
			stdout: "a\n", stderr: "Run Time: "},
		{name: "noheader in box", args: []string{"-mode", "table", "-noheader", dbf, "SELECT key FROM songs LIMIT 1"},
			stdout: "+---+\n| a |\n+---+\n"},
		{name: "parameters in a piped script", stdin: ".parameter set :k 'a'\n.parameter set ?1 1\nSELECT NEAREST ?1 TO :k FROM songs;\n", args: []string{dbf},
			stdout: "1|b|0.9939|東京\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := runBin(t, bin, c.stdin, c.args...)
			if o.code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", o.code, c.code, o.stderr)
			}
			if c.stdout != "" || c.code == 0 {
				if o.stdout != c.stdout {
					t.Errorf("stdout:\n%q\nwant:\n%q", o.stdout, c.stdout)
				}
			}
			if c.stderr != "" && !strings.Contains(o.stderr, c.stderr) {
				t.Errorf("stderr:\n%s\nwant it to contain:\n%s", o.stderr, c.stderr)
			}
			if c.stderr == "" && o.stderr != "" {
				t.Errorf("unexpected stderr: %s", o.stderr)
			}
		})
	}
}

func TestCheckFlag(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.vdb")
	var out, errOut bytes.Buffer
	// METRIC L2: the file holds the vector as given (in its vector block),
	// where a COSINE collection holds it at unit length.
	if code := run([]string{path, "CREATE COLLECTION c (DIM 2, METRIC L2); INSERT INTO c (key, vector) VALUES ('a', [1, 2]);"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("setup: %d %s", code, errOut.String())
	}
	out.Reset()
	if code := run([]string{"-check", path}, strings.NewReader(""), &out, &errOut); code != 0 || !strings.Contains(out.String(), "ok") {
		t.Fatalf("-check on a sound file: %d %q %q", code, out.String(), errOut.String())
	}
	// A load abandoned by a crash leaves an orphan data bucket: expected,
	// so a note and status 0; the next writable open removes it.
	st, err := storage.Open(path, &storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.NewLoader(&storage.CollectionMeta{Name: "c", Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	l.Add(&storage.Row{Key: "x", Vector: []float32{3, 4}})
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	st.Close() // neither Commit nor Abort: as after kill -9
	out.Reset()
	errOut.Reset()
	if code := run([]string{"-check", path}, strings.NewReader(""), &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "ok\nnote: orphan data bucket") ||
		!strings.Contains(out.String(), "the next writable open removes it") || errOut.Len() != 0 {
		t.Fatalf("-check with an orphan bucket: %d %q %q", code, out.String(), errOut.String())
	}
	// Damage the vector: flip a bit inside the value area of the file.
	b, _ := os.ReadFile(path)
	i := bytes.Index(b, []byte{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40}) // the vector [1, 2]
	if i < 0 {
		t.Fatal("vector bytes not found in the file")
	}
	b[i+3] ^= 0x01
	os.WriteFile(path, b, 0o644)
	errOut.Reset()
	if code := run([]string{"-check", path}, strings.NewReader(""), &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "problems found") {
		t.Fatalf("-check on a damaged file: %d %q", code, errOut.String())
	}
	if code := run([]string{"-check"}, strings.NewReader(""), &out, &errOut); code != 1 {
		t.Fatalf("-check without FILE: %d", code)
	}
}

// TestProjectToFile checks that the binary links the plot writers (its
// blank import of plotfile): PROJECT … TO writes a PNG and an SVG.
func TestProjectToFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.vdb")
	png, svg := filepath.Join(dir, "p.png"), filepath.Join(dir, "p.svg")
	stmts := "CREATE COLLECTION c (DIM 3); INSERT INTO c (key, vector) VALUES ('a', [1, 0, 0]), ('b', [0, 1, 0]), ('c', [0, 0, 1]);" +
		"PROJECT ('a', 'b', 'c') FROM c USING PCA WITH (width = 300, height = 200) TO '" + png + "';" +
		"PROJECT ('a', 'b') FROM c ONTO 'a' - 'c' TO '" + svg + "';"
	var out, errOut bytes.Buffer
	if code := run([]string{path, stmts}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil || format != "png" || cfg.Width != 300 || cfg.Height != 200 {
		t.Errorf("PNG: %s %dx%d, %v", format, cfg.Width, cfg.Height, err)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.HasPrefix(b, []byte("<?xml")) || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("SVG: %v %.60q", err, b)
	}
}

// TestWatchPiped: with stderr piped (no terminal, no progress bar), TRAIN's
// watched pairs still reach stderr after every epoch, one line each, in
// order.
func TestWatchPiped(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "c.txt")
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "w%d w%d w%d w%d w%d\n", i%7, (i+1)%7, (i+3)%7, i%5, (i+2)%9)
	}
	if err := os.WriteFile(corpus, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	stmt := "TRAIN c FROM '" + corpus + "' WITH (dim = 8, min_count = 1, epochs = 3, threads = 1, watch = 'w1:w2')"
	if code := run([]string{filepath.Join(dir, "w.vdb"), stmt}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("stderr has %d lines, want 3 watch reports:\n%s", len(lines), errOut.String())
	}
	for i, l := range lines {
		if want := fmt.Sprintf("epoch %d/3: w1:w2 ", i+1); !strings.HasPrefix(l, want) {
			t.Errorf("line %d = %q, want %q…", i+1, l, want)
		}
	}
}

// TestHelpAndVersion: -help prints the usage on stdout with status 0 (and
// the flags, -cmd and -version among them); -version prints the build's
// version and exits 0 without opening anything.
func TestHelpAndVersion(t *testing.T) {
	for _, arg := range []string{"-help", "-h", "--help"} {
		var out, errOut bytes.Buffer
		code := run([]string{arg}, strings.NewReader(""), &out, &errOut)
		if code != 0 || errOut.Len() != 0 || !strings.HasPrefix(out.String(), "usage: vecdb [flags] [FILE]") ||
			!strings.Contains(out.String(), "-cmd STATEMENT") || !strings.Contains(out.String(), "-version") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", arg, code, out.String(), errOut.String())
		}
	}
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run([]string{filepath.Join(dir, "x.vdb"), "-version"}, strings.NewReader(""), &out, &errOut)
	if code != 0 || !strings.HasPrefix(out.String(), "vecdb ") || errOut.Len() != 0 {
		t.Errorf("-version: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("-version created %v", ents)
	}
}

func TestVersionString(t *testing.T) {
	for _, c := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "vecdb v1.2.3 (go1.26.8)"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261129200000-abcdef123456"}}, "vecdb v0.0.0-20261129200000-abcdef123456 (go1.26.8)"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "vecdb (devel) (go1.26.8)"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "cc920b9c0d1244420f3e2ed9566a1e6a6c1bdf82"}, {Key: "vcs.modified", Value: "true"}}},
			"vecdb (devel) cc920b9c0d12+dirty (go1.26.8)"},
	} {
		if got := version(c.info, true); got != c.want {
			t.Errorf("version(%v) = %q, want %q", c.info.Main.Version, got, c.want)
		}
	}
	if got := version(nil, false); got != "vecdb (unknown version)" {
		t.Errorf("without build info: %q", got)
	}
}

// TestParseArgs: flags before and after FILE, up to the first statement;
// "--" ends them.
func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		pos  []string
		bail bool
		cmds int
	}{
		{[]string{"f.vdb", "-bail", "SELECT 1"}, []string{"f.vdb", "SELECT 1"}, true, 0},
		{[]string{"-bail", "f.vdb", "A;", "-cmd", "B"}, []string{"f.vdb", "A;", "-cmd", "B"}, true, 0},
		{[]string{"-cmd", "A", "f.vdb", "-cmd", "B", "C"}, []string{"f.vdb", "C"}, false, 2},
		{[]string{"f.vdb", "--", "-bail"}, []string{"f.vdb", "-bail"}, false, 0},
		{[]string{"--", "-f.vdb"}, []string{"-f.vdb"}, false, 0},
		{[]string{"-bail"}, nil, true, 0},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		bail := fs.Bool("bail", false, "")
		var cmds cmdFlags
		fs.Var(&cmds, "cmd", "")
		pos, err := parseArgs(fs, c.args)
		if err != nil || !slices.Equal(pos, c.pos) || *bail != c.bail || len(cmds) != c.cmds {
			t.Errorf("%q: %q bail=%v cmds=%q %v", c.args, pos, *bail, cmds, err)
		}
	}
}

// TestMaxMemoryFlag: -max-memory sets Limits.MaxMemory for the session: a
// TRAIN that fits the default is refused under 1K, and nothing is created;
// 0 lifts the limit; a size that is not one is a usage error (status 2).
func TestMaxMemoryFlag(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "c.txt")
	if err := os.WriteFile(corpus, []byte(strings.Repeat("a b c d e f g h\n", 50)), 0o644); err != nil {
		t.Fatal(err)
	}
	stmt := "TRAIN c FROM '" + corpus + "' WITH (dim = 100, min_count = 1, epochs = 1, threads = 1)"
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"-max-memory", "1K"}, 1},
		{[]string{"-max-memory", "0"}, 0},
		{[]string{"-max-memory", "64M"}, 0},
		{[]string{"-max-memory", "lots"}, 2},
		{[]string{"-max-memory", "-5"}, 2},
	} {
		path := filepath.Join(dir, strings.Join(c.args, "")+".vdb")
		var out, errOut bytes.Buffer
		code := run(append(append([]string{}, c.args...), path, stmt), strings.NewReader(""), &out, &errOut)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d; stderr %s", c.args, code, c.code, errOut.String())
			continue
		}
		if c.code == 1 {
			d, err := db.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if names, _ := d.Collections(); len(names) != 0 {
				t.Errorf("%v: refused TRAIN left collections %v", c.args, names)
			}
			d.Close()
		}
	}
}
