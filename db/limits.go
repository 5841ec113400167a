package db

import (
	"fmt"
	"time"
)

// Limits bound the work one statement may ask for, so that text from
// untrusted users cannot exhaust memory or time. A zero field takes the
// default given in its comment; a negative one means no limit.
type Limits struct {
	MaxK              int           // largest k in NEAREST/RECOMMEND; default 10000
	MaxRows           int           // most rows one statement returns in full; default 1,000,000 (a scan streamed by QueryRows holds none, and is not bounded)
	MaxStatementBytes int           // longest statement text; default 1 MiB
	MaxExprDepth      int           // deepest nesting of expressions; default 64
	Timeout           time.Duration // wall time per statement (context deadline); default none
	// MaxMemory is the memory in bytes one statement may plan to use,
	// estimated before it allocates: TRAIN's weights once the vocabulary is
	// counted, PROJECT's t-SNE matrices and image, the words and n-gram
	// rows of a fastText model that IMPORT reads. Default 4 GiB.
	MaxMemory int64
}

// Bounds of the size options, whatever the limits say.
const (
	maxPlotSide       = 8192   // PROJECT's width and height, in pixels
	maxTSNEIterations = 100000 // PROJECT … USING TSNE's iterations
	maxPerplexity     = 1000   // PROJECT … USING TSNE's perplexity
)

// maxMemory returns Limits.MaxMemory with its default; 0 means no limit.
func (d *DB) maxMemory() int64 {
	switch m := d.opts.Limits.MaxMemory; {
	case m == 0:
		return 4 << 30
	case m < 0:
		return 0
	default:
		return m
	}
}

// checkMemory refuses work estimated to need more than Limits.MaxMemory,
// naming what and how much.
func (d *DB) checkMemory(what string, bytes int64) error {
	if max := d.maxMemory(); max > 0 && bytes > max {
		return invalidf("%s would need about %s of memory, above the limit of %s (Limits.MaxMemory)", what, humanBytes(bytes), humanBytes(max))
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
