package ann

// Insert adds v under id, or replaces the vector of an existing id: the old
// node is unlinked (its neighbours repaired as by Delete) and the new one
// linked. v is copied, and normalised for Cosine. It returns ErrDimension
// or ErrInvalidVector for a bad vector and leaves the index unchanged then.
// Insert takes the exclusive lock.
func (x *Index) Insert(id uint32, v []float32) error {
	if x.lazy != nil {
		return ErrLazy
	}
	if err := x.check1(v); err != nil {
		return err
	}
	buf := make([]float32, x.dim)
	if err := x.prepare(buf, v); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.mutable()
	if s, ok := x.lookup(id); ok {
		x.removeSlots([]uint32{s})
	}
	s := x.allocSlot(id, x.randomLevel())
	copy(x.vec(s), buf)
	x.quantizeSlot(s)
	sc := x.getScratch()
	x.linkNode(sc, s)
	x.putScratch(sc)
	return nil
}

// linkNode connects slot s, whose vector and level are set, into the graph
// (Algorithm 1 of Malkov & Yashunin).
func (x *Index) linkNode(sc *scratch, s uint32) {
	level := int(x.levels[s])
	var ep uint32
	var top int
	held := false
	if x.lk != nil {
		x.epMu.Lock()
		ep, top = x.entry, x.maxLevel
		if level > top || ep == noSlot {
			held = true // keep the entry lock while a new top node links
		} else {
			x.epMu.Unlock()
		}
	} else {
		ep, top = x.entry, x.maxLevel
	}
	if ep == noSlot || ep == s {
		x.entry, x.maxLevel = s, level
		if held {
			x.epMu.Unlock()
		}
		return
	}
	q := x.vec(s)
	cur := cand{x.dist(q, x.vec(ep)), ep}
	for lc := top; lc > level; lc-- {
		cur = x.greedy(sc, q, cur, lc)
	}
	sc.eps = append(sc.eps[:0], cur)
	for lc := min(level, top); lc >= 0; lc-- {
		x.searchLayer(sc, q, sc.eps, x.cfg.EfConstruction, lc, nil)
		w := sc.drain()
		// Drop s itself (possible on re-link of an existing node).
		k := 0
		for _, c := range w {
			if c.s != s {
				w[k] = c
				k++
			}
		}
		w = w[:k]
		sel := x.selectHeuristic(sc, w, x.cfg.M, 0, sc.sel[:0])
		sc.sel = sel
		x.lockNode(s)
		b := x.linkBlock(s, lc)
		b[0] = uint32(len(sel))
		for i, c := range sel {
			b[1+i] = c.s
		}
		x.unlockNode(s)
		x.markDirty(s)
		for _, c := range sel {
			x.addLink(sc, c.s, s, c.d, lc)
		}
		sc.eps = append(sc.eps[:0], w...)
	}
	if held {
		if level > x.maxLevel || x.entry == noSlot {
			x.entry, x.maxLevel = s, level
		}
		x.epMu.Unlock()
	} else if x.lk == nil && level > x.maxLevel {
		x.entry, x.maxLevel = s, level
	}
}

// selectHeuristic is Algorithm 4: from cands (ascending by distance to the
// base node) keep a candidate only if it is closer to the base than to every
// candidate kept so far, up to m; with KeepPruned, fill up with the
// discarded ones, and otherwise up to fill (repair uses this to keep a
// node well connected). It appends to out and returns it.
func (x *Index) selectHeuristic(sc *scratch, cands []cand, m, fill int, out []cand) []cand {
	if x.cfg.KeepPruned {
		fill = m
	}
	if len(cands) <= 1 {
		return append(out, cands...)
	}
	start := len(out)
	sc.prun = sc.prun[:0]
	for _, c := range cands {
		if len(out)-start >= m {
			break
		}
		cv := x.vec(c.s)
		good := true
		for _, r := range out[start:] {
			if x.dist(cv, x.vec(r.s)) < c.d {
				good = false
				break
			}
		}
		if good {
			out = append(out, c)
		} else if fill > 0 {
			sc.prun = append(sc.prun, c)
		}
	}
	for _, c := range sc.prun {
		if len(out)-start >= fill {
			break
		}
		out = append(out, c)
	}
	return out
}

// addLink adds a link n -> s on layer lc (d is their distance), shrinking
// n's list with the heuristic when it is full.
func (x *Index) addLink(sc *scratch, n, s uint32, d float32, lc int) {
	mx := x.maxLinks(lc)
	x.lockNode(n)
	defer x.unlockNode(n)
	b := x.linkBlock(n, lc)
	cnt := int(b[0])
	for _, l := range b[1 : 1+cnt] {
		if l == s {
			return
		}
	}
	x.markDirty(n)
	if cnt < mx {
		b[1+cnt] = s
		b[0]++
		return
	}
	nv := x.vec(n)
	sc.tmp = append(sc.tmp[:0], cand{d, s})
	for _, l := range b[1 : 1+cnt] {
		sc.tmp = append(sc.tmp, cand{x.dist(nv, x.vec(l)), l})
	}
	sortCands(sc.tmp)
	// selectHeuristic uses sc.prun; sc.sel belongs to the caller.
	kept := x.selectHeuristic(sc, sc.tmp, mx, 0, sc.keep[:0])
	sc.keep = kept
	b[0] = uint32(len(kept))
	for i, c := range kept {
		b[1+i] = c.s
	}
}
