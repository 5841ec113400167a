package analysis

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
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
// (gonum's mat.EigenSym) of the dim×dim covariance matrix. The cost is
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
	centred := mat.NewDense(n, dim, nil)
	raw := centred.RawMatrix()
	for i := range n {
		row := raw.Data[i*raw.Stride : i*raw.Stride+dim]
		for t, v := range data[i*dim : (i+1)*dim] {
			row[t] = float64(v) - mean[t]
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(max(n-1, 1)), centred.T())

	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, errors.New("pca: eigendecomposition did not converge")
	}
	values := eig.Values(nil)
	var vectors mat.Dense
	eig.VectorsTo(&vectors)

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
	basis := mat.NewDense(dim, components, nil)
	for c := range components {
		col := order[c]
		// Sign: the largest-magnitude loading is positive.
		big, sign := 0.0, 1.0
		for t := range dim {
			if v := vectors.At(t, col); math.Abs(v) > big {
				big = math.Abs(v)
				sign = math.Copysign(1, v)
			}
		}
		for t := range dim {
			v := sign * vectors.At(t, col)
			basis.Set(t, c, v)
			res.Components[c*dim+t] = float32(v)
		}
		if total > 0 {
			res.Explained[c] = max(values[col], 0) / total
		}
	}
	var coords mat.Dense
	coords.Mul(centred, basis)
	for i := range n {
		for c := range components {
			res.Coords[i*components+c] = float32(coords.At(i, c))
		}
	}
	return res, nil
}
