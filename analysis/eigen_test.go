package analysis

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSymEigen checks symEigen on random symmetric matrices of every size
// from 1 to 40 and on hard shapes (diagonal, repeated eigenvalues, rank
// one, zero, already tridiagonal, values of very different scales): A·q =
// λ·q for every pair, Q orthonormal, and the eigenvalues equal gonum's.
func TestSymEigen(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	type tc struct {
		name string
		n    int
		a    []float64
	}
	var cases []tc
	for n := 1; n <= 40; n++ {
		a := make([]float64, n*n)
		for i := range n {
			for j := i; j < n; j++ {
				v := rng.NormFloat64()
				a[i*n+j], a[j*n+i] = v, v
			}
		}
		cases = append(cases, tc{"random", n, a})
	}
	diag := make([]float64, 25)
	for i := range 5 {
		diag[i*5+i] = float64(5 - i)
	}
	cases = append(cases, tc{"diagonal", 5, diag})
	// Q·diag(2, 2, 2, 1, 1, 0)·Qᵀ for a random orthogonal Q: repeated values.
	{
		n := 6
		g := mat.NewDense(n, n, nil)
		for i := range n {
			for j := range n {
				g.Set(i, j, rng.NormFloat64())
			}
		}
		var qr mat.QR
		qr.Factorize(g)
		var q mat.Dense
		qr.QTo(&q)
		l := mat.NewDiagDense(n, []float64{2, 2, 2, 1, 1, 0})
		var m1, m2 mat.Dense
		m1.Mul(&q, l)
		m2.Mul(&m1, q.T())
		a := make([]float64, n*n)
		for i := range n {
			for j := range n {
				a[i*n+j] = (m2.At(i, j) + m2.At(j, i)) / 2
			}
		}
		cases = append(cases, tc{"repeated", n, a})
	}
	{
		n, u := 7, make([]float64, 7)
		for i := range u {
			u[i] = rng.NormFloat64()
		}
		a := make([]float64, n*n)
		for i := range n {
			for j := range n {
				a[i*n+j] = u[i] * u[j]
			}
		}
		cases = append(cases, tc{"rank one", n, a})
	}
	cases = append(cases, tc{"zero", 4, make([]float64, 16)})
	{
		n := 8
		a := make([]float64, n*n)
		for i := range n {
			a[i*n+i] = 2
			if i+1 < n {
				a[i*n+i+1], a[(i+1)*n+i] = -1, -1
			}
		}
		cases = append(cases, tc{"tridiagonal", n, a})
	}
	{
		n := 5
		a := make([]float64, n*n)
		for i := range n {
			for j := i; j < n; j++ {
				v := rng.NormFloat64() * math.Pow(1e4, float64(i+j)/4)
				a[i*n+j], a[j*n+i] = v, v
			}
		}
		cases = append(cases, tc{"scales", n, a})
	}
	for _, c := range cases {
		n := c.n
		orig := slices.Clone(c.a)
		values, q, err := symEigen(slices.Clone(c.a), n)
		if err != nil {
			t.Fatalf("%s %d: %v", c.name, n, err)
		}
		var norm float64
		for _, v := range orig {
			norm = math.Max(norm, math.Abs(v))
		}
		tol := 1e-10 * math.Max(norm, 1) * float64(n)
		for j := range n {
			for i := range n {
				var av float64
				for k := range n {
					av += orig[i*n+k] * q[k*n+j]
				}
				if d := math.Abs(av - values[j]*q[i*n+j]); d > tol {
					t.Fatalf("%s %d: (A·q%d)[%d] off by %g", c.name, n, j, i, d)
				}
			}
			for k := j; k < n; k++ {
				var dot float64
				for i := range n {
					dot += q[i*n+j] * q[i*n+k]
				}
				want := 0.0
				if j == k {
					want = 1
				}
				if math.Abs(dot-want) > 1e-10*float64(n) {
					t.Fatalf("%s %d: q%d·q%d = %g, want %g", c.name, n, j, k, dot, want)
				}
			}
		}
		var ref mat.EigenSym
		if !ref.Factorize(mat.NewSymDense(n, orig), false) {
			t.Fatal("gonum did not converge")
		}
		want := ref.Values(nil)
		got := slices.Clone(values)
		slices.Sort(got)
		slices.Sort(want)
		for i := range n {
			if math.Abs(got[i]-want[i]) > tol {
				t.Errorf("%s %d: eigenvalue %d = %g, gonum %g", c.name, n, i, got[i], want[i])
			}
		}
	}
}
