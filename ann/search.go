package ann

import (
	"fmt"
	"math"

	"github.com/vecdb/vecdb/internal/vec"
)

// links returns the links of s on layer lc. During a parallel build it
// copies them under the node lock into sc.links.
func (x *Index) links(sc *scratch, s uint32, lc int) []uint32 {
	if x.filling() {
		return x.lazyLinks(sc, s, lc)
	}
	if x.inplace {
		if c := x.cg; lc == 0 {
			// The common case inline; mappedLinks reports a bad range.
			if a, b := c.off0[s], c.off0[s+1]; a <= b && int(b) <= len(c.l0) {
				return c.l0[a:b:b]
			}
		}
		return x.mappedLinks(sc, s, lc)
	}
	if x.lk == nil {
		return x.linksOf(s, lc)
	}
	x.lockNode(s)
	sc.links = append(sc.links[:0], x.linksOf(s, lc)...)
	x.unlockNode(s)
	return sc.links
}

// prefetchLinks hints that the links of slot s on layer lc will soon be
// read (layer 0, once the node is in memory; elsewhere it does nothing;
// in the compact layout only their first cache line).
func (x *Index) prefetchLinks(s uint32, lc int) {
	if lc != 0 || (x.filling() && !x.lazy.isDone(s)) {
		return
	}
	if c := x.cg; c != nil {
		// The line where the links start, as for the codes in distMany:
		// more lines per node measured slower.
		if int(s) < len(c.off0) {
			if a := c.off0[s]; int(a) < len(c.l0) {
				vec.PrefetchUint32s(c.l0[a : a+1])
			}
		}
		return
	}
	if i := int(s) * x.stride; i+x.stride <= len(x.l0) {
		vec.PrefetchUint32s(x.l0[i : i+x.stride])
	}
}

// greedy walks layer lc from ep towards q, moving while a neighbour is
// closer (the upper-layer descent with ef = 1).
func (x *Index) greedy(sc *scratch, q []float32, ep cand, lc int) cand {
	for changed := true; changed; {
		changed = false
		links := x.links(sc, ep.s, lc)
		if !x.filling() {
			// All the distances first (prefetched, in one batch), then
			// the same scan: the distances do not depend on ep.
			for i, d := range x.distMany(sc, q, links) {
				if d < ep.d {
					ep = cand{d, links[i]}
					changed = true
				}
			}
			continue
		}
		for _, n := range links {
			if d := x.distSlot(sc, q, n); d < ep.d {
				ep = cand{d, n}
				changed = true
			}
		}
	}
	return ep
}

// searchLayer is the beam search of layer lc from the entry points eps,
// keeping the ef closest nodes that pass keep (nil keeps all) in sc.res.
// Nodes that fail keep are still expanded, so the search goes on until ef
// nodes pass or the reachable graph is exhausted.
func (x *Index) searchLayer(sc *scratch, q []float32, eps []cand, ef, lc int, keep func(uint32) bool) {
	sc.reset(len(x.levels))
	sc.cand = sc.cand[:0]
	sc.res = sc.res[:0]
	for _, e := range eps {
		if sc.visit(e.s) {
			continue
		}
		sc.cand.push(e)
		if keep == nil || keep(x.idOf(e.s)) {
			sc.res.push(e)
			if len(sc.res) > ef {
				sc.res.pop()
			}
		}
	}
	for len(sc.cand) > 0 {
		c := sc.cand.pop()
		if len(sc.res) >= ef && c.d > sc.res[0].d {
			break
		}
		if len(sc.cand) > 0 {
			// The likeliest next node to expand: fetch its links while
			// this one's neighbours are scored.
			x.prefetchLinks(sc.cand[0].s, lc)
		}
		// Gather the unvisited neighbours first and compute their
		// distances in one branch-free pass: the loads of the next vectors
		// then overlap the arithmetic on the current one instead of
		// waiting behind the heap updates' branches.
		slots := len(sc.seen)
		if x.inplace {
			slots = len(x.levels) // links of a graph read in place are checked
		}
		nb, bad, ok := sc.gather(x.links(sc, c.s, lc), slots)
		if !ok {
			x.segCorrupt(sc, c.s, fmt.Sprintf("links to slot %d of %d", bad, slots))
		}
		ds := x.distMany(sc, q, nb)
		for i, n := range nb {
			d := ds[i]
			if len(sc.res) < ef || d < sc.res[0].d {
				sc.cand.push(cand{d, n})
				x.prefetchLinks(n, lc)
				if keep == nil || keep(x.idOf(n)) {
					if len(sc.res) < ef {
						sc.res.push(cand{d, n})
					} else {
						sc.res.replaceTop(cand{d, n})
					}
				}
			}
		}
	}
}

// distMany computes the distances from q to the vectors of slots nb into
// sc.ds and returns them. It first prefetches all their vectors (or codes),
// so that the cache misses overlap each other and the arithmetic instead
// of being waited for one by one.
func (x *Index) distMany(sc *scratch, q []float32, nb []uint32) []float32 {
	if cap(sc.ds) < len(nb) {
		sc.ds = make([]float32, len(nb), 2*len(nb))
	}
	ds := sc.ds[:len(nb)]
	if x.filling() && !x.ensureMany(sc, nb) {
		for i := range ds {
			ds[i] = float32(math.Inf(1))
		}
		return ds
	}
	if sc.int8 {
		// Only the line where each row's codes start: asking for all of
		// them stalls on the processor's queue of misses (see
		// vec.PrefetchInt8RowStarts).
		vec.PrefetchInt8RowStarts(x.codes, x.dim, nb)
		if cap(sc.dots) < len(nb) {
			sc.dots = make([]int32, len(nb), 2*len(nb))
		}
		dots := sc.dots[:len(nb)]
		vec.DotInt8Rows(sc.qc, x.codes, nb, dots)
		for i, n := range nb {
			ds[i] = x.int8Dist(sc, dots[i], n)
		}
		return ds
	}
	if x.vblk != nil {
		return x.distManyBlocks(q, nb, ds)
	}
	dim := x.dim
	vecs := x.vecs
	vec.PrefetchFloat32Rows(vecs, dim, nb)
	for i, n := range nb {
		v := vecs[int(n)*dim : int(n)*dim+dim : int(n)*dim+dim]
		switch x.cfg.Metric {
		case vec.L2:
			ds[i] = vec.L2Sq(q, v)
		case vec.DotProduct:
			ds[i] = -vec.Dot(q, v)
		default:
			ds[i] = 1 - vec.Dot(q, v)
		}
	}
	return ds
}

// drain empties sc.res into sc.w, ascending by distance.
func (sc *scratch) drain() []cand {
	n := len(sc.res)
	if cap(sc.w) < n {
		sc.w = make([]cand, n)
	}
	sc.w = sc.w[:n]
	for i := n - 1; i >= 0; i-- {
		sc.w[i] = sc.res.pop()
	}
	return sc.w
}

// Search returns the k nearest neighbours of q, closest first, using a beam
// of width ef (ef <= 0 means Config.EfSearch; the beam is never narrower
// than k). When filter is not nil only ids for which it returns true are
// returned; nodes that fail it still guide the search, which keeps going
// until k (or ef) passing nodes are found or the graph is exhausted, so k
// results come back whenever k passing nodes are reachable.
//
// The query is normalised for Cosine (a copy; q is not changed). Search
// returns nil when len(q) differs from Dim, k <= 0 or the index is empty.
// filter is called with the read lock held and must not call methods of the
// index that write. Search is safe for concurrent use.
//
// An Int8 index walks the graph with int8 distances and rescores the beam
// with the float32 vectors (SearchWith with the default factor).
func (x *Index) Search(q []float32, k, ef int, filter func(id uint32) bool) []Result {
	return x.SearchWith(q, k, ef, 0, filter)
}

// SearchWith is Search with the oversampling factor of an Int8 index: the
// int8 beam is Int8Beam(ef, k, rescore) wide (at least k*rescore, and a
// tenth wider than ef), and every candidate in it is rescored with the
// float32 vectors before the k best are returned, with their exact
// distances. rescore <= 0 means DefaultRescore; it is ignored by an index
// without int8 codes.
func (x *Index) SearchWith(q []float32, k, ef, rescore int, filter func(id uint32) bool) []Result {
	res, _ := x.SearchErr(q, k, ef, rescore, filter)
	return res
}

// SearchErr is SearchWith that reports why an index from LoadLazy could
// not answer: a node record it reached is damaged (ErrCorrupt) or could not
// be fetched (the fetch function's error). SearchWith returns nil then. An
// index from any other constructor never fails.
func (x *Index) SearchErr(q []float32, k, ef, rescore int, filter func(id uint32) bool) ([]Result, error) {
	if len(q) != x.dim || k <= 0 {
		return nil, nil
	}
	if ef <= 0 {
		ef = x.cfg.EfSearch
	}
	if ef < k {
		ef = k
	}
	if x.cfg.Int8 {
		ef = Int8Beam(ef, k, rescore)
	}
	sc := x.getScratch()
	sc.err = nil
	defer func() {
		sc.int8 = false
		sc.err = nil
		x.putScratch(sc)
	}()
	if x.cfg.Metric == vec.Cosine { // normalise a copy
		sc.q = append(sc.q[:0], q...)
		normalize(sc.q)
		q = sc.q
	}
	if x.cfg.Int8 {
		x.setQuery(sc, q)
	}

	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.entry == noSlot {
		return nil, nil
	}
	ep := cand{x.distSlot(sc, q, x.entry), x.entry}
	for lc := x.maxLevel; lc > 0; lc-- {
		ep = x.greedy(sc, q, ep, lc)
	}
	sc.eps = append(sc.eps[:0], ep)
	x.searchLayer(sc, q, sc.eps, ef, 0, filter)
	if sc.err != nil {
		return nil, sc.err
	}
	if sc.int8 {
		x.rescore(sc, q, k)
		if sc.err != nil {
			return nil, sc.err
		}
	}
	for len(sc.res) > k {
		sc.res.pop()
	}
	out := make([]Result, len(sc.res))
	for i := len(out) - 1; i >= 0; i-- {
		c := sc.res.pop()
		out[i] = Result{ID: x.idOf(c.s), Distance: c.d}
	}
	return out, nil
}

// blockVec is vec for an index that reads its vectors from blocks
// (Vectors.Blocks).
func (x *Index) blockVec(s uint32) []float32 {
	b := x.vblk[s>>x.vshift]
	i := int(s&(1<<x.vshift-1)) * x.dim
	return b[i : i+x.dim : i+x.dim]
}

// distManyBlocks is distMany's float32 path over vectors in blocks.
func (x *Index) distManyBlocks(q []float32, nb []uint32, ds []float32) []float32 {
	for _, n := range nb {
		vec.PrefetchFloat32s(x.blockVec(n))
	}
	switch x.cfg.Metric {
	case vec.L2:
		for i, n := range nb {
			ds[i] = vec.L2Sq(q, x.blockVec(n))
		}
	case vec.DotProduct:
		for i, n := range nb {
			ds[i] = -vec.Dot(q, x.blockVec(n))
		}
	default:
		for i, n := range nb {
			ds[i] = 1 - vec.Dot(q, x.blockVec(n))
		}
	}
	return ds
}
