package analysis

import (
	"errors"
	"math"
)

// errNoConvergence is returned by symEigen when the QL iteration does not
// settle (which, for a finite symmetric matrix, should not happen).
var errNoConvergence = errors.New("eigendecomposition did not converge")

// symEigen decomposes the symmetric n×n row-major matrix a (which it
// overwrites) as Q·diag(values)·Qᵀ. It returns the eigenvalues and Q,
// row-major, whose column j is the unit eigenvector of values[j]; the
// order is not sorted. The method is the classical one: Householder
// reflections reduce a to tridiagonal form, then implicit QL steps with
// Wilkinson shifts diagonalise it, every rotation accumulated into Q.
// The cost is about 9n³ floating-point operations.
func symEigen(a []float64, n int) (values, q []float64, err error) {
	q = make([]float64, n*n)
	for i := range n {
		q[i*n+i] = 1
	}
	d := make([]float64, n)
	e := make([]float64, max(n-1, 0)) // e[i] couples i and i+1
	tridiagonalize(a, q, n, d, e)
	if err := diagonalize(q, n, d, e); err != nil {
		return nil, nil, err
	}
	return d, q, nil
}

// tridiagonalize applies Householder reflections H_k (k = 0…n-3) to a,
// a ← H_k·a·H_k, until it is tridiagonal, and accumulates q ← q·H_k. The
// diagonal goes to d and the off-diagonal to e.
func tridiagonalize(a, q []float64, n int, d, e []float64) {
	v := make([]float64, n)
	p := make([]float64, n)
	for k := 0; k+2 < n; k++ {
		lo := k + 1 // the reflection acts on indices lo…n-1
		var sigma float64
		for i := lo; i < n; i++ {
			sigma = math.Hypot(sigma, a[i*n+k])
		}
		if sigma == 0 {
			continue
		}
		alpha := -math.Copysign(sigma, a[lo*n+k])
		for i := lo; i < n; i++ {
			v[i] = a[i*n+k]
		}
		v[lo] -= alpha
		var vn float64
		for i := lo; i < n; i++ {
			vn = math.Hypot(vn, v[i])
		}
		if vn == 0 {
			continue
		}
		for i := lo; i < n; i++ {
			v[i] /= vn
		}
		// The trailing block S becomes S − 2(v wᵀ + w vᵀ) with p = S v and
		// w = p − (vᵀp) v.
		var vp float64
		for i := lo; i < n; i++ {
			row := a[i*n : i*n+n]
			var s float64
			for j := lo; j < n; j++ {
				s += row[j] * v[j]
			}
			p[i] = s
			vp += v[i] * s
		}
		for i := lo; i < n; i++ {
			p[i] -= vp * v[i]
		}
		for i := lo; i < n; i++ {
			row := a[i*n : i*n+n]
			vi, pi := 2*v[i], 2*p[i]
			for j := lo; j < n; j++ {
				row[j] -= vi*p[j] + pi*v[j]
			}
		}
		// Column k (and row k) is now alpha at lo and zero below.
		a[lo*n+k], a[k*n+lo] = alpha, alpha
		for i := lo + 1; i < n; i++ {
			a[i*n+k], a[k*n+i] = 0, 0
		}
		// q ← q·H: each row r of q loses 2(r·v) v.
		for r := range n {
			row := q[r*n : r*n+n]
			var s float64
			for j := lo; j < n; j++ {
				s += row[j] * v[j]
			}
			if s == 0 {
				continue
			}
			s *= 2
			for j := lo; j < n; j++ {
				row[j] -= s * v[j]
			}
		}
	}
	for i := range n {
		d[i] = a[i*n+i]
		if i+1 < n {
			e[i] = a[(i+1)*n+i]
		}
	}
}

// diagonalize brings the symmetric tridiagonal matrix (d, e) to diagonal
// form by implicit shifted QR steps on its unreduced blocks, from the
// bottom up, accumulating each rotation into the columns of q.
func diagonalize(q []float64, n int, d, e []float64) error {
	const eps = 0x1p-52
	small := func(i int) bool { return math.Abs(e[i]) <= eps*(math.Abs(d[i])+math.Abs(d[i+1])) }
	iterations := 0
	for m := n - 1; m > 0; {
		if small(m - 1) {
			e[m-1] = 0
			m--
			iterations = 0
			continue
		}
		if iterations++; iterations > 60 {
			return errNoConvergence
		}
		l := m - 1
		for l > 0 && !small(l-1) {
			l--
		}
		// Wilkinson shift: the eigenvalue of the trailing 2×2 block closer
		// to d[m].
		delta := (d[m-1] - d[m]) / 2
		sign := 1.0
		if delta < 0 {
			sign = -1
		}
		b := e[m-1]
		mu := d[m] - b*b/(delta+sign*math.Hypot(delta, b))
		// Chase the bulge from l down to m.
		x, z := d[l]-mu, e[l]
		var bulge float64
		for k := l; k < m; k++ {
			if k > l {
				x, z = e[k-1], bulge
			}
			r := math.Hypot(x, z)
			c, s := 1.0, 0.0
			if r != 0 {
				c, s = x/r, z/r
			}
			if k > l {
				e[k-1] = r
			}
			// P = [[c, s], [−s, c]] on rows and columns k, k+1.
			a0, b0, c0 := d[k], e[k], d[k+1]
			d[k] = c*c*a0 + 2*c*s*b0 + s*s*c0
			e[k] = c*s*(c0-a0) + (c*c-s*s)*b0
			d[k+1] = s*s*a0 - 2*c*s*b0 + c*c*c0
			if k+1 < m {
				bulge = s * e[k+1]
				e[k+1] *= c
			}
			// q ← q·Pᵀ on columns k, k+1.
			for i := range n {
				qk, qk1 := q[i*n+k], q[i*n+k+1]
				q[i*n+k] = c*qk + s*qk1
				q[i*n+k+1] = -s*qk + c*qk1
			}
		}
	}
	return nil
}
