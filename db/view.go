package db

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// collState is the in-memory state of one collection: the current read
// view, rebuilt lazily after a write.
type collState struct {
	name  string
	build sync.Mutex // held while a view is loaded, so it is loaded once
	view  atomic.Pointer[View]

	// vmu orders the caching of a loaded view with invalidate: a view
	// loaded from a transaction that began before a write's invalidate is
	// returned to its caller but not cached (it would hide the write).
	vmu sync.Mutex
	gen uint64 // bumped by invalidate, under vmu

	// The HNSW graph, when the collection has one and it has been loaded,
	// and the state of the collection whose rows it indexes. Writers keep
	// the graph current and move idxAt along; a view of another state (an
	// older snapshot) does not use it. ann.Index guards itself (searches
	// run during inserts); idxMu guards the pointer, idxAt and loading.
	idxMu sync.Mutex
	idx   *ann.Index
	idxAt collVersion
	fill  *graphFill // the background fill of idx, when lazy (graphfill.go)
}

// collVersion identifies one state of a collection in the file: its data
// bucket (new for every bulk load and re-creation) and its catalog version
// (bumped on every change).
type collVersion struct {
	bucket  string
	version uint64
}

func versionOf(m *storage.CollectionMeta) collVersion {
	return collVersion{bucket: m.Bucket, version: m.Version}
}

// invalidate drops the cached view after a write has committed.
func (s *collState) invalidate() {
	s.vmu.Lock()
	s.gen++
	s.view.Store(nil)
	s.vmu.Unlock()
}

func (s *collState) generation() uint64 {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	return s.gen
}

// cache keeps v as the current view unless a write was committed since
// generation gen was read (before v's transaction began).
func (s *collState) cache(v *View, gen uint64) {
	s.vmu.Lock()
	if s.gen == gen {
		s.view.Store(v)
	}
	s.vmu.Unlock()
}

// View is an immutable, consistent in-memory picture of a collection: keys
// in frequency order, their counts, and vectors laid out for search (unit
// length for COSINE collections, raw otherwise). Positions 0..Len()-1 follow
// frequency order. A View is safe for concurrent use and stays valid (and
// unchanged) after later writes; Collection.View returns a fresh one then.
// A view of a collection with vector blocks reads its vectors in place from
// the file (InPlace, inplace.go), and its keys and counts too, one at a time,
// until something needs all of them (a map for many lookups, a suggestion
// for a misspelt key, the popularity prior), which copies them once: after
// its DB is closed, its searches fail with ErrClosed, SearchVector, Vector
// and Unit return zero vectors, and Key and Count return "" and 0 unless
// the keys had been copied before.
//
// A statement of the language may see a collection that has a subword
// table through a View with built rows (see withSubwords): keys that are
// not stored get vectors from their character n-grams and positions from
// Len() on, which searches never return.
type View struct {
	*viewData
	built *builtRows // keys built from n-grams; nil: unknown keys are errors
}

// viewData is the part of a View shared by every View of one loaded state.
type viewData struct {
	info   Info
	dim    int
	metric Metric
	rows   int      // Len
	ids    []uint32 // storage row ids by position; nil when denseIDs (see idList)
	keys   []string // nil when file is set: see Key and allKeys
	counts []int64  // likewise
	// denseIDs: the row ids are the positions (a view read in place,
	// which no row was deleted from), and ids is not kept.
	denseIDs bool
	idsOnce  sync.Once
	idsMade  []uint32 // idList's ids when denseIDs

	data     []float32        // Len×dim, unit vectors for Cosine, raw otherwise; nil while file is set
	file     *fileVectors     // the vectors (and keys, counts) read in place from the file (inplace.go), or nil
	norms    []float32        // raw norms
	zeros    []int            // COSINE: the positions of zero vectors, never neighbours
	pos      map[string]int32 // built on demand: see Lookup
	posOnce  sync.Once
	posReady atomic.Bool
	lookups  atomic.Int32

	d        *DB
	st       *collState
	version  uint64 // catalog version of the snapshot
	bucket   string // data bucket of the snapshot
	metaOnce sync.Once
	meta     [][]any
	metaErr  error

	lowerOnce sync.Once
	lower     map[string][]int32

	byIDOnce sync.Once
	byID     []int32 // row id → position, -1 for none (nil when ids are sparse)
	// byRange[b]: position of the first id >= b<<byRangeShift (sparse ids)
	byRange      []int32
	idsDense     bool // ids[p] == p for every position (posOfID)
	byRangeShift uint

	fieldsOnce sync.Once
	fieldPos   map[string]int // lower-case field name → position, for many fields

	// hasSub says whether the collection has a subword table; it is read
	// from the file on first use (subwords).
	hasSub  bool
	subOnce sync.Once
	sub     *trainer.Subwords
	subErr  error
}

// View returns the current read view of the collection, loading it from the
// file on first use after a write.
func (c *Collection) View() (*View, error) {
	s, err := c.d.state(c.name)
	if err != nil {
		return nil, err
	}
	if v := s.view.Load(); v != nil {
		return v, nil
	}
	s.build.Lock()
	defer s.build.Unlock()
	if v := s.view.Load(); v != nil {
		return v, nil
	}
	gen := s.generation()
	v, err := c.d.loadView(c.name)
	if err != nil {
		return nil, err
	}
	v.st = s
	s.cache(v, gen)
	return v, nil
}

func (d *DB) loadView(name string) (*View, error) {
	v := &View{viewData: &viewData{d: d}}
	if ok, err := d.loadViewInPlace(v, name); ok || err != nil {
		return v, err
	}
	return d.loadViewScan(v, name)
}

// loadViewScan loads v from the collection's rows, decoding every vector
// into memory: for files of the earlier layout and collections with
// deleted rows.
func (d *DB) loadViewScan(v *View, name string) (*View, error) {
	err := d.view(name, func(c *storage.Coll) error {
		m := c.Meta()
		v.info = infoOf(m)
		v.version, v.bucket = m.Version, m.Bucket
		v.dim, v.metric = m.Dim, m.Metric
		n := m.Rows
		v.ids = make([]uint32, 0, n)
		v.keys = make([]string, 0, n)
		v.counts = make([]int64, 0, n)
		v.data = make([]float32, 0, n*m.Dim)
		v.norms = make([]float32, 0, n)
		v.hasSub = c.HasSubwords()
		return c.Scan(storage.ScanOptions{NoMeta: true, Reuse: true}, func(r *storage.Row) (bool, error) {
			v.ids = append(v.ids, r.ID)
			v.keys = append(v.keys, r.Key)
			v.counts = append(v.counts, r.Count)
			start := len(v.data)
			v.data = append(v.data, r.Vector...)
			row := v.data[start:]
			nrm := vec.Norm(row)
			v.norms = append(v.norms, nrm)
			if v.metric == Cosine && nrm > 0 {
				vec.Scale(1/nrm, row)
			} else if v.metric == Cosine {
				v.zeros = append(v.zeros, len(v.norms)-1)
			}
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	v.rows = len(v.keys)
	return v, nil
}

// loadViewInPlace loads v from the collection's vector blocks, which it
// then reads in place through a pinned read transaction (no decode, no
// copy of the vectors; see inplace.go). It reports false, and loads
// nothing, when the collection has no blocks (a file of the
// earlier layout, or a collection with deleted rows) or the platform
// does not pin.
func (d *DB) loadViewInPlace(v *View, name string) (bool, error) {
	f := &fileVectors{}
	wp := weak.Make(v.viewData)
	pin, err := d.store.Pin(func(keep bool) {
		if vd := wp.Value(); vd != nil {
			vd.evict(keep)
		}
	})
	if pin == nil || err != nil {
		return false, err
	}
	used := false
	defer func() {
		if !used {
			pin.Close()
		}
	}()
	ran := false
	err = pin.View(func(tx *storage.Tx) error {
		ran = true
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		bv, err := c.BlockVectors()
		if bv == nil || err != nil {
			return err
		}
		m := c.Meta()
		v.info = infoOf(m)
		v.version, v.bucket = m.Version, m.Bucket
		v.dim, v.metric = m.Dim, m.Metric
		v.norms = make([]float32, 0, m.Rows)
		v.hasSub = c.HasSubwords()
		for _, nb := range bv.Norms {
			v.norms = append(v.norms, nb...)
		}
		if v.metric == Cosine {
			for i, x := range v.norms {
				if x == 0 {
					v.zeros = append(v.zeros, i)
				}
			}
		}
		// Keys and counts stay in the blocks too (fileVectors.row): no
		// loop over the rows at open, which would read the tail of every
		// block and copy a million keys before the first question.
		if m.Rows != len(v.norms) {
			return fmt.Errorf("%w: collection %s: %d rows, its vector blocks %d", ErrCorrupt, name, m.Rows, len(v.norms))
		}
		v.rows, v.denseIDs, v.idsDense = len(v.norms), true, true
		// Published before the pin's lock is let go: a release of the pin
		// waits for this function, then finds the vectors and evicts them.
		f.bv, f.step, f.pin = bv, bv.Rows, pin
		v.file = f
		return nil
	})
	if !ran {
		return false, nil // released before it was read: the caller scans
	}
	if err != nil || v.file == nil {
		return false, err
	}
	used = true
	runtime.AddCleanup(v.viewData, func(p *storage.Pin) { p.Close() }, pin)
	return true, nil
}

// at returns the state of the collection this view is a snapshot of.
func (v *View) at() collVersion { return collVersion{bucket: v.bucket, version: v.version} }

// current reports whether c (seen through a later transaction) is still
// the state this view was taken from.
func (v *View) current(c *storage.Coll) bool { return versionOf(c.Meta()) == v.at() }

// Info describes the collection as of this view.
func (v *View) Info() Info { return v.info }

// Len returns the number of rows.
func (v *View) Len() int { return v.rows }

// Dim returns the vector dimension.
func (v *View) Dim() int { return v.dim }

// Metric returns the collection's metric.
func (v *View) Metric() Metric { return v.metric }

// Key returns the key at position i (frequency order).
func (v *View) Key(i int) string {
	if i >= v.rows {
		return v.built.row(i - v.rows).key
	}
	if v.file != nil {
		k, _ := v.file.row(i, true)
		return k
	}
	return v.keys[i]
}

// Count returns the count of the key at position i (0 for a key built
// from n-grams).
func (v *View) Count(i int) int64 {
	if i >= v.rows {
		return 0
	}
	if v.file != nil {
		_, c := v.file.row(i, false)
		return c
	}
	return v.counts[i]
}

// allKeys returns every key by position, copied out of the file once for
// a view read in place; nil when the file can no longer give them (the
// DB was closed before they were copied, or the file is damaged).
func (v *viewData) allKeys() []string {
	if v.file != nil {
		k, _ := v.file.allRows()
		return k
	}
	return v.keys
}

// allCounts is allKeys for the counts.
func (v *viewData) allCounts() []int64 {
	if v.file != nil {
		_, c := v.file.allRows()
		return c
	}
	return v.counts
}

// ID returns the storage row id at position i.
func (v *View) ID(i int) uint32 {
	if v.denseIDs {
		return uint32(i)
	}
	return v.ids[i]
}

// idList returns the storage row ids by position (made once when they
// are the positions). The caller must not modify it.
func (v *viewData) idList() []uint32 {
	if !v.denseIDs {
		return v.ids
	}
	v.idsOnce.Do(func() {
		v.idsMade = make([]uint32, v.rows)
		for i := range v.idsMade {
			v.idsMade[i] = uint32(i)
		}
	})
	return v.idsMade
}

// Lookup returns the position of key. The first few lookups of a view go
// through the file's key index (a B+tree search each), so that opening a
// large collection and asking one question does not wait for a map of every
// key (nor, in a view read in place, for a copy of every key); from the
// 33rd lookup on, the map is built once and used.
func (v *View) Lookup(key string) (int, bool) {
	if v.posReady.Load() || v.lookups.Add(1) > 32 {
		p, ok := v.posMap()[key]
		return int(p), ok
	}
	var id uint32
	found, same := false, false
	v.d.view(v.info.Name, func(c *storage.Coll) error {
		id, found = c.ID(key)
		same = v.current(c)
		return nil
	})
	if found {
		if p, ok := v.posOfID(id); ok && v.Key(p) == key {
			return p, true
		}
	} else if same {
		return 0, false // the file is still this view's state
	}
	// The file has moved on since this view was taken (or could not be
	// read): the view's own map is the answer.
	p, ok := v.posMap()[key]
	return int(p), ok
}

func (v *View) posMap() map[string]int32 {
	v.posOnce.Do(func() {
		keys := v.allKeys()
		m := make(map[string]int32, len(keys))
		for i, k := range keys {
			m[k] = int32(i)
		}
		v.pos = m
		v.posReady.Store(true)
	})
	return v.pos
}

// SearchVector returns the vector used for search at position i: unit length
// for COSINE collections, raw otherwise. The caller must not modify it.
func (v *View) SearchVector(i int) []float32 {
	if i >= v.rows {
		return v.built.row(i - v.rows).vec
	}
	if v.file != nil {
		return v.file.vector(i, v.dim) // a copy: the file's bytes stay inside
	}
	return v.data[i*v.dim : (i+1)*v.dim : (i+1)*v.dim]
}

// Unit returns a fresh unit-length copy of the vector at position i.
func (v *View) Unit(i int) []float32 {
	out := append([]float32(nil), v.SearchVector(i)...)
	if v.metric != Cosine {
		vec.Normalize(out)
	}
	return out
}

// Vector returns a fresh copy of the raw (as stored) vector at position i.
// For COSINE collections it is rebuilt from the unit vector and the norm,
// which may differ from the stored value in the last bit; use
// Collection.Get for the exact stored value.
func (v *View) Vector(i int) []float32 {
	out := append([]float32(nil), v.SearchVector(i)...)
	if v.metric == Cosine {
		vec.Scale(v.Norm(i), out)
	}
	return out
}

// ZeroVectors returns the positions of the zero vectors of a COSINE
// collection (an IMPORT keeps them): having no direction, they are never
// returned as neighbours. The slice is shared: do not modify it.
func (v *View) ZeroVectors() []int { return v.zeros }

// withoutZeros returns opts with the zero vectors of a COSINE view added
// to Exclude (opts itself is unchanged), so that no search returns one.
func (v *View) withoutZeros(opts *SearchOptions) *SearchOptions {
	if len(v.zeros) == 0 {
		return opts
	}
	o := *opts
	o.Exclude = append(append(make([]int, 0, len(opts.Exclude)+len(v.zeros)), opts.Exclude...), v.zeros...)
	return &o
}

// Norm returns the raw vector length at position i.
func (v *View) Norm(i int) float32 {
	if i >= len(v.norms) {
		return v.built.row(i - len(v.norms)).norm
	}
	return v.norms[i]
}

// Meta returns the metadata values of the row at position i, one per field
// (nil for NULL). They are loaded for the whole view on first use.
func (v *View) Meta(i int) ([]any, error) {
	if len(v.info.Fields) == 0 {
		return nil, nil
	}
	v.metaOnce.Do(v.loadMeta)
	if v.metaErr != nil {
		return nil, v.metaErr
	}
	if i >= len(v.meta) { // a key built from n-grams has no metadata
		return make([]any, len(v.info.Fields)), nil
	}
	return v.meta[i], nil
}

// loadMeta reads the metadata in a later transaction than the view's. When
// the collection has changed since (a bulk load reuses row ids for other
// keys), a row's metadata is taken only where the id still holds the same
// key: the values are then those of the file now, and a row no longer in
// the file has none.
func (v *View) loadMeta() {
	meta := make([][]any, v.rows)
	v.metaErr = v.d.view(v.info.Name, func(c *storage.Coll) error {
		same := v.current(c)
		var keys []string
		if !same {
			keys = v.allKeys()
		}
		return c.Scan(storage.ScanOptions{NoVector: true}, func(r *storage.Row) (bool, error) {
			if p, ok := v.posOfID(r.ID); ok && (same || p < len(keys) && keys[p] == r.Key) {
				meta[p] = r.Meta
			}
			return true, nil
		})
	})
	v.meta = meta
}

// FieldIndex returns the position of a metadata field (case-insensitive), or -1.
func (v *View) FieldIndex(name string) int {
	if len(v.info.Fields) < 16 {
		for i, f := range v.info.Fields {
			if strings.EqualFold(f.Name, name) {
				return i
			}
		}
		return -1
	}
	// Many fields (SELECT * resolves each): a map, built once.
	v.fieldsOnce.Do(func() {
		v.fieldPos = make(map[string]int, len(v.info.Fields))
		for i := len(v.info.Fields) - 1; i >= 0; i-- {
			v.fieldPos[strings.ToLower(v.info.Fields[i].Name)] = i
		}
	})
	if i, ok := v.fieldPos[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}

// CaseVariants returns the keys equal to key up to case (for "did you mean"
// hints such as 'King' → 'king').
func (v *View) CaseVariants(key string) []string {
	keys := v.allKeys()
	v.lowerOnce.Do(func() {
		v.lower = make(map[string][]int32)
		for i, k := range keys {
			l := strings.ToLower(k)
			v.lower[l] = append(v.lower[l], int32(i))
		}
	})
	var out []string
	for _, p := range v.lower[strings.ToLower(key)] {
		if int(p) < len(keys) && keys[p] != key {
			out = append(out, keys[p])
		}
	}
	return out
}

// Positions resolves keys to positions, reporting every unknown key at once
// in a *KeysNotFoundError.
func (v *View) Positions(keys []string) ([]int, error) {
	return v.positions(context.Background(), keys)
}

// positions is Positions; the search for close spellings of unknown keys
// stops when ctx is done. In a View with built rows (withSubwords), a key
// that is not stored but has known n-grams gets a built row.
func (v *View) positions(ctx context.Context, keys []string) ([]int, error) {
	out := make([]int, len(keys))
	var missing []string
	for i, k := range keys {
		p, ok := v.Lookup(k)
		if !ok && v.built != nil {
			var err error
			if p, ok, err = v.build(k); err != nil {
				return nil, err
			}
		}
		if !ok {
			missing = append(missing, k)
			continue
		}
		out[i] = p
	}
	if len(missing) > 0 {
		return nil, v.keysNotFound(ctx, missing)
	}
	return out, nil
}

// storedPositions is positions without keys built from n-grams: for
// lists of keys that must be rows (AMONG).
func (v *View) storedPositions(ctx context.Context, keys []string) ([]int, error) {
	return (&View{viewData: v.viewData}).positions(ctx, keys)
}

// keysNotFound reports keys, which are not in v, once each. Only the first
// MaxKeysReported get a close spelling, which the error prints; the search
// stops when ctx is done.
func (v *View) keysNotFound(ctx context.Context, keys []string) error {
	e := &KeysNotFoundError{Collection: v.info.Name, Suggestions: map[string]string{}}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		e.Keys = append(e.Keys, k)
		if len(e.Keys) <= MaxKeysReported && ctx.Err() == nil {
			e.Suggestions[k] = v.suggest(ctx, k)
		}
	}
	return e
}

// Suggest returns a close spelling of key that is in the collection, or "":
// a case variant first, then the most frequent key within a small edit
// distance.
func (v *View) Suggest(key string) string { return v.suggest(context.Background(), key) }

func (v *View) suggest(ctx context.Context, key string) string {
	if cv := v.CaseVariants(key); len(cv) > 0 {
		return cv[0]
	}
	return suggestKey(ctx, v, key)
}

func (v *View) String() string {
	return fmt.Sprintf("view of %s (%d rows, dim %d, %s)", v.info.Name, v.rows, v.dim, v.metric)
}
