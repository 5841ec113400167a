package trainer

import (
	"math"
	"reflect"
	"testing"
)

func TestHoldoutLast(t *testing.T) {
	seqs := [][]string{{"a", "b", "c"}, {"d"}, {}, {"e", "f"}}
	s := HoldoutLast(seqs, 1)
	if !reflect.DeepEqual(s.Histories, [][]string{{"a", "b"}, {"e"}}) || !reflect.DeepEqual(s.Targets, [][]string{{"c"}, {"f"}}) {
		t.Errorf("histories %v targets %v", s.Histories, s.Targets)
	}
	if !reflect.DeepEqual(s.Train, [][]string{{"a", "b"}, {"d"}, {"e"}}) || s.Skipped != 2 {
		t.Errorf("train %v skipped %d", s.Train, s.Skipped)
	}
	s = HoldoutLast(seqs, 2)
	if len(s.Histories) != 1 || !reflect.DeepEqual(s.Targets[0], []string{"b", "c"}) || s.Skipped != 3 {
		t.Errorf("n=2: %+v", s)
	}
	// The split shares memory with seqs but never lets an append to a
	// history overwrite a target.
	s = HoldoutLast(seqs, 1)
	_ = append(s.Histories[0], "x")
	if seqs[0][2] != "c" {
		t.Error("appending to a history overwrote the held-out item")
	}
}

// TestEvaluateRecommender checks the metrics against hand-computed values.
func TestEvaluateRecommender(t *testing.T) {
	s := HoldoutSplit{
		Train:     [][]string{{"a", "b"}, {"b", "c"}, {"c", "d"}},
		Histories: [][]string{{"a"}, {"b"}, {"c"}},
		Targets:   [][]string{{"b"}, {"x"}, {"d", "a"}},
	}
	fixed := map[string][]string{"a": {"c", "b", "d"}, "b": {"a", "c", "d"}, "c": {"a", "b", "d"}}
	rec := func(h []string, k int) []string { return fixed[h[0]][:k] }
	m := EvaluateRecommender(rec, s, 3)
	// Case 1: b at rank 2. Case 2: x never (cold). Case 3: a at 1, d at 3.
	wantHR := 2.0 / 3
	wantMRR := (0.5 + 0 + 1) / 3
	ndcg1 := (1 / math.Log2(3)) / 1
	ndcg3 := (1 + 1/math.Log2(4)) / (1 + 1/math.Log2(3))
	wantNDCG := (ndcg1 + 0 + ndcg3) / 3
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if m.Cases != 3 || !near(m.HR, wantHR) || !near(m.MRR, wantMRR) || !near(m.NDCG, wantNDCG) {
		t.Errorf("got %+v, want HR %v MRR %v NDCG %v", m, wantHR, wantMRR, wantNDCG)
	}
	if m.ColdTargets != 1 || !near(m.Coverage, 1) {
		t.Errorf("cold %d coverage %v", m.ColdTargets, m.Coverage)
	}
	// At k = 1 only first places count.
	m = EvaluateRecommender(rec, s, 1)
	if !near(m.HR, 1.0/3) || !near(m.MRR, 1.0/3) || !near(m.Coverage, 2.0/4) {
		t.Errorf("k=1: %+v", m)
	}
}

func TestPopularityRecommender(t *testing.T) {
	train := [][]string{{"a", "b", "a"}, {"c", "a", "b"}, {"d"}}
	rec := PopularityRecommender(train)
	if got := rec([]string{"a"}, 2); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("got %v, want [b c] (a is in the history; c before d by name)", got)
	}
	if got := rec(nil, 10); !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("got %v", got)
	}
}
