package db

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vecdb/vecdb/trainer"
)

func usersFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// weightedMean is the hand computation: unit vectors, weights
// exp(-r·(n-1-i)), normalised.
func weightedMean(vs [][]float32, r float64) []float64 {
	out := make([]float64, len(vs[0]))
	for i, v := range vs {
		w := math.Exp(-r * float64(len(vs)-1-i))
		n := norm64(v)
		for j := range v {
			out[j] += w * float64(v[j]) / n
		}
	}
	var s float64
	for _, x := range out {
		s += x * x
	}
	for j := range out {
		out[j] /= math.Sqrt(s)
	}
	return out
}

func TestCreateUsersFromSequences(t *testing.T) {
	d := MustOpen(t)
	items, err := d.CreateCollection(bg, Spec{Name: "items", Dim: 3}, false)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := []float32{2, 0, 0}, []float32{0, 1, 1}, []float32{1, 2, 3}
	if err := items.Insert(bg, Row{Key: "a", Vector: a}, Row{Key: "b", Vector: b}, Row{Key: "c", Vector: c}); err != nil {
		t.Fatal(err)
	}
	p := usersFile(t, "s.txt", "a b zz\nalice\tc a b\n\nqq yy\n7\tc\n")
	res, err := d.CreateUsersFromFile(bg, "users", "items", p, UsersOptions{Recency: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Users != 3 || res.Sequences != 4 || res.SkippedUsers != 1 || res.UnknownItems != 3 ||
		!slices.Equal(res.UnknownExamples, []string{"zz", "qq", "yy"}) {
		t.Fatalf("result %+v", res)
	}
	uc, err := d.Collection("users")
	if err != nil {
		t.Fatal(err)
	}
	for key, hist := range map[string][][]float32{"u1": {a, b}, "alice": {c, a, b}, "u7": {c}} {
		row, err := uc.Get(key)
		if err != nil {
			t.Fatal(err)
		}
		want := weightedMean(hist, 0.5)
		for j := range want {
			if math.Abs(float64(row.Vector[j])-want[j]) > 1e-6 {
				t.Fatalf("%s = %v, want %v", key, row.Vector, want)
			}
		}
		if row.Count != int64(len(hist)) {
			t.Errorf("%s count %d", key, row.Count)
		}
	}
	info, _ := uc.Info()
	if info.Dim != 3 || info.Metric != Cosine {
		t.Errorf("info %+v", info)
	}
	// The user vector is a query into the items' space.
	v, _ := uc.View()
	pos, _ := v.Lookup("alice")
	iv, _ := items.View()
	hits, err := iv.Search(bg, v.Vector(pos), 1, nil)
	if err != nil || len(hits) != 1 {
		t.Fatalf("search by user: %v %v", hits, err)
	}

	// A second run replaces the contents; a cancelled one changes nothing.
	if _, err := d.CreateUsersFromFile(bg, "users", "items", usersFile(t, "t.txt", "c\n"), UsersOptions{KeyPrefix: "s"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := uc.View(); v.Len() != 1 || v.Key(0) != "s1" {
		t.Fatalf("after replace: %v", v)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := d.CreateUsersFromFile(ctx, "users", "items", p, UsersOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if v, _ := uc.View(); v.Len() != 1 || v.Key(0) != "s1" {
		t.Fatalf("after cancel: %v", v)
	}
	if _, err := d.CreateUsersFromFile(bg, "users", "nope", p, UsersOptions{}); !errors.Is(err, ErrCollectionNotFound) {
		t.Errorf("missing items: %v", err)
	}
	if _, err := d.CreateUsersFromFile(bg, "items", "items", p, UsersOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("same collection: %v", err)
	}
}

func TestCreateUsersFromEventLog(t *testing.T) {
	d := MustOpen(t)
	items, _ := d.CreateCollection(bg, Spec{Name: "movies", Dim: 2}, false)
	if err := items.Insert(bg, Row{Key: "1", Vector: []float32{1, 0}}, Row{Key: "2", Vector: []float32{0, 1}}); err != nil {
		t.Fatal(err)
	}
	p := usersFile(t, "ratings.csv", "userId,movieId,rating,timestamp\r\n42,2,4.0,20\r\n42,1,3.0,10\r\n43,9,1.0,5\r\n")
	res, err := d.CreateUsersFromFile(bg, "users", "movies", p, UsersOptions{Recency: 1,
		EventLog: &trainer.EventLogOptions{SequenceBy: "userId", OrderBy: "timestamp", Item: "movieId"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Users != 1 || res.SkippedUsers != 1 || res.UnknownItems != 1 {
		t.Fatalf("result %+v", res)
	}
	uc, _ := d.Collection("users")
	row, err := uc.Get("u42")
	if err != nil {
		t.Fatal(err)
	}
	// Ordered by time: 1 then 2, so 2 is the recent one and weighs more.
	want := weightedMean([][]float32{{1, 0}, {0, 1}}, 1)
	if math.Abs(float64(row.Vector[0])-want[0]) > 1e-6 || row.Vector[1] <= row.Vector[0] {
		t.Fatalf("u42 = %v, want %v", row.Vector, want)
	}
}
