package trainer

import (
	"math"
	"reflect"
	"testing"
)

func TestRecencyWeightAndPopularityPrior(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if RecencyWeight(0, 7) != 1 || RecencyWeight(1, 0) != 1 || !near(RecencyWeight(0.5, 2), math.Exp(-1)) {
		t.Errorf("recency weights: %v %v %v", RecencyWeight(0, 7), RecencyWeight(1, 0), RecencyWeight(0.5, 2))
	}
	if PopularityPrior(0, 10) != 0 || PopularityPrior(10, 10) != 1 || PopularityPrior(5, 0) != 0 || PopularityPrior(20, 10) != 1 {
		t.Error("prior bounds")
	}
	if got := PopularityPrior(3, 15); !near(got, 0.5) { // log 4 / log 16
		t.Errorf("PopularityPrior(3, 15) = %v, want 0.5", got)
	}
	if got := RecommendScore(0.25, 0.5, 3, 15); !near(got, 0.5) {
		t.Errorf("RecommendScore = %v, want 0.5", got)
	}
	if got := RecommendScore(0.25, 0, 3, 15); got != 0.25 {
		t.Errorf("RecommendScore without prior = %v", got)
	}
}

// handModel has five keys in the plane: a and c point east, b and d
// north, e north-east; e is by far the most frequent.
func handModel() *Model {
	return &Model{
		Keys:    []string{"a", "b", "c", "d", "e"},
		Counts:  []int64{5, 5, 1, 10, 100},
		Dim:     2,
		Vectors: []float32{2, 0, 0, 3, 1, 0.1, 0.1, 1, 0.7, 0.7},
	}
}

func TestItemRecommender(t *testing.T) {
	r := NewItemRecommender(handModel())
	cases := []struct {
		name    string
		history []string
		k       int
		s       RecScoring
		want    []string
	}{
		// The plain mean of a and b points north-east: e, then c and d
		// tied (c first: the lower row).
		{"plain mean", []string{"a", "b"}, 5, RecScoring{}, []string{"e", "c", "d"}},
		// Recency 3: b (the newest) dominates, so d comes first.
		{"recency", []string{"a", "b"}, 1, RecScoring{Recency: 3}, []string{"d"}},
		// A popularity prior of weight 1 lifts e (count 100) over d.
		{"popularity", []string{"a", "b"}, 1, RecScoring{Recency: 3, Popularity: 1}, []string{"e"}},
		// Unknown keys are left out of the history.
		{"unknown key", []string{"zz", "e"}, 2, RecScoring{}, []string{"c", "d"}},
		// No known key: the most frequent keys not in the history.
		{"fallback", []string{"zz"}, 3, RecScoring{}, []string{"e", "d", "a"}},
		{"k 0", []string{"a"}, 0, RecScoring{}, []string{}},
	}
	for _, tc := range cases {
		got := r.Recommend(tc.history, tc.k, tc.s)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// The Recommender adapter scores the same.
	if got := r.Recommender(RecScoring{Recency: 3})([]string{"a", "b"}, 1); !reflect.DeepEqual(got, []string{"d"}) {
		t.Errorf("Recommender: %v", got)
	}
}
