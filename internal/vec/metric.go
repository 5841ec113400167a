package vec

import (
	"fmt"
	"math"
	"strings"
)

// Metric is the similarity measure of a collection. The zero value is Cosine.
type Metric uint8

// The metrics a collection may use.
const (
	Cosine     Metric = iota // cosine similarity of unit-normalised vectors (default)
	DotProduct               // raw inner product
	L2                       // Euclidean distance
)

// String returns the metric's name as the language spells it: COSINE, DOT or L2.
func (m Metric) String() string {
	switch m {
	case Cosine:
		return "COSINE"
	case DotProduct:
		return "DOT"
	case L2:
		return "L2"
	}
	return fmt.Sprintf("Metric(%d)", uint8(m))
}

// ParseMetric reads a metric name, case-insensitively.
func ParseMetric(s string) (Metric, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "COSINE", "":
		return Cosine, nil
	case "DOT", "IP", "INNER":
		return DotProduct, nil
	case "L2", "EUCLIDEAN":
		return L2, nil
	}
	return 0, fmt.Errorf("unknown metric %q (want COSINE, DOT or L2)", s)
}

// Score returns the similarity of a and b under m: higher is closer. For
// Cosine the inputs are expected to be unit length already, so it is the dot
// product; for L2 it is the negated Euclidean distance.
func (m Metric) Score(a, b []float32) float32 {
	if m == L2 {
		return -float32(math.Sqrt(float64(L2Sq(a, b))))
	}
	return Dot(a, b)
}

// Distance converts a Score of this metric into a "smaller is closer" distance:
// 1-cos for Cosine, -dot for Dot, the Euclidean distance for L2.
func (m Metric) Distance(score float32) float32 {
	switch m {
	case Cosine:
		return 1 - score
	case DotProduct:
		return -score
	default:
		return -score
	}
}
