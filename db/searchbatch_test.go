package db

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"
)

// TestSearchBatchBlockedEqualsSearch checks SearchBatch's blocked path
// (vec.DotBlock, then rescoring) against Search bit for bit: a dimension
// with a ragged tail, more queries than one group, rows that are copies of
// others (exact ties), MinSimilarity and Offset.
func TestSearchBatchBlockedEqualsSearch(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	for _, m := range []Metric{Cosine, Dot, L2} {
		for _, dim := range []int{1, 7, 100} {
			d := MustOpen(t)
			c, _ := d.CreateCollection(bg, Spec{Name: "c", Dim: dim, Metric: m}, false)
			vecs := randVecs(r, 3001, dim)
			for i := 100; i < len(vecs); i += 97 {
				vecs[i] = vecs[i-100] // exact ties
			}
			rows := make([]Row, len(vecs))
			for i := range rows {
				rows[i] = Row{Key: fmt.Sprint("k", i), Vector: vecs[i]}
			}
			if err := c.Insert(bg, rows...); err != nil {
				t.Fatal(err)
			}
			v, _ := c.View()
			qs := randVecs(r, 70, dim)
			qs = append(qs, vecs[5], vecs[105])
			minSim := float32(-0.05)
			if m == L2 {
				minSim = 0.05
			}
			for _, opts := range []*SearchOptions{
				nil,
				{Offset: 3, Exclude: []int{0, 1}},
				{MinSimilarity: &minSim, Filter: func(p int) bool { return p%3 != 1 }},
			} {
				for _, k := range []int{1, 10} {
					batch, err := v.SearchBatch(bg, qs, k, opts)
					if err != nil {
						t.Fatal(err)
					}
					for i, q := range qs {
						o := opts
						if o == nil {
							o = &SearchOptions{}
						}
						one, err := v.Search(bg, q, k, o)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(one, batch[i]) {
							t.Fatalf("%v dim %d k %d opts %+v query %d:\nbatch  %v\nsingle %v", m, dim, k, opts, i, batch[i], one)
						}
					}
				}
			}
		}
	}
}
