package db

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// angleRow is a unit vector in the plane at deg degrees, scaled by norm.
func angleRow(key string, deg, norm float64) Row {
	r := deg * math.Pi / 180
	return Row{Key: key, Vector: []float32{float32(norm * math.Cos(r)), float32(norm * math.Sin(r))}}
}

// planeItems holds A at 0°, B at 90°, X at 25° (nearer A) and Y at 70°
// (nearer B), plus far rows around 180°-270°. Norms differ on purpose: only
// directions may count.
func planeItems(t *testing.T, d *DB) *Collection {
	t.Helper()
	c, err := d.CreateCollection(bg, Spec{Name: "items", Dim: 2}, false)
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{angleRow("A", 0, 3), angleRow("B", 90, 0.5), angleRow("X", 25, 2), angleRow("Y", 70, 1)}
	for i := 0; i < 40; i++ {
		rows = append(rows, angleRow("far"+string(rune('a'+i%26))+string(rune('0'+i/26)), 180+float64(i)*2, 1))
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRecommendExcludesHistoryAndWeighsRecency(t *testing.T) {
	d := MustOpen(t)
	c := planeItems(t, d)
	// Plain mean of A and B points at 45°: X (20° away) beats Y (25°).
	hits, err := c.Recommend(bg, []string{"A", "B"}, 2, RecommendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(hits); !slices.Equal(got, []string{"X", "Y"}) {
		t.Fatalf("plain mean: %v", got)
	}
	if want := float32(math.Cos(20 * math.Pi / 180)); math.Abs(float64(hits[0].Similarity-want)) > 1e-5 {
		t.Errorf("similarity %v, want %v", hits[0].Similarity, want)
	}
	// With recency, B (the last item) dominates: Y first.
	hits, err = c.Recommend(bg, []string{"A", "B"}, 2, RecommendOptions{Recency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(hits); !slices.Equal(got, []string{"Y", "X"}) {
		t.Fatalf("recency: %v", got)
	}
	// Reversing the history brings A forward again.
	hits, _ = c.Recommend(bg, []string{"B", "A"}, 1, RecommendOptions{Recency: 2})
	if got := keysOf(hits); !slices.Equal(got, []string{"X"}) {
		t.Fatalf("recency reversed: %v", got)
	}
	// The history never comes back, even when k covers everything.
	v, _ := c.View()
	hits, err = v.Recommend(bg, []string{"A", "X"}, v.Len(), RecommendOptions{Exclude: []int{3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != v.Len()-3 {
		t.Errorf("got %d hits, want %d", len(hits), v.Len()-3)
	}
	for _, h := range hits {
		if h.Key == "A" || h.Key == "X" || h.Pos == 3 {
			t.Errorf("hit %q should be excluded", h.Key)
		}
	}
}

func TestRecommendFilterStillReturnsK(t *testing.T) {
	d := MustOpen(t)
	c := planeItems(t, d)
	v, _ := c.View()
	// Only every 9th row passes: all of them are far from the history.
	filter := func(pos int) bool { return pos%9 == 0 && pos > 3 }
	matching := 0
	for p := 0; p < v.Len(); p++ {
		if filter(p) {
			matching++
		}
	}
	hits, err := v.Recommend(bg, []string{"A", "B"}, matching, RecommendOptions{Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != matching {
		t.Fatalf("got %d hits, want %d", len(hits), matching)
	}
	for i, h := range hits {
		if !filter(h.Pos) {
			t.Errorf("hit %q fails the filter", h.Key)
		}
		if i > 0 && h.Similarity > hits[i-1].Similarity {
			t.Errorf("hits out of order at %d", i)
		}
	}
}

func TestRecommendErrors(t *testing.T) {
	d := MustOpen(t)
	c := planeItems(t, d)
	_, err := c.Recommend(bg, []string{"A", "nope", "b", "nope"}, 3, RecommendOptions{})
	var kerr *KeysNotFoundError
	if !errors.As(err, &kerr) || !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("unknown keys: %v", err)
	}
	if !slices.Equal(kerr.Keys, []string{"nope", "b"}) || kerr.Suggestions["b"] != "B" {
		t.Errorf("keys %v suggestions %v", kerr.Keys, kerr.Suggestions)
	}
	for _, tc := range []struct {
		hist []string
		k    int
		rec  float64
	}{{nil, 3, 0}, {[]string{"A"}, 0, 0}, {[]string{"A"}, 3, -1}, {[]string{"A"}, 3, math.NaN()}} {
		if _, err := c.Recommend(bg, tc.hist, tc.k, RecommendOptions{Recency: tc.rec}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v k=%d recency=%v: %v", tc.hist, tc.k, tc.rec, err)
		}
	}
}
