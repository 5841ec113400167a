package db

import (
	"context"
	"time"
)

// Progress reports how far a long operation (IMPORT, TRAIN, CREATE INDEX)
// has come. Total is 0 when unknown.
type Progress struct {
	Op      string // "import", "train", "index", "download", ...
	Done    int64
	Total   int64
	Unit    string // "rows", "words", "bytes", ...
	Detail  string // free text: epoch, alpha (the rate and ETA follow from Done, Total, Elapsed)
	Elapsed time.Duration
	// Note, when set, is a line to keep rather than redraw: TRAIN's watched
	// pairs after each epoch ("epoch 2/5: king:queen 0.512"). A progress
	// bar prints it above itself; without a bar (stderr not a terminal)
	// the shell prints the notes alone, one per line.
	Note string
}

type progressKey struct{}

// WithProgress returns a context whose long operations call fn with their
// progress, at most a few times per second. fn runs on the operation's
// goroutine and must be quick.
func WithProgress(ctx context.Context, fn func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// progressFunc returns the context's progress callback or a no-op.
func progressFunc(ctx context.Context) func(Progress) {
	if fn, ok := ctx.Value(progressKey{}).(func(Progress)); ok && fn != nil {
		return fn
	}
	return func(Progress) {}
}

// throttle wraps a progress callback so it fires at most every 100ms, plus
// always on the final call (Done == Total).
type throttle struct {
	fn    func(Progress)
	start time.Time
	last  time.Time
}

func newThrottle(ctx context.Context) *throttle {
	now := time.Now()
	return &throttle{fn: progressFunc(ctx), start: now}
}

func (t *throttle) report(p Progress, final bool) {
	now := time.Now()
	if !final && now.Sub(t.last) < 100*time.Millisecond {
		return
	}
	t.last = now
	p.Elapsed = now.Sub(t.start)
	t.fn(p)
}
