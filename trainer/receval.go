package trainer

import (
	"math"
	"sort"
)

// This file measures recommenders offline, as the literature on item2vec
// does: the last items of each sequence are held out, the recommender sees
// the rest as the user's history, and the metrics count how high the
// held-out items rank among its k suggestions.

// HoldoutSplit is a leave-last-out split of a set of sequences.
type HoldoutSplit struct {
	// Train holds every sequence without its held-out items (and the
	// sequences too short to hold anything out, whole): what a model may
	// learn from.
	Train [][]string
	// Histories[i] is what the recommender is shown for test case i, and
	// Targets[i] the items held out of the same sequence.
	Histories, Targets [][]string
	// Skipped counts sequences too short to hold n items out and keep at
	// least one in the history.
	Skipped int
}

// HoldoutLast holds the last n items (n ≥ 1) of each sequence out. A
// sequence needs more than n items to become a test case; shorter ones go
// to Train whole and are counted in Skipped. seqs is not modified; the
// split shares its backing arrays.
func HoldoutLast(seqs [][]string, n int) HoldoutSplit {
	n = max(n, 1)
	var s HoldoutSplit
	for _, q := range seqs {
		if len(q) <= n {
			s.Skipped++
			if len(q) > 0 {
				s.Train = append(s.Train, q)
			}
			continue
		}
		cut := len(q) - n
		s.Train = append(s.Train, q[:cut:cut])
		s.Histories = append(s.Histories, q[:cut:cut])
		s.Targets = append(s.Targets, q[cut:])
	}
	return s
}

// HoldoutTime splits sequences in time: the items whose time (times[i][j]
// for seqs[i][j]) is at or after at are held out, the earlier ones are
// the history. A sequence with items on both sides becomes a test case
// (its earlier items also go to Train); one wholly before at goes to Train
// whole; one wholly at or after at has no history and is counted in
// Skipped (its items, being in the future, are not trained on either).
// times must have the shape of seqs, each row ordered (EventLog.Times).
func HoldoutTime(seqs [][]string, times [][]float64, at float64) HoldoutSplit {
	var s HoldoutSplit
	for i, q := range seqs {
		cut := sort.SearchFloat64s(times[i], at)
		switch {
		case len(q) == 0:
		case cut == len(q):
			s.Train = append(s.Train, q)
		case cut == 0:
			s.Skipped++
		default:
			s.Train = append(s.Train, q[:cut:cut])
			s.Histories = append(s.Histories, q[:cut:cut])
			s.Targets = append(s.Targets, q[cut:])
		}
	}
	return s
}

// TimeCut returns the time at which HoldoutTime holds out about the latest
// fraction (0 < fraction < 1) of all events: the time of the event at that
// quantile.
func TimeCut(times [][]float64, fraction float64) float64 {
	var all []float64
	for _, ts := range times {
		all = append(all, ts...)
	}
	if len(all) == 0 {
		return 0
	}
	sort.Float64s(all)
	i := int(float64(len(all)) * (1 - fraction))
	return all[min(max(i, 0), len(all)-1)]
}

// Recommender returns up to k items for a history (oldest first), best
// first. It should not return items of the history.
type Recommender func(history []string, k int) []string

// RecMetrics are the figures of a recommender on a HoldoutSplit at k.
type RecMetrics struct {
	Cases int     // test cases scored
	K     int     // the cut-off
	HR    float64 // hit rate: the share of cases with a held-out item in the top k
	MRR   float64 // mean reciprocal rank of the first held-out item found (0 when none)
	NDCG  float64 // normalised discounted cumulative gain, binary relevance
	// Coverage is the share of the catalogue that appeared in some top-k
	// list (catalogue: the items of the training sequences).
	Coverage float64
	// ColdTargets counts held-out items that never occur in the training
	// sequences: no model learnt from Train can rank them.
	ColdTargets int
}

// EvaluateRecommender scores rec on the split's test cases at cut-off k.
func EvaluateRecommender(rec Recommender, s HoldoutSplit, k int) RecMetrics {
	m := RecMetrics{K: k}
	if k <= 0 {
		return m
	}
	catalog := map[string]bool{}
	for _, q := range s.Train {
		for _, it := range q {
			catalog[it] = true
		}
	}
	shown := map[string]bool{}
	for i, hist := range s.Histories {
		targets := map[string]bool{}
		for _, t := range s.Targets[i] {
			targets[t] = true
			if !catalog[t] {
				m.ColdTargets++
			}
		}
		recs := rec(hist, k)
		if len(recs) > k {
			recs = recs[:k]
		}
		var dcg float64
		first := 0
		for r, it := range recs {
			shown[it] = true
			if targets[it] {
				dcg += 1 / math.Log2(float64(r)+2)
				if first == 0 {
					first = r + 1
				}
			}
		}
		var idcg float64
		for r := 0; r < min(len(targets), k); r++ {
			idcg += 1 / math.Log2(float64(r)+2)
		}
		m.Cases++
		if first > 0 {
			m.HR++
			m.MRR += 1 / float64(first)
		}
		if idcg > 0 {
			m.NDCG += dcg / idcg
		}
	}
	if m.Cases > 0 {
		m.HR /= float64(m.Cases)
		m.MRR /= float64(m.Cases)
		m.NDCG /= float64(m.Cases)
	}
	if len(catalog) > 0 {
		n := 0
		for it := range shown {
			if catalog[it] {
				n++
			}
		}
		m.Coverage = float64(n) / float64(len(catalog))
	}
	return m
}

// PopularityRecommender is the baseline every recommender must beat: the
// items most frequent in train, best first (ties by name), leaving out the
// user's own history.
func PopularityRecommender(train [][]string) Recommender {
	counts := map[string]int{}
	for _, q := range train {
		for _, it := range q {
			counts[it]++
		}
	}
	items := make([]string, 0, len(counts))
	for it := range counts {
		items = append(items, it)
	}
	sort.Slice(items, func(a, b int) bool {
		if counts[items[a]] != counts[items[b]] {
			return counts[items[a]] > counts[items[b]]
		}
		return items[a] < items[b]
	})
	return func(history []string, k int) []string {
		seen := make(map[string]bool, len(history))
		for _, h := range history {
			seen[h] = true
		}
		out := make([]string, 0, k)
		for _, it := range items {
			if len(out) == k {
				break
			}
			if !seen[it] {
				out = append(out, it)
			}
		}
		return out
	}
}
