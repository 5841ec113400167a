package trainer

import (
	"math"
	"testing"
)

func TestKeepProbability(t *testing.T) {
	// t = sample*total = 1e-3 * 1e6 = 1000.
	cases := []struct {
		count, total int64
		sample       float64
		want         float64
	}{
		{10000, 1e6, 1e-3, (math.Sqrt(10) + 1) / 10}, // frequent: 0.41623
		{100000, 1e6, 1e-3, (math.Sqrt(100) + 1) / 100},
		{1000, 1e6, 1e-3, 1}, // (1+1)*1 = 2, capped
		{5000, 1e6, 0, 1},    // disabled
		{5000, 1e6, 5, 0},    // absolute: t = int(5*2.618) = 13
		{500000, 1e6, 1e-5, (math.Sqrt(500000.0/10) + 1) * 10 / 500000},
	}
	cases[4].want = (math.Sqrt(5000.0/13) + 1) * 13 / 5000
	for _, c := range cases {
		if got := KeepProbability(c.count, c.total, c.sample); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("KeepProbability(%d, %d, %g) = %g, want %g", c.count, c.total, c.sample, got, c.want)
		}
	}
	th := sampleThresholds([]int64{999000, 1000}, 1e-3)
	if th[1] != math.MaxUint32 {
		t.Errorf("rare key threshold %d, want always kept", th[1])
	}
	want := KeepProbability(999000, 1e6, 1e-3)
	if got := float64(th[0]) / math.MaxUint32; math.Abs(got-want) > 1e-9 {
		t.Errorf("threshold %g, want %g", got, want)
	}
}

func TestAliasTable(t *testing.T) {
	counts := []int64{1000, 100, 10, 1, 0}
	tab := newAliasTable(counts, 0.75)
	r := newRNG(1, 9)
	hits := make([]int, len(counts))
	const n = 2_000_000
	for range n {
		hits[tab.sample(r.next())]++
	}
	var sum float64
	for _, c := range counts {
		sum += math.Pow(float64(c), 0.75)
	}
	for i, c := range counts {
		want := math.Pow(float64(c), 0.75) / sum
		got := float64(hits[i]) / n
		if math.Abs(got-want) > 0.002 {
			t.Errorf("id %d drawn %.4f of the time, want %.4f", i, got, want)
		}
	}
	if hits[4] != 0 {
		t.Errorf("a zero-count key was drawn %d times", hits[4])
	}
}

func TestInitialVectors(t *testing.T) {
	c := newCounter()
	for _, w := range []string{"a", "b", "a"} {
		c.add([]byte(w))
	}
	cfg := DefaultConfig()
	cfg.MinCount = 1
	cfg.Dim = 8
	m, err := buildModel(c, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range m.Vectors {
		if x < -0.5/8 || x >= 0.5/8 || x == 0 {
			t.Fatalf("input value %d = %g, want in [-0.5/dim, 0.5/dim)", i, x)
		}
		if m.Output[i] != 0 {
			t.Fatalf("output weight %d = %g, want 0", i, m.Output[i])
		}
	}
}

func TestSigmoidTable(t *testing.T) {
	for x := -5.99; x < 6; x += 0.01 {
		got := sigTable[min(int((float32(x)+maxExp)*sigScale), sigMaxIdx)]
		want := 1 / (1 + math.Exp(-x))
		if math.Abs(float64(got)-want) > 0.004 {
			t.Fatalf("sigmoid(%g) = %g from the table, want %g", x, got, want)
		}
	}
}
