package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vecdb/vecdb/db"
)

// newTestShell returns a shell over a new database with a small
// collection, writing to buffers.
func newTestShell(t *testing.T) (*Shell, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.vdb")
	d, err := db.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var out, errb bytes.Buffer
	s := &Shell{DB: d, Path: path, Stdout: &out, Stderr: &errb}
	if !s.Run(context.Background(), `CREATE COLLECTION songs (DIM 2, title TEXT);
		INSERT INTO songs (key, vector, title) VALUES ('a', [1, 0], 'Heroes'), ('b', [0.6, 0.8], 'Low'), ('c', [0, 1], 'Lodger');`) {
		t.Fatalf("setup: %s", errb.String())
	}
	out.Reset()
	return s, &out, &errb
}

func TestDotCommands(t *testing.T) {
	ctx := context.Background()
	s, out, errb := newTestShell(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "q.vq")
	os.WriteFile(script, []byte("SELECT key FROM songs LIMIT 1;\nSELECT NEAREST 1 TO 'zz' FROM songs;\nSELECT key FROM songs LIMIT 1 OFFSET 2;\n"), 0o644)
	outFile := filepath.Join(dir, "out.txt")

	steps := []struct {
		line      string
		out, errs string // substrings; "" expects nothing
		quit      bool
	}{
		{line: ".help", out: ".mode MODE"},
		{line: ".collections", out: "songs"},
		{line: ".describe songs", out: "title"},
		{line: ".describe", errs: "Error: usage: .describe COLLECTION"},
		{line: ".mdoe json", errs: "Error: unknown command .mdoe; did you mean .mode?"},
		{line: ".mode", out: "current output mode: box"},
		{line: ".mode jsn", errs: "did you mean json?"},
		{line: ".mode csv"},
		{line: ".headers on"},
		{line: ".headers maybe", errs: "Error: usage: .headers on|off"},
		{line: ".maxrows 2"},
		{line: ".read " + script, out: "key\na\n", errs: "Error: 2:21: 'zz' is not in songs"},
		{line: ".maxrows x", errs: "Error: usage: .maxrows N"},
		{line: ".bail on"},
		{line: ".timer on"},
		{line: ".timer off"},
		{line: ".output " + outFile},
		{line: ".collections"},
		{line: ".output"},
		{line: ".plot", errs: "not a projection"},
		{line: ".open " + filepath.Join(dir, "other.vdb")},
		{line: ".collections", out: "name,dim,metric,rows,index\n"},
		{line: ".quit", quit: true},
		{line: ".exit", quit: true},
	}
	for _, st := range steps {
		out.Reset()
		errb.Reset()
		quit := s.Dot(ctx, st.line)
		if quit != st.quit {
			t.Errorf("%s: quit = %v", st.line, quit)
		}
		if st.out == "" && out.Len() > 0 && !strings.HasPrefix(st.line, ".collections") {
			t.Errorf("%s: unexpected output %q", st.line, out)
		}
		if !strings.Contains(out.String(), st.out) {
			t.Errorf("%s: output %q, want it to contain %q", st.line, out, st.out)
		}
		if st.errs == "" && errb.Len() > 0 || !strings.Contains(errb.String(), st.errs) {
			t.Errorf("%s: errors %q, want %q", st.line, errb, st.errs)
		}
	}
	b, _ := os.ReadFile(outFile)
	if string(b) != "name,dim,metric,rows,index\nsongs,2,COSINE,3,none\n" {
		t.Errorf(".output file holds %q", b)
	}
	if s.Config.Mode != "csv" || s.Config.Headers != 1 || s.Config.MaxRows != 2 || !s.Config.Bail || s.Config.Timer {
		t.Errorf("config %+v", s.Config)
	}
}

func TestDotPlot(t *testing.T) {
	ctx := context.Background()
	s, out, errb := newTestShell(t)
	s.Run(ctx, "PROJECT ('a', 'b', 'c') FROM songs USING PCA;")
	out.Reset()
	if s.Dot(ctx, ".plot"); errb.Len() > 0 {
		t.Fatal(errb.String())
	}
	for _, k := range []string{"a", "b", "c"} {
		if !strings.Contains(out.String(), k) {
			t.Errorf("plot lacks %s:\n%s", k, out)
		}
	}
	s.Run(ctx, "SELECT key FROM songs;")
	errb.Reset()
	s.Dot(ctx, ".plot")
	if !strings.Contains(errb.String(), "not a projection") {
		t.Errorf(".plot after a SELECT: %q", errb)
	}
}

func TestShellColor(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	s, out, errb := newTestShell(t)
	s.Color = true
	s.Run(context.Background(), "SELECT key FROM songs LIMIT 1; SELECT nope FROM songs;")
	if !strings.Contains(out.String(), "\x1b[2m┌") || !strings.Contains(out.String(), " a ") {
		t.Errorf("box not dimmed: %q", out)
	}
	if !strings.HasPrefix(errb.String(), "\x1b[1;31mError:\x1b[0m") {
		t.Errorf("error not red: %q", errb)
	}
	t.Setenv("NO_COLOR", "1")
	out.Reset()
	s.Run(context.Background(), "SELECT key FROM songs LIMIT 1;")
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("colour with NO_COLOR: %q", out)
	}
}

func TestShellCancel(t *testing.T) {
	s, _, _ := newTestShell(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s.Run(ctx, "SELECT key FROM songs;") {
		t.Fatal("a cancelled run succeeded")
	}
}

func TestHistoryEntry(t *testing.T) {
	got := HistoryEntry([]string{"SELECT NEAREST 5", "", "   TO 'king'  ", "FROM words;"})
	if want := "SELECT NEAREST 5 TO 'king' FROM words;"; got != want {
		t.Errorf("HistoryEntry = %q, want %q", got, want)
	}
}

func TestFormatProgress(t *testing.T) {
	p := db.Progress{Op: "train", Done: 1200000, Total: 2500000, Unit: "words", Detail: "epoch 3/5, alpha 0.0131", Elapsed: 3 * time.Second}
	got := FormatProgress(p, 200)
	want := "train [█████████░░░░░░░░░░░]  48%  1.2M/2.5M words  400k words/s  ETA 3s  epoch 3/5, alpha 0.0131"
	if got != want {
		t.Errorf("FormatProgress:\n got %q\nwant %q", got, want)
	}
	if got := FormatProgress(p, 40); len([]rune(got)) != 40 || !strings.HasSuffix(got, "…") {
		t.Errorf("narrow: %q", got)
	}
	if got := FormatProgress(db.Progress{Op: "import", Done: 5000, Unit: "rows", Elapsed: time.Second}, 80); got != "import  5.0k rows  5.0k rows/s" {
		t.Errorf("no total: %q", got)
	}
	if got := FormatProgress(db.Progress{Op: "download", Done: 3 << 20, Total: 12 << 20, Unit: "bytes", Elapsed: 90 * time.Second}, 120); !strings.Contains(got, "3.1M/12.6M B") || !strings.Contains(got, "ETA 4m30s") {
		t.Errorf("bytes: %q", got)
	}
}

func TestProgressBar(t *testing.T) {
	var term bytes.Buffer
	b := NewProgressBar(&term, func() int { return 60 })
	out := b.Guard(&term)
	b.Update(db.Progress{Op: "index", Done: 1, Total: 2, Unit: "rows"})
	out.Write([]byte("result\n"))
	b.Update(db.Progress{Op: "index", Done: 2, Total: 2, Unit: "rows"})
	b.Clear()
	b.Clear()
	want := "\r\x1b[Kindex [█████░░░░░]  50%  1/2 rows  ETA …" + "\r\x1b[K" + "result\n" +
		"\r\x1b[Kindex [██████████] 100%  2/2 rows" + "\r\x1b[K"
	if term.String() != want {
		t.Errorf("terminal:\n got %q\nwant %q", term.String(), want)
	}
}

// TestDotCommandsObeySandbox: under -sandbox, .output, .read and .open
// reach only files inside the sandbox, and .output never the database.
func TestDotCommandsObeySandbox(t *testing.T) {
	ctx := context.Background()
	top := t.TempDir()
	box, outside := filepath.Join(top, "box"), filepath.Join(top, "outside")
	os.Mkdir(box, 0o755)
	os.Mkdir(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "x.sql"), []byte("CREATE COLLECTION escaped (DIM 2);\n"), 0o644)
	os.WriteFile(filepath.Join(box, "in.sql"), []byte("CREATE COLLECTION inside (DIM 2);\n"), 0o644)
	os.Symlink(outside, filepath.Join(box, "out"))
	path := filepath.Join(box, "app.vdb")
	opts := &db.Options{Sandbox: box}
	d, err := db.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var out, errb bytes.Buffer
	s := &Shell{DB: d, Path: path, Options: opts, Stdout: &out, Stderr: &errb}

	refused := []string{
		".output " + filepath.Join(outside, "x.txt"),
		".output ../outside/y.txt",
		".output out/z.txt",
		".output app.vdb",
		".read " + filepath.Join(outside, "x.sql"),
		".read out/x.sql",
		".open " + filepath.Join(outside, "new.vdb"),
		".open out/new.vdb",
	}
	for _, line := range refused {
		errb.Reset()
		s.Dot(ctx, line)
		if !strings.Contains(errb.String(), "Error: ") {
			t.Errorf("%s: not refused (stderr %q)", line, errb.String())
		}
		s.Dot(ctx, ".output")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("files were created outside the sandbox: %v", ents)
	}
	if s.DB != d {
		t.Fatal(".open replaced the database with one outside the sandbox")
	}
	if infos, _ := d.Collections(); len(infos) != 0 {
		t.Errorf("a script outside the sandbox ran: %v", infos)
	}
	// Inside, all three work.
	errb.Reset()
	s.Dot(ctx, ".read in.sql")
	s.Dot(ctx, ".output res.txt")
	s.Run(ctx, "SHOW COLLECTIONS;")
	s.Dot(ctx, ".output")
	if b, _ := os.ReadFile(filepath.Join(box, "res.txt")); !strings.Contains(string(b), "inside") {
		t.Errorf(".output inside the sandbox wrote %q (stderr %q)", b, errb.String())
	}
	s.Dot(ctx, ".open other.vdb")
	if errb.Len() > 0 {
		t.Errorf("inside the sandbox: %s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(box, "other.vdb")); err != nil {
		t.Errorf(".open other.vdb did not create it inside the sandbox: %v", err)
	}
	s.DB.Close()
}

// A training report shows one rate and one ETA: the line's own.
func TestFormatProgressOneRateOneETA(t *testing.T) {
	p := db.Progress{Op: "train", Done: 1200000, Total: 2500000, Unit: "words", Detail: "epoch 3/5  alpha 0.0131", Elapsed: 3 * time.Second}
	got := FormatProgress(p, 200)
	want := "train [█████████░░░░░░░░░░░]  48%  1.2M/2.5M words  400k words/s  ETA 3s  epoch 3/5  alpha 0.0131"
	if got != want {
		t.Errorf("FormatProgress:\n got %q\nwant %q", got, want)
	}
	if n := strings.Count(got, "/s"); n != 1 {
		t.Errorf("%d rates in %q", n, got)
	}
	if n := strings.Count(got, "ETA"); n != 1 {
		t.Errorf("%d ETAs in %q", n, got)
	}
}

// A note (TRAIN's watched pairs) stays on a line of its own above the bar;
// without a terminal only the notes are written.
func TestProgressNotes(t *testing.T) {
	var term bytes.Buffer
	b := NewProgressBar(&term, func() int { return 60 })
	b.Update(db.Progress{Op: "train", Done: 1, Total: 2, Unit: "words", Note: "epoch 1/2: a:b 0.500"})
	want := "\r\x1b[Kepoch 1/2: a:b 0.500\n\r\x1b[Ktrain [█████░░░░░]  50%  1/2 words  ETA …"
	if term.String() != want {
		t.Errorf("terminal:\n got %q\nwant %q", term.String(), want)
	}
	var piped bytes.Buffer
	fn := ProgressNotes(&piped)
	fn(db.Progress{Op: "train", Done: 1, Total: 4})
	fn(db.Progress{Op: "train", Done: 2, Total: 4, Note: "epoch 1/2: a:b 0.500"})
	fn(db.Progress{Op: "train", Done: 3, Total: 4})
	fn(db.Progress{Op: "train", Done: 4, Total: 4, Note: "epoch 2/2: a:b 0.700"})
	if got, want := piped.String(), "epoch 1/2: a:b 0.500\nepoch 2/2: a:b 0.700\n"; got != want {
		t.Errorf("piped:\n got %q\nwant %q", got, want)
	}
}

// TestDotTablesSchema: .tables lists the collections; .schema prints
// statements that, run on a new database, make the same collections (the
// same .schema again); .schema of an unknown collection is an error that
// matches db.ErrCollectionNotFound's message.
func TestDotTablesSchema(t *testing.T) {
	ctx := context.Background()
	s, out, errb := newTestShell(t)
	if !s.Run(ctx, `CREATE COLLECTION albums (DIM 3, METRIC L2, n INT, ok BOOL, f FLOAT); CREATE INDEX ON songs WITH (m = 8, ef_construction = 40);`) {
		t.Fatal(errb.String())
	}
	out.Reset()
	s.Dot(ctx, ".tables")
	if got := out.String(); got != "albums  songs\n" {
		t.Errorf(".tables: %q", got)
	}
	out.Reset()
	s.Dot(ctx, ".schema songs")
	want := "CREATE COLLECTION songs (DIM 2, METRIC COSINE, title TEXT);\nCREATE INDEX ON songs USING HNSW WITH (m = 8, ef_construction = 40, ef_search = 64);\n"
	if out.String() != want {
		t.Errorf(".schema songs:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	s.Dot(ctx, ".schema")
	schema := out.String()
	if !strings.HasPrefix(schema, `CREATE COLLECTION albums (DIM 3, METRIC L2, n INT, ok BOOL, f FLOAT);`+"\n") || !strings.HasSuffix(schema, want) {
		t.Errorf(".schema:\n%s", schema)
	}

	// The schema runs as it is and makes the same collections.
	other, err := db.Open(filepath.Join(t.TempDir(), "copy.vdb"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Run(ctx, schema); err != nil {
		t.Fatalf("running the schema: %v", err)
	}
	var out2 bytes.Buffer
	s2 := &Shell{DB: other, Stdout: &out2, Stderr: errb}
	s2.Dot(ctx, ".schema")
	if out2.String() != schema {
		t.Errorf("schema of the copy:\n%s\nwant:\n%s", out2.String(), schema)
	}

	errb.Reset()
	out.Reset()
	s.Dot(ctx, ".schema song")
	if !strings.HasPrefix(errb.String(), "Error: ") || out.Len() != 0 {
		t.Errorf(".schema of an unknown collection: out %q, err %q", out.String(), errb.String())
	}
	if _, err := s.DB.Collection("song"); err == nil || errb.String() != "Error: "+err.Error()+"\n" {
		t.Errorf(".schema song: %q, want the error of DB.Collection: %v", errb.String(), err)
	}
}

// TestShellCommand: Command runs a dot-command (any, not only .parameter)
// or statements, and reports failure and .quit.
func TestShellCommand(t *testing.T) {
	ctx := context.Background()
	s, out, errb := newTestShell(t)
	for _, c := range []struct {
		text     string
		ok, quit bool
	}{
		{".mode csv", true, false},
		{"  .headers on", true, false},
		{"SELECT key FROM songs LIMIT 1", true, false},
		{".mode xml", false, false},
		{".describe nope", false, false},
		{"SELECT key FROM nope", false, false},
		{".quit", true, true},
	} {
		ok, quit := s.Command(ctx, c.text)
		if ok != c.ok || quit != c.quit {
			t.Errorf("Command(%q) = %v, %v; want %v, %v (stderr %q)", c.text, ok, quit, c.ok, c.quit, errb.String())
		}
	}
	if out.String() != "key\na\n" {
		t.Errorf("output %q", out.String())
	}
}
