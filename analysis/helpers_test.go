package analysis

import (
	"fmt"
	"math/rand"
)

// samplePoints returns n labelled points in three groups.
func samplePoints(n int) []Point {
	data, labels := blobs(11, n, 2, 3, 4, 1)
	pts := make([]Point, n)
	for i := range n {
		pts[i] = Point{Label: fmt.Sprintf("p%d", i), X: float64(data[2*i]), Y: float64(data[2*i+1]), Group: fmt.Sprintf("g%d", labels[i])}
	}
	return pts
}

// blobs returns n points of dimension dim in k Gaussian groups whose centres
// are drawn with standard deviation spread and whose points scatter around
// them with standard deviation noise, plus each point's true group.
func blobs(seed int64, n, dim, k int, spread, noise float64) ([]float32, []int) {
	rng := rand.New(rand.NewSource(seed))
	centres := make([]float64, k*dim)
	for i := range centres {
		centres[i] = rng.NormFloat64() * spread
	}
	data := make([]float32, n*dim)
	labels := make([]int, n)
	for i := range n {
		g := i % k
		labels[i] = g
		for t := range dim {
			data[i*dim+t] = float32(centres[g*dim+t] + rng.NormFloat64()*noise)
		}
	}
	return data, labels
}

// purity is the fraction of points whose cluster's majority label is their
// own label.
func purity(assign, labels []int) float64 {
	counts := map[[2]int]int{}
	for i, a := range assign {
		counts[[2]int{a, labels[i]}]++
	}
	best := map[int]int{}
	for key, c := range counts {
		best[key[0]] = max(best[key[0]], c)
	}
	total := 0
	for _, c := range best {
		total += c
	}
	return float64(total) / float64(len(assign))
}
