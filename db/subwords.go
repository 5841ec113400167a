package db

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// Subwords: a collection trained with WITH (subwords = true) keeps its
// character n-gram table (trainer.Subwords) beside its rows, in the same
// data bucket (storage.Loader.PutSubwords), so it is replaced, dropped,
// copied and checked with them. A statement of the language that names a
// key the collection does not store gets the key's vector from the table
// (the mean of its known n-grams, fastText's vector for an unknown word),
// unless SET subwords = false. Such keys are "built": they get positions
// from View.Len() on in the statement's View (builtRows), which every
// vector expression reads like a stored row and no search returns; the
// result's Message names them and EXPLAIN lists them.

// readSubwords parses a stored subword table and checks it against the
// collection's dimension; every error wraps ErrCorrupt.
func readSubwords(r io.Reader, dim int) (*trainer.Subwords, error) {
	s, err := trainer.ReadSubwords(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var one [1]byte
	if n, _ := io.ReadFull(r, one[:]); n > 0 {
		return nil, fmt.Errorf("%w: bytes after the subword table", ErrCorrupt)
	}
	if s.Dim != dim {
		return nil, fmt.Errorf("%w: the subword table has dimension %d, the collection %d", ErrCorrupt, s.Dim, dim)
	}
	if !vec.Finite(s.Vectors) {
		return nil, fmt.Errorf("%w: the subword table holds NaN or Inf", ErrCorrupt)
	}
	return s, nil
}

// builtRows are the keys of one statement whose vectors were built from
// n-grams, at positions View.Len()+i. It is safe for concurrent use; rows
// are never removed, so a position stays valid for the statement.
type builtRows struct {
	mu    sync.Mutex
	rows  []*builtRow
	byKey map[string]int
}

type builtRow struct {
	key  string
	vec  []float32 // as SearchVector: unit length for COSINE
	norm float32   // the raw vector's length
}

func (b *builtRows) row(i int) *builtRow {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rows[i]
}

func (b *builtRows) len() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.rows)
}

// keys returns the built keys in the order they were built.
func (b *builtRows) keys() []string {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, len(b.rows))
	for i, r := range b.rows {
		out[i] = r.key
	}
	return out
}

// withSubwords returns a View of the same snapshot in which keys that are
// not stored get vectors from the collection's n-grams (for one
// statement), or v itself when the collection has no subword table.
func (v *View) withSubwords() *View {
	if !v.hasSub {
		return v
	}
	return &View{viewData: v.viewData, built: &builtRows{byKey: map[string]int{}}}
}

// HasSubwords reports whether the collection has a subword table (it was
// trained with subwords), from which WordVector builds vectors for keys it
// does not store.
func (v *View) HasSubwords() bool { return v.hasSub }

// subwords returns the collection's subword table, read from the file on
// first use; nil when it has none, or when the file has moved on to other
// contents since the view was taken. A damaged table is ErrCorrupt.
func (v *View) subwords() (*trainer.Subwords, error) {
	v.subOnce.Do(func() {
		if !v.hasSub {
			return
		}
		v.subErr = v.d.view(v.info.Name, func(c *storage.Coll) error {
			if c.Meta().Bucket != v.bucket {
				return nil // replaced since: its table is not this view's
			}
			r := c.Subwords()
			if r == nil {
				return nil
			}
			s, err := readSubwords(r, v.dim)
			if err != nil {
				return fmt.Errorf("%s: %w", v.info.Name, err)
			}
			v.sub = s
			return nil
		})
	})
	return v.sub, v.subErr
}

// build gives key, which v does not store, a built row from its n-grams;
// ok is false when the table knows none of them (or there is no table).
func (v *View) build(key string) (pos int, ok bool, err error) {
	b := v.built
	b.mu.Lock()
	if i, ok := b.byKey[key]; ok {
		b.mu.Unlock()
		return v.rows + i, true, nil
	}
	b.mu.Unlock()
	sub, err := v.subwords()
	if err != nil || sub == nil {
		return 0, false, err
	}
	x, ok := sub.MeanVector(key)
	if !ok {
		return 0, false, nil
	}
	n := vec.Norm(x)
	if n == 0 || math.IsInf(float64(n), 0) {
		return 0, false, nil
	}
	if v.metric == Cosine {
		vec.Scale(1/n, x)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if i, ok := b.byKey[key]; ok {
		return v.rows + i, true, nil
	}
	b.byKey[key] = len(b.rows)
	b.rows = append(b.rows, &builtRow{key: key, vec: x, norm: n})
	return v.rows + len(b.rows) - 1, true, nil
}

// WordVector returns the raw vector of key: the stored one, or, in a
// collection with a subword table (HasSubwords), one built from the
// key's character n-grams as fastText does for an unknown word. built
// says which. A key that is not stored and has no known n-gram is a
// *KeysNotFoundError (ErrKeyNotFound); a damaged table is ErrCorrupt.
func (v *View) WordVector(key string) (x []float32, built bool, err error) {
	w := v.withSubwords()
	pos, err := w.Positions([]string{key})
	if err != nil {
		return nil, false, err
	}
	return w.Vector(pos[0]), pos[0] >= v.Len(), nil
}

// subwordsOn reports whether statements build vectors of unknown keys
// from n-grams (SET subwords, default true).
func (d *DB) subwordsOn() bool {
	on, ok := d.Setting("subwords").(bool)
	return !ok || on
}

// builtKeys lists, per collection, the keys that the statement's views
// built from n-grams: "'unbelievably' (w)" items, sorted by collection.
func (c *compiler) builtKeys() []string {
	names := make([]string, 0, len(c.sources))
	for n := range c.sources {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		for _, k := range c.sources[n].built.keys() {
			out = append(out, fmt.Sprintf("%s (%s)", query.QuoteString(k), query.QuoteIdent(n)))
		}
	}
	return out
}

// subwordPlan is a plan that uses keys built from n-grams: EXPLAIN names
// them and the result's Message says so.
type subwordPlan struct {
	inner Plan
	keys  []string
}

func (p *subwordPlan) String() string {
	return p.inner.String() + "\n  built from n-grams (not stored): " + strings.Join(p.keys, ", ")
}

func (p *subwordPlan) Run(ctx context.Context, d *DB) (*Result, error) {
	res, err := p.inner.Run(ctx, d)
	if err != nil {
		return res, err
	}
	note := fmt.Sprintf("not stored, vector built from character n-grams: %s", strings.Join(p.keys, ", "))
	if res.Message != "" {
		res.Message += "; " + note
	} else {
		res.Message = note
	}
	res.Built = append(res.Built, p.keys...)
	return res, nil
}

// errContinueSubwords is the error of TRAIN … WITH (continue = true) that
// involves subwords.
func errContinueSubwords(name string, has bool) error {
	if has {
		return invalidf("cannot continue training %s: it has subword vectors, and continuing a subword model is not supported; train it afresh (without continue)", name)
	}
	return invalidf("cannot continue training %s with subwords = true: it has word vectors only; train it afresh with subwords = true", name)
}
