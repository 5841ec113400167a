package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Problem is one inconsistency found by Check. Collection is empty for
// problems of the file as a whole; Key and ID (when HasID) say which row.
type Problem struct {
	Collection string
	Key        string
	ID         uint32
	HasID      bool
	What       string
}

// String formats the problem for people: "glove50: key 'king' (id 3): …".
func (p Problem) String() string {
	var b strings.Builder
	if p.Collection != "" {
		b.WriteString(p.Collection)
		b.WriteString(": ")
	}
	switch {
	case p.Key != "" && p.HasID:
		fmt.Fprintf(&b, "key '%s' (id %d): ", strings.ReplaceAll(p.Key, "'", "''"), p.ID)
	case p.Key != "":
		fmt.Fprintf(&b, "key '%s': ", strings.ReplaceAll(p.Key, "'", "''"))
	case p.HasID:
		fmt.Fprintf(&b, "row id %d: ", p.ID)
	}
	b.WriteString(p.What)
	return b.String()
}

// IndexValidator deep-checks a collection's stored graph: meta is the
// "hnswmeta" record, vectors returns a live row's vector (nil for an unknown
// id) and nodes yields every node record. The db package passes one built
// on ann.Load, so that storage need not import ann.
//
// seg, when not nil, is the graph segment (segment.go), its checksums
// verified, and rows the ids of the live rows in order (row r of the
// segment is rows[r]): the validator checks that it holds the graph of the
// records.
type IndexValidator func(meta []byte, vectors func(id uint32) []float32, nodes func(yield func(id uint32, rec []byte) error) error, seg [][]byte, rows []uint32) error

// Validators are the deep checks Check runs on parts of a collection whose
// encoding belongs to another package; a nil Validators, or a nil field,
// skips that check (the structure around it is still checked).
type Validators struct {
	Index    IndexValidator   // the HNSW graph
	Subwords SubwordValidator // the subword table
}

// CheckReport is the result of Check.
type CheckReport struct {
	Collections []string       // the collections checked, sorted
	Rows        map[string]int // rows found per collection
	Pages       bool           // whether bbolt's page-level check ran (whole-file checks only)
	Problems    []Problem
	// Notes are states found that are expected and harmless, not
	// problems: the data bucket of a load or index build interrupted by a
	// crash (kill -9, power loss), which the next writable Open removes.
	Notes []string
}

// maxProblems bounds the problems reported per collection; the rest are
// counted in one last Problem.
const maxProblems = 100

// Check verifies the file without changing it. With name empty it checks
// the whole file: bbolt's page structure (see checkPages), the format record,
// every collection, and data buckets that no collection names. With a name
// it checks that collection only and returns ErrCollectionNotFound when
// there is none. Per collection it checks that the catalog record decodes
// and names an existing data bucket; that keys and rows map one-to-one;
// that every row record decodes exactly, with its checksum, dimension,
// finite values and metadata typed as its fields; the row counter and next
// id; output weights; that graph nodes belong to live rows; and that the
// pieces of a subword table are whole and in order; then it runs deep's
// validators (when set) on the graph and the subword table. ctx is checked every 4096 rows. Data
// buckets that no collection names are left by interrupted loads (a crash
// is allowed at any point): they are reported in Notes, not as problems.
func (db *DB) Check(ctx context.Context, name string, deep *Validators) (*CheckReport, error) {
	rep := &CheckReport{Rows: map[string]int{}}
	if name == "" {
		rep.Pages = true
		rep.Problems = append(rep.Problems, db.checkPages()...)
		if len(rep.Problems) > 0 {
			// bbolt's page tree is damaged: reading on could crash the
			// process, so stop here.
			return rep, nil
		}
	}
	err := db.View(func(tx *Tx) error {
		cat := tx.btx.Bucket(bucketCatalog)
		if cat == nil {
			rep.Problems = append(rep.Problems, Problem{What: "the catalog bucket is missing"})
			return nil
		}
		var recs []struct{ name, rec []byte }
		if name != "" {
			v := cat.Get([]byte(name))
			if v == nil {
				return fmt.Errorf("%w: %s", ErrCollectionNotFound, name)
			}
			recs = append(recs, struct{ name, rec []byte }{[]byte(name), v})
		} else {
			rep.Problems = append(rep.Problems, checkFormat(tx.btx)...)
			cat.ForEach(func(k, v []byte) error {
				recs = append(recs, struct{ name, rec []byte }{k, v})
				return nil
			})
		}
		live := map[string]string{}
		for _, r := range recs {
			cname := string(r.name)
			rep.Collections = append(rep.Collections, cname)
			if r.rec == nil {
				rep.Problems = append(rep.Problems, Problem{Collection: cname, What: "catalog entry is a bucket, not a record"})
				continue
			}
			m, err := decodeMeta(r.rec)
			if err != nil {
				rep.Problems = append(rep.Problems, Problem{Collection: cname, What: err.Error()})
				continue
			}
			if other, ok := live[m.Bucket]; ok {
				rep.Problems = append(rep.Problems, Problem{Collection: cname,
					What: fmt.Sprintf("shares data bucket %s with %s", m.Bucket, other)})
				continue
			}
			live[m.Bucket] = cname
			n, probs, err := checkColl(ctx, tx, cname, m, deep)
			if err != nil {
				return err
			}
			rep.Rows[cname] = n
			rep.Problems = append(rep.Problems, probs...)
		}
		if name == "" {
			tx.btx.ForEach(func(k []byte, _ *bolt.Bucket) error {
				if s := string(k); strings.HasPrefix(s, dataPrefix) {
					if _, ok := live[s]; !ok {
						rep.Notes = append(rep.Notes, fmt.Sprintf(
							"orphan data bucket %s left by an interrupted load; the next writable open removes it", s))
					}
				} else if s != string(bucketFormat) && s != string(bucketCatalog) {
					rep.Problems = append(rep.Problems, Problem{What: fmt.Sprintf("unknown top-level bucket %q", s)})
				}
				return nil
			})
		}
		return nil
	})
	sort.Strings(rep.Collections)
	if err != nil {
		if errorsIsAny(err, ErrCollectionNotFound, context.Canceled, context.DeadlineExceeded) {
			return nil, err
		}
		rep.Problems = append(rep.Problems, Problem{Collection: name, What: err.Error()})
	}
	return rep, nil
}

func checkFormat(btx *bolt.Tx) []Problem {
	f := btx.Bucket(bucketFormat)
	switch {
	case f == nil:
		return []Problem{{What: "the format record is missing"}}
	case !bytes.Equal(f.Get(keyMagic), magic):
		return []Problem{{What: "the format record's magic is damaged"}}
	case len(f.Get(keyVersion)) != 4 || binary.BigEndian.Uint32(f.Get(keyVersion)) < minFormatVersion ||
		binary.BigEndian.Uint32(f.Get(keyVersion)) > FormatVersion:
		return []Problem{{What: "the format record's version is damaged"}}
	}
	return nil
}

// checkColl checks one collection; err is only for cancellation. The
// results are named so that the deferred count of dropped problems reaches
// the caller.
func checkColl(ctx context.Context, tx *Tx, name string, m *CollectionMeta, deep *Validators) (n int, probs []Problem, err error) {
	dropped := 0
	add := func(p Problem) {
		p.Collection = name
		if len(probs) < maxProblems {
			probs = append(probs, p)
		} else {
			dropped++
		}
	}
	defer func() {
		if dropped > 0 {
			probs = append(probs, Problem{Collection: name, What: fmt.Sprintf("and %d more problems", dropped)})
		}
	}()
	b, keys, rows := collBuckets(tx, name, m, add)
	if b == nil {
		return 0, probs, nil
	}
	dec := rowDecoder{dim: m.Dim, fields: m.Fields, blocks: inBlocks(b)}
	if f := tx.btx.Bucket(bucketFormat); dec.blocks && f != nil {
		if v := f.Get(keyVersion); len(v) == 4 && binary.BigEndian.Uint32(v) < FormatVersion {
			add(Problem{What: fmt.Sprintf("vectors are stored in blocks, but the file's format version is %d (earlier releases would misread the rows)", binary.BigEndian.Uint32(v))})
		}
	}
	n, err = checkRows(ctx, keys, rows, m, dec, add)
	if err != nil {
		return n, probs, err
	}
	if n != m.Rows {
		add(Problem{What: fmt.Sprintf("catalog says %d rows, found %d", m.Rows, n)})
	}
	checkKeys(keys, rows, n, add)
	checkOutputWeights(b.Bucket(subOutput), rows, m.Dim, add)
	if deep == nil {
		deep = &Validators{}
	}
	checkGraph(b, rows, m, deep.Index, add)
	checkVBlocks(b, rows, m, dec, add)
	checkSubwords(b, m.Dim, deep.Subwords, add)
	return n, probs, nil
}

// collBuckets checks the catalog record m of collection name and returns
// its data bucket with the keys and rows buckets, or a nil bucket when the
// rest cannot be checked.
func collBuckets(tx *Tx, name string, m *CollectionMeta, add func(Problem)) (b, keys, rows *bolt.Bucket) {
	if m.Name != name {
		add(Problem{What: fmt.Sprintf("catalog record names itself %q", m.Name)})
	}
	for _, f := range m.Fields {
		if f.Type < Text || f.Type > Bool {
			add(Problem{What: fmt.Sprintf("field %q has unknown type %d", f.Name, f.Type)})
			return nil, nil, nil
		}
	}
	b = tx.btx.Bucket([]byte(m.Bucket))
	if b == nil {
		add(Problem{What: fmt.Sprintf("catalog names data bucket %s, which does not exist", m.Bucket)})
		return nil, nil, nil
	}
	keys, rows = b.Bucket(subKeys), b.Bucket(subRows)
	if keys == nil || rows == nil {
		add(Problem{What: fmt.Sprintf("data bucket %s lacks its keys or rows", m.Bucket)})
		return nil, nil, nil
	}
	return b, keys, rows
}

// checkRows checks rows → keys: every record decodes exactly, ids ascend
// below the next id, and its key maps back; it returns the number of rows.
func checkRows(ctx context.Context, keys, rows *bolt.Bucket, m *CollectionMeta, dec rowDecoder, add func(Problem)) (int, error) {
	n := 0
	cur := rows.Cursor()
	var prevID uint32
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		id, ok := keyID(k)
		if !ok || v == nil {
			add(Problem{What: fmt.Sprintf("bad row id %x", k)})
			continue
		}
		r, err := verifyRecord(id, v, dec)
		if err != nil {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: err.Error()})
			continue
		}
		if id >= m.NextID {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: fmt.Sprintf("id is not below the next id %d", m.NextID)})
		}
		if n > 1 && id <= prevID {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: fmt.Sprintf("row ids out of order (after %d)", prevID)})
		}
		prevID = id
		switch kid, ok := keyID(keys.Get([]byte(r.Key))); {
		case !ok:
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "row's key is not in the key map"})
		case kid != id:
			add(Problem{ID: id, HasID: true, Key: r.Key, What: fmt.Sprintf("key map points at id %d", kid)})
		}
	}
	return n, nil
}

// checkKeys checks keys → rows: every key names a row that has that key,
// and there are n keys.
func checkKeys(keys, rows *bolt.Bucket, n int, add func(Problem)) {
	nk := 0
	kc := keys.Cursor()
	for k, v := kc.First(); k != nil; k, v = kc.Next() {
		nk++
		id, ok := keyID(v)
		if !ok {
			add(Problem{Key: string(k), What: "key map entry is not a row id"})
			continue
		}
		rec := rows.Get(v)
		if rec == nil {
			add(Problem{Key: string(k), ID: id, HasID: true, What: "key maps to a missing row"})
			continue
		}
		if rk, ok := recordKey(rec); ok && rk != string(k) {
			add(Problem{Key: string(k), ID: id, HasID: true, What: fmt.Sprintf("key maps to the row of '%s'", rk)})
		}
	}
	if nk != n {
		add(Problem{What: fmt.Sprintf("%d keys for %d rows", nk, n)})
	}
}

// checkOutputWeights checks that the output weights in ob (nil when there
// are none) belong to live rows and have dim finite values.
func checkOutputWeights(ob, rows *bolt.Bucket, dim int, add func(Problem)) {
	if ob == nil {
		return
	}
	ob.ForEach(func(k, v []byte) error {
		id, ok := keyID(k)
		switch {
		case !ok:
			add(Problem{What: fmt.Sprintf("bad output weight id %x", k)})
		case rows.Get(k) == nil:
			add(Problem{ID: id, HasID: true, What: "output weights of a row that does not exist"})
		default:
			if ov, ok := decodeVector(v, dim); !ok {
				add(Problem{ID: id, HasID: true, What: fmt.Sprintf("output weights have %d bytes, want %d", len(v), 4*dim)})
			} else if !finite(ov) {
				add(Problem{ID: id, HasID: true, What: "output weights hold NaN or Inf"})
			}
		}
		return nil
	})
}

// checkGraph checks that the graph records match the catalog's index and
// that its nodes belong to live rows; index, when set, checks the rest.
func checkGraph(b, rows *bolt.Bucket, m *CollectionMeta, index IndexValidator, add func(Problem)) {
	hb, hmeta := b.Bucket(subHNSW), b.Get(subHNSWMeta)
	switch {
	case m.Index == nil && (hb != nil || hmeta != nil):
		add(Problem{What: "graph records stored but the catalog has no index"})
	case m.Index == nil:
		checkSegment(b, m, add)
	case m.Index != nil && hmeta == nil:
		add(Problem{What: "the catalog has an index but its header record is missing"})
	case m.Index != nil:
		bad := false
		if hb != nil {
			hb.ForEach(func(k, v []byte) error {
				id, ok := keyID(k)
				switch {
				case !ok || v == nil:
					add(Problem{What: fmt.Sprintf("bad graph node id %x", k)})
					bad = true
				case rows.Get(k) == nil:
					add(Problem{ID: id, HasID: true, What: "graph node of a row that does not exist"})
					bad = true
				}
				return nil
			})
		}
		if !bad && index != nil {
			validateGraph(b, m, hb, hmeta, rows, index, checkSegment(b, m, add), add)
		} else {
			checkSegment(b, m, add)
		}
	}
}

// validateGraph runs index on the graph header hmeta, the nodes in hb (nil
// when there are none) and the rows' vectors.
func validateGraph(b *bolt.Bucket, m *CollectionMeta, hb *bolt.Bucket, hmeta []byte, rows *bolt.Bucket, index IndexValidator, seg [][]byte, add func(Problem)) {
	dec := rowDecoder{dim: m.Dim, fields: m.Fields, blocks: inBlocks(b)}
	vr, err := newVecReader(b, m)
	if err != nil {
		add(Problem{What: "index: " + err.Error()})
		return
	}
	vectors := func(id uint32) []float32 {
		var r Row
		rec := rows.Get(idKey(id))
		if rec == nil {
			return nil
		}
		vpart, err := dec.decode(id, rec, &r, false)
		if err != nil {
			return nil
		}
		v, err := vr.vector(id, vpart, nil)
		if err != nil {
			return nil
		}
		return v
	}
	nodes := func(yield func(id uint32, rec []byte) error) error {
		if hb == nil {
			return nil
		}
		return hb.ForEach(func(k, v []byte) error {
			id, _ := keyID(k)
			return yield(id, v)
		})
	}
	var ids []uint32
	if seg != nil {
		rows.ForEach(func(k, _ []byte) error {
			if id, ok := keyID(k); ok {
				ids = append(ids, id)
			}
			return nil
		})
	}
	if err := index(append([]byte(nil), hmeta...), vectors, nodes, seg, ids); err != nil {
		add(Problem{What: "index: " + err.Error()})
	}
}

// verifyRecord decodes a row record and checks that it is exactly what
// appendRow writes for that row (so no stray bytes), with a matching
// checksum when it has one, and finite values. r is returned with what
// could be decoded even on error.
func verifyRecord(id uint32, b []byte, dec rowDecoder) (*Row, error) {
	r := new(Row)
	vpart, err := dec.decode(id, b, r, true)
	if err != nil {
		return r, err
	}
	var enc []byte
	if dec.blocks {
		// The vector is checked with the blocks (checkVBlocks).
		enc, err = appendRowVX(nil, r, dec.fields, vpart)
	} else {
		r.Vector = make([]float32, dec.dim)
		copyVector(r.Vector, vpart)
		if !finite(r.Vector) {
			return r, fmt.Errorf("vector holds NaN or Inf")
		}
		enc, err = appendRow(nil, r, dec.fields)
	}
	if r.Key == "" {
		return r, fmt.Errorf("empty key")
	}
	if err != nil {
		return r, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	switch {
	case bytes.Equal(b, enc), bytes.Equal(b, enc[:len(enc)-4]): // with or without a checksum
		return r, nil
	case len(b) == len(enc) && bytes.Equal(b[:len(b)-4], enc[:len(enc)-4]):
		return r, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	case len(b) == len(enc):
		return r, fmt.Errorf("%w: checksum mismatch (record damaged)", ErrCorrupt)
	}
	return r, fmt.Errorf("%w: record is %d bytes, its contents need %d", ErrCorrupt, len(b), len(enc))
}

// recordKey returns the key of a row record.
func recordKey(b []byte) (string, bool) {
	kl, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < kl {
		return "", false
	}
	return string(b[n : n+int(kl)]), true
}

// checkPages checks bbolt's page structure from this goroutine, under
// guard: the file is as long as its pages claim, every page's overflow run
// ends inside the file, buckets do not share root pages or nest deeper
// than vecdb nests them, every key and value can be read (every overflow
// page is touched), and keys are in strictly ascending order in every
// bucket. bbolt's own Tx.Check is not used: it runs in a goroutine of its
// own, where a damaged page makes it fault and kill the process (a damaged
// branch key, say, which nothing else reads); see DB.CheckFile.
func (db *DB) checkPages() (probs []Problem) {
	add := func(format string, a ...any) { probs = append(probs, Problem{What: fmt.Sprintf(format, a...)}) }
	err := db.boltView(func(tx *bolt.Tx) (err error) {
		defer guard(&err, debug.SetPanicOnFault(true))
		size := tx.Size()
		if st, err := os.Stat(db.path); err == nil && st.Size() < size {
			add("file is truncated: %d bytes, its pages need %d", st.Size(), size)
			return nil
		}
		ps := int64(db.bolt.Info().PageSize)
		if ps <= 0 {
			add("bad page size %d", ps)
			return nil
		}
		npages := int(size / ps)
		for i := 0; i < npages; {
			info, err := tx.Page(i)
			if err != nil || info == nil {
				break
			}
			if info.Type == "free" {
				i++
				continue
			}
			if i+info.OverflowCount >= npages {
				add("page %d: %d overflow pages run past the last page %d", i, info.OverflowCount, npages-1)
				return nil
			}
			i += 1 + info.OverflowCount
		}
		seen := map[uint64]bool{}
		var walk func(path string, b *bolt.Bucket, depth int) error
		walk = func(path string, b *bolt.Bucket, depth int) error {
			if depth > 8 {
				return fmt.Errorf("buckets nested deeper than vecdb writes them at %s", path)
			}
			if root := uint64(b.Root()); root != 0 {
				if seen[root] {
					return fmt.Errorf("bucket %s shares its root page %d with another bucket", path, root)
				}
				seen[root] = true
			}
			b.Stats() // reads every page header of the bucket's tree
			c := b.Cursor()
			var sum byte
			var prev []byte
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if prev != nil && bytes.Compare(prev, k) >= 0 {
					return fmt.Errorf("bucket %s: keys out of order (%q after %q)", path, k, prev)
				}
				prev = append(prev[:0], k...)
				if v == nil {
					sb := b.Bucket(k)
					if sb == nil {
						return fmt.Errorf("bucket %s: entry %q is neither a value nor a bucket", path, k)
					}
					if err := walk(path+"/"+string(k), sb, depth+1); err != nil {
						return err
					}
					continue
				}
				for j := 0; j < len(v); j += 1024 { // touch every page of long values
					sum += v[j]
				}
				if len(v) > 0 {
					sum += v[len(v)-1]
				}
			}
			_ = sum
			return nil
		}
		if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return walk(string(name), b, 0)
		}); err != nil {
			add("%v", err)
		}
		return nil
	})
	if err != nil {
		add("%v", err)
	}
	return probs
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
