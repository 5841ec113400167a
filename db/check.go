package db

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/storage"
)

// Problem is one inconsistency found by Check: the collection ("" for the
// file as a whole), the row's key and id when it concerns one row, and
// what is wrong. Its String method formats it for people.
type Problem = storage.Problem

// CheckReport is the outcome of Check.
type CheckReport struct {
	Collection string // the collection checked; "" for the whole file
	Rows       int    // rows checked, over all collections
	// Checks has one line per part checked (the file's pages, then each
	// collection): Result is "ok (…)" or the number of problems and the
	// first one.
	Checks []CheckResult
	// Found lists every problem (at most 100 per collection; a last one
	// counts the rest).
	Found []Problem
	// Notes lists expected states that are not problems: data left by a
	// load interrupted by a crash, which the next writable open removes.
	// A file with notes and no problems is OK.
	Notes []string
}

// CheckResult is one part of a Check: Name is "file" or a collection name.
type CheckResult struct {
	Name   string
	Result string
	Failed bool
}

// OK reports whether no problem was found.
func (r *CheckReport) OK() bool { return len(r.Found) == 0 }

// Problems lists the problems found, one line each.
func (r *CheckReport) Problems() []string {
	out := make([]string, len(r.Found))
	for i, p := range r.Found {
		out[i] = p.String()
	}
	return out
}

// String is "ok" or one problem per line, followed by one "note: " line
// per note.
func (r *CheckReport) String() string {
	lines := []string{"ok"}
	if !r.OK() {
		lines = r.Problems()
	}
	for _, n := range r.Notes {
		lines = append(lines, "note: "+n)
	}
	return strings.Join(lines, "\n")
}

// Check verifies the database without changing it, in one read
// transaction. With name empty it checks the whole file: bbolt's page
// structure, the format record, every collection, and data buckets left
// by interrupted loads (reported as Notes: a crash may leave them, and
// the next writable open removes them). With a name it checks that collection only
// (ErrCollectionNotFound when there is none). Per collection: the catalog
// record decodes and names its data; keys and rows map one to one; every
// row record decodes exactly, matches its checksum, has the collection's
// dimension, finite values and metadata of its fields' types; the row
// counter and next id agree with the rows; output weights and graph nodes
// belong to live rows; the HNSW graph loads and validates; and a subword
// table reads whole (checksum, hashes ascending, the collection's dimension). Problems
// are returned in the report, not as an error; the error is for an unknown
// collection or a cancelled ctx (checked every 4096 rows).
func (d *DB) Check(ctx context.Context, name string) (*CheckReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sr, err := d.store.Check(ctx, name, &storage.Validators{Index: validateIndex, Subwords: validateSubwords})
	if err != nil {
		return nil, err
	}
	return newCheckReport(name, sr), nil
}

// validateIndex loads a stored graph the way a search does, which
// validates every node record and link, and checks that its segment, when
// it has one, holds the same graph (a stale segment, which no search
// uses, is reported too: it should have been deleted with the change).
func validateIndex(meta []byte, vectors func(id uint32) []float32, nodes func(yield func(id uint32, rec []byte) error) error, seg [][]byte, rows []uint32) error {
	idx, err := ann.Load(meta, vectors, nodes)
	if err != nil || seg == nil {
		return err
	}
	return idx.VerifySegment(meta, seg, rows)
}

// validateSubwords reads a stored subword table the way a query does,
// which checks its checksum, sizes and hash order, and checks its
// dimension against the collection's.
func validateSubwords(r io.Reader, dim int) error {
	_, err := readSubwords(r, dim)
	return err
}

func newCheckReport(name string, sr *storage.CheckReport) *CheckReport {
	rep := &CheckReport{Collection: name, Found: sr.Problems, Notes: sr.Notes}
	byColl := map[string][]Problem{}
	for _, p := range sr.Problems {
		byColl[p.Collection] = append(byColl[p.Collection], p)
	}
	summary := func(part, okText string) {
		ps := byColl[part]
		if part == "" {
			part = "file"
		}
		switch len(ps) {
		case 0:
			rep.Checks = append(rep.Checks, CheckResult{Name: part, Result: okText})
		case 1:
			rep.Checks = append(rep.Checks, CheckResult{Name: part, Failed: true, Result: ps[0].String()})
		default:
			rep.Checks = append(rep.Checks, CheckResult{Name: part, Failed: true,
				Result: fmt.Sprintf("%d problems, first: %s", len(ps), ps[0])})
		}
	}
	if name == "" {
		okText := "ok"
		if sr.Pages {
			okText = "ok (pages, format record, no orphans)"
			if len(sr.Notes) > 0 {
				okText = fmt.Sprintf("ok (pages, format record; %d orphan data bucket(s) left by an interrupted load, removed by the next writable open)", len(sr.Notes))
			}
		}
		summary("", okText)
	}
	for _, c := range sr.Collections {
		rep.Rows += sr.Rows[c]
		summary(c, fmt.Sprintf("ok (%d rows)", sr.Rows[c]))
	}
	return rep
}

// CheckFile opens the database at path read-only (so it may run beside a
// writer that has released its lock, and never changes the file), checks
// all of it and closes it. Opening errors (ErrNotVecdb, ErrCorrupt,
// ErrLocked, …) are returned as errors; problems found inside are in the
// report. It is what `vecdb -check FILE` runs.
func CheckFile(path string) (*CheckReport, error) {
	d, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Check(context.Background(), "")
}
