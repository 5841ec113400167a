package db

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/format"
)

// goTool returns the go command that built the test, or skips.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); runtime.GOROOT() != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("the go command is not on PATH")
	return ""
}

// TestNoDrawingDependencies checks that a program importing only db links
// no plotting, font, LaTeX, PDF or rasteriser package: those live behind
// RegisterPlotWriter in package plotfile.
func TestNoDrawingDependencies(t *testing.T) {
	goCmd := goTool(t)
	out, err := exec.Command(goCmd, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || deps[len(deps)-1] != "github.com/vecdb/vecdb/db" {
		t.Fatalf("go list -deps gave an unexpected list:\n%s", out)
	}
	// Nor network code: catalog downloads are registered by format/fetch.
	banned := []string{"gonum.org/v1/plot", "go-fonts", "go-latex", "fpdf", "freetype", "svgo", "sbinet/gg", plotfileImport,
		"net/http", "crypto/tls", format.FetchImport,
		// Nor Parquet: its codec is registered by format/parquet.
		"apache/arrow-go", "apache/thrift", "google.golang.org/grpc", format.ParquetImport}
	for _, dep := range deps {
		for _, b := range banned {
			if strings.Contains(dep, b) {
				t.Errorf("db depends on %s (matches %q)", dep, b)
			}
		}
	}
	// The import that ErrNoPlotWriter tells users to add must exist.
	for _, imp := range []string{plotfileImport, format.FetchImport, format.ParquetImport} {
		if out, err := exec.Command(goCmd, "list", imp).CombinedOutput(); err != nil {
			t.Errorf("go list %s: %v\n%s", imp, err, out)
		}
	}
}

// TestProjectToWithoutPlotWriter runs PROJECT … TO in a test binary that
// links no plot writer: each fails with ErrNoPlotWriter naming the import,
// after the projection, and leaves no file behind.
func TestProjectToWithoutPlotWriter(t *testing.T) {
	if _, exts := plotWriterFor(".png"); len(exts) > 0 {
		t.Fatalf("db's tests link plot writers for %v; they must not", exts)
	}
	d := MustOpen(t)
	importGensim(t, d)
	dir := t.TempDir()
	for _, stmt := range []string{
		"PROJECT ('war', 'peace', 'tax') FROM speeches USING PCA TO '%s'",
		"PROJECT ('war', 'peace', 'tax') FROM speeches ONTO 'she' - 'he' TO '%s'",
	} {
		for _, name := range []string{"x.png", "x.SVG", "x.pdf"} {
			q := fmt.Sprintf(stmt, filepath.Join(dir, name))
			_, err := d.Exec(bg, q)
			if !errors.Is(err, ErrNoPlotWriter) {
				t.Fatalf("%s: got %v, want ErrNoPlotWriter", q, err)
			}
			if msg := err.Error(); !strings.Contains(msg, `import _ "github.com/vecdb/vecdb/plotfile"`) || !strings.Contains(msg, name) {
				t.Errorf("%s: the error %q names neither the import nor the file", q, msg)
			}
		}
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}

	p, err := d.Project(bg, "speeches", speechWords, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(filepath.Join(dir, "p.png")); !errors.Is(err, ErrNoPlotWriter) {
		t.Errorf("Projection.Save: %v", err)
	}
	if err := p.Write(io.Discard, "p.svg"); !errors.Is(err, ErrNoPlotWriter) {
		t.Errorf("Projection.Write: %v", err)
	}
	a := &AxisProjection{Keys: []string{"a"}, Positions: []float64{0.5}}
	if err := a.Save(filepath.Join(dir, "a.svg")); !errors.Is(err, ErrNoPlotWriter) {
		t.Errorf("AxisProjection.Save: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "p.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Save left a file: %v", err)
	}
}

// textPlot is a PlotWriter for tests: it writes the spec as text, and
// fails for a title of "fail".
func textPlot(w io.Writer, ext string, spec *PlotSpec) error {
	if spec.Title == "fail" {
		return errors.New("cannot draw")
	}
	fmt.Fprintf(w, "%s kind=%d title=%q x=%q y=%q legend=%v neg=%q pos=%q size=%gx%g\n",
		ext, spec.Kind, spec.Title, spec.XLabel, spec.YLabel, spec.Legend, spec.Neg, spec.Pos, spec.Width, spec.Height)
	for _, p := range spec.Points {
		fmt.Fprintf(w, "%s %.3f %.3f %s\n", p.Label, p.X, p.Y, p.Group)
	}
	return nil
}

// withPlotWriter registers fn for ext for the rest of the test.
func withPlotWriter(t *testing.T, ext string, fn PlotWriter) {
	t.Helper()
	RegisterPlotWriter(ext, fn)
	t.Cleanup(func() { RegisterPlotWriter(ext, nil) })
}

func TestRegisterPlotWriter(t *testing.T) {
	withPlotWriter(t, "TXT", textPlot) // the dot and the case are optional
	d := MustOpen(t)
	importGensim(t, d)
	dir := t.TempDir()
	out := filepath.Join(dir, "p.Txt")
	res, err := d.Exec(bg, fmt.Sprintf("PROJECT ('war', 'peace', 'tax') FROM speeches USING PCA WITH (width = 300, height = 150, title = 'T') TO '%s'", out))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if !strings.HasPrefix(lines[0], `.txt kind=0 title="T" x="PC1 (`) || !strings.HasSuffix(lines[0], "legend=false neg=\"\" pos=\"\" size=2x1") || len(lines) != 4 {
		t.Errorf("the writer got:\n%s", got)
	}
	for i, row := range res.Rows {
		if want := fmt.Sprintf("%s %.3f %.3f ", row[0], row[1], row[2]); lines[i+1] != want {
			t.Errorf("point %d: %q, want %q", i, lines[i+1], want)
		}
	}

	out = filepath.Join(dir, "axis.txt")
	if _, err := d.Exec(bg, fmt.Sprintf("PROJECT ('war', 'peace') FROM speeches ONTO 'she' - 'he' TO '%s'", out)); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(out)
	if !strings.HasPrefix(string(got), `.txt kind=1 title="Projection onto she − he (speeches)"`) || !strings.Contains(string(got), `neg="he" pos="she"`) {
		t.Errorf("the axis writer got:\n%s", got)
	}

	// Another extension names the registered ones; nothing is written.
	_, err = d.Exec(bg, fmt.Sprintf("PROJECT ('war', 'peace', 'tax') FROM speeches USING PCA TO '%s'", filepath.Join(dir, "p.png")))
	if !errors.Is(err, ErrInvalid) || errors.Is(err, ErrNoPlotWriter) || !strings.Contains(err.Error(), `".png" (want .txt)`) {
		t.Errorf(".png with only .txt registered: %v", err)
	}

	// A writer's error is wrapped and leaves no file.
	p, err := d.Project(bg, "speeches", speechWords, ProjectOptions{Title: "fail"})
	if err != nil {
		t.Fatal(err)
	}
	failed := filepath.Join(dir, "fail.txt")
	if err := p.Save(failed); err == nil || !strings.Contains(err.Error(), "cannot draw") {
		t.Errorf("failing writer: %v", err)
	}
	if _, err := os.Stat(failed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed Save left a file: %v", err)
	}
	var buf bytes.Buffer
	if err := (&Projection{}).Write(&buf, "x.txt"); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty projection: %v", err)
	}
	if err := (&AxisProjection{Keys: []string{"a"}}).Write(&buf, "x.txt"); !errors.Is(err, ErrDimension) {
		t.Errorf("axis projection without positions: %v", err)
	}

	RegisterPlotWriter(".txt", nil)
	if err := p.Write(&buf, "x.txt"); !errors.Is(err, ErrNoPlotWriter) {
		t.Errorf("after removal: %v", err)
	}
}
