package ann

import (
	"math"
	"slices"
)

// A loaded graph (Load, LoadShared, ReadFrom, and a lazily loaded one once
// every node is filled) is kept in a compact read-only layout: the links
// of every layer packed one node after the other with only the links the
// node has (the padded layout reserves 2M links per node on layer 0, and
// the graphs keep about two thirds of them), and, when every node's id is
// its slot, no id arrays at all. The first write (Insert, Delete,
// DeleteBatch, Build) converts the index back to the padded layout it
// changes in place, as LoadShared's vectors are copied on the first write.
//
// Searches read links through linksOf, which serves both layouts.

// compactGraph holds the links of every node, read-only.
type compactGraph struct {
	// off0[s] … off0[s+1] is the range of l0 holding the layer-0 links
	// of slot s (len(off0) == slots+1).
	off0 []uint32
	l0   []uint32
	// upSlots lists, ascending, the slots of level 1 and above (about one
	// node in M); upOff[i] … upOff[i+1] is the range of up holding the
	// upper layers 1 … level of upSlots[i], each as [count, links...].
	// The upper layers are read a few dozen times a search, so a binary
	// search there costs nothing measurable and saves an offset a node.
	upSlots []uint32
	upOff   []uint32
	up      []uint32
}

// links returns the links of slot s on layer lc.
func (c *compactGraph) links(s uint32, lc int) []uint32 {
	if lc == 0 {
		a, b := c.off0[s], c.off0[s+1]
		return c.l0[a:b:b]
	}
	i, _ := slices.BinarySearch(c.upSlots, s)
	p := c.upOff[i]
	for l := 1; l < lc; l++ {
		p += 1 + c.up[p]
	}
	n := c.up[p]
	return c.up[p+1 : p+1+n : p+1+n]
}

func (c *compactGraph) bytes() int64 {
	return 4 * int64(cap(c.off0)+cap(c.l0)+cap(c.upSlots)+cap(c.upOff)+cap(c.up))
}

// linkTotals counts, over the live nodes, the layer-0 links (n0), the
// upper-layer words of the compact layout (nu: a count and the links per
// layer) and the nodes with upper layers (nUp).
func (x *Index) linkTotals() (n0, nu, nUp int) {
	for s, lv := range x.levels {
		if lv == freeLevel {
			continue
		}
		n0 += len(x.linksOf(uint32(s), 0))
		if lv > 0 {
			nUp++
		}
		for lc := 1; lc <= int(lv); lc++ {
			nu += 1 + len(x.linksOf(uint32(s), lc))
		}
	}
	return n0, nu, nUp
}

// idOf returns the external id of slot s.
func (x *Index) idOf(s uint32) uint32 {
	if x.ids == nil {
		return s
	}
	return x.ids[s]
}

// compact moves the graph of a fully loaded index into the compact layout
// and drops the id arrays when every node's id is its slot. The caller
// holds the exclusive lock or is the only user of x.
func (x *Index) compact() {
	if x.cg == nil {
		cg := x.buildCompact()
		if cg == nil {
			return
		}
		x.cg, x.l0, x.upper = cg, nil, nil
	}
	if x.lazy == nil && !x.identity && x.idsAreSlots() {
		x.identity = true
		x.ids, x.slotOf, x.sparse = nil, nil, nil
	}
}

// buildCompact returns the compact copy of the padded graph, or nil when
// it would not fit 32-bit offsets.
func (x *Index) buildCompact() *compactGraph {
	n := len(x.levels)
	n0, nu, nUp := x.linkTotals()
	if n0 >= math.MaxUint32 || nu >= math.MaxUint32 {
		return nil
	}
	c := &compactGraph{
		off0:    make([]uint32, n+1),
		l0:      make([]uint32, 0, n0),
		upSlots: make([]uint32, 0, nUp),
		upOff:   make([]uint32, 0, nUp+1),
		up:      make([]uint32, 0, nu),
	}
	for s, lv := range x.levels {
		if lv != freeLevel {
			c.l0 = append(c.l0, x.linksOf(uint32(s), 0)...)
			if lv > 0 {
				c.upSlots = append(c.upSlots, uint32(s))
				c.upOff = append(c.upOff, uint32(len(c.up)))
			}
			for lc := 1; lc <= int(lv); lc++ {
				links := x.linksOf(uint32(s), lc)
				c.up = append(c.up, uint32(len(links)))
				c.up = append(c.up, links...)
			}
		}
		c.off0[s+1] = uint32(len(c.l0))
	}
	c.upOff = append(c.upOff, uint32(len(c.up)))
	return c
}

// idsAreSlots reports whether every live slot holds the id equal to it.
func (x *Index) idsAreSlots() bool {
	if len(x.ids) < len(x.levels) {
		return false
	}
	for s, lv := range x.levels {
		if lv != freeLevel && x.ids[s] != uint32(s) {
			return false
		}
	}
	return true
}

// mutable converts a compact index back to the padded layout and the id
// arrays, before a write. The exclusive lock is held.
func (x *Index) mutable() {
	if x.identity {
		n := len(x.levels)
		x.ids = make([]uint32, n)
		x.slotOf = make([]uint32, n)
		for s, lv := range x.levels {
			x.ids[s] = uint32(s)
			if lv != freeLevel {
				x.slotOf[s] = uint32(s) + 1
			}
		}
		x.identity = false
	}
	c := x.cg
	if c == nil {
		return
	}
	n := len(x.levels)
	l0 := make([]uint32, n*x.stride)
	upper := make([][]uint32, n)
	m := x.cfg.M + 1
	for s, lv := range x.levels {
		if lv == freeLevel {
			continue
		}
		su := uint32(s)
		b := l0[s*x.stride : (s+1)*x.stride]
		links := c.links(su, 0)
		b[0] = uint32(len(links))
		copy(b[1:], links)
		if lv > 0 {
			u := make([]uint32, int(lv)*m)
			for lc := 1; lc <= int(lv); lc++ {
				links := c.links(su, lc)
				blk := u[(lc-1)*m : lc*m]
				blk[0] = uint32(len(links))
				copy(blk[1:], links)
			}
			upper[s] = u
		}
	}
	x.l0, x.upper, x.cg = l0, upper, nil
}
