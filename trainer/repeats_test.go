package trainer

import (
	"context"
	"math"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/vecdb/vecdb/internal/vec"
)

func TestRepeatShares(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	// Plain: each occurrence counts the same.
	got := RepeatShares([]string{"a", "b", "a", "c"}, 0)
	if len(got) != 3 || !near(got["a"], 0.5) || !near(got["b"], 0.25) || !near(got["c"], 0.25) {
		t.Errorf("recency 0: %v", got)
	}
	// Recency 1: occurrence i of n weighs exp(-(n-1-i)).
	w := []float64{math.Exp(-3), math.Exp(-2), math.Exp(-1), 1}
	total := w[0] + w[1] + w[2] + w[3]
	got = RepeatShares([]string{"a", "b", "a", "c"}, 1)
	if !near(got["a"], (w[0]+w[2])/total) || !near(got["b"], w[1]/total) || !near(got["c"], 1/total) {
		t.Errorf("recency 1: %v", got)
	}
	if got := RepeatShares([]int{7, 7}, 2); !near(got[7], 1) {
		t.Errorf("one item repeated: %v", got)
	}
}

// TestItemRecommenderRepeats: Repeats 0 leaves the history out as before;
// Repeats > 0 ranks every key, history included, by similarity + prior +
// Repeats·share, ties to the lower row.
func TestItemRecommenderRepeats(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	m := &Model{Dim: 4}
	for i := range 60 {
		m.Keys = append(m.Keys, string(rune('A'+i/26))+string(rune('a'+i%26)))
		m.Counts = append(m.Counts, int64(1+rng.Intn(50)))
		for range 4 {
			m.Vectors = append(m.Vectors, float32(rng.NormFloat64()))
		}
	}
	r := NewItemRecommender(m)
	hist := []string{"Ab", "Ac", "Ab", "Bd", "Ac", "Ae"}
	for _, s := range []RecScoring{{}, {Recency: 1}, {Recency: 0.3, Popularity: 0.4}} {
		plain := r.Recommend(hist, 10, s)
		for _, k := range plain {
			if slices.Contains(hist, k) {
				t.Errorf("%+v: history key %s returned without repeats", s, k)
			}
		}
		// By hand: the query, every score, the sort.
		rows := r.rows(hist)
		q := make([]float32, m.Dim)
		r.query(rows, s.Recency, q)
		for _, w := range []float64{0.05, 0.5, 5} {
			s.Repeats = w
			shares := RepeatShares(rows, s.Recency)
			type cand struct {
				row   int
				score float32
			}
			var all []cand
			for i := range m.Keys {
				v := vec.Dot(q, r.unit[i*m.Dim:(i+1)*m.Dim])
				if s.Popularity != 0 {
					v += float32(s.Popularity) * r.prior[i]
				}
				if sh, ok := shares[i]; ok {
					v += float32(w * sh)
				}
				all = append(all, cand{i, v})
			}
			sort.SliceStable(all, func(a, b int) bool { return all[a].score > all[b].score })
			var want []string
			for _, c := range all[:10] {
				want = append(want, m.Keys[c.row])
			}
			got := r.Recommend(hist, 10, s)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: got %v, want %v", s, got, want)
			}
			if w == 5 && !slices.Contains(hist, got[0]) {
				t.Errorf("%+v: a large weight should put a history item first, got %v", s, got)
			}
		}
	}
}

// revisitSequences are chains of 5 to 9 consecutive items of a ring of 80,
// whose last item goes back to the one three steps earlier: the next item
// is always in the history.
func revisitSequences(n int, seed int64) [][]string {
	rng := rand.New(rand.NewSource(seed))
	out := make([][]string, n)
	for i := range out {
		start, l := rng.Intn(80), 5+rng.Intn(5)
		for j := range l {
			out[i] = append(out[i], "r"+string(rune('0'+(start+j)%80/10))+string(rune('0'+(start+j)%10)))
		}
		out[i] = append(out[i], out[i][l-3])
	}
	return out
}

// TestTuneFindsRepeats: when the next item is in the history, the tuner
// picks a repeats weight, and its figure is EvaluateRecommender's with it;
// on topic sequences (no revisits) it keeps 0.
func TestTuneFindsRepeats(t *testing.T) {
	seqs := revisitSequences(500, 1)
	base := smallBase()
	base.Window = 3
	res, err := Tune(context.Background(), seqs, TuneConfig{Base: base, MaxTrials: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	best := res.Best
	t.Logf("revisits: %s HR %.3f", best.Settings, best.HR)
	if best.Settings.Repeats <= 0 || best.HR < 0.5 {
		t.Errorf("revisits: best %s HR %.3f: want a repeats weight and most targets found", best.Settings, best.HR)
	}
	split := HoldoutSample(seqs, 1, DefaultTuneValidationCases, 1)
	m, err := Train(context.Background(), SliceSource(split.Train), best.Settings.Config, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := NewItemRecommender(m)
	if e := EvaluateRecommender(rec.Recommender(best.Settings.Scoring()), split, 10); e.HR != best.HR {
		t.Errorf("EvaluateRecommender gives HR %v for the best settings, Tune %v", e.HR, best.HR)
	}
	noRep := best.Settings.Scoring()
	noRep.Repeats = 0
	if e := EvaluateRecommender(rec.Recommender(noRep), split, 10); e.HR >= best.HR/2 {
		t.Errorf("without repeats HR %v, with %v: want far lower", e.HR, best.HR)
	}
	topic, err := Tune(context.Background(), topicSequences(400, 2), TuneConfig{Base: base, MaxTrials: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if topic.Best.Settings.Repeats != 0 {
		t.Errorf("topic sequences (no revisits): repeats %v", topic.Best.Settings.Repeats)
	}
}
