package storage

import (
	"bytes"
	"hash/maphash"
	"slices"
)

// keySet holds the keys of a bulk load, key i being row i's, in one byte
// arena with an open-addressing table of row numbers: a few bytes a key
// beyond the key itself and no pointers for the collector to scan, where a
// map[string]uint32 holding a million short keys costs some 60 MB.
type keySet struct {
	seed  maphash.Seed
	arena []byte   // the keys end to end
	ends  []uint32 // ends[i]: the end of key i in arena
	table []uint32 // 0 empty, else 1 + the number of a key
	mask  uint64
}

func newKeySet() *keySet {
	return &keySet{seed: maphash.MakeSeed(), table: make([]uint32, 1024), mask: 1023}
}

// Len returns the number of keys.
func (s *keySet) Len() int { return len(s.ends) }

// key returns key i.
func (s *keySet) key(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.arena[start:s.ends[i]]
}

// find returns the slot of key k in the table: where it is, or the empty
// slot where it would go.
func (s *keySet) find(k string) (slot uint64, found bool) {
	for slot = maphash.String(s.seed, k) & s.mask; ; slot = (slot + 1) & s.mask {
		v := s.table[slot]
		if v == 0 {
			return slot, false
		}
		if string(s.key(int(v-1))) == k {
			return slot, true
		}
	}
}

// Add adds k as the next key (number Len()), unless it is there already.
func (s *keySet) Add(k string) (added bool) {
	slot, found := s.find(k)
	if found {
		return false
	}
	s.arena = append(s.arena, k...)
	s.ends = append(s.ends, uint32(len(s.arena)))
	s.table[slot] = uint32(len(s.ends))
	if 2*len(s.ends) > len(s.table) {
		s.grow()
	}
	return true
}

// grow doubles the table.
func (s *keySet) grow() {
	s.table = make([]uint32, 2*len(s.table))
	s.mask = uint64(len(s.table) - 1)
	for i := range s.ends {
		slot, _ := s.find(string(s.key(i)))
		s.table[slot] = uint32(i + 1)
	}
}

// Sorted returns the numbers of the keys in key order, and drops the
// table (the set takes no more keys).
func (s *keySet) Sorted() []uint32 {
	s.table = nil
	ids := make([]uint32, len(s.ends))
	for i := range ids {
		ids[i] = uint32(i)
	}
	slices.SortFunc(ids, func(a, b uint32) int { return bytes.Compare(s.key(int(a)), s.key(int(b))) })
	return ids
}
