package ann

import (
	"fmt"
	"slices"
)

// check verifies the graph invariants: every link points at a live node of
// a high enough level, no self or duplicate links, link counts within the
// layer limits, the id maps agree with the slots, and the entry point is a
// live node on the top layer. Tests call it after every mutation.
func (x *Index) check() error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	live, top := 0, -1
	for u, lv := range x.levels {
		if lv == freeLevel {
			continue
		}
		live++
		su := uint32(u)
		id := x.idOf(su)
		if s, ok := x.lookup(id); !ok || s != su {
			return fmt.Errorf("slot %d: id %d maps to slot %d (%v)", u, id, s, ok)
		}
		if int(lv) > maxLevels {
			return fmt.Errorf("node %d: level %d", id, lv)
		}
		if x.cg == nil && lv > 0 && len(x.upper[u]) != int(lv)*(x.cfg.M+1) {
			return fmt.Errorf("node %d: upper links sized %d for level %d", id, len(x.upper[u]), lv)
		}
		top = max(top, int(lv))
		for lc := 0; lc <= int(lv); lc++ {
			links := x.linksOf(su, lc)
			if len(links) > x.maxLinks(lc) {
				return fmt.Errorf("node %d: %d links on layer %d (max %d)", id, len(links), lc, x.maxLinks(lc))
			}
			for i, l := range links {
				switch {
				case int(l) >= len(x.levels) || x.levels[l] == freeLevel:
					return fmt.Errorf("node %d: layer %d links to free slot %d", id, lc, l)
				case l == su:
					return fmt.Errorf("node %d: self link on layer %d", id, lc)
				case int(x.levels[l]) < lc:
					return fmt.Errorf("node %d: layer %d links to node %d of level %d", id, lc, x.idOf(l), x.levels[l])
				case slices.Contains(links[:i], l):
					return fmt.Errorf("node %d: duplicate link to %d on layer %d", id, x.idOf(l), lc)
				}
			}
		}
	}
	if live != x.live {
		return fmt.Errorf("%d live slots, Len says %d", live, x.live)
	}
	if live == 0 {
		if x.entry != noSlot {
			return fmt.Errorf("empty index with entry slot %d", x.entry)
		}
		return nil
	}
	if x.entry == noSlot || int(x.entry) >= len(x.levels) || x.levels[x.entry] == freeLevel {
		return fmt.Errorf("entry slot %d is not live", x.entry)
	}
	if int(x.levels[x.entry]) != x.maxLevel || top != x.maxLevel {
		return fmt.Errorf("entry level %d, max level %d, highest node level %d", x.levels[x.entry], x.maxLevel, top)
	}
	return nil
}
