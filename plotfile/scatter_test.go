package plotfile

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/vecdb/vecdb/analysis"
)

var examples = flag.Bool("examples", false, "write example pictures to testdata/examples")

func samplePoints(n int) []analysis.Point {
	data, labels := blobs(11, n, 2, 3, 4, 1)
	pts := make([]analysis.Point, n)
	for i := range n {
		pts[i] = analysis.Point{Label: fmt.Sprintf("p%d", i), X: float64(data[2*i]), Y: float64(data[2*i+1]), Group: fmt.Sprintf("g%d", labels[i])}
	}
	return pts
}

// countMarks walks the SVG with encoding/xml and counts the point marks:
// filled paths with markAlpha's opacity.
func countMarks(t *testing.T, svg []byte) int {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	marks := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			for _, a := range se.Attr {
				if a.Name.Local == "style" && strings.Contains(a.Value, "fill-opacity:0.85098") {
					marks++
				}
			}
		}
	}
	return marks
}

func TestSavePlotSVG(t *testing.T) {
	for _, n := range []int{1, 37, 400} {
		pts := samplePoints(n)
		path := filepath.Join(t.TempDir(), "plot.SVG")
		if err := SavePlot(pts, PlotOptions{Title: "t", XLabel: "x", YLabel: "y", Legend: true}, path); err != nil {
			t.Fatal(err)
		}
		svg, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := countMarks(t, svg); got != n {
			t.Errorf("n=%d: %d marks in the SVG", n, got)
		}
		if n <= alwaysLabel {
			for _, p := range pts {
				if !bytes.Contains(svg, []byte(">"+p.Label+"<")) {
					t.Errorf("n=%d: label %q missing", n, p.Label)
				}
			}
		}
	}
}

func TestSavePlotPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.png")
	opts := PlotOptions{Title: "PNG", Width: 4 * vg.Inch, Height: 3 * vg.Inch, DPI: 100, Legend: true}
	if err := SavePlot(samplePoints(30), opts, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); format != "png" || b.Dx() != 400 || b.Dy() != 300 {
		t.Errorf("decoded %s %v, want png 400×300", format, b)
	}
}

func TestSavePlotErrors(t *testing.T) {
	dir := t.TempDir()
	if err := SavePlot(samplePoints(3), PlotOptions{}, filepath.Join(dir, "a.pdf")); !errors.Is(err, ErrFormat) {
		t.Errorf(".pdf: %v", err)
	}
	if err := SavePlot(nil, PlotOptions{}, filepath.Join(dir, "a.svg")); !errors.Is(err, analysis.ErrEmpty) {
		t.Errorf("no points: %v", err)
	}
	if err := SaveAxisPlot([]string{"a"}, []float64{1, 2}, "", "", PlotOptions{}, filepath.Join(dir, "a.svg")); !errors.Is(err, analysis.ErrDimension) {
		t.Errorf("axis plot lengths: %v", err)
	}
}

func TestSaveAxisPlot(t *testing.T) {
	keys := []string{"nurse", "doctor", "engineer", "teacher", "programmer", "homemaker", "surgeon", "dancer"}
	pos := []float64{-0.31, 0.05, 0.12, -0.1, 0.09, -0.35, 0.11, -0.2}
	path := filepath.Join(t.TempDir(), "axis.svg")
	if err := SaveAxisPlot(keys, pos, "she", "he", PlotOptions{Title: "he − she"}, path); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	countMarks(t, svg) // parses
	for _, k := range append(keys, "she ←", "→ he") {
		if !bytes.Contains(svg, []byte(k)) {
			t.Errorf("%q missing from the axis plot", k)
		}
	}
}

// TestExamples writes the example pictures with -examples:
//
//	go test ./plotfile/ -run TestExamples -examples
func TestExamples(t *testing.T) {
	if !*examples {
		t.Skip("run with -examples to write testdata/examples")
	}
	dir := filepath.Join("testdata", "examples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Words: three groups of real words with synthetic vectors (a random
	// centre per group plus noise), projected by PCA.
	groups := map[string][]string{
		"capitals": {"Athens", "Baghdad", "Bangkok", "Beijing", "Berlin", "Bern", "Cairo", "Canberra", "Hanoi", "Havana", "Helsinki", "Madrid", "Oslo", "Paris", "Rome"},
		"family":   {"boy", "girl", "brother", "sister", "father", "mother", "uncle", "aunt", "king", "queen", "son", "daughter", "husband", "wife", "nephew"},
		"verbs":    {"eat", "eats", "go", "goes", "run", "runs", "say", "says", "think", "thinks", "walk", "walks", "write", "writes", "sing"},
	}
	const dim = 50
	var data []float32
	var words, group []string
	for gi, g := range []string{"capitals", "family", "verbs"} {
		centre, _ := blobs(int64(100+gi), 1, dim, 1, 1, 0)
		noise, _ := blobs(int64(200+gi), len(groups[g]), dim, 1, 0, 0.45)
		for i, w := range groups[g] {
			for k := range dim {
				data = append(data, centre[k]+noise[i*dim+k])
			}
			words = append(words, w)
			group = append(group, g)
		}
	}
	pca, err := analysis.PCA(data, dim, 2)
	if err != nil {
		t.Fatal(err)
	}
	var pts []analysis.Point
	for i, w := range words {
		pts = append(pts, analysis.Point{Label: w, X: float64(pca.Coords[2*i]), Y: float64(pca.Coords[2*i+1]), Group: group[i]})
	}
	opts := PlotOptions{Title: "Words (synthetic vectors), PCA", Legend: true,
		XLabel: fmt.Sprintf("PC1 (%.0f%%)", 100*pca.Explained[0]), YLabel: fmt.Sprintf("PC2 (%.0f%%)", 100*pca.Explained[1])}
	for _, ext := range []string{"png", "svg"} {
		if err := SavePlot(pts, opts, filepath.Join(dir, "words."+ext)); err != nil {
			t.Fatal(err)
		}
	}

	// Items: 240 points in 6 groups, clustered by KMeans and shown by PCA.
	items, _ := blobs(7, 240, 20, 6, 3, 1.2)
	km, err := analysis.KMeans(context.Background(), items, 20, 6, analysis.KMeansOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ip, err := analysis.PCA(items, 20, 2)
	if err != nil {
		t.Fatal(err)
	}
	pts = pts[:0]
	for i := range 240 {
		pts = append(pts, analysis.Point{Label: fmt.Sprintf("item%d", i), X: float64(ip.Coords[2*i]), Y: float64(ip.Coords[2*i+1]), Group: fmt.Sprintf("cluster %d", km.Assign[i])})
	}
	// Group order is first appearance: list cluster 0 first, then 1, ...
	sort.SliceStable(pts, func(a, b int) bool { return pts[a].Group < pts[b].Group })
	opts = PlotOptions{Title: fmt.Sprintf("KMeans k=6 (silhouette %.2f), PCA", km.Silhouette), Legend: true, XLabel: "PC1", YLabel: "PC2"}
	if err := SavePlot(pts, opts, filepath.Join(dir, "clusters.png")); err != nil {
		t.Fatal(err)
	}

	keys := []string{"nurse", "doctor", "engineer", "teacher", "programmer", "homemaker", "surgeon", "dancer", "captain", "librarian", "architect", "receptionist"}
	pos := []float64{-0.31, 0.05, 0.12, -0.1, 0.09, -0.35, 0.11, -0.2, 0.18, -0.15, 0.07, -0.28}
	if err := SaveAxisPlot(keys, pos, "she", "he", PlotOptions{Title: "Projection on he − she (illustrative values)"}, filepath.Join(dir, "axis.png")); err != nil {
		t.Fatal(err)
	}
}
