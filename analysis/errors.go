package analysis

import "errors"

// Errors returned by the functions of this package. They are wrapped with
// context, so test for them with errors.Is.
var (
	// ErrDimension is returned when the length of data is not a positive
	// multiple of dim, or when an axis or centroid has the wrong length.
	ErrDimension = errors.New("analysis: dimension mismatch")

	// ErrEmpty is returned when there are no points to work on.
	ErrEmpty = errors.New("analysis: no data")

	// ErrK is returned by KMeans when k is not in 1..n.
	ErrK = errors.New("analysis: k out of range")

	// ErrComponents is returned by PCA when components is not in 1..dim.
	ErrComponents = errors.New("analysis: components out of range")

	// ErrTooMany is returned by TSNE when there are more points than its
	// exact O(n²) algorithm accepts (MaxTSNEPoints).
	ErrTooMany = errors.New("analysis: too many points")
)

// checkShape validates a row-major n×dim matrix and returns n.
func checkShape(data []float32, dim int) (int, error) {
	if dim <= 0 {
		return 0, ErrDimension
	}
	if len(data) == 0 {
		return 0, ErrEmpty
	}
	if len(data)%dim != 0 {
		return 0, ErrDimension
	}
	return len(data) / dim, nil
}
