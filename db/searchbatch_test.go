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

// TestSearchBatchRuns: an item of SearchBatch scores its block against
// every group of queries when the blocks are enough to share out (so the
// workers never read the same rows twice), and against fewer groups when
// they are not; the items cover every (block, group) pair once. The
// answers are Search's whichever split the thread count gives.
func TestSearchBatchRuns(t *testing.T) {
	if got := batchRun(100, 4, 2); got != 4 {
		t.Errorf("100 blocks, 4 groups, 2 workers: %d groups per item, want all 4", got)
	}
	if got := batchRun(1, 4, 2); got != 1 {
		t.Errorf("1 block, 4 groups, 2 workers: %d groups per item, want 1", got)
	}
	if got := batchRun(5, 4, 2); got != 2 {
		t.Errorf("5 blocks, 4 groups, 2 workers: %d groups per item, want 2", got)
	}
	for nblocks := 1; nblocks < 40; nblocks++ {
		for ngroups := 1; ngroups < 10; ngroups++ {
			for workers := 1; workers < 6; workers++ {
				per := batchRun(nblocks, ngroups, workers)
				if per < 1 || per > ngroups {
					t.Fatalf("batchRun(%d, %d, %d) = %d", nblocks, ngroups, workers, per)
				}
				if nblocks >= batchItemsPerWorker*workers && per != ngroups {
					t.Fatalf("batchRun(%d, %d, %d) = %d: enough blocks, yet a block is read more than once", nblocks, ngroups, workers, per)
				}
			}
		}
	}

	// 20,000 rows × 16 make 10 blocks; 70 queries 3 groups: one, two and
	// four threads split them differently.
	d, c := parFixture(t, 20000, 16, false)
	v, _ := c.View()
	qs := randVecs(rand.New(rand.NewSource(10)), 70, 16)
	want := make([][]Hit, len(qs))
	for i, q := range qs {
		hits, err := v.Search(bg, q, 10, &SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = hits
	}
	for _, threads := range []int{1, 2, 3, 4} {
		d.SetThreads(threads)
		got, err := v.SearchBatch(bg, qs, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("threads = %d: SearchBatch differs from Search", threads)
		}
	}
}
