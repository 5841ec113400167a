package trainer

import (
	"math"
	"testing"
)

func TestColdStartMeanOfSharers(t *testing.T) {
	cs := NewColdStart(2, 2)
	// Field 0 (genre): x-axis items are "A", y-axis items "B"; field 1
	// (artist): one item of artist "z" points at -x. Norms do not count.
	cs.AddWarm([]float32{5, 0}, [][]string{{"A"}, {"y"}})
	cs.AddWarm([]float32{1, 0}, [][]string{{"A", "A", ""}, nil})
	cs.AddWarm([]float32{0, 2}, [][]string{{"B"}, nil})
	cs.AddWarm([]float32{-1, 0}, [][]string{nil, {"z"}})
	cs.AddWarm([]float32{0, 0}, [][]string{{"B"}, nil}) // zero: ignored
	if cs.Known(0, "A") != 2 || cs.Known(0, "B") != 1 || cs.Known(1, "z") != 1 || cs.Known(2, "A") != 0 {
		t.Fatalf("known counts: A %d, B %d, z %d", cs.Known(0, "A"), cs.Known(0, "B"), cs.Known(1, "z"))
	}
	for _, tc := range []struct {
		toks [][]string
		want []float32
		ok   bool
	}{
		{[][]string{{"A"}}, []float32{1, 0}, true},
		{[][]string{{"A", "B"}}, []float32{0.5, 0.5}, true},
		{[][]string{{"A", "Q"}}, []float32{1, 0}, true}, // unknown tokens are ignored
		// Fields weigh the same: genre A|B (0.5, 0.5) and artist z (-1, 0).
		{[][]string{{"A", "B"}, {"z"}}, []float32{-0.25, 0.25}, true},
		{[][]string{{"Q"}, {"q"}}, nil, false},
		{nil, nil, false},
	} {
		got, ok := cs.Vector(tc.toks)
		if ok != tc.ok {
			t.Errorf("%v: ok %v", tc.toks, ok)
			continue
		}
		for i := range tc.want {
			if math.Abs(float64(got[i]-tc.want[i])) > 1e-6 {
				t.Errorf("%v: got %v, want %v", tc.toks, got, tc.want)
				break
			}
		}
	}
}
