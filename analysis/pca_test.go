package analysis

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestPCAKnownCovariance draws points z ~ N(0, diag(9, 4, 1)) rotated by a
// known orthogonal matrix R, so the principal axes are R's columns and the
// explained variance ratios are 9/14, 4/14 and 1/14.
func TestPCAKnownCovariance(t *testing.T) {
	const n = 20000
	c, s := math.Cos(0.6), math.Sin(0.6)
	// R = rotation about z by 0.6 rad, then about x by 0.6 rad.
	rz := mat.NewDense(3, 3, []float64{c, -s, 0, s, c, 0, 0, 0, 1})
	rx := mat.NewDense(3, 3, []float64{1, 0, 0, 0, c, -s, 0, s, c})
	var r mat.Dense
	r.Mul(rx, rz)
	sd := []float64{3, 2, 1}
	rng := rand.New(rand.NewSource(1))
	data := make([]float32, n*3)
	for i := range n {
		z := mat.NewVecDense(3, []float64{sd[0] * rng.NormFloat64(), sd[1] * rng.NormFloat64(), sd[2] * rng.NormFloat64()})
		var x mat.VecDense
		x.MulVec(&r, z)
		for k := range 3 {
			data[i*3+k] = float32(x.AtVec(k) + 5) // an offset the mean must remove
		}
	}
	res, err := PCA(data, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{9.0 / 14, 4.0 / 14, 1.0 / 14}
	for i, w := range want {
		if math.Abs(res.Explained[i]-w) > 0.01 {
			t.Errorf("explained[%d] = %.4f, want %.4f", i, res.Explained[i], w)
		}
	}
	for comp := range 3 {
		var dot float64
		for k := range 3 {
			dot += float64(res.Components[comp*3+k]) * r.At(k, comp)
		}
		if math.Abs(math.Abs(dot)-1) > 0.01 {
			t.Errorf("component %d · true axis = %.4f, want ±1", comp, dot)
		}
	}
	for k := range 3 {
		if math.Abs(float64(res.Mean[k])-5) > 0.1 {
			t.Errorf("mean[%d] = %g, want ≈ 5", k, res.Mean[k])
		}
	}
	checkSigns(t, res, 3)
}

// TestPCAAgainstSVD compares PCA with a reference decomposition: the SVD
// of the centred data matrix, whose right singular vectors are the
// principal axes and whose squared singular values are proportional to the
// variances.
func TestPCAAgainstSVD(t *testing.T) {
	const n, dim, comps = 500, 12, 4
	data, _ := blobs(9, n, dim, 5, 2, 1)
	res, err := PCA(data, dim, comps)
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(n, dim, nil)
	for i := range n {
		for k := range dim {
			x.Set(i, k, float64(data[i*dim+k])-float64(res.Mean[k]))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		t.Fatal("reference SVD failed")
	}
	sv := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	var total float64
	for _, s := range sv {
		total += s * s
	}
	for c := range comps {
		if got, want := res.Explained[c], sv[c]*sv[c]/total; math.Abs(got-want) > 1e-6 {
			t.Errorf("explained[%d] = %.8f, SVD gives %.8f", c, got, want)
		}
		var dot float64
		for k := range dim {
			dot += float64(res.Components[c*dim+k]) * v.At(k, c)
		}
		if math.Abs(math.Abs(dot)-1) > 1e-4 {
			t.Errorf("component %d · SVD axis = %.6f, want ±1", c, dot)
		}
		// Coords are the projections of the centred points.
		for _, i := range []int{0, n / 2, n - 1} {
			var want float64
			for k := range dim {
				want += x.At(i, k) * float64(res.Components[c*dim+k])
			}
			if got := float64(res.Coords[i*comps+c]); math.Abs(got-want) > 1e-3 {
				t.Errorf("coords[%d][%d] = %g, want %g", i, c, got, want)
			}
		}
	}
	checkSigns(t, res, dim)
}

func checkSigns(t *testing.T, res *PCAResult, dim int) {
	t.Helper()
	for c := range len(res.Explained) {
		row := res.Components[c*dim : (c+1)*dim]
		big := row[0]
		for _, v := range row {
			if math.Abs(float64(v)) > math.Abs(float64(big)) {
				big = v
			}
		}
		if big < 0 {
			t.Errorf("component %d: largest loading %g is negative", c, big)
		}
	}
}

func TestPCAErrors(t *testing.T) {
	data := make([]float32, 12)
	if _, err := PCA(data, 3, 4); !errors.Is(err, ErrComponents) {
		t.Errorf("components > dim: %v", err)
	}
	if _, err := PCA(data, 3, 0); !errors.Is(err, ErrComponents) {
		t.Errorf("components = 0: %v", err)
	}
	if _, err := PCA(data, 5, 2); !errors.Is(err, ErrDimension) {
		t.Errorf("ragged data: %v", err)
	}
	// A single point or identical points: no variance, no failure.
	if res, err := PCA(data, 3, 2); err != nil || res.Explained[0] != 0 {
		t.Errorf("constant data: %v, %v", res, err)
	}
}
