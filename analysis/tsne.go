package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand"
)

// MaxTSNEPoints is the most points TSNE accepts: its exact algorithm keeps
// two n×n float64 matrices and does O(n²) work per iteration.
const MaxTSNEPoints = 5000

// TSNEOptions configures TSNE. The zero value gives the defaults.
type TSNEOptions struct {
	// Perplexity is the effective number of neighbours; 0 means 30. It is
	// lowered to (n-1)/3 for small inputs.
	Perplexity float64
	// Iterations is the number of gradient steps; 0 means 1000.
	Iterations int
	// Seed seeds the random initial layout.
	Seed int64
	// Dims is the output dimension; 0 means 2.
	Dims int
	// LearningRate is the gradient step; 0 means max(n/12, 50) capped at 200
	// (the "auto" rule of openTSNE and scikit-learn, capped).
	LearningRate float64
}

// TSNE embeds the n = len(data)/dim row-major points of data in opts.Dims
// dimensions with exact t-SNE (van der Maaten and Hinton, 2008): Gaussian
// affinities calibrated by binary search to the perplexity, Student-t
// affinities in the embedding, 250 iterations of early exaggeration (×12)
// with momentum 0.5, then momentum 0.8, and per-coordinate adaptive gains.
// It returns the row-major n×Dims embedding.
//
// Distances are Euclidean; normalise the rows first for cosine data. It
// returns ErrTooMany for more than MaxTSNEPoints points, ErrDimension or
// ErrEmpty for a bad shape, and ctx.Err() when ctx is cancelled (checked
// every 64 rows of the distance and affinity stages and every 256 rows of
// each iteration's O(n²) loops, so a deadline stops it within milliseconds
// even at MaxTSNEPoints). TSNE is safe for concurrent use.
func TSNE(ctx context.Context, data []float32, dim int, opts TSNEOptions) ([]float32, error) {
	n, err := checkShape(data, dim)
	if err != nil {
		return nil, fmt.Errorf("tsne: %w", err)
	}
	if n > MaxTSNEPoints {
		return nil, fmt.Errorf("tsne: %w: %d points, exact t-SNE takes at most %d (cluster or sample first)", ErrTooMany, n, MaxTSNEPoints)
	}
	dims := opts.Dims
	if dims <= 0 {
		dims = 2
	}
	iters := opts.Iterations
	if iters <= 0 {
		iters = 1000
	}
	out := make([]float32, n*dims)
	if n == 1 {
		return out, nil
	}
	perp := opts.Perplexity
	if perp <= 0 {
		perp = 30
	}
	perp = min(perp, math.Max(float64(n-1)/3, 1))
	eta := opts.LearningRate
	if eta <= 0 {
		eta = min(math.Max(float64(n)/12, 50), 200)
	}

	// Squared input distances.
	d2 := make([]float64, n*n)
	for i := range n {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		xi := data[i*dim : (i+1)*dim]
		for j := i + 1; j < n; j++ {
			xj := data[j*dim : (j+1)*dim]
			var s float64
			for t := range xi {
				v := float64(xi[t]) - float64(xj[t])
				s += v * v
			}
			d2[i*n+j], d2[j*n+i] = s, s
		}
	}
	p, err := affinities(ctx, d2, n, perp)
	if err != nil {
		return nil, err
	}
	d2 = nil

	rng := rand.New(rand.NewSource(opts.Seed))
	y := make([]float64, n*dims)
	for i := range y {
		y[i] = rng.NormFloat64() * 1e-4
	}
	vel := make([]float64, n*dims)
	gains := make([]float64, n*dims)
	for i := range gains {
		gains[i] = 1
	}
	grad := make([]float64, n*dims)
	num := make([]float64, n*n)
	const exaggerationIters = 250
	for it := range iters {
		exag, momentum := 1.0, 0.8
		if it < exaggerationIters {
			exag, momentum = 12, 0.5
		}
		// Student-t kernel 1/(1+‖yi−yj‖²) and its sum.
		var z float64
		for i := range n {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			yi := y[i*dims : (i+1)*dims]
			for j := i + 1; j < n; j++ {
				yj := y[j*dims : (j+1)*dims]
				var s float64
				for t := range yi {
					v := yi[t] - yj[t]
					s += v * v
				}
				q := 1 / (1 + s)
				num[i*n+j], num[j*n+i] = q, q
				z += 2 * q
			}
		}
		// ∂C/∂yi = 4 Σj (pij − qij) (1+‖yi−yj‖²)⁻¹ (yi − yj)
		clear(grad)
		for i := range n {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			yi := y[i*dims : (i+1)*dims]
			gi := grad[i*dims : (i+1)*dims]
			pi, qi := p[i*n:(i+1)*n], num[i*n:(i+1)*n]
			for j := range n {
				if j == i {
					continue
				}
				w := (exag*pi[j] - qi[j]/z) * qi[j]
				yj := y[j*dims : (j+1)*dims]
				for t := range gi {
					gi[t] += 4 * w * (yi[t] - yj[t])
				}
			}
		}
		for i := range y {
			if (grad[i] > 0) != (vel[i] > 0) {
				gains[i] += 0.2
			} else {
				gains[i] *= 0.8
			}
			gains[i] = max(gains[i], 0.01)
			vel[i] = momentum*vel[i] - eta*gains[i]*grad[i]
			y[i] += vel[i]
		}
		// Keep the layout centred.
		for t := range dims {
			var m float64
			for i := range n {
				m += y[i*dims+t]
			}
			m /= float64(n)
			for i := range n {
				y[i*dims+t] -= m
			}
		}
	}
	for i, v := range y {
		out[i] = float32(v)
	}
	return out, nil
}

// affinities returns the symmetric joint probabilities pij of t-SNE from the
// squared distances d2 (n×n): for each point a binary search on the Gaussian
// precision hits the target perplexity, then pij = (pj|i + pi|j) / 2n.
// It returns ctx.Err() when ctx is cancelled (checked every 64 rows).
func affinities(ctx context.Context, d2 []float64, n int, perp float64) ([]float64, error) {
	target := math.Log(perp)
	p := make([]float64, n*n)
	for i := range n {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row := d2[i*n : (i+1)*n]
		pr := p[i*n : (i+1)*n]
		beta, lo, hi := 1.0, 0.0, math.Inf(1)
		// Scale beta to the typical distance so the search starts close.
		var mean float64
		for j, d := range row {
			if j != i {
				mean += d
			}
		}
		mean /= float64(n - 1)
		if mean > 0 {
			beta = 1 / mean
		}
		for range 64 {
			var sum, dsum float64
			// Subtracting the smallest distance keeps exp from underflowing.
			minD := math.Inf(1)
			for j, d := range row {
				if j != i && d < minD {
					minD = d
				}
			}
			for j, d := range row {
				if j == i {
					pr[j] = 0
					continue
				}
				v := math.Exp(-(d - minD) * beta)
				pr[j] = v
				sum += v
				dsum += (d - minD) * v
			}
			// Shannon entropy H = log(sum) + beta·E[d].
			h := math.Log(sum) + beta*dsum/sum
			if math.Abs(h-target) < 1e-5 {
				break
			}
			if h > target {
				lo = beta
				if math.IsInf(hi, 1) {
					beta *= 2
				} else {
					beta = (beta + hi) / 2
				}
			} else {
				hi = beta
				beta = (beta + lo) / 2
			}
		}
		var sum float64
		for _, v := range pr {
			sum += v
		}
		if sum > 0 {
			for j := range pr {
				pr[j] /= sum
			}
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := math.Max((p[i*n+j]+p[j*n+i])/(2*float64(n)), 1e-12)
			p[i*n+j], p[j*n+i] = v, v
		}
	}
	return p, ctx.Err()
}
