package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"

	"github.com/vecdb/vecdb/internal/vec"
)

// KMeansOptions configures KMeans. The zero value is usable.
type KMeansOptions struct {
	// Iterations is the most Lloyd iterations to run; 0 means 25. KMeans
	// stops earlier when no assignment changes.
	Iterations int
	// Seed seeds the k-means++ initialisation and the silhouette sample;
	// equal seeds give equal results whatever Threads is.
	Seed int64
	// Spherical clusters by cosine similarity, for COSINE collections: the
	// points are used as unit vectors, each is assigned to the centroid with
	// the largest dot product, and centroids are renormalised to unit length
	// after each update.
	Spherical bool
	// Threads is the number of goroutines for the assignment step; 0 means
	// runtime.GOMAXPROCS(0).
	Threads int
	// Progress, when not nil, is called after each iteration's assignment
	// step with the 1-based iteration number and the inertia of that
	// assignment. It is called from the goroutine that called KMeans.
	Progress func(iter int, inertia float64)
}

// KMeansResult is the outcome of KMeans for n points of dimension dim.
type KMeansResult struct {
	// Assign holds the cluster (0..k-1) of each point.
	Assign []int
	// Distance holds each point's distance to its own centroid: 1-cos for
	// spherical clustering, the Euclidean distance otherwise.
	Distance []float32
	// Centroids is the row-major k×dim matrix of cluster centres (unit
	// length when spherical).
	Centroids []float32
	// Inertia is the sum over points of the squared Distance. For Euclidean
	// clustering this is FAISS's objective (sum of squared L2 distances).
	Inertia float64
	// Iterations is the number of Lloyd iterations run.
	Iterations int
	// Silhouette is the mean silhouette coefficient (-1..1, higher is better
	// separated) over a seeded sample of at most 2000 points, measured with
	// the same distance as Distance. It is 0 when k is 1.
	Silhouette float64
}

// silhouetteSample is the most points the silhouette is measured on.
const silhouetteSample = 2000

// assignChunk is the number of points per unit of parallel work.
const assignChunk = 512

// KMeans clusters the n = len(data)/dim row-major points of data into k
// groups: k-means++ initialisation (seeded by opts.Seed), then Lloyd
// iterations until no assignment changes or opts.Iterations (default 25)
// have run. A cluster left empty is re-seeded with the point farthest from
// its centroid. The assignment step computes ‖x‖²−2x·c+‖c‖² on
// opts.Threads goroutines; results do not depend on the thread count.
//
// It returns ErrK unless 1 ≤ k ≤ n, ErrDimension or ErrEmpty for a bad
// shape, and ctx.Err() when ctx is cancelled (checked per chunk of points).
// data is not modified. KMeans is safe for concurrent use.
func KMeans(ctx context.Context, data []float32, dim, k int, opts KMeansOptions) (*KMeansResult, error) {
	n, err := checkShape(data, dim)
	if err != nil {
		return nil, fmt.Errorf("kmeans: %w", err)
	}
	if k <= 0 || k > n {
		return nil, fmt.Errorf("kmeans: %w: k=%d for %d points", ErrK, k, n)
	}
	iters := opts.Iterations
	if iters <= 0 {
		iters = 25
	}
	km := &kmeans{
		ctx:       ctx,
		n:         n,
		dim:       dim,
		k:         k,
		spherical: opts.Spherical,
		threads:   threadCount(opts.Threads),
		x:         data,
	}
	if km.spherical {
		km.x = make([]float32, len(data))
		copy(km.x, data)
		for i := range n {
			vec.Normalize(km.x[i*dim : (i+1)*dim])
		}
	} else {
		km.xnorm = make([]float32, n)
		for i := range n {
			row := data[i*dim : (i+1)*dim]
			km.xnorm[i] = vec.Dot(row, row)
		}
	}
	rng := rand.New(rand.NewSource(opts.Seed))
	if err := km.initPlusPlus(rng); err != nil {
		return nil, fmt.Errorf("kmeans: %w", err)
	}
	km.assign = make([]int, n)
	for i := range km.assign {
		km.assign[i] = -1
	}
	km.dist = make([]float32, n)

	res := &KMeansResult{}
	converged := false
	for it := 1; it <= iters; it++ {
		changed, inertia, err := km.assignStep()
		if err != nil {
			return nil, fmt.Errorf("kmeans: %w", err)
		}
		if opts.Progress != nil {
			opts.Progress(it, inertia)
		}
		if changed == 0 {
			converged = true
			res.Iterations = it - 1
			break
		}
		km.update()
		res.Iterations = it
	}
	if !converged {
		// Bring Assign and Distance in line with the final centroids.
		if _, _, err := km.assignStep(); err != nil {
			return nil, fmt.Errorf("kmeans: %w", err)
		}
	}

	res.Assign = km.assign
	res.Centroids = km.cent
	res.Distance = make([]float32, n)
	for i, d := range km.dist {
		if km.spherical {
			res.Distance[i] = d
		} else {
			res.Distance[i] = float32(math.Sqrt(float64(d)))
		}
		res.Inertia += squaredDistance(d, km.spherical)
	}
	if k > 1 {
		s, err := km.silhouette(rng)
		if err != nil {
			return nil, fmt.Errorf("kmeans: %w", err)
		}
		res.Silhouette = s
	}
	return res, nil
}

// squaredDistance turns a stored distance (squared Euclidean, or 1-cos) into
// the squared distance the inertia sums.
func squaredDistance(d float32, spherical bool) float64 {
	if spherical {
		return float64(d) * float64(d)
	}
	return float64(d)
}

// kmeans is the working state of one KMeans call.
type kmeans struct {
	ctx       context.Context
	n, dim, k int
	spherical bool
	threads   int
	x         []float32 // points (unit length when spherical)
	xnorm     []float32 // ‖x‖² per point; nil when spherical
	cent      []float32 // k×dim
	cnorm     []float32 // ‖c‖² per centroid
	assign    []int
	dist      []float32 // squared Euclidean distance, or 1-cos when spherical
}

func (km *kmeans) row(i int) []float32  { return km.x[i*km.dim : (i+1)*km.dim] }
func (km *kmeans) crow(j int) []float32 { return km.cent[j*km.dim : (j+1)*km.dim] }

func (km *kmeans) cancelled() bool { return km.ctx.Err() != nil }

// initSample bounds the k-means++ sample to initSample·k points (FAISS
// trains on at most 256 points per centroid by default; here only the
// seeding is sampled, the Lloyd iterations use every point).
const initSample = 256

// sampleD2 draws a point with probability proportional to minD (total is
// its sum); when every weight is zero any point will do.
func (km *kmeans) sampleD2(rng *rand.Rand, minD []float32, total float64) int {
	if total > 0 {
		r := rng.Float64() * total
		for i, d := range minD {
			r -= float64(d)
			if r < 0 && d > 0 {
				return i
			}
		}
		for i := len(minD) - 1; i >= 0; i-- { // rounding at the end of the sum
			if minD[i] > 0 {
				return i
			}
		}
	}
	return rng.Intn(len(minD))
}

// pairDistance is the k-means++ weight between two points: the squared
// Euclidean distance (which for unit vectors is 2-2cos).
func (km *kmeans) pairDistance(a, b []float32) float32 {
	return vec.L2Sq(a, b)
}

// initPlusPlus chooses k initial centroids by k-means++: the first uniformly,
// each next one with probability proportional to its squared distance to the
// nearest centroid chosen so far.
func (km *kmeans) initPlusPlus(rng *rand.Rand) error {
	n := km.n
	km.cent = make([]float32, km.k*km.dim)
	// Seed from a random sample of at most initSample·k points: the seeds
	// are as good in practice, and seeding costs O(sample·k·trials).
	var pts []int
	if n > initSample*km.k {
		pts = rng.Perm(n)[:initSample*km.k]
		n = len(pts)
	}
	row := func(i int) []float32 {
		if pts != nil {
			i = pts[i]
		}
		return km.row(i)
	}
	minD := make([]float32, n)
	first := rng.Intn(n)
	copy(km.crow(0), row(first))
	c0 := km.crow(0)
	parallelChunks(n, 4*assignChunk, km.threads, km.cancelled, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			minD[i] = km.pairDistance(row(i), c0)
		}
	})
	// Greedy k-means++: draw a few candidates per step and keep the one that
	// lowers the total squared distance most (2+ln k candidates, as in
	// Arthur and Vassilvitskii's paper and scikit-learn).
	trials := 2 + int(math.Log(float64(km.k)))
	candD := make([][]float32, trials)
	for t := range candD {
		candD[t] = make([]float32, n)
	}
	for j := 1; j < km.k; j++ {
		if err := km.ctx.Err(); err != nil {
			return err
		}
		var total float64
		for _, d := range minD {
			total += float64(d)
		}
		cands := make([]int, trials)
		for t := range cands {
			cands[t] = km.sampleD2(rng, minD, total)
		}
		parallelChunks(n, 4*assignChunk, km.threads, km.cancelled, func(lo, hi int) {
			for t, p := range cands {
				cp, cd := row(p), candD[t]
				for i := lo; i < hi; i++ {
					cd[i] = min(minD[i], km.pairDistance(row(i), cp))
				}
			}
		})
		best, bestPot := 0, math.Inf(1)
		for t := range cands {
			var pot float64
			for _, d := range candD[t] {
				pot += float64(d)
			}
			if pot < bestPot {
				best, bestPot = t, pot
			}
		}
		copy(km.crow(j), row(cands[best]))
		copy(minD, candD[best])
	}
	km.cnorm = make([]float32, km.k)
	km.centroidNorms()
	return km.ctx.Err()
}

func (km *kmeans) centroidNorms() {
	for j := range km.k {
		c := km.crow(j)
		km.cnorm[j] = vec.Dot(c, c)
	}
}

// assignStep assigns every point to its nearest centroid, filling assign and
// dist, and returns how many assignments changed and the inertia.
func (km *kmeans) assignStep() (changed int, inertia float64, err error) {
	nchunks := (km.n + assignChunk - 1) / assignChunk
	changes := make([]int, nchunks)
	parallelChunks(km.n, assignChunk, km.threads, km.cancelled, func(lo, hi int) {
		changes[lo/assignChunk] = km.assignRange(lo, hi)
	})
	if err := km.ctx.Err(); err != nil {
		return 0, 0, err
	}
	for _, c := range changes {
		changed += c
	}
	for _, d := range km.dist {
		inertia += squaredDistance(d, km.spherical)
	}
	return changed, inertia, nil
}

// assignRange is assignStep for points lo..hi-1. The dot products of a
// point with all centroids come from one vec.DotBatch call.
func (km *kmeans) assignRange(lo, hi int) (changed int) {
	dots := make([]float32, km.k)
	cnorm := km.cnorm
	for i := lo; i < hi; i++ {
		vec.DotBatch(km.row(i), km.cent, dots)
		best := 0
		if km.spherical {
			bestV := dots[0]
			for j, s := range dots {
				if s > bestV {
					bestV, best = s, j
				}
			}
			km.dist[i] = max(0, 1-bestV)
		} else {
			// ‖x−c‖² = ‖x‖² − 2x·c + ‖c‖²; ‖x‖² is the same for every c.
			bestV := cnorm[0] - 2*dots[0]
			for j, s := range dots {
				if v := cnorm[j] - 2*s; v < bestV {
					bestV, best = v, j
				}
			}
			km.dist[i] = max(0, km.xnorm[i]+bestV)
		}
		if km.assign[i] != best {
			km.assign[i] = best
			changed++
		}
	}
	return changed
}

// update moves each centroid to the mean of its points (renormalised when
// spherical) and re-seeds empty clusters from the farthest points.
func (km *kmeans) update() {
	k, dim := km.k, km.dim
	sums := make([]float32, k*dim)
	counts := make([]int, k)
	for i, a := range km.assign {
		counts[a]++
		vec.Axpy(1, km.row(i), sums[a*dim:(a+1)*dim])
	}
	var empty []int
	for j := range k {
		c := km.crow(j)
		if counts[j] == 0 {
			empty = append(empty, j)
			continue
		}
		inv := 1 / float32(counts[j])
		for t, s := range sums[j*dim : (j+1)*dim] {
			c[t] = s * inv
		}
	}
	if len(empty) > 0 {
		// Farthest points first; ties by index so the order is deterministic.
		order := make([]int, km.n)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return km.dist[order[a]] > km.dist[order[b]] })
		next := 0
		for _, j := range empty {
			for next < len(order) && counts[km.assign[order[next]]] <= 1 {
				next++
			}
			if next == len(order) {
				break // fewer distinct donors than empty clusters; leave it
			}
			p := order[next]
			next++
			counts[km.assign[p]]--
			counts[j] = 1
			copy(km.crow(j), km.row(p))
		}
	}
	if km.spherical {
		for j := range k {
			vec.Normalize(km.crow(j))
		}
	}
	km.centroidNorms()
}

// silhouette returns the mean silhouette coefficient over a seeded sample of
// at most silhouetteSample points.
func (km *kmeans) silhouette(rng *rand.Rand) (float64, error) {
	m := min(km.n, silhouetteSample)
	var sample []int
	if m == km.n {
		sample = make([]int, m)
		for i := range sample {
			sample[i] = i
		}
	} else {
		sample = rng.Perm(km.n)[:m]
	}
	scores := make([]float64, m)
	parallelChunks(m, 64, km.threads, km.cancelled, func(lo, hi int) {
		sum := make([]float64, km.k)
		cnt := make([]int, km.k)
		for a := lo; a < hi; a++ {
			clear(sum)
			clear(cnt)
			i := sample[a]
			xi := km.row(i)
			for _, j := range sample {
				if j == i {
					continue
				}
				var d float64
				if km.spherical {
					d = 1 - float64(vec.Dot(xi, km.row(j)))
				} else {
					d = math.Sqrt(float64(vec.L2Sq(xi, km.row(j))))
				}
				sum[km.assign[j]] += d
				cnt[km.assign[j]]++
			}
			own := km.assign[i]
			if cnt[own] == 0 {
				continue // a singleton's silhouette is 0
			}
			in := sum[own] / float64(cnt[own])
			out := math.Inf(1)
			for c := range km.k {
				if c != own && cnt[c] > 0 {
					out = min(out, sum[c]/float64(cnt[c]))
				}
			}
			if math.IsInf(out, 1) {
				continue
			}
			if den := max(in, out); den > 0 {
				scores[a] = (out - in) / den
			}
		}
	})
	if err := km.ctx.Err(); err != nil {
		return 0, err
	}
	var s float64
	for _, v := range scores {
		s += v
	}
	return s / float64(m), nil
}
