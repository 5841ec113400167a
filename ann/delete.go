package ann

import (
	"fmt"
	"slices"
)

// Delete removes id from the index at once: every node that linked to it
// is reconnected with the neighbour-selection heuristic over its remaining
// links plus the deleted node's links, and a new entry point is chosen when
// needed. No tombstone is left. It returns ErrNotFound when id is absent.
//
// Finding the nodes that link to id scans the link lists (a linear pass,
// about a millisecond per 100k nodes); to remove many ids use DeleteBatch,
// which pays for one pass. Delete takes the exclusive lock.
func (x *Index) Delete(id uint32) error {
	if x.lazy != nil {
		return ErrLazy
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ok := x.lookup(id)
	if !ok {
		return fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	x.removeSlots([]uint32{s})
	return nil
}

// DeleteBatch removes every id of ids that is in the index, repairing the
// graph once for all of them, and returns how many it removed. Absent ids
// are ignored. It takes the exclusive lock.
func (x *Index) DeleteBatch(ids []uint32) int {
	if x.lazy != nil {
		return 0
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	var slots []uint32
	for _, id := range ids {
		if s, ok := x.lookup(id); ok {
			slots = append(slots, s)
		}
	}
	slices.Sort(slots)
	slots = slices.Compact(slots)
	x.removeSlots(slots)
	return len(slots)
}

// removeSlots unlinks and frees the given live slots, repairing their
// in-neighbours. The exclusive lock is held.
func (x *Index) removeSlots(dead []uint32) {
	if len(dead) == 0 {
		return
	}
	x.mutable()
	n := len(x.levels)
	words := (n + 63) / 64
	bits := make([]uint64, 2*words)
	isDead, hasIn := bits[:words], bits[words:]
	for _, s := range dead {
		isDead[s/64] |= 1 << (s % 64)
	}
	gone := func(s uint32) bool { return isDead[s/64]&(1<<(s%64)) != 0 }

	sc := x.getScratch()
	defer x.putScratch(sc)
	var orphans []uint32
	// One pass over every live node's links: repair the lists that point
	// at a dead node, and note which nodes are still linked to on layer 0.
	stride := x.stride
	for u := 0; u < n; u++ {
		su := uint32(u)
		lv := x.levels[u]
		if lv == freeLevel || isDead[u/64]&(1<<(u%64)) != 0 {
			continue
		}
		b := x.l0[u*stride : u*stride+stride : u*stride+stride]
		links := b[1 : 1+b[0]]
		hit := false
		for _, l := range links {
			if isDead[l/64]&(1<<(l%64)) != 0 {
				hit = true
				break
			}
		}
		if hit {
			x.repair(sc, su, 0, gone)
			links = b[1 : 1+b[0]]
			if len(links) == 0 {
				orphans = append(orphans, su)
			}
		}
		for _, l := range links {
			hasIn[l/64] |= 1 << (l % 64)
		}
		for lc := 1; lc <= int(lv); lc++ {
			for _, l := range x.linksOf(su, lc) {
				if gone(l) {
					x.repair(sc, su, lc, gone)
					break
				}
			}
		}
	}

	// Live layer-0 out-neighbours of the dead lost an in-link; those left
	// with none are linked again below.
	for _, d := range dead {
		for _, l := range x.linksOf(d, 0) {
			if !gone(l) && hasIn[l/64]&(1<<(l%64)) == 0 {
				orphans = append(orphans, l)
				hasIn[l/64] |= 1 << (l % 64) // once
			}
		}
	}
	entryGone := x.entry != noSlot && gone(x.entry)
	x.ownVecs() // the loop clears the vectors of the dead slots
	for _, s := range dead {
		id := x.ids[s]
		x.clearSlotOf(id)
		x.deletedDirty[id] = struct{}{}
		x.dirty[s/64] &^= 1 << (s % 64)
		x.levels[s] = freeLevel
		x.upper[s] = nil
		x.l0[int(s)*x.stride] = 0
		clear(x.vec(s))
		x.free = append(x.free, s)
		x.live--
	}
	if entryGone {
		x.entry, x.maxLevel = noSlot, 0
		for u, lv := range x.levels {
			if lv != freeLevel && (x.entry == noSlot || int(lv) > x.maxLevel) {
				x.entry, x.maxLevel = uint32(u), int(lv)
			}
		}
	}
	// A node whose every layer-0 neighbour was deleted, with nothing left
	// to reconnect to, or that no node links to any more, is linked again
	// by a search from the entry point.
	for _, s := range orphans {
		if x.levels[s] == freeLevel || s == x.entry {
			continue
		}
		x.reconnect(sc, s)
	}
}

// reconnect links live node s again by a search, as Insert would, and makes
// sure at least one node links to it on layer 0: when the heuristic of
// every chosen neighbour rejects s, the closest neighbour's farthest link is
// replaced by s.
func (x *Index) reconnect(sc *scratch, s uint32) {
	sc.sel = sc.sel[:0]
	x.linkNode(sc, s)
	sel := sc.sel // layer-0 selection of the last linkNode
	if len(sel) == 0 {
		return
	}
	for _, c := range sel {
		if slices.Contains(x.linksOf(c.s, 0), s) {
			return
		}
	}
	b := x.linkBlock(sel[0].s, 0)
	if int(b[0]) < x.maxLinks(0) {
		b[1+b[0]] = s
		b[0]++
	} else {
		b[b[0]] = s
	}
	x.markDirty(sel[0].s)
}

// repair rebuilds the links of live node u on layer lc after some of its
// neighbours died: the candidates are its live links plus the live nodes
// reached through its dead neighbours (transitively through dead ones),
// and the heuristic picks up to the layer's limit.
func (x *Index) repair(sc *scratch, u uint32, lc int, gone func(uint32) bool) {
	uv := x.vec(u)
	sc.reset(len(x.levels))
	sc.visit(u)
	sc.tmp = sc.tmp[:0]
	stack := sc.links[:0]
	for _, l := range x.linksOf(u, lc) {
		if sc.visit(l) {
			continue
		}
		if gone(l) {
			stack = append(stack, l)
		} else {
			sc.tmp = append(sc.tmp, cand{x.dist(uv, x.vec(l)), l})
		}
	}
	limit := x.cfg.EfConstruction
	for len(stack) > 0 && len(sc.tmp) < limit {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, l := range x.linksOf(d, lc) {
			if sc.visit(l) {
				continue
			}
			if gone(l) {
				stack = append(stack, l)
			} else {
				sc.tmp = append(sc.tmp, cand{x.dist(uv, x.vec(l)), l})
			}
		}
	}
	sc.links = stack
	slices.SortFunc(sc.tmp, func(a, b cand) int {
		switch {
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return 0
	})
	kept := x.selectHeuristic(sc, sc.tmp, x.maxLinks(lc), x.cfg.M/2, sc.keep[:0])
	sc.keep = kept
	b := x.linkBlock(u, lc)
	b[0] = uint32(len(kept))
	for i, c := range kept {
		b[1+i] = c.s
	}
	x.markDirty(u)
}
