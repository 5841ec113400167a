package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/analysis"
	"github.com/vecdb/vecdb/internal/vec"
)

var speechWords = []string{"war", "peace", "freedom", "security", "defense", "military", "tax", "budget",
	"economy", "spending", "children", "families", "education", "health"}

func TestProjectPCA(t *testing.T) {
	d := MustOpen(t)
	importGensim(t, d)
	keys := append(speechWords, "war") // a repeat is projected once
	p, err := d.Project(bg, "speeches", keys, ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := len(speechWords)
	if len(p.Keys) != n || len(p.Coords) != n || p.Groups != nil || len(p.Explained) != 2 || p.Method != "PCA" {
		t.Fatalf("projection: %d keys, %d coords, groups %v, explained %v", len(p.Keys), len(p.Coords), p.Groups, p.Explained)
	}
	v, _ := mustView(t, d, "speeches")
	var data []float32
	for _, k := range speechWords {
		i, _ := v.Lookup(k)
		data = append(data, v.Unit(i)...)
	}
	want, err := analysis.PCA(data, v.Dim(), 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		for c := range 2 {
			if got := p.Coords[i][c]; math.Abs(got-float64(want.Coords[2*i+c])) > 1e-6 {
				t.Fatalf("%s[%d] = %g, analysis.PCA gives %g", p.Keys[i], c, got, want.Coords[2*i+c])
			}
		}
	}

	var buf bytes.Buffer
	if err := p.Terminal(&buf, 40, 12, false); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 12 {
		t.Errorf("terminal plot has %d lines, want 12:\n%s", lines, buf.String())
	}
}

func TestProjectErrors(t *testing.T) {
	d := MustOpen(t)
	importGensim(t, d)
	_, err := d.Project(bg, "speeches", []string{"war", "Peace", "wor", "zzzqqq"}, ProjectOptions{})
	var knf *KeysNotFoundError
	if !errors.As(err, &knf) || len(knf.Keys) != 3 || !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("unknown keys: %v", err)
	}
	if knf.Suggestions["Peace"] != "peace" {
		t.Errorf("suggestions %v", knf.Suggestions)
	}
	for _, opts := range []ProjectOptions{{Method: "UMAP"}, {Dims: 4}, {Dims: 1}, {Perplexity: -1}} {
		if _, err := d.Project(bg, "speeches", speechWords, opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", opts, err)
		}
	}
	if _, err := d.Project(bg, "speeches", nil, ProjectOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no keys: %v", err)
	}
	if _, err := d.Project(bg, "speeches", speechWords, ProjectOptions{ColorBy: "genre"}); !errors.Is(err, ErrFieldNotFound) {
		t.Errorf("unknown color field: %v", err)
	}
	if _, err := d.Project(bg, "nope", speechWords, ProjectOptions{}); !errors.Is(err, ErrCollectionNotFound) {
		t.Errorf("unknown collection: %v", err)
	}
	v, _ := mustView(t, d, "speeches")
	if _, err := d.ProjectVectors(bg, v, []int{0, 2000}, ProjectOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("position out of range: %v", err)
	}
}

func TestProjectColorBy(t *testing.T) {
	d := MustOpen(t)
	want := makeBlobs(t, d, "b", Cosine, 3, 10, 8)
	v, _ := mustView(t, d, "b")
	all := make([]int, v.Len())
	for i := range all {
		all[i] = i
	}
	p, err := d.ProjectVectors(bg, v, all, ProjectOptions{ColorBy: "GROUP"})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range p.Keys {
		if g := "group" + string(rune('0'+want[k])); p.Groups[i] != g {
			t.Fatalf("%s: group %q, want %q", k, p.Groups[i], g)
		}
	}
	p, err = d.ProjectVectors(bg, v, all, ProjectOptions{ColorBy: "cluster", ColorK: 3})
	if err != nil {
		t.Fatal(err)
	}
	byCluster := map[string]map[int]bool{}
	for i, k := range p.Keys {
		if byCluster[p.Groups[i]] == nil {
			byCluster[p.Groups[i]] = map[int]bool{}
		}
		byCluster[p.Groups[i]][want[k]] = true
	}
	if len(byCluster) != 3 {
		t.Errorf("color by cluster gave groups %v", byCluster)
	}
	for g, groups := range byCluster {
		if len(groups) != 1 {
			t.Errorf("%s mixes groups %v", g, groups)
		}
	}

	// An INT field named "cluster" (saved by Cluster) wins over k-means;
	// its groups are named "cluster <id>".
	res, err := d.Cluster(bg, "b", 2, ClusterOptions{SaveAs: "cluster", Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	v, _ = mustView(t, d, "b")
	p, err = d.ProjectVectors(bg, v, all, ProjectOptions{ColorBy: "cluster", ColorK: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range p.Keys {
		if want := fmt.Sprintf("cluster %d", res.Cluster[i]); res.Keys[i] != k || p.Groups[i] != want {
			t.Fatalf("%s: group %q, want %q", k, p.Groups[i], want)
		}
	}
}

func TestProjectTSNE(t *testing.T) {
	d := MustOpen(t)
	importGensim(t, d)
	v, _ := mustView(t, d, "speeches")
	pos := make([]int, 100)
	for i := range pos {
		pos[i] = 50 + i
	}
	p, err := d.ProjectVectors(bg, v, pos, ProjectOptions{Method: "tsne", Iterations: 300, Perplexity: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Keys) != 100 || p.Keys[0] != v.Key(50) || p.Explained != nil || !strings.HasPrefix(p.Title, "t-SNE of speeches") {
		t.Fatalf("t-SNE: %d keys, first %q, title %q", len(p.Keys), p.Keys[0], p.Title)
	}
	spread := 0.0
	for _, c := range p.Coords {
		for _, x := range c {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("coordinate %g", x)
			}
			spread = max(spread, math.Abs(x))
		}
	}
	if spread == 0 {
		t.Error("every point at the origin")
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := d.ProjectVectors(ctx, v, pos, ProjectOptions{Method: "TSNE"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestProjectOntoAxis(t *testing.T) {
	d := MustOpen(t)
	importGensim(t, d)
	v, _ := mustView(t, d, "speeches")
	he, _ := v.Lookup("he")
	she, _ := v.Lookup("she")
	axis := v.Unit(he)
	vec.Axpy(-1, v.Unit(she), axis)
	keys := []string{"man", "woman", "men", "children", "war", "families", "man"}
	ap, err := d.ProjectOntoAxis(bg, "speeches", keys, axis, "she", "he")
	if err != nil {
		t.Fatal(err)
	}
	if len(ap.Keys) != 6 || len(ap.Positions) != 6 {
		t.Fatalf("%d keys, %d positions", len(ap.Keys), len(ap.Positions))
	}
	an := vec.Norm(axis)
	for i, k := range ap.Keys {
		p, _ := v.Lookup(k)
		want := float64(vec.Dot(v.Unit(p), axis) / an)
		if math.Abs(ap.Positions[i]-want) > 1e-5 {
			t.Errorf("%s: %g, want %g", k, ap.Positions[i], want)
		}
	}
	if ap.Positions[0] <= ap.Positions[1] {
		t.Errorf("man %.3f should lie nearer he than woman %.3f", ap.Positions[0], ap.Positions[1])
	}
	if _, err := d.ProjectOntoAxis(bg, "speeches", keys, axis[:3], "", ""); !errors.Is(err, ErrDimension) {
		t.Errorf("short axis: %v", err)
	}
	if _, err := d.ProjectOntoAxis(bg, "speeches", keys, make([]float32, 32), "", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero axis: %v", err)
	}
	var knf *KeysNotFoundError
	if _, err := d.ProjectOntoAxis(bg, "speeches", []string{"mna", "wman"}, axis, "", ""); !errors.As(err, &knf) || len(knf.Keys) != 2 {
		t.Errorf("unknown keys: %v", err)
	}
}
