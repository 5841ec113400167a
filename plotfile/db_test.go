package plotfile_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/plotfile"
)

var bg = context.Background()

var speechWords = []string{"war", "peace", "freedom", "security", "defense", "military", "tax", "budget",
	"economy", "spending", "children", "families", "education", "health"}

// openSpeeches returns a fresh database holding db's test collection
// speeches (2000 keys, DIM 32).
func openSpeeches(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "test.vdb"), &db.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Import(bg, "speeches", "../db/testdata/gensim_speeches.vec", db.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return d
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil || format != "png" {
		t.Fatalf("%s: %s, %v", path, format, err)
	}
	return img
}

// TestProjectTo runs PROJECT … TO through db with this package linked:
// the registered writers draw valid PNG and SVG files.
func TestProjectTo(t *testing.T) {
	d := openSpeeches(t)
	dir := t.TempDir()
	words := "'" + strings.Join(speechWords, "', '") + "'"

	png := filepath.Join(dir, "p.png")
	res, err := d.Exec(bg, fmt.Sprintf("PROJECT (%s) FROM speeches USING PCA WITH (width = 400, height = 300) TO '%s'", words, png))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Message, "wrote "+png) {
		t.Errorf("message %q", res.Message)
	}
	if b := decodePNG(t, png).Bounds(); b.Dx() != 400 || b.Dy() != 300 {
		t.Errorf("PNG is %v, want 400×300", b)
	}

	svgPath := filepath.Join(dir, "p.SVG")
	if _, err := d.Exec(bg, fmt.Sprintf("PROJECT (%s) FROM speeches USING PCA TO '%s'", words, svgPath)); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := plotfile.CountMarks(t, svg); got != len(speechWords) {
		t.Errorf("%d marks in the SVG, want %d", got, len(speechWords))
	}
	for _, k := range speechWords {
		if !bytes.Contains(svg, []byte(">"+k+"<")) {
			t.Errorf("label %q missing from the SVG", k)
		}
	}
	if !bytes.Contains(svg, []byte("PCA of speeches (14 keys)")) || !bytes.Contains(svg, []byte("PC1 (")) {
		t.Error("SVG lacks the default title or axis label")
	}

	axis := filepath.Join(dir, "axis.png")
	if _, err := d.Exec(bg, fmt.Sprintf("PROJECT ('man', 'woman', 'children', 'war') FROM speeches ONTO 'he' - 'she' TO '%s'", axis)); err != nil {
		t.Fatal(err)
	}
	if b := decodePNG(t, axis).Bounds(); b.Dx() != 1500 || b.Dy() != 525 {
		t.Errorf("axis PNG is %v, want 1500×525 (10×3.5 inches at 150 DPI)", b)
	}

	_, err = d.Exec(bg, fmt.Sprintf("PROJECT (%s) FROM speeches USING PCA TO '%s'", words, filepath.Join(dir, "x.pdf")))
	if !errors.Is(err, db.ErrInvalid) || !strings.Contains(err.Error(), "want .png or .svg") {
		t.Errorf(".pdf: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".pdf left a file: %v", err)
	}
}

// TestSave draws projections with the Go API: a 3-D PCA to PNG, groups
// with a legend and an axis to SVG.
func TestSave(t *testing.T) {
	d := openSpeeches(t)
	dir := t.TempDir()
	p3, err := d.Project(bg, "speeches", speechWords, db.ProjectOptions{Dims: 3, Width: 400, Height: 300, Title: "three"})
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "speeches.PNG")
	if err := p3.Save(png); err != nil {
		t.Fatal(err)
	}
	if b := decodePNG(t, png).Bounds(); b.Dx() != 400 || b.Dy() != 300 {
		t.Errorf("PNG %v, want 400×300", b)
	}

	p, err := d.Project(bg, "speeches", speechWords, db.ProjectOptions{ColorBy: "cluster", ColorK: 3})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "groups.svg")
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	svg, _ := os.ReadFile(path)
	if got := plotfile.CountMarks(t, svg); got != len(speechWords) {
		t.Errorf("%d marks, want %d", got, len(speechWords))
	}
	for _, g := range []string{"cluster 0", "cluster 1", "cluster 2"} {
		if !bytes.Contains(svg, []byte(">"+g+"<")) {
			t.Errorf("legend lacks %s", g)
		}
	}

	ap, err := d.ProjectOntoAxis(bg, "speeches", []string{"man", "woman", "war"}, make32(1), "she", "he")
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "axis.svg")
	if err := ap.Save(path); err != nil {
		t.Fatal(err)
	}
	svg, _ = os.ReadFile(path)
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("axis SVG does not parse: %v", err)
	}
	for _, s := range []string{">woman<", "she ←", "→ he"} {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("axis SVG lacks %q", s)
		}
	}
}

// make32 returns a 32-dimensional axis along coordinate i.
func make32(i int) []float32 {
	a := make([]float32, 32)
	a[i] = 1
	return a
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	spec := &db.PlotSpec{Kind: db.ScatterPlot}
	if err := plotfile.Write(&buf, ".gif", spec); !errors.Is(err, plotfile.ErrFormat) {
		t.Errorf(".gif: %v", err)
	}
	if err := plotfile.Write(&buf, ".svg", &db.PlotSpec{Kind: 7}); !errors.Is(err, plotfile.ErrFormat) {
		t.Errorf("kind 7: %v", err)
	}
	if err := plotfile.Write(&buf, ".svg", spec); err == nil {
		t.Error("no points: no error")
	}
}
