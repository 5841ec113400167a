package analysis

import (
	"context"
	"errors"
	"math/rand"
	"sync/atomic"
	"testing"
	"time"
)

// countingCtx counts the calls to Err; it is never cancelled.
type countingCtx struct {
	context.Context
	n atomic.Int64
}

func (c *countingCtx) Err() error { c.n.Add(1); return c.Context.Err() }

func randPoints(n, dim int) []float32 {
	r := rand.New(rand.NewSource(1))
	data := make([]float32, n*dim)
	for i := range data {
		data[i] = float32(r.NormFloat64())
	}
	return data
}

// TestTSNEChecksContextOften: the O(n²) stages (distances, affinities, each
// iteration's kernel and gradient) look at the context every few hundred
// rows, not once per stage, so a deadline stops a large t-SNE promptly.
func TestTSNEChecksContextOften(t *testing.T) {
	const n = 1500
	ctx := &countingCtx{Context: context.Background()}
	if _, err := TSNE(ctx, randPoints(n, 4), 4, TSNEOptions{Iterations: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	// Distances and affinities: a check per at most 64 rows each; the
	// iteration: its kernel and gradient loops, every 256 rows.
	if got, want := ctx.n.Load(), int64(2*n/64+2*n/256); got < want {
		t.Fatalf("the context was checked %d times for %d points, want at least %d", got, n, want)
	}
}

// TestTSNEDeadline: a t-SNE on thousands of points under an expired or
// expiring deadline returns ctx.Err() promptly. The bound is generous (the
// machine may be loaded): without the checks inside the stages, the
// affinities alone take seconds.
func TestTSNEDeadline(t *testing.T) {
	const n = 3000
	data := randPoints(n, 8)
	for _, d := range []time.Duration{0, 50 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		start := time.Now()
		_, err := TSNE(ctx, data, 8, TSNEOptions{Seed: 1})
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("deadline %v: err = %v, want DeadlineExceeded", d, err)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("deadline %v: returned after %v", d, el)
		}
	}
}
