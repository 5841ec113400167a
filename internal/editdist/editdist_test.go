package editdist

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"abcd", "acbd", 1}, {"kitten", "sitting", 3}, {"héllo", "hello", 1}} {
		if got := Distance(tt.a, tt.b, 5); got != tt.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
	if got := Distance("kitten", "sitting", 1); got != 2 {
		t.Errorf("bounded distance = %d, want 2 (max+1)", got)
	}
}

func TestOSABytes(t *testing.T) {
	if got := OSA([]byte("teh"), []byte("the"), 2); got != 1 {
		t.Errorf("OSA(teh, the) = %d, want 1 (a transposition)", got)
	}
	if got := OSA([]byte("a"), []byte("abcd"), 2); got != 3 {
		t.Errorf("OSA with lengths 3 apart, max 2 = %d, want 3 (max+1)", got)
	}
}
