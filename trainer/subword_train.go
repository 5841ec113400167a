package trainer

import (
	"math"

	"github.com/vecdb/vecdb/internal/vec"
)

// subIndex lists, for every key, the rows whose mean is its input vector
// while training subwords: its own row first, then its n-gram rows,
// numbered after the key rows (key count + n-gram row).
type subIndex struct {
	off  []int32 // key i's rows are rows[off[i]:off[i+1]]
	rows []int32
	syn0 []float32 // the key rows and the n-gram rows, in one allocation
}

// newSubIndex builds the index from buildSubwords' n-gram rows of each of
// the keys keys.
func newSubIndex(keys int, off, ngramRows []int32) *subIndex {
	s := &subIndex{off: make([]int32, keys+1), rows: make([]int32, 0, keys+len(ngramRows))}
	for i := range keys {
		s.rows = append(s.rows, int32(i))
		for _, r := range ngramRows[off[i]:off[i+1]] {
			s.rows = append(s.rows, int32(keys)+r)
		}
		s.off[i+1] = int32(len(s.rows))
	}
	return s
}

func (s *subIndex) of(id int32) []int32 { return s.rows[s.off[id]:s.off[id+1]] }

// meanRows sets dst to the mean of rows of syn0 (dim values each).
func meanRows(dst, syn0 []float32, rows []int32, dim int) {
	clear(dst)
	for _, r := range rows {
		o := int(r) * dim
		vec.Axpy(1, syn0[o:o+dim:o+dim], dst)
	}
	vec.Scale(1/float32(len(rows)), dst)
}

// compose replaces every key row by the mean of its rows (own and
// n-grams), once training is over: Model.Vectors then holds the vectors
// fastText writes to its .vec file and returns for known words.
func (t *trainer) compose() {
	dim := t.m.Dim
	buf := make([]float32, dim)
	for i := range t.m.Keys {
		meanRows(buf, t.syn0, t.sub.of(int32(i)), dim)
		copy(t.m.Vectors[i*dim:(i+1)*dim], buf)
	}
}

// similarity is Model.Similarity during training: with subwords it
// composes the two vectors first.
func (t *trainer) similarity(a, b string) (float64, bool) {
	if t.sub == nil {
		return t.m.Similarity(a, b)
	}
	i, ok1 := t.index[a]
	j, ok2 := t.index[b]
	if !ok1 || !ok2 {
		return math.NaN(), false
	}
	va, vb := make([]float32, t.m.Dim), make([]float32, t.m.Dim)
	meanRows(va, t.syn0, t.sub.of(i), t.m.Dim)
	meanRows(vb, t.syn0, t.sub.of(j), t.m.Dim)
	return cosine(va, vb), true
}

// sgSubwords is one skip-gram position with subwords (fastText's
// orientation): the mean h of word's rows predicts every context key. Each
// update adds neu1e to all of word's rows, which moves their mean by
// exactly neu1e; so h is kept up to date by adding neu1e to it, and the
// rows receive the sum of the updates once, after the last context key.
// For one thread this equals updating the rows after every pair (up to
// rounding), at a fraction of the cost.
func (w *worker) sgSubwords(word int32, left, right []int32, alpha float32) {
	if len(left)+len(right) == 0 {
		return
	}
	rows := w.t.sub.of(word)
	h, acc := w.neu1, w.acc
	meanRows(h, w.syn0, rows, w.dim)
	clear(acc)
	for _, ctx := range [2][]int32{left, right} {
		for _, c := range ctx {
			w.negatives(h, c, alpha)
			vec.Axpy(1, w.neu1e, h)
			vec.Axpy(1, w.neu1e, acc)
		}
	}
	for _, r := range rows {
		vec.Axpy(1, acc, w.row(w.syn0, r))
	}
}

// cbowSubwords predicts word from the mean of all rows (own and n-grams)
// of its context keys, and adds the whole gradient to each of those rows,
// as fastText's CBOW does.
func (w *worker) cbowSubwords(word int32, left, right []int32, alpha float32) {
	n := 0
	neu1 := w.neu1
	clear(neu1)
	for _, ctx := range [2][]int32{left, right} {
		for _, c := range ctx {
			for _, r := range w.t.sub.of(c) {
				vec.Axpy(1, w.row(w.syn0, r), neu1)
				n++
			}
		}
	}
	if n == 0 {
		return
	}
	vec.Scale(1/float32(n), neu1)
	w.negatives(neu1, word, alpha)
	for _, ctx := range [2][]int32{left, right} {
		for _, c := range ctx {
			for _, r := range w.t.sub.of(c) {
				vec.Axpy(1, w.neu1e, w.row(w.syn0, r))
			}
		}
	}
}

// cbowSlot holds, for one position p of the sequence near the current
// one, the sum of its key's rows (kept current with the updates it gets)
// and the gradient its rows are owed.
type cbowSlot struct {
	pos       int // -1 when empty
	n         float32
	sum, grad []float32
}

// slot returns the slot of position p, loading it on first use.
func (w *worker) slot(sent []int32, p int) *cbowSlot {
	s := &w.slots[p%len(w.slots)]
	if s.pos != p {
		w.flush(sent, s) // never needed: the previous position left already
		rows := w.t.sub.of(sent[p])
		clear(s.sum)
		for _, r := range rows {
			vec.Axpy(1, w.row(w.syn0, r), s.sum)
		}
		clear(s.grad)
		s.n, s.pos = float32(len(rows)), p
	}
	return s
}

// flush adds the gradient owed to a slot's position to its key's rows and
// empties the slot.
func (w *worker) flush(sent []int32, s *cbowSlot) {
	if s.pos < 0 {
		return
	}
	for _, r := range w.t.sub.of(sent[s.pos]) {
		vec.Axpy(1, s.grad, w.row(w.syn0, r))
	}
	s.pos = -1
}

// cbowCached is cbowSubwords for a bounded window: the sum of a context
// key's rows is computed once when its position enters the window and kept
// current (an update adds neu1e to each of its n rows, so n·neu1e to the
// sum), and its rows receive the summed updates once, when the position
// leaves the window. It differs from updating the rows at every step only
// where two keys less than a window apart share a row (the same key, or a
// common n-gram), and runs 2.4× faster on the Factbook excerpt.
func (w *worker) cbowCached(sent []int32, i, lo, hi int, alpha float32) {
	if old := i - w.window - 1; old >= 0 {
		if s := &w.slots[old%len(w.slots)]; s.pos == old {
			w.flush(sent, s)
		}
	}
	neu1 := w.neu1
	clear(neu1)
	var n float32
	for p := lo; p < hi; p++ {
		if p != i {
			s := w.slot(sent, p)
			vec.Axpy(1, s.sum, neu1)
			n += s.n
		}
	}
	if n == 0 {
		return
	}
	vec.Scale(1/n, neu1)
	w.negatives(neu1, sent[i], alpha)
	for p := lo; p < hi; p++ {
		if p != i {
			s := w.slot(sent, p)
			vec.Axpy(1, w.neu1e, s.grad)
			vec.Axpy(s.n, w.neu1e, s.sum)
		}
	}
}
