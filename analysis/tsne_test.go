package analysis

import (
	"context"
	"errors"
	"testing"
)

func TestTSNESeparatesClusters(t *testing.T) {
	data, labels := blobs(4, 150, 10, 3, 4, 1)
	y, err := TSNE(context.Background(), data, 10, TSNEOptions{Seed: 1, Iterations: 400})
	if err != nil {
		t.Fatal(err)
	}
	if len(y) != 150*2 {
		t.Fatalf("len = %d, want 300", len(y))
	}
	// kNN purity: the share of each point's 5 nearest embedded neighbours in
	// its own group.
	const k = 5
	good := 0
	for i := range 150 {
		type nd struct {
			j int
			d float32
		}
		var best []nd
		for j := range 150 {
			if j == i {
				continue
			}
			dx, dy := y[2*i]-y[2*j], y[2*i+1]-y[2*j+1]
			best = append(best, nd{j, dx*dx + dy*dy})
		}
		for a := range k { // partial selection sort
			for b := a + 1; b < len(best); b++ {
				if best[b].d < best[a].d {
					best[a], best[b] = best[b], best[a]
				}
			}
			if labels[best[a].j] == labels[i] {
				good++
			}
		}
	}
	if p := float64(good) / (150 * k); p < 0.95 {
		t.Errorf("kNN purity = %.3f, want ≥ 0.95", p)
	}
}

func TestTSNELimits(t *testing.T) {
	if _, err := TSNE(context.Background(), make([]float32, (MaxTSNEPoints+1)*2), 2, TSNEOptions{}); !errors.Is(err, ErrTooMany) {
		t.Errorf("too many points: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data, _ := blobs(1, 50, 4, 2, 3, 1)
	if _, err := TSNE(ctx, data, 4, TSNEOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if y, err := TSNE(context.Background(), []float32{1, 2}, 2, TSNEOptions{}); err != nil || len(y) != 2 {
		t.Errorf("one point: %v, %v", y, err)
	}
}
