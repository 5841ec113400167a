package ann

// scratch is the per-search working memory: an epoch-stamped visited set
// and the heaps and buffers of one search, pooled so that a search does not
// allocate per visited node.
type scratch struct {
	seen  []uint16
	epoch uint16
	cand  minHeap
	res   maxHeap
	links []uint32 // copy of a link list during a parallel build
	w     []cand   // sorted layer results
	eps   []cand   // entry points of the next layer
	sel   []cand   // selected neighbours
	tmp   []cand
	prun  []cand
	keep  []cand
	q     []float32 // normalised query
	nb    []uint32  // unvisited neighbours of the expanded node
	ds    []float32 // their distances
	dots  []int32   // their int8 dot products with qc
	int8  bool      // an int8 walk (Config.Int8): distances from qc
	qc    []int8    // the query's int8 codes
	qs    float32   // their scale
	qn    float32   // the query's squared norm
	err   error     // a lazy index failed to fill a node (lazy.go)
	lz    lazyBuf   // a lazy index's fetch buffers
}

// reset starts a new visited epoch for a graph of n slots.
func (sc *scratch) reset(n int) {
	if len(sc.seen) < n {
		sc.seen = make([]uint16, n+n/4)
		sc.epoch = 0
	}
	sc.epoch++
	if sc.epoch == 0 {
		clear(sc.seen)
		sc.epoch = 1
	}
}

// visit marks s seen and reports whether it was already.
func (sc *scratch) visit(s uint32) bool {
	if sc.seen[s] == sc.epoch {
		return true
	}
	sc.seen[s] = sc.epoch
	return false
}

func (x *Index) getScratch() *scratch {
	if v := x.pool.Get(); v != nil {
		return v.(*scratch)
	}
	return &scratch{}
}

func (x *Index) putScratch(sc *scratch) { x.pool.Put(sc) }

// gather marks links seen and returns, in sc.nb, those that were not
// already (a link listed twice is returned once). It does what a loop of
// visit calls does without a branch per link, whose outcome the processor
// could not predict. A link at or past slots (only a damaged graph read in
// place has one) ends it early: it returns nil and that link.
func (sc *scratch) gather(links []uint32, slots int) (nb []uint32, bad uint32, ok bool) {
	if cap(sc.nb) < len(links) {
		sc.nb = make([]uint32, 0, 2*len(links))
	}
	nb = sc.nb[:len(links)]
	seen, epoch := sc.seen[:slots], sc.epoch
	k := 0
	for _, n := range links {
		if int(n) >= len(seen) {
			sc.nb = nb[:0]
			return nil, n, false
		}
		nb[k] = n
		old := seen[n]
		seen[n] = epoch
		if old != epoch {
			k++
		}
	}
	sc.nb = nb[:k]
	return sc.nb, 0, true
}
