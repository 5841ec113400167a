package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sandboxDB opens a database whose sandbox is a fresh directory holding
// in.vec, a subdirectory sub/ with sub/x.vec, and an outside directory
// next to it holding secret.vec.
func sandboxDB(t *testing.T) (d *DB, box, outside string) {
	t.Helper()
	top := t.TempDir()
	box = filepath.Join(top, "box")
	outside = filepath.Join(top, "outside")
	for _, dir := range []string{box, outside, filepath.Join(box, "sub")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	vecs := "2 3\na 1 0 0\nb 0 1 0\n"
	for _, f := range []string{filepath.Join(box, "in.vec"), filepath.Join(box, "sub", "x.vec"), filepath.Join(outside, "secret.vec")} {
		if err := os.WriteFile(f, []byte(vecs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(filepath.Join(top, "s.vdb"), &Options{NoSync: true, Sandbox: box})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, box, outside
}

func TestResolvePath(t *testing.T) {
	d, box, outside := sandboxDB(t)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(outside, "secret.vec"), filepath.Join(box, "filelink.vec")))
	must(os.Symlink(outside, filepath.Join(box, "dirlink")))
	must(os.Symlink(filepath.Join(box, "sub"), filepath.Join(box, "insidelink")))
	must(os.Symlink(filepath.Join(outside, "new.vec"), filepath.Join(box, "dangling.vec")))
	root, _ := filepath.EvalSymlinks(box)

	refused := []struct {
		path  string
		write bool
	}{
		{"../outside/secret.vec", false},
		{"a/../../outside/secret.vec", false},
		{"sub/../../x", true},
		{filepath.Join(outside, "secret.vec"), false},
		{"/etc/passwd", false},
		{"filelink.vec", false},       // file symlink out
		{"dirlink/secret.vec", false}, // directory symlink out
		{"dirlink/new.vec", true},     // new file in a directory that resolves out
		{"dangling.vec", true},        // create would follow the link out
		{filepath.Join(box, "..", "outside", "secret.vec"), false},
	}
	for _, c := range refused {
		_, err := d.ResolvePath(c.path, c.write)
		if !errors.Is(err, ErrSandbox) {
			t.Errorf("%q (write %v): want ErrSandbox, got %v", c.path, c.write, err)
			continue
		}
		if want := "path '" + c.path + "' is outside the sandbox " + box; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %q does not start with %q", err, want)
		}
	}

	allowed := []struct {
		path  string
		write bool
		want  string
	}{
		{"in.vec", false, filepath.Join(root, "in.vec")},
		{"./sub/../in.vec", false, filepath.Join(root, "in.vec")},
		{filepath.Join(box, "sub", "x.vec"), false, filepath.Join(root, "sub", "x.vec")},
		{"insidelink/x.vec", false, filepath.Join(root, "sub", "x.vec")}, // symlink inside allowed
		{"new.vec", true, filepath.Join(root, "new.vec")},                // new file in the sandbox
		{"sub/new.vec", true, filepath.Join(root, "sub", "new.vec")},
		{`..\..\etc\passwd`, false, filepath.Join(root, `..\..\etc\passwd`)}, // a plain name on Linux
		{`C:\Windows\system32`, true, filepath.Join(root, `C:\Windows\system32`)},
	}
	for _, c := range allowed {
		got, err := d.ResolvePath(c.path, c.write)
		if err != nil || got != c.want {
			t.Errorf("%q (write %v): got %q, %v; want %q", c.path, c.write, got, err, c.want)
		}
	}

	// Without a sandbox a path is only cleaned.
	free := MustOpen(t)
	if got, err := free.ResolvePath("a/../b/./c.vec", false); err != nil || got != "b/c.vec" {
		t.Errorf("no sandbox: %q, %v", got, err)
	}
	if got, err := free.ResolvePath("../x.vec", true); err != nil || got != "../x.vec" {
		t.Errorf("no sandbox: %q, %v", got, err)
	}
}

func TestSandboxAppliedToFiles(t *testing.T) {
	ctx := context.Background()
	d, box, _ := sandboxDB(t)
	if _, err := d.Import(ctx, "c", "in.vec", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Import(ctx, "c", "../outside/secret.vec", ImportOptions{}); !errors.Is(err, ErrSandbox) {
		t.Errorf("Import: %v", err)
	}
	if _, err := d.Export(ctx, "c", "/tmp/vecdb-sandbox-escape.vec", 0); !errors.Is(err, ErrSandbox) {
		t.Errorf("Export: %v", err)
	}
	if _, err := d.Export(ctx, "c", "out.vec", 0); err != nil {
		t.Errorf("Export inside: %v", err)
	} else if _, err := os.Stat(filepath.Join(box, "out.vec")); err != nil {
		t.Errorf("export did not land in the sandbox: %v", err)
	}
	if _, err := d.ImportMetadata(ctx, "c", "../outside/secret.vec", MetadataOptions{}); !errors.Is(err, ErrSandbox) {
		t.Errorf("ImportMetadata: %v", err)
	}
	if _, err := d.EvaluatePairs(ctx, "c", "../outside/secret.vec", EvaluateOptions{}); !errors.Is(err, ErrSandbox) {
		t.Errorf("EvaluatePairs: %v", err)
	}
	if _, err := d.EvaluateAnalogies(ctx, "c", "../outside/secret.vec", EvaluateOptions{}); !errors.Is(err, ErrSandbox) {
		t.Errorf("EvaluateAnalogies: %v", err)
	}
	if _, err := d.TrainFile(ctx, "t", "../outside/secret.vec", TrainOptions{}); !errors.Is(err, ErrSandbox) {
		t.Errorf("TrainFile: %v", err)
	}
}
