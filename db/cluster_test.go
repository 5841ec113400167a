package db

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
)

// makeBlobs creates collection name with groups well-separated groups of
// per keys each ("g<group>_<i>"), with a TEXT field "group" holding the
// group's name, and returns the group of each key.
func makeBlobs(t testing.TB, d *DB, name string, metric Metric, groups, per, dim int) map[string]int {
	t.Helper()
	c, err := d.CreateCollection(bg, Spec{Name: name, Dim: dim, Metric: metric, Fields: []Field{{Name: "group", Type: Text}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(7))
	centres := make([][]float32, groups)
	for g := range centres {
		centres[g] = make([]float32, dim)
		centres[g][g%dim] = 10 // orthogonal directions: far apart in angle and in L2
		centres[g][(g+1)%dim] = 3
	}
	want := map[string]int{}
	var rows []Row
	for i := range per {
		for g := range groups {
			v := make([]float32, dim)
			for t := range v {
				v[t] = centres[g][t] + float32(rng.NormFloat64())*0.8
			}
			key := fmt.Sprintf("g%d_%d", g, i)
			want[key] = g
			rows = append(rows, Row{Key: key, Vector: v, Count: int64(per*groups - len(rows)), Meta: []any{fmt.Sprintf("group%d", g)}})
		}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	return want
}

// purity is the fraction of keys whose cluster's majority group is their
// own group.
func purity(res *ClusterResult, want map[string]int) float64 {
	counts := map[[2]int]int{}
	for i, k := range res.Keys {
		counts[[2]int{res.Cluster[i], want[k]}]++
	}
	best := map[int]int{}
	for cg, n := range counts {
		best[cg[0]] = max(best[cg[0]], n)
	}
	total := 0
	for _, n := range best {
		total += n
	}
	return float64(total) / float64(len(res.Keys))
}

func TestClusterSynthetic(t *testing.T) {
	d := MustOpen(t)
	for _, m := range []Metric{Cosine, L2, Dot} {
		name := "blobs_" + m.String()
		want := makeBlobs(t, d, name, m, 4, 50, 16)
		res, err := d.Cluster(bg, name, 4, ClusterOptions{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Keys) != 200 || len(res.Cluster) != 200 || len(res.Distance) != 200 || len(res.Sizes) != 4 {
			t.Fatalf("%s: lengths %d %d %d %d", m, len(res.Keys), len(res.Cluster), len(res.Distance), len(res.Sizes))
		}
		if p := purity(res, want); p < 0.9 {
			t.Errorf("%s: purity %.2f", m, p)
		}
		if res.Silhouette < 0.3 || res.Silhouette > 1 || res.Inertia <= 0 || res.Iterations < 1 {
			t.Errorf("%s: silhouette %.3f inertia %g iterations %d", m, res.Silhouette, res.Inertia, res.Iterations)
		}
		sum := 0
		for _, s := range res.Sizes {
			sum += s
		}
		if sum != 200 {
			t.Errorf("%s: sizes %v", m, res.Sizes)
		}
		if m == Cosine {
			for i, dist := range res.Distance {
				if dist < 0 || dist > 2 {
					t.Fatalf("cosine distance %g of %s outside 0..2", dist, res.Keys[i])
				}
			}
		}
	}
}

func TestClusterGensim(t *testing.T) {
	d := MustOpen(t)
	importGensim(t, d)
	var reports []Progress
	ctx := WithProgress(bg, func(p Progress) { reports = append(reports, p) })
	res, err := d.Cluster(ctx, "speeches", 8, ClusterOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Keys) != 2000 || res.Keys[0] != "the" {
		t.Fatalf("%d keys, first %q", len(res.Keys), res.Keys[0])
	}
	for _, s := range res.Sizes {
		if s == 0 {
			t.Errorf("empty cluster: %v", res.Sizes)
		}
	}
	if len(reports) == 0 {
		t.Fatal("no progress reports")
	}
	last := reports[len(reports)-1]
	if last.Op != "cluster" || last.Done != last.Total || last.Total != 25 {
		t.Errorf("last progress %+v", last)
	}
	again, err := d.Cluster(bg, "speeches", 8, ClusterOptions{Seed: 3, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Cluster, again.Cluster) {
		t.Error("equal seeds gave different clusters")
	}

	// Top and Filter: the first 300 keys, then every other one.
	top, err := d.Cluster(bg, "speeches", 5, ClusterOptions{Top: 300, Filter: func(p int) bool { return p%2 == 0 }})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := mustView(t, d, "speeches")
	if len(top.Keys) != 150 || top.Keys[1] != v.Key(2) || top.Keys[149] != v.Key(298) {
		t.Errorf("top/filter kept %d keys: %q %q", len(top.Keys), top.Keys[1], top.Keys[149])
	}
}

func mustView(t testing.TB, d *DB, name string) (*View, *Collection) {
	t.Helper()
	c, err := d.Collection(name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	return v, c
}

func TestClusterErrors(t *testing.T) {
	d := MustOpen(t)
	makeBlobs(t, d, "b", Cosine, 2, 5, 4)
	for _, tc := range []struct {
		k    int
		opts ClusterOptions
		want error
	}{
		{0, ClusterOptions{}, ErrInvalid},
		{-2, ClusterOptions{}, ErrInvalid},
		{11, ClusterOptions{}, ErrInvalid},
		{3, ClusterOptions{Top: 2}, ErrInvalid},
		{1, ClusterOptions{Filter: func(int) bool { return false }}, ErrInvalid},
		{2, ClusterOptions{SaveAs: "group"}, ErrFieldType},
	} {
		if _, err := d.Cluster(bg, "b", tc.k, tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("k=%d %+v: %v, want %v", tc.k, tc.opts, err, tc.want)
		}
	}
	_, err := d.Cluster(bg, "nope", 2, ClusterOptions{})
	if !errors.Is(err, ErrCollectionNotFound) || !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown collection: %v", err)
	}
}

func TestClusterSaveAs(t *testing.T) {
	d := MustOpen(t)
	makeBlobs(t, d, "b", Cosine, 3, 20, 8)
	res, err := d.Cluster(bg, "b", 3, ClusterOptions{SaveAs: "topic", Filter: func(p int) bool { return p != 0 }})
	if err != nil {
		t.Fatal(err)
	}
	check := func(d *DB) {
		t.Helper()
		v, c := mustView(t, d, "b")
		fi := v.FieldIndex("topic")
		if fi != 1 || v.Info().Fields[fi].Type != Int {
			t.Fatalf("fields %v", v.Info().Fields)
		}
		for i, k := range res.Keys {
			r, err := c.Get(k)
			if err != nil {
				t.Fatal(err)
			}
			if r.Meta[fi] != int64(res.Cluster[i]) || r.Meta[0] == nil {
				t.Fatalf("%s: meta %v, cluster %d", k, r.Meta, res.Cluster[i])
			}
		}
		// The row left out by the filter stays NULL.
		if r, err := c.Get(v.Key(0)); err != nil || r.Meta[fi] != nil {
			t.Errorf("unclustered row: %v %v", r, err)
		}
	}
	check(d)
	// Again into the existing field, then reopen.
	if _, err := d.Cluster(bg, "b", 3, ClusterOptions{SaveAs: "topic", Filter: func(p int) bool { return p != 0 }}); err != nil {
		t.Fatal(err)
	}
	path := d.Path()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d2, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	check(d2)
	d2.Close()
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Cluster(bg, "b", 3, ClusterOptions{SaveAs: "topic2"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only SaveAs: %v", err)
	}
	if _, err := ro.Cluster(bg, "b", 3, ClusterOptions{}); err != nil {
		t.Errorf("read-only cluster: %v", err)
	}
}

func TestClusterCancelled(t *testing.T) {
	d := MustOpen(t)
	makeBlobs(t, d, "b", L2, 3, 20, 8)
	for _, at := range []string{"iteration", "saving"} {
		ctx, cancel := context.WithCancel(bg)
		ctx = WithProgress(ctx, func(p Progress) {
			if at == "saving" && p.Detail == "saving" || at == "iteration" && p.Done == 1 {
				cancel()
			}
		})
		_, err := d.Cluster(ctx, "b", 3, ClusterOptions{SaveAs: "topic"})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at %s: %v", at, err)
		}
		v, c := mustView(t, d, "b")
		if v.FieldIndex("topic") >= 0 {
			t.Errorf("cancelled at %s: field added: %v", at, v.Info().Fields)
		}
		if r, err := c.Get("g0_0"); err != nil || len(r.Meta) != 1 {
			t.Errorf("cancelled at %s: row %v %v", at, r, err)
		}
	}
}
