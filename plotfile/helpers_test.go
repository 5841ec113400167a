package plotfile

import "math/rand"

// blobs returns n points of dimension dim in k Gaussian groups whose centres
// are drawn with standard deviation spread and whose points scatter around
// them with standard deviation noise, plus each point's true group (the
// same generator as analysis's tests).
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
