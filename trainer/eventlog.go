package trainer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/internal/editdist"
	"github.com/vecdb/vecdb/internal/textline"
)

// EventLogOptions say how EventLogSource turns the rows of an event log
// into sequences.
type EventLogOptions struct {
	// SequenceBy names the column that groups rows into sequences (a user
	// id, a session id, a playlist id). Required.
	SequenceBy string
	// OrderBy names the column that orders the rows of each sequence (a
	// timestamp, a position). The order is numeric when every value of the
	// column parses as a number, textual otherwise, and stable: ties keep
	// file order. "" keeps file order.
	OrderBy string
	// Item names the column whose values become the tokens. Required.
	Item string
	// Open opens the log file; nil means os.Open.
	Open Opener
	// Delimiter separates fields. 0 means a tab when the first line holds
	// one, a comma otherwise.
	Delimiter rune
	// Header says whether the first line names the columns; nil means true.
	// Without a header, columns are named by their 1-based position: "1",
	// "2", ...
	Header *bool
	// Table, when set, reads the log from a table file (Parquet, through
	// the codec that package format/parquet registers) instead of text:
	// the columns are found by name as in a text log, and each value is
	// taken as text (an integer in decimal, a date or timestamp as its
	// count since 1970); a NULL in a column used is an error naming its
	// row. Open, Delimiter and Header are then not used. The reader's
	// Close must release what Table opened.
	Table func() (format.RecordReader, error)
	// KeepOrder keeps each event's OrderBy value, when every value is a
	// number, for Times (a time split of the log); it costs 8 bytes per
	// event.
	KeepOrder bool
}

// KeyedReader is a SequenceReader that names each sequence: the user or
// session it belongs to. EventLogSource and KeyedFileSource return readers
// that implement it.
type KeyedReader interface {
	SequenceReader
	// Key returns the name of the sequence last returned by Next.
	Key() string
}

// EventLog is a Source over a CSV or TSV event log (one row per event:
// user, item, time, ...), grouped into one sequence per SequenceBy value.
// It is made by EventLogSource.
//
// The whole log is read and grouped once, on the first Open, and kept in
// memory for later passes (every epoch of Train reuses it): about the size
// of the distinct item names plus 8 bytes per event while grouping and 4
// bytes per event afterwards. It suits logs that fit in memory (MovieLens,
// sessions of a shop), not unbounded streams. An EventLog is safe for
// concurrent use; the file must not change while it is in use.
type EventLog struct {
	path string
	opts EventLogOptions

	once  sync.Once
	err   error
	items [][]byte  // distinct item names, in first-seen order
	keys  []string  // sequence names, in first-seen order
	seqs  [][]int32 // item ids of each sequence, ordered by OrderBy
	times [][]float64
	rows  int
}

// EventLogSource returns a Source reading the event log at path (CSV or
// TSV; quoted fields, CRLF line ends and gzip compression are handled):
// rows are grouped by opts.SequenceBy, each group is ordered by
// opts.OrderBy, and its opts.Item values form one sequence. Sequences come
// in the order their first row appears in the file. Readers it opens
// implement KeyedReader (the key is the SequenceBy value). Errors name
// unknown columns with a close spelling, and rows that lack a column with
// their line number.
func EventLogSource(path string, opts EventLogOptions) *EventLog {
	return &EventLog{path: path, opts: opts}
}

func (e *EventLog) String() string { return e.path }

// Open loads the log on the first call and returns a reader over its
// sequences.
func (e *EventLog) Open() (SequenceReader, error) {
	if err := e.Load(); err != nil {
		return nil, err
	}
	return &eventLogReader{log: e}, nil
}

// Load reads and groups the log if that has not been done yet. It is
// called by Open; call it first to see errors and counts before training.
func (e *EventLog) Load() error {
	e.once.Do(func() { e.err = e.load() })
	return e.err
}

// Sequences returns the number of sequences, and Rows the number of events
// read; both are 0 before a successful Load.
func (e *EventLog) Sequences() int { return len(e.seqs) }

// Rows returns the number of events (data rows) in the log.
func (e *EventLog) Rows() int { return e.rows }

// Times returns the OrderBy value of every event, sequence by sequence in
// the order of the sequences' items, after a successful Load with
// EventLogOptions.KeepOrder; nil without it, without OrderBy, or when some
// value of the column is not a number.
func (e *EventLog) Times() [][]float64 { return e.times }

// load reads the log, groups its rows into sequences and orders each one.
func (e *EventLog) load() error {
	o := e.opts
	if o.SequenceBy == "" || o.Item == "" {
		return fmt.Errorf("event log %s: both the sequence column and the item column must be named", e.path)
	}
	if o.Table != nil {
		return e.loadTable()
	}
	br, closeLog, err := e.openLog()
	if err != nil {
		return err
	}
	defer closeLog()
	cr := eventCSV(br, o.Delimiter)
	header := o.Header == nil || *o.Header
	rec, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("event log %s is empty", e.path)
	}
	if err != nil {
		return fmt.Errorf("event log %s: %w", e.path, err)
	}
	g, err := e.newGrouper(columnNames(rec, header))
	if err != nil {
		return err
	}
	if !header {
		line, _ := cr.FieldPos(0)
		if err := g.add(rec, line); err != nil {
			return err
		}
	}
	if err := e.readEvents(cr, g); err != nil {
		return err
	}
	e.seqs, e.times = g.sequences(o.KeepOrder)
	return nil
}

// loadTable reads the log from opts.Table: the same columns by name, the
// same grouping and ordering as a text log.
func (e *EventLog) loadTable() error {
	t, err := e.opts.Table()
	if err != nil {
		return err
	}
	defer t.Close()
	fields := t.Fields()
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	g, err := e.newGrouper(names)
	if err != nil {
		return err
	}
	// Read only the columns used, renumbered 0 (sequence), 1 (item) and
	// 2 (order, when there is one).
	sel := []int{g.seqCol, g.itemCol}
	if g.ordCol >= 0 {
		sel = append(sel, g.ordCol)
		g.ordCol = 2
	}
	g.seqCol, g.itemCol, g.need = 0, 1, len(sel)-1
	if err := t.Select(sel); err != nil {
		return err
	}
	vals := make([]any, len(sel))
	rec := make([]string, len(sel))
	for {
		err := t.Next(vals)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		row, group := t.Pos()
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				return &format.Error{File: e.path, Row: row, RowGroup: group, Msg: fmt.Sprintf("column %s is null", names[sel[i]]), Err: format.ErrSyntax}
			case string:
				rec[i] = v
			case int64:
				rec[i] = strconv.FormatInt(v, 10)
			case float64:
				rec[i] = strconv.FormatFloat(v, 'g', -1, 64)
			case bool:
				rec[i] = strconv.FormatBool(v)
			}
		}
		if err := g.add(rec, int(row)); err != nil {
			return err
		}
	}
	e.seqs, e.times = g.sequences(e.opts.KeepOrder)
	return nil
}

// openLog opens the log file, decompressing it when it is gzipped; closeLog
// closes what it opened.
func (e *EventLog) openLog() (br *bufio.Reader, closeLog func(), err error) {
	f, err := e.opts.Open.open(e.path)
	if err != nil {
		return nil, nil, fmt.Errorf("event log: %w", err)
	}
	br = bufio.NewReaderSize(f, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("event log %s: %w", e.path, err)
		}
		return bufio.NewReaderSize(gz, 64<<10), func() { gz.Close(); f.Close() }, nil
	}
	return br, func() { f.Close() }, nil
}

// eventCSV returns a CSV reader over br with delimiter delim, or when delim
// is 0 a tab if the first line holds one, else a comma.
func eventCSV(br *bufio.Reader, delim rune) *csv.Reader {
	if delim == 0 {
		first, _ := br.Peek(4096)
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		delim = ','
		if bytes.IndexByte(first, '\t') >= 0 {
			delim = '\t'
		}
	}
	cr := csv.NewReader(textline.NewReader(br)) // encoding/csv has no line bound
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if delim == '\t' {
		cr.LazyQuotes = true
	}
	return cr
}

// columnNames names the columns of the first record rec: its trimmed values
// when it is a header, else "1", "2", ...
func columnNames(rec []string, header bool) []string {
	var names []string
	if header {
		for _, h := range rec {
			names = append(names, strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		}
	} else {
		for i := range rec {
			names = append(names, strconv.Itoa(i+1))
		}
	}
	return names
}

// column returns the index of the column name among names (exact, else
// ignoring case), -1 when name is ""; what says which column it is in errors.
func (e *EventLog) column(names []string, what, name string) (int, error) {
	if name == "" {
		return -1, nil
	}
	for i, n := range names {
		if n == name {
			return i, nil
		}
	}
	for i, n := range names {
		if strings.EqualFold(n, name) {
			return i, nil
		}
	}
	msg := fmt.Sprintf("event log %s has no column %q (the %s column)", e.path, name, what)
	if s := closestName(name, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return -1, fmt.Errorf("%s; its columns are %s", msg, strings.Join(quoteAll(names), ", "))
}

// readEvents adds every remaining record of cr to g, skipping blank lines.
func (e *EventLog) readEvents(cr *csv.Reader, g *eventGrouper) error {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("event log %s: line %d: %w", e.path, pe.Line, pe.Err)
			}
			return fmt.Errorf("event log %s: %w", e.path, err)
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // a blank line
		}
		line, _ := cr.FieldPos(0)
		if err := g.add(rec, line); err != nil {
			return err
		}
	}
}

// logEvent is one row of the log while grouping.
type logEvent struct {
	item int32
	ord  int32 // index into eventGrouper.ords
}

// eventGrouper groups the rows of a log by sequence, filling the log's
// items, keys and rows as it goes.
type eventGrouper struct {
	log                     *EventLog
	names                   []string
	seqCol, itemCol, ordCol int // ordCol is -1 without OrderBy
	need                    int // the highest column index used
	itemIDs, groupIDs       map[string]int32
	groups                  [][]logEvent
	ords                    []string  // each event's order value
	numeric                 bool      // whether every order value is a number
	nums                    []float64 // the order values as numbers, while numeric
}

// newGrouper resolves the sequence, item and order columns among names.
func (e *EventLog) newGrouper(names []string) (*eventGrouper, error) {
	seqCol, err := e.column(names, "sequence", e.opts.SequenceBy)
	if err != nil {
		return nil, err
	}
	itemCol, err := e.column(names, "item", e.opts.Item)
	if err != nil {
		return nil, err
	}
	ordCol, err := e.column(names, "order", e.opts.OrderBy)
	if err != nil {
		return nil, err
	}
	return &eventGrouper{log: e, names: names, seqCol: seqCol, itemCol: itemCol, ordCol: ordCol,
		need: max(seqCol, itemCol, ordCol), itemIDs: map[string]int32{}, groupIDs: map[string]int32{},
		numeric: true}, nil
}

// add adds the record rec, read at line, to its sequence.
func (g *eventGrouper) add(rec []string, line int) error {
	e := g.log
	if len(rec) <= g.need {
		missing := g.names[g.need]
		for _, c := range []int{g.seqCol, g.itemCol, g.ordCol} {
			if c >= len(rec) {
				missing = g.names[c]
				break
			}
		}
		return fmt.Errorf("event log %s: line %d has %d fields, so column %q is missing", e.path, line, len(rec), missing)
	}
	it := rec[g.itemCol]
	id, ok := g.itemIDs[it]
	if !ok {
		id = int32(len(e.items))
		g.itemIDs[it] = id
		e.items = append(e.items, []byte(it))
	}
	key := rec[g.seqCol]
	gi, ok := g.groupIDs[key]
	if !ok {
		gi = int32(len(g.groups))
		g.groupIDs[key] = gi
		g.groups = append(g.groups, nil)
		e.keys = append(e.keys, key)
	}
	ev := logEvent{item: id, ord: -1}
	if g.ordCol >= 0 {
		s := strings.TrimSpace(rec[g.ordCol])
		ev.ord = int32(len(g.ords))
		g.ords = append(g.ords, s)
		if g.numeric {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				g.numeric, g.nums = false, nil
			} else {
				g.nums = append(g.nums, x)
			}
		}
	}
	g.groups[gi] = append(g.groups[gi], ev)
	e.rows++
	return nil
}

// sequences orders each group stably by its order values (numerically when
// all are numbers) and returns its items, freeing the groups as it goes,
// and, with keep and numeric order values, each item's order value.
func (g *eventGrouper) sequences(keep bool) ([][]int32, [][]float64) {
	seqs := make([][]int32, len(g.groups))
	var times [][]float64
	keep = keep && g.ordCol >= 0 && g.numeric
	if keep {
		times = make([][]float64, len(g.groups))
	}
	for gi, evs := range g.groups {
		if g.ordCol >= 0 {
			if g.numeric {
				sort.SliceStable(evs, func(i, j int) bool { return g.nums[evs[i].ord] < g.nums[evs[j].ord] })
			} else {
				sort.SliceStable(evs, func(i, j int) bool { return g.ords[evs[i].ord] < g.ords[evs[j].ord] })
			}
		}
		s := make([]int32, len(evs))
		for i, ev := range evs {
			s[i] = ev.item
		}
		seqs[gi] = s
		if keep {
			ts := make([]float64, len(evs))
			for i, ev := range evs {
				ts[i] = g.nums[ev.ord]
			}
			times[gi] = ts
		}
		g.groups[gi] = nil
	}
	return seqs, times
}

type eventLogReader struct {
	log  *EventLog
	i    int
	toks [][]byte
}

func (r *eventLogReader) Next() ([][]byte, error) {
	if r.i >= len(r.log.seqs) {
		return nil, io.EOF
	}
	r.toks = r.toks[:0]
	for _, id := range r.log.seqs[r.i] {
		r.toks = append(r.toks, r.log.items[id])
	}
	r.i++
	return r.toks, nil
}

func (r *eventLogReader) Key() string {
	if r.i == 0 {
		return ""
	}
	return r.log.keys[r.i-1]
}

func (r *eventLogReader) Close() error { return nil }

// KeyedFileSource returns a Source over a sequences file that may name its
// sequences: a line "id<TAB>item item ..." is the sequence of id (the id
// is not a token), and a line without a tab is named by its 1-based line
// number ("7"). Items are separated by ASCII white space. Blank lines are
// skipped but still counted as lines. Readers it opens implement
// KeyedReader. Note that a file whose items are separated by tabs reads as
// named sequences; use FileSource for those.
func KeyedFileSource(path string) Source { return keyedFileSource{path: path} }

// KeyedFileSourceWith is KeyedFileSource with the file opened by open.
func KeyedFileSourceWith(open Opener, path string) Source {
	return keyedFileSource{path: path, open: open}
}

type keyedFileSource struct {
	path string
	open Opener
}

func (p keyedFileSource) String() string { return p.path }

func (p keyedFileSource) Open() (SequenceReader, error) {
	f, err := p.open.open(p.path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	r := &keyedFileReader{name: p.path, f: f, br: br}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", p.path, err)
		}
		r.gz = gz
		r.br = bufio.NewReaderSize(gz, 64<<10)
	}
	return r, nil
}

type keyedFileReader struct {
	name string
	f    *os.File
	gz   *gzip.Reader
	br   *bufio.Reader
	line int
	key  string
	buf  []byte
	toks [][]byte

	skipped int64 // tokens longer than maxTokenBytes, dropped
}

// Skipped returns the number of tokens longer than MaxTokenBytes dropped so
// far in this pass.
func (r *keyedFileReader) Skipped() int64 { return r.skipped }

func (r *keyedFileReader) Next() ([][]byte, error) {
	for {
		r.buf = r.buf[:0]
		var err error
		limit := textline.Limit()
		for {
			var chunk []byte
			chunk, err = r.br.ReadSlice('\n')
			r.buf = append(r.buf, chunk...)
			if len(bytes.TrimRight(r.buf, "\r\n")) > limit {
				return nil, fmt.Errorf("read %s: %w", r.name, &textline.Error{Line: int64(r.line) + 1, Limit: limit})
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read %s: %w", r.name, err)
		}
		if len(r.buf) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		r.line++
		if r.line == 1 && bytes.IndexByte(r.buf, 0) >= 0 {
			return nil, fmt.Errorf("%w: %s has NUL bytes", ErrBinaryInput, r.name)
		}
		body := r.buf
		r.key = strconv.Itoa(r.line)
		if i := bytes.IndexByte(body, '\t'); i >= 0 {
			if k := strings.TrimSpace(string(body[:i])); k != "" {
				r.key = k
			}
			body = body[i+1:]
		}
		r.toks = r.toks[:0]
		for _, t := range bytes.FieldsFunc(body, func(c rune) bool { return c < 256 && isSpace[c] }) {
			if len(t) > maxTokenBytes {
				r.skipped++
				continue
			}
			r.toks = append(r.toks, t)
		}
		if len(r.toks) == 0 {
			if err == io.EOF {
				return nil, io.EOF
			}
			continue
		}
		return r.toks, nil
	}
}

func (r *keyedFileReader) Key() string { return r.key }

func (r *keyedFileReader) Close() error {
	var err error
	if r.gz != nil {
		err = r.gz.Close()
	}
	if e := r.f.Close(); err == nil {
		err = e
	}
	return err
}

// closestName returns the name closest to s by edit distance (case
// ignored), or "" when none is within a third of s's length (at least 2).
func closestName(s string, names []string) string {
	best, bestD := "", max(2, len(s)/3)+1
	ls := strings.ToLower(s)
	for _, n := range names {
		if d := editdist.Distance(ls, strings.ToLower(n), bestD-1); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
