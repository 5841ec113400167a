package db

import (
	"bufio"
	"math/rand"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/testutil"
	"github.com/vecdb/vecdb/trainer"
)

// TestRecommendBeatsPopularityOnSessions trains a tiny model on the
// e-commerce sessions with the last item of 300 sessions held out, and
// checks that RECOMMEND's hit rate at 10 (recency 1, as bench/items
// chose) beats recommending the most popular items.
func TestRecommendBeatsPopularityOnSessions(t *testing.T) {
	path := testutil.SharedData(t, "sessions/ecommerce_sessions.txt")
	if testing.Short() {
		t.Skip("skipping real-data training in -short mode")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seqs [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if s := strings.Fields(sc.Text()); len(s) >= 2 {
			seqs = append(seqs, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	test := rng.Perm(len(seqs))[:300]
	held := map[int]string{}
	for _, i := range test {
		s := seqs[i]
		held[i] = s[len(s)-1]
		seqs[i] = s[:len(s)-1]
	}
	counts := map[string]int{}
	for _, s := range seqs {
		for _, it := range s {
			counts[it]++
		}
	}
	popular := make([]string, 0, len(counts))
	for k := range counts {
		popular = append(popular, k)
	}
	sort.Slice(popular, func(i, j int) bool {
		if counts[popular[i]] != counts[popular[j]] {
			return counts[popular[i]] > counts[popular[j]]
		}
		return popular[i] < popular[j]
	})

	d := MustOpen(t)
	cfg := trainer.DefaultConfig()
	cfg.Dim, cfg.Epochs, cfg.MinCount, cfg.Window = 32, 1, 1, 10
	if _, err := d.Train(bg, "items", trainer.SliceSource(seqs), TrainOptions{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection("items")
	v, _ := c.View()
	hitsRec, hitsPop := 0, 0
	for _, i := range test {
		hist := seqs[i]
		inHist := map[string]bool{}
		for _, k := range hist {
			inHist[k] = true
		}
		n := 0
		for _, k := range popular {
			if n == 10 {
				break
			}
			if !inHist[k] {
				n++
				if k == held[i] {
					hitsPop++
				}
			}
		}
		hits, err := v.Recommend(bg, hist, 10, RecommendOptions{Recency: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Key == held[i] {
				hitsRec++
			}
		}
	}
	t.Logf("HR@10 on 300 held-out sessions: recommend %.3f, popularity %.3f", float64(hitsRec)/300, float64(hitsPop)/300)
	if hitsRec <= hitsPop {
		t.Errorf("recommend hit %d times, popularity %d", hitsRec, hitsPop)
	}
}
