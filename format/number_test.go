package format

import (
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"testing"
)

// checkSimple fails if parseSimple accepts s with a result other than
// strconv.ParseFloat's.
func checkSimple(t *testing.T, s string) {
	got, ok := parseSimple([]byte(s))
	if !ok {
		return
	}
	want, err := strconv.ParseFloat(s, 32)
	if err != nil {
		t.Fatalf("parseSimple(%q) = %v, but strconv fails: %v", s, got, err)
	}
	if math.Float32bits(got) != math.Float32bits(float32(want)) {
		t.Fatalf("parseSimple(%q) = %v, strconv %v", s, got, float32(want))
	}
}

func TestParseSimple(t *testing.T) {
	for _, s := range []string{"0", "-0", "+1", ".5", "5.", "0.418", "-0.41242", "1e-3", "1.5E+3", "16777216", "16777217",
		"0.0000000001", "1e-10", "1e-11", "1e10", "1e11", "12345678e-10", ".", "-", "1e", "1e+", "1.2.3", "0x10", "1_0", "nan", "inf", "1e999999"} {
		checkSimple(t, s)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200000; i++ {
		m := rng.Int63n(1 << 25)
		switch rng.Intn(3) {
		case 0:
			checkSimple(t, fmt.Sprintf("%d.%06d", m%100, m%1000000))
		case 1:
			checkSimple(t, fmt.Sprintf("-%de%d", m, rng.Intn(30)-15))
		default:
			s := strconv.FormatInt(m, 10)
			p := rng.Intn(len(s) + 1)
			checkSimple(t, s[:p]+"."+s[p:])
		}
	}
	if f, ok := parseSimple([]byte("-0.41242")); !ok || f != -0.41242 {
		t.Fatalf("fast path not taken: %v %v", f, ok)
	}
}

func FuzzParseSimple(f *testing.F) {
	for _, s := range []string{"0.418", "-1e-3", "16777216.5", "1e10", ".5e-5"} {
		f.Add(s)
	}
	f.Fuzz(checkSimple)
}
