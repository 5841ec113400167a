package ann_test

import (
	"fmt"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/internal/vec"
)

func ExampleIndex_Search() {
	x := ann.New(2, ann.Config{Metric: vec.L2, Seed: 1})
	points := [][]float32{{0, 0}, {1, 0}, {0, 1}, {5, 5}, {6, 5}}
	for i, p := range points {
		if err := x.Insert(uint32(i), p); err != nil {
			panic(err)
		}
	}
	for _, r := range x.Search([]float32{5.2, 5}, 2, 0, nil) {
		fmt.Printf("%d %.2f\n", r.ID, r.Distance)
	}
	// Only even ids.
	even := func(id uint32) bool { return id%2 == 0 }
	for _, r := range x.Search([]float32{5.2, 5}, 2, 0, even) {
		fmt.Printf("%d %.2f\n", r.ID, r.Distance)
	}
	// Output:
	// 3 0.04
	// 4 0.64
	// 4 0.64
	// 2 43.04
}
