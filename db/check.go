package db

import (
	"context"
	"fmt"

	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/storage"
)

// CheckReport is the outcome of Check: one line per verification.
type CheckReport struct {
	Collection string
	Rows       int
	Checks     []CheckResult
}

// CheckResult is one verification of Check; Result is "ok" or says what
// is wrong.
type CheckResult struct {
	Name   string
	Result string
	Failed bool
}

// OK reports whether every check passed.
func (r *CheckReport) OK() bool {
	for _, c := range r.Checks {
		if c.Failed {
			return false
		}
	}
	return true
}

// Problems lists the failed checks.
func (r *CheckReport) Problems() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Failed {
			out = append(out, c.Name+": "+c.Result)
		}
	}
	return out
}

// Check verifies a collection in one read transaction: every row's key maps
// back to its id, keys are unique, vectors have the collection's dimension
// and finite values, and the row count matches the catalog. It does not
// modify anything. ctx is checked every 64k rows.
func (d *DB) Check(ctx context.Context, name string) (*CheckReport, error) {
	rep := &CheckReport{Collection: name}
	err := d.view(name, func(c *storage.Coll) error {
		m := c.Meta()
		seen := make(map[string]uint32, m.Rows)
		var badMap, dupKeys, badDim, nonFinite, n int
		first := map[string]string{}
		note := func(kind, what string) {
			if _, ok := first[kind]; !ok {
				first[kind] = what
			}
		}
		err := c.Scan(storage.ScanOptions{NoMeta: true, Reuse: true}, func(r *storage.Row) (bool, error) {
			n++
			if n%65536 == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
			}
			if id, ok := c.ID(r.Key); !ok || id != r.ID {
				badMap++
				note("map", fmt.Sprintf("key %s (id %d)", quoteKey(r.Key), r.ID))
			}
			if _, ok := seen[r.Key]; ok {
				dupKeys++
				note("dup", quoteKey(r.Key))
			}
			seen[r.Key] = r.ID
			if len(r.Vector) != m.Dim {
				badDim++
				note("dim", quoteKey(r.Key))
			} else if !vec.Finite(r.Vector) {
				nonFinite++
				note("finite", quoteKey(r.Key))
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		rep.Rows = n
		add := func(name string, bad int, kind, okText string) {
			if bad == 0 {
				rep.Checks = append(rep.Checks, CheckResult{Name: name, Result: okText})
				return
			}
			rep.Checks = append(rep.Checks, CheckResult{Name: name, Failed: true,
				Result: fmt.Sprintf("%d bad, first %s", bad, first[kind])})
		}
		add("key → id map", badMap, "map", fmt.Sprintf("ok (%d keys)", n))
		add("unique keys", dupKeys, "dup", "ok")
		add("dimension", badDim, "dim", fmt.Sprintf("ok (%d)", m.Dim))
		add("finite values", nonFinite, "finite", "ok")
		if m.Rows != n {
			rep.Checks = append(rep.Checks, CheckResult{Name: "row count", Failed: true,
				Result: fmt.Sprintf("catalog says %d, found %d", m.Rows, n)})
		} else {
			rep.Checks = append(rep.Checks, CheckResult{Name: "row count", Result: fmt.Sprintf("ok (%d)", n)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
