package trainer

import (
	"sort"
)

func nearest(m *Model, key string, k int) []string {
	i, ok := m.Index(key)
	if !ok {
		return nil
	}
	type kv struct {
		s string
		c float64
	}
	var all []kv
	for j := range m.Keys {
		if j != i {
			all = append(all, kv{m.Keys[j], cosine(m.Vector(i), m.Vector(j))})
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].c > all[b].c })
	var out []string
	for _, x := range all[:min(k, len(all))] {
		out = append(out, x.s)
	}
	return out
}
