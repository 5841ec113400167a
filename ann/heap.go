package ann

// cand is a node slot with its distance to the current query.
type cand struct {
	d float32
	s uint32
}

// minHeap is a binary heap of candidates, closest on top.
type minHeap []cand

func (h *minHeap) push(c cand) {
	*h = append(*h, c)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p].d <= c.d {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = c
}

func (h *minHeap) pop() cand {
	a := *h
	top := a[0]
	n := len(a) - 1
	last := a[n]
	a = a[:n]
	*h = a
	if n == 0 {
		return top
	}
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && a[r].d < a[l].d {
			l = r
		}
		if last.d <= a[l].d {
			break
		}
		a[i] = a[l]
		i = l
	}
	a[i] = last
	return top
}

// maxHeap is a binary heap of candidates, farthest on top.
type maxHeap []cand

func (h *maxHeap) push(c cand) {
	*h = append(*h, c)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p].d >= c.d {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = c
}

func (h *maxHeap) pop() cand {
	a := *h
	top := a[0]
	n := len(a) - 1
	last := a[n]
	*h = a[:n]
	if n > 0 {
		h.siftDown(last)
	}
	return top
}

// replaceTop replaces the farthest candidate by c and returns it: a push
// followed by a pop when c is closer than the top, in one sift.
func (h maxHeap) replaceTop(c cand) cand {
	top := h[0]
	h.siftDown(c)
	return top
}

// siftDown puts c in the root's place and moves it down to where the heap
// order holds.
func (h maxHeap) siftDown(c cand) {
	a, n, i := h, len(h), 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && a[r].d > a[l].d {
			l = r
		}
		if c.d >= a[l].d {
			break
		}
		a[i] = a[l]
		i = l
	}
	a[i] = c
}

// sortCands sorts a small slice ascending by distance (insertion sort; the
// slices sorted here hold at most 2M+1 entries or an ef-sized result).
func sortCands(a []cand) {
	for i := 1; i < len(a); i++ {
		c := a[i]
		j := i
		for j > 0 && a[j-1].d > c.d {
			a[j] = a[j-1]
			j--
		}
		a[j] = c
	}
}
