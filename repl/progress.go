package repl

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/vecdb/vecdb/db"
)

// ProgressBar draws db.Progress reports as one line on a terminal: the
// operation, a bar, percent, counts, rate, ETA and the report's Detail.
// Each report redraws the line in place; Clear erases it. Its methods are
// safe for concurrent use (reports come from the operation's goroutine).
type ProgressBar struct {
	w     io.Writer
	width func() int // terminal columns; nil means 80

	mu    sync.Mutex
	shown bool
}

// NewProgressBar returns a bar drawn on w (a terminal), width columns wide
// as reported by width (nil: 80).
func NewProgressBar(w io.Writer, width func() int) *ProgressBar {
	return &ProgressBar{w: w, width: width}
}

// Update redraws the bar for p. It fits db.WithProgress. A report with a
// Note (TRAIN's watched pairs after an epoch) prints the note on a line of
// its own above the bar, where it stays.
func (b *ProgressBar) Update(p db.Progress) {
	width := 80
	if b.width != nil {
		if n := b.width(); n > 0 {
			width = n
		}
	}
	line := FormatProgress(p, width-1) // the last column would wrap
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.Note != "" {
		fmt.Fprintf(b.w, "\r\x1b[K%s\n", p.Note)
	}
	fmt.Fprintf(b.w, "\r\x1b[K%s", line)
	b.shown = true
}

// ProgressNotes returns a progress callback for a writer that is not a
// terminal (stderr piped to a file or a program): it draws no bar and
// writes only the reports' notes, one per line (TRAIN's watched pairs after
// every epoch). It fits db.WithProgress and is safe for concurrent use.
func ProgressNotes(w io.Writer) func(db.Progress) {
	var mu sync.Mutex
	return func(p db.Progress) {
		if p.Note == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, p.Note)
	}
}

// Clear erases the bar if one is drawn.
func (b *ProgressBar) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
}

func (b *ProgressBar) clear() {
	if b.shown {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.shown = false
	}
}

// Guard returns a writer that erases the bar before each write to w, so
// results and errors never share the bar's line.
func (b *ProgressBar) Guard(w io.Writer) io.Writer { return guarded{b, w} }

type guarded struct {
	b *ProgressBar
	w io.Writer
}

func (g guarded) Write(p []byte) (int, error) {
	g.b.mu.Lock()
	g.b.clear()
	g.b.mu.Unlock()
	return g.w.Write(p)
}

// FormatProgress renders one progress line at most width columns wide:
//
//	train [██████████░░░░░░░░░░]  48%  1.2M/2.5M words  410k words/s  ETA 3s  epoch 3/5  alpha 0.0131
//
// It shows one rate and one ETA, its own (from Done, Total and Elapsed),
// then the report's Detail. Without a Total it shows the count and rate
// only.
func FormatProgress(p db.Progress, width int) string {
	op := p.Op
	if op == "" {
		op = "working"
	}
	unit := p.Unit
	secs := p.Elapsed.Seconds()
	var parts []string
	if p.Total > 0 {
		frac := min(max(float64(p.Done)/float64(p.Total), 0), 1)
		barw := 20
		if width < 70 {
			barw = 10
		}
		fill := int(frac * float64(barw))
		parts = append(parts, fmt.Sprintf("%s [%s%s] %3.0f%%", op, strings.Repeat("█", fill), strings.Repeat("░", barw-fill), 100*frac),
			fmt.Sprintf("%s/%s %s", count(p.Done, unit), count(p.Total, unit), unitName(unit)))
	} else {
		parts = append(parts, op, count(p.Done, unit)+" "+unitName(unit))
	}
	if secs > 0.2 && p.Done > 0 {
		rate := float64(p.Done) / secs
		parts = append(parts, count(int64(rate), unit)+" "+unitName(unit)+"/s")
		if p.Total > 0 && p.Done < p.Total {
			parts = append(parts, "ETA "+duration(time.Duration(float64(p.Total-p.Done)/rate*float64(time.Second))))
		}
	} else if p.Total > 0 && p.Done < p.Total {
		parts = append(parts, "ETA …")
	}
	if p.Detail != "" {
		parts = append(parts, p.Detail)
	}
	line := strings.Join(parts, "  ")
	if runewidth.StringWidth(line) > width {
		line = runewidth.Truncate(line, width, "…")
	}
	return line
}

// count formats n in k, M, G (bytes in KB, MB, GB).
func count(n int64, unit string) string {
	f := float64(n)
	switch {
	case f >= 1e9:
		return fmt.Sprintf("%.1fG", f/1e9)
	case f >= 1e6:
		return fmt.Sprintf("%.1fM", f/1e6)
	case f >= 1e4:
		return fmt.Sprintf("%.0fk", f/1e3)
	case f >= 1e3:
		return fmt.Sprintf("%.1fk", f/1e3)
	}
	return fmt.Sprint(n)
}

func unitName(unit string) string {
	if unit == "bytes" {
		return "B"
	}
	return unit
}

// duration formats an ETA: 7s, 2m05s, 1h02m.
func duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
}

// dimBoxWriter dims the box-drawing characters of a grid (the borders)
// with ANSI escapes, leaving everything else as is.
type dimBoxWriter struct {
	w    io.Writer
	tail []byte // an incomplete UTF-8 sequence from the last write
}

func (d *dimBoxWriter) Write(p []byte) (int, error) {
	buf := append(d.tail, p...)
	d.tail = nil
	var out strings.Builder
	dim := false
	for i := 0; i < len(buf); {
		if !utf8.FullRune(buf[i:]) {
			d.tail = append([]byte(nil), buf[i:]...)
			break
		}
		r, n := utf8.DecodeRune(buf[i:])
		box := r >= 0x2500 && r <= 0x257F
		if box != dim {
			if box {
				out.WriteString("\x1b[2m")
			} else {
				out.WriteString("\x1b[0m")
			}
			dim = box
		}
		out.Write(buf[i : i+n])
		i += n
	}
	if dim {
		out.WriteString("\x1b[0m")
	}
	if _, err := io.WriteString(d.w, out.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redErrorWriter colours the "Error:" that starts an error message red.
type redErrorWriter struct{ w io.Writer }

func (r redErrorWriter) Write(p []byte) (int, error) {
	if rest, ok := strings.CutPrefix(string(p), "Error:"); ok {
		if _, err := io.WriteString(r.w, "\x1b[1;31mError:\x1b[0m"+rest); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return r.w.Write(p)
}
