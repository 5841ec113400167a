package analysis

import (
	"errors"
	"math"
	"testing"
)

func TestProjectOnto(t *testing.T) {
	data := []float32{
		2, 0, 0, // along the axis
		0, 3, 0, // orthogonal
		-1, 0, 0, // opposite
		1, 1, 0, // 45°
		0, 0, 0, // zero
	}
	got, err := ProjectOnto(data, 3, []float32{5, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0, -1, math.Sqrt2 / 2, 0}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-6 {
			t.Errorf("position[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	if _, err := ProjectOnto(data, 3, []float32{1, 0}); !errors.Is(err, ErrDimension) {
		t.Errorf("short axis: %v", err)
	}
}
