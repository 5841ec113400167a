package analysis

import (
	"fmt"
	"math"

	"github.com/vecdb/vecdb/internal/vec"
)

// ProjectOnto returns the scalar position of each of the n = len(data)/dim
// row-major points on axis: the cosine between the point and the axis, so
// -1..1 whatever their lengths. With axis = v('he') − v('she') this is the
// bias axis of SPEC's PROJECTION(...) ONTO. A zero point or zero axis gives
// 0. It returns ErrDimension when len(axis) != dim or data is not a multiple
// of dim. ProjectOnto is safe for concurrent use.
func ProjectOnto(data []float32, dim int, axis []float32) ([]float64, error) {
	n, err := checkShape(data, dim)
	if err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	if len(axis) != dim {
		return nil, fmt.Errorf("project: %w: axis has %d values, want %d", ErrDimension, len(axis), dim)
	}
	an := float64(vec.Norm(axis))
	out := make([]float64, n)
	if an == 0 {
		return out, nil
	}
	for i := range n {
		row := data[i*dim : (i+1)*dim]
		rn := float64(vec.Norm(row))
		if rn == 0 {
			continue
		}
		out[i] = math.Max(-1, math.Min(1, float64(vec.Dot(row, axis))/(rn*an)))
	}
	return out, nil
}
