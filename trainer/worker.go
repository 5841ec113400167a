package trainer

import (
	"math"

	"github.com/vecdb/vecdb/internal/vec"
)

// The logistic function is read from a table over [-maxExp, maxExp], as in
// word2vec.c; outside it the gradient uses 0 or 1.
const (
	maxExp    = 6
	sigSize   = 1024
	sigScale  = sigSize / (2 * maxExp)
	sigMaxIdx = sigSize - 1
)

var sigTable = func() (t [sigSize]float32) {
	for i := range t {
		x := (float64(i)+0.5)/sigScale - maxExp
		t[i] = float32(1 / (1 + math.Exp(-x)))
	}
	return
}()

// worker trains jobs with its own random numbers and scratch vectors. It
// reads and writes the shared weights without locks (Hogwild).
type worker struct {
	t           *trainer
	r           *rng
	dim         int
	negative    int
	window      int
	shrink      bool
	whole       bool
	shuffle     bool
	cbow        bool
	sample      bool
	syn0, syn1  []float32
	neu1, neu1e []float32
	acc         []float32 // summed gradient of one position (subwords)
	subwords    bool
	slots       []cbowSlot // CBOW with subwords and a bounded window
	sent        []int32
	targets     []int32
	touch       float32 // keeps the prefetching loads alive
}

func newWorker(t *trainer, r *rng) *worker {
	c := t.cfg
	return &worker{
		t: t, r: r, dim: c.Dim, negative: c.Negative, window: c.Window,
		shrink: c.shrink(), whole: c.WholeSequenceWindow, shuffle: c.ShuffleSequences,
		cbow: c.CBOW, sample: c.Sample > 0,
		syn0: t.syn0, syn1: t.m.Output, subwords: t.sub != nil,
		neu1: make([]float32, c.Dim), neu1e: make([]float32, c.Dim), acc: make([]float32, c.Dim),
		sent:    make([]int32, 0, MaxSequenceLength),
		targets: make([]int32, c.Negative+1),
		slots:   newSlots(t.sub != nil && c.CBOW && !c.WholeSequenceWindow && !exactCBOW, c.Window, c.Dim),
	}
}

// exactCBOW makes CBOW with subwords update the rows at every step, as
// cbowSubwords does; tests compare it with the cached path.
var exactCBOW = false

// newSlots makes the slots of every position that a window of w around
// the current one reaches, plus one.
func newSlots(use bool, w, dim int) []cbowSlot {
	if !use {
		return nil
	}
	s := make([]cbowSlot, 2*w+2)
	buf := make([]float32, 2*len(s)*dim)
	for i := range s {
		s[i] = cbowSlot{pos: -1, sum: buf[2*i*dim : (2*i+1)*dim], grad: buf[(2*i+1)*dim : (2*i+2)*dim]}
	}
	return s
}

func (w *worker) train(j *job) {
	start := int32(0)
	for _, end := range j.ends {
		w.sequence(j.ids[start:end], j.alpha)
		start = end
	}
}

// sequence subsamples, optionally shuffles, and trains one sequence.
func (w *worker) sequence(ids []int32, alpha float32) {
	sent := w.sent[:0]
	if w.sample {
		th := w.t.sampleTh
		for _, id := range ids {
			if th[id] >= uint32(w.r.next()) {
				sent = append(sent, id)
			}
		}
	} else {
		sent = append(sent, ids...)
	}
	if w.shuffle {
		for i := len(sent) - 1; i > 0; i-- {
			k := w.r.intn(i + 1)
			sent[i], sent[k] = sent[k], sent[i]
		}
	}
	w.sent = sent
	if len(sent) < 2 {
		return
	}
	for i, word := range sent {
		win := w.window
		if w.whole {
			win = len(sent)
		} else if w.shrink {
			win -= w.r.intn(w.window) // reduced window in 1..Window
		}
		lo, hi := max(i-win, 0), min(i+win+1, len(sent))
		if w.subwords {
			if w.slots != nil {
				w.cbowCached(sent, i, lo, hi, alpha)
			} else if w.cbow {
				w.cbowSubwords(word, sent[lo:i], sent[i+1:hi], alpha)
			} else {
				w.sgSubwords(word, sent[lo:i], sent[i+1:hi], alpha)
			}
			continue
		}
		if w.cbow {
			w.cbowStep(word, sent[lo:i], sent[i+1:hi], alpha)
			continue
		}
		for k := lo; k < hi; k++ {
			if k != i {
				w.pair(word, sent[k], alpha)
			}
		}
	}
	for k := range w.slots {
		w.flush(sent, &w.slots[k])
	}
}

// row returns row id of m.
func (w *worker) row(m []float32, id int32) []float32 {
	o := int(id) * w.dim
	return m[o : o+w.dim : o+w.dim]
}

// negatives trains l1 to predict word against Negative noise keys and
// accumulates the gradient for l1 into neu1e (which it clears first).
func (w *worker) negatives(l1 []float32, word int32, alpha float32) {
	neu1e := w.neu1e
	clear(neu1e)
	// Draw the noise keys first and touch every cache line of their rows,
	// so that the memory loads overlap instead of stalling one by one.
	targets := w.targets[:w.negative+1]
	targets[0] = word
	var touch float32
	for d := range targets {
		t := word
		if d > 0 {
			t = w.t.noise.sample(w.r.next())
			targets[d] = t
		}
		row := w.row(w.syn1, t)
		for k := 0; k < len(row); k += 16 {
			touch += row[k]
		}
	}
	w.touch = touch
	for d, target := range targets {
		label := float32(1)
		if d > 0 {
			label = 0
			if target == word {
				continue
			}
		}
		l2 := w.row(w.syn1, target)
		f := vec.Dot(l1, l2)
		var g float32
		switch {
		case f >= maxExp:
			g = (label - 1) * alpha
		case f <= -maxExp:
			g = label * alpha
		default:
			g = (label - sigTable[min(int((f+maxExp)*sigScale), sigMaxIdx)]) * alpha
		}
		if g == 0 {
			continue
		}
		vec.Axpy(g, l2, neu1e)
		vec.Axpy(g, l1, l2)
	}
}

// pair is one skip-gram update: the context key's input vector predicts
// word.
func (w *worker) pair(word, context int32, alpha float32) {
	l1 := w.row(w.syn0, context)
	w.negatives(l1, word, alpha)
	vec.Axpy(1, w.neu1e, l1)
}

// cbowStep predicts word from the mean of its context vectors and adds the
// whole gradient to every context vector (cbow_mean=1).
func (w *worker) cbowStep(word int32, left, right []int32, alpha float32) {
	n := len(left) + len(right)
	if n == 0 {
		return
	}
	neu1 := w.neu1
	clear(neu1)
	for _, c := range left {
		vec.Axpy(1, w.row(w.syn0, c), neu1)
	}
	for _, c := range right {
		vec.Axpy(1, w.row(w.syn0, c), neu1)
	}
	vec.Scale(1/float32(n), neu1)
	w.negatives(neu1, word, alpha)
	for _, c := range left {
		vec.Axpy(1, w.neu1e, w.row(w.syn0, c))
	}
	for _, c := range right {
		vec.Axpy(1, w.neu1e, w.row(w.syn0, c))
	}
}
