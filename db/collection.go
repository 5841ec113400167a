package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/storage"
)

// Collection is a handle on one collection of a DB. It is safe for
// concurrent use; each read sees the latest committed state.
type Collection struct {
	d    *DB
	name string
}

// Row is one entry of a collection: a unique key, its vector, its count and
// one metadata value per field, in the order of Info.Fields (nil for NULL).
//
// Rows read back (Get) hold string, int64, float64 or bool. Rows written
// (Insert, Upsert) and SetMeta take, by the same rules, a string kind for
// TEXT, a bool kind for BOOL, and any Go integer kind (int, int8 … int64,
// uint … uint64) or float kind (float32, float64) that fits the field
// exactly: an INT takes a whole float and an unsigned value up to
// math.MaxInt64, a FLOAT an integer that a float64 holds exactly. A value
// that would overflow or lose precision (a fraction into INT, a uint64
// above math.MaxInt64, a NaN) is refused with an error naming the field
// that matches ErrFieldType; nothing is written.
type Row struct {
	Key    string
	Vector []float32
	Count  int64
	Meta   []any
}

// Name returns the collection's name.
func (c *Collection) Name() string { return c.name }

// Info describes the collection.
func (c *Collection) Info() (Info, error) {
	var info Info
	err := c.d.view(c.name, func(sc *storage.Coll) error {
		info = infoOf(sc.Meta())
		return nil
	})
	return info, err
}

// Len returns the number of rows (0 when the collection is gone).
func (c *Collection) Len() int {
	v, err := c.View()
	if err != nil {
		return 0
	}
	return v.Len()
}

// Get returns the row of key exactly as stored.
func (c *Collection) Get(key string) (*Row, error) {
	var out *Row
	err := c.d.view(c.name, func(sc *storage.Coll) error {
		r, err := sc.Get(key)
		if err != nil {
			return err
		}
		out = &Row{Key: r.Key, Vector: r.Vector, Count: r.Count, Meta: r.Meta}
		return nil
	})
	if err != nil && errors.Is(err, ErrKeyNotFound) {
		if v, verr := c.View(); verr == nil {
			return nil, v.keysNotFound(context.Background(), []string{key})
		}
	}
	return out, err
}

// Vector returns the stored vector of key. A key that is not in the
// collection is an error matching ErrKeyNotFound (a *KeysNotFoundError with
// a close spelling when there is one).
func (c *Collection) Vector(key string) ([]float32, error) {
	r, err := c.Get(key)
	if err != nil {
		return nil, err
	}
	return r.Vector, nil
}

// Insert adds rows in one transaction: either all are added or, on any
// error (duplicate key, wrong dimension, NaN, a zero vector in a COSINE
// collection: ErrZeroVector), none.
func (c *Collection) Insert(ctx context.Context, rows ...Row) error {
	return c.d.update(ctx, c.name, func(sc *storage.Coll) error {
		for i := range rows {
			if i%1000 == 999 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := rows[i]
			if err := checkDirection(sc.Meta().Metric, r.Key, r.Vector); err != nil {
				return err
			}
			meta, err := metaValues(sc.Meta().Fields, r.Key, r.Meta)
			if err != nil {
				return err
			}
			if _, err := sc.Insert(&storage.Row{Key: r.Key, Vector: r.Vector, Count: r.Count, Meta: meta}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Upsert inserts rows, or updates the rows with the same keys, in one
// transaction, as SQLite's INSERT … ON CONFLICT DO UPDATE: an existing
// row takes the new vector and count and the metadata fields that
// Row.Meta covers (its first len(Meta) fields, nil setting NULL), and
// keeps its other fields; a nil Meta keeps them all. Use Replace to
// replace whole rows. It returns how many rows were new.
func (c *Collection) Upsert(ctx context.Context, rows ...Row) (inserted int, err error) {
	return c.upsert(ctx, rows, upsertHow{})
}

// Replace inserts rows or replaces the rows with the same keys whole (the
// fields that Row.Meta does not cover become NULL), in one transaction,
// as the language's INSERT OR REPLACE. It returns how many rows were new.
func (c *Collection) Replace(ctx context.Context, rows ...Row) (inserted int, err error) {
	return c.upsert(ctx, rows, upsertHow{replace: true})
}

// upsertHow says what an upsert does to a row that exists.
type upsertHow struct {
	replace   bool   // replace the whole row
	fields    []bool // the fields set (the statement names them); nil: the first len(Row.Meta)
	keepCount bool   // keep the stored count (the statement does not name it)
}

func (c *Collection) upsert(ctx context.Context, rows []Row, how upsertHow) (inserted int, err error) {
	err = c.d.update(ctx, c.name, func(sc *storage.Coll) error {
		inserted = 0
		fields := sc.Meta().Fields
		for i := range rows {
			if i%1000 == 999 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := rows[i]
			if err := checkDirection(sc.Meta().Metric, r.Key, r.Vector); err != nil {
				return err
			}
			meta, err := metaValues(fields, r.Key, r.Meta)
			if err != nil {
				return err
			}
			count := r.Count
			if id, ok := sc.ID(r.Key); ok && !how.replace {
				old, err := sc.GetID(id)
				if err != nil {
					return err
				}
				merged := make([]any, len(fields))
				copy(merged, old.Meta)
				for f := range merged {
					set := f < len(meta)
					if how.fields != nil {
						set = how.fields[f]
					}
					if set {
						merged[f] = nil
						if f < len(meta) {
							merged[f] = meta[f]
						}
					}
				}
				meta = merged
				if how.keepCount {
					count = old.Count
				}
			}
			_, isNew, err := sc.Upsert(&storage.Row{Key: r.Key, Vector: r.Vector, Count: count, Meta: meta})
			if err != nil {
				return err
			}
			if isNew {
				inserted++
			}
		}
		return nil
	})
	return inserted, err
}

// Delete removes the rows of keys in one transaction and returns how many
// existed. Absent keys are ignored.
func (c *Collection) Delete(ctx context.Context, keys ...string) (int, error) {
	n := 0
	err := c.d.update(ctx, c.name, func(sc *storage.Coll) error {
		n = 0
		for _, k := range keys {
			if _, ok := sc.ID(k); !ok {
				continue
			}
			if _, err := sc.Delete(k); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// SetMeta sets metadata fields of the given keys in one transaction. values
// maps a field name to its new value (nil for NULL), of any Go type that
// Row.Meta takes (see Row).
func (c *Collection) SetMeta(ctx context.Context, keys []string, values map[string]any) error {
	return c.d.update(ctx, c.name, func(sc *storage.Coll) error {
		m := sc.Meta()
		idx := map[int]any{}
		for name, v := range values {
			i := m.FieldIndex(name)
			if i < 0 {
				return fmt.Errorf("%w: %s has no field %q", ErrFieldNotFound, c.name, name)
			}
			x, err := metaValue(m.Fields[i], v)
			if err != nil {
				return err
			}
			idx[i] = x
		}
		for _, k := range keys {
			id, ok := sc.ID(k)
			if !ok {
				return fmt.Errorf("%w: %q", ErrKeyNotFound, k)
			}
			r, err := sc.GetID(id)
			if err != nil {
				return err
			}
			meta := make([]any, len(m.Fields))
			copy(meta, r.Meta)
			for i, v := range idx {
				meta[i] = v
			}
			if err := sc.SetMeta(id, meta); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddField adds a metadata field; existing rows read it as NULL.
func (c *Collection) AddField(ctx context.Context, f Field) error {
	return c.d.update(ctx, c.name, func(sc *storage.Coll) error { return sc.AddField(f) })
}

// KeysWithPrefix returns up to limit keys starting with prefix, in byte
// order (for completion).
func (c *Collection) KeysWithPrefix(prefix string, limit int) []string {
	var out []string
	c.d.view(c.name, func(sc *storage.Coll) error {
		out = sc.KeysWithPrefix(prefix, limit)
		return nil
	})
	return out
}

// Nearest returns the k rows most similar to q, best first, by exact search.
func (c *Collection) Nearest(ctx context.Context, q []float32, k int, opts *SearchOptions) ([]Hit, error) {
	v, err := c.View()
	if err != nil {
		return nil, err
	}
	return v.Search(ctx, q, k, opts)
}

// MostSimilar is gensim's most_similar: see View.MostSimilar.
func (c *Collection) MostSimilar(ctx context.Context, positive, negative []string, k int, opts *SearchOptions) ([]Hit, error) {
	v, err := c.View()
	if err != nil {
		return nil, err
	}
	return v.MostSimilar(ctx, positive, negative, k, opts)
}

// Similarity returns the similarity of two keys (cosine for COSINE).
func (c *Collection) Similarity(a, b string) (float32, error) {
	v, err := c.View()
	if err != nil {
		return 0, err
	}
	return v.Similarity(a, b)
}

// checkDirection refuses a vector of zero length for a COSINE collection
// (ErrZeroVector): it has no direction, so no cosine with anything. The
// test is the one the View applies (its float32 norm is 0).
func checkDirection(m Metric, key string, v []float32) error {
	if m != Cosine || vec.Norm(v) != 0 {
		return nil
	}
	return errdefs.Newf(ErrZeroVector, "the vector of key %q has zero length: it has no direction, which a COSINE collection compares by", key)
}
