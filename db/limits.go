package db

import "time"

// Limits bound the work one statement may ask for, so that text from
// untrusted users cannot exhaust memory or time. A zero field takes the
// default given in its comment; a negative one means no limit.
type Limits struct {
	MaxK              int           // largest k in NEAREST/RECOMMEND; default 10000
	MaxRows           int           // most rows one statement returns; default 1,000,000
	MaxStatementBytes int           // longest statement text; default 1 MiB
	MaxExprDepth      int           // deepest nesting of expressions; default 64
	Timeout           time.Duration // wall time per statement (context deadline); default none
}
