// Command gen writes a seeded synthetic set of clustered vectors as
// word2vec text, for the ANN benchmark in ../ (issue 4, dataset b).
//
//	gen -n 1000000 -dim 100 -clusters 1000 -seed 1 -out /tmp/bench/clustered1m.vec
//
// Each point is centre + noise. Centres are N(0, 1) per coordinate. The
// noise is anisotropic: coordinate j of a cluster's own random axis order
// has standard deviation noise*(j+1)^-decay, so each cluster has a few
// dominant directions and a long tail, as learned embeddings do; this
// keeps the intrinsic dimension well below dim so that HNSW recall is
// neither trivial nor hopeless. Cluster sizes follow 1/(rank+10) (a
// flattened Zipf law). Keys are "c<cluster>_<i>".
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	n := flag.Int("n", 1000000, "number of vectors")
	dim := flag.Int("dim", 100, "dimension")
	k := flag.Int("clusters", 1000, "number of clusters")
	noise := flag.Float64("noise", 1.0, "noise scale of the first axis")
	decay := flag.Float64("decay", 0.5, "noise decay exponent over axes")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "", "output file (word2vec text)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -out is required")
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(*seed, 0x5eed))
	centres := make([][]float32, *k)
	perms := make([][]int, *k)
	cum := make([]float64, *k)
	total := 0.0
	for c := range centres {
		v := make([]float32, *dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		centres[c] = v
		perms[c] = rng.Perm(*dim)
		total += 1 / float64(c+10)
		cum[c] = total
	}
	sd := make([]float64, *dim)
	for j := range sd {
		sd[j] = *noise * math.Pow(float64(j+1), -*decay)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "%d %d\n", *n, *dim)
	buf := make([]byte, 0, 4096)
	x := make([]float32, *dim)
	for i := 0; i < *n; i++ {
		u := rng.Float64() * total
		lo, hi := 0, *k-1
		for lo < hi {
			m := (lo + hi) / 2
			if cum[m] < u {
				lo = m + 1
			} else {
				hi = m
			}
		}
		c := lo
		copy(x, centres[c])
		for j, axis := range perms[c] {
			x[axis] += float32(rng.NormFloat64() * sd[j])
		}
		buf = buf[:0]
		buf = append(buf, 'c')
		buf = strconv.AppendInt(buf, int64(c), 10)
		buf = append(buf, '_')
		buf = strconv.AppendInt(buf, int64(i), 10)
		for _, v := range x {
			buf = append(buf, ' ')
			buf = strconv.AppendFloat(buf, float64(v), 'g', 6, 32)
		}
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
