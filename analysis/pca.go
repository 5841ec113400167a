package analysis

import (
	"fmt"
	"math"
	"sort"
)

// PCAResult is a principal component analysis of n points of dimension dim.
type PCAResult struct {
	// Coords is the row-major n×components matrix of the centred points
	// projected onto the components.
	Coords []float32
	// Components is the row-major components×dim matrix of unit principal
	// axes, largest variance first. Each is sign-normalised so that its
	// largest-magnitude loading is positive, which makes results
	// deterministic.
	Components []float32
	// Explained is the fraction of the total variance along each component.
	Explained []float64
	// Mean is the mean point that was subtracted before projecting.
	Mean []float32
}

// PCA projects the n = len(data)/dim row-major points of data onto their
// first components principal axes, found by a symmetric eigendecomposition
// (symEigen: Householder tridiagonalisation and implicit QL) of the dim×dim
// covariance matrix. The cost is
// O(n·dim²) for the covariance plus O(dim³) for the decomposition.
//
// It returns ErrComponents unless 1 ≤ components ≤ dim, and ErrDimension or
// ErrEmpty for a bad shape. data is not modified. PCA is safe for
// concurrent use.
func PCA(data []float32, dim, components int) (*PCAResult, error) {
	n, err := checkShape(data, dim)
	if err != nil {
		return nil, fmt.Errorf("pca: %w", err)
	}
	if components <= 0 || components > dim {
		return nil, fmt.Errorf("pca: %w: %d of %d dimensions", ErrComponents, components, dim)
	}
	mean := make([]float64, dim)
	for i := range n {
		for t, v := range data[i*dim : (i+1)*dim] {
			mean[t] += float64(v)
		}
	}
	for t := range mean {
		mean[t] /= float64(n)
	}
	// The covariance matrix, upper triangle first: Σ (x−m)(x−m)ᵀ/(n−1).
	cov := make([]float64, dim*dim)
	centred := make([]float64, dim)
	for i := range n {
		for t, v := range data[i*dim : (i+1)*dim] {
			centred[t] = float64(v) - mean[t]
		}
		for a, xa := range centred {
			if xa == 0 {
				continue
			}
			row := cov[a*dim+a : a*dim+dim]
			for j, xb := range centred[a:] {
				row[j] += xa * xb
			}
		}
	}
	scale := 1 / float64(max(n-1, 1))
	for a := range dim {
		for b := a; b < dim; b++ {
			v := cov[a*dim+b] * scale
			cov[a*dim+b], cov[b*dim+a] = v, v
		}
	}
	values, vectors, err := symEigen(cov, dim)
	if err != nil {
		return nil, fmt.Errorf("pca: %w", err)
	}

	order := make([]int, dim)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return values[order[a]] > values[order[b]] })
	var total float64
	for _, v := range values {
		total += max(v, 0)
	}

	res := &PCAResult{
		Coords:     make([]float32, n*components),
		Components: make([]float32, components*dim),
		Explained:  make([]float64, components),
		Mean:       make([]float32, dim),
	}
	for t, m := range mean {
		res.Mean[t] = float32(m)
	}
	basis := make([]float64, components*dim) // row c: component c
	for c := range components {
		col := order[c]
		// Sign: the largest-magnitude loading is positive.
		big, sign := 0.0, 1.0
		for t := range dim {
			if v := vectors[t*dim+col]; math.Abs(v) > big {
				big = math.Abs(v)
				sign = math.Copysign(1, v)
			}
		}
		for t := range dim {
			v := sign * vectors[t*dim+col]
			basis[c*dim+t] = v
			res.Components[c*dim+t] = float32(v)
		}
		if total > 0 {
			res.Explained[c] = max(values[col], 0) / total
		}
	}
	for i := range n {
		for t, v := range data[i*dim : (i+1)*dim] {
			centred[t] = float64(v) - mean[t]
		}
		for c := range components {
			var sum float64
			for t, b := range basis[c*dim : (c+1)*dim] {
				sum += centred[t] * b
			}
			res.Coords[i*components+c] = float32(sum)
		}
	}
	return res, nil
}
