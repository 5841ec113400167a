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

func TestHoldoutTime(t *testing.T) {
	seqs := [][]string{{"a", "b", "c"}, {"d", "e"}, {"f", "g"}, {}}
	times := [][]float64{{1, 5, 9}, {1, 2}, {6, 7}, {}}
	s := HoldoutTime(seqs, times, 5)
	want := HoldoutSplit{
		Train:     [][]string{{"a"}, {"d", "e"}},
		Histories: [][]string{{"a"}},
		Targets:   [][]string{{"b", "c"}},
		Skipped:   1,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("HoldoutTime = %+v, want %+v", s, want)
	}
	// Ten events at 1…10: the latest 30% start at 8.
	if at := TimeCut([][]float64{{1, 2, 3, 4}, {5, 6, 7, 8, 9, 10}}, 0.3); at != 8 {
		t.Errorf("TimeCut = %g, want 8", at)
	}
	if at := TimeCut(nil, 0.5); at != 0 {
		t.Errorf("TimeCut of nothing = %g", at)
	}
}

func TestEventLogTimes(t *testing.T) {
	p := evlogFile(t, "ev.csv", "user,item,ts\nu1,a,30\nu2,b,5\nu1,c,10\nu2,d,7.5\n")
	e := EventLogSource(p, EventLogOptions{SequenceBy: "user", Item: "item", OrderBy: "ts", KeepOrder: true})
	if err := e.Load(); err != nil {
		t.Fatal(err)
	}
	if got, want := e.Times(), [][]float64{{10, 30}, {5, 7.5}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Times = %v, want %v", got, want)
	}
	// Without KeepOrder, or with a textual order column, there are none.
	e = EventLogSource(p, EventLogOptions{SequenceBy: "user", Item: "item", OrderBy: "ts"})
	if err := e.Load(); err != nil || e.Times() != nil {
		t.Errorf("Times without KeepOrder: %v %v", e.Times(), err)
	}
	e = EventLogSource(p, EventLogOptions{SequenceBy: "user", Item: "ts", OrderBy: "item", KeepOrder: true})
	if err := e.Load(); err != nil || e.Times() != nil {
		t.Errorf("Times of a textual column: %v %v", e.Times(), err)
	}
}
