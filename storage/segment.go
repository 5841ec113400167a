package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	bolt "go.etcd.io/bbolt"
)

// Graph segments: the HNSW graph of a collection laid out for use in place
// (ann/segment.go defines the arrays), beside its per-node records.
//
// When a graph is written whole (CREATE INDEX, a bulk load with an index,
// VACUUM), the data bucket also gets a sub-bucket "hnswseg" holding the
// graph's arrays, each as one value, so that a reader maps them from the
// file instead of decoding the records:
//
//	key:   array number, uint64 big endian (8 bytes); 0 is this header
//	value 0: "GS01" | n uint32 (arrays) | n × (length uint64 LE (bytes,
//	         before padding) | CRC-32C uint32 LE of the array | 4 zero bytes)
//	value i: array i, zero padding to a multiple of 8 bytes
//
// As for the vector blocks (vblock.go), 8-byte keys and values of a
// multiple of 8 bytes keep every value 8-byte aligned in the map when it
// lies on its own pages; the reader (ann.LoadInPlace) copies an array that
// is not aligned. The node records stay the source of truth: a commit
// that writes records one by one (IndexPut, IndexDelete, IndexPutMeta)
// deletes the segment in the same transaction, and the collection's graph
// is then opened from its records until it is written whole again. The
// segment is bound to the graph's header record (ann checks that), so a
// segment left by a release that did not delete it is never used.
// Earlier releases ignore the sub-bucket. An array longer than bbolt's
// largest value means no segment.
//
// Reads ignore the checksums; Check verifies them and compares the
// segment with the records (Validators.Index).

var subHNSWSeg = []byte("hnswseg")

var segMagic = [4]byte{'G', 'S', '0', '1'}

const maxSegArrays = 64

// segValue pads b to a multiple of 8 bytes.
func segValue(b []byte) []byte {
	if len(b)%8 == 0 {
		return b
	}
	out := make([]byte, (len(b)+7)&^7)
	copy(out, b)
	return out
}

// putSegment writes arrays as the segment sub-bucket of parent, replacing
// any. It writes nothing (and drops any segment) when an array is too
// large for one bbolt value.
func putSegment(parent *bolt.Bucket, arrays [][]byte) error {
	if parent.Bucket(subHNSWSeg) != nil {
		if err := parent.DeleteBucket(subHNSWSeg); err != nil {
			return err
		}
	}
	if len(arrays) == 0 || len(arrays) > maxSegArrays {
		return nil
	}
	for _, a := range arrays {
		if len(a)+8 > bolt.MaxValueSize {
			return nil
		}
	}
	b, err := parent.CreateBucket(subHNSWSeg)
	if err != nil {
		return err
	}
	b.FillPercent = 1
	h := make([]byte, 8+16*len(arrays))
	copy(h, segMagic[:])
	binary.LittleEndian.PutUint32(h[4:], uint32(len(arrays)))
	for i, a := range arrays {
		binary.LittleEndian.PutUint64(h[8+16*i:], uint64(len(a)))
		binary.LittleEndian.PutUint32(h[16+16*i:], crc32.Checksum(a, crcTable))
	}
	if err := b.Put(blockKey(0), h); err != nil {
		return err
	}
	for i, a := range arrays {
		if err := b.Put(blockKey(uint64(i+1)), segValue(a)); err != nil {
			return err
		}
	}
	return nil
}

// segArrays reads the segment sub-bucket b: its arrays (the map's bytes,
// valid only during the transaction, padding cut off) and their
// checksums. A header or value that does not match the layout is an
// ErrCorrupt error.
func segArrays(b *bolt.Bucket) (arrays [][]byte, sums []uint32, err error) {
	h := b.Get(blockKey(0))
	if len(h) < 8 || [4]byte(h[:4]) != segMagic {
		return nil, nil, fmt.Errorf("%w: graph segment header is damaged", ErrCorrupt)
	}
	n := int(binary.LittleEndian.Uint32(h[4:]))
	if n == 0 || n > maxSegArrays || len(h) != 8+16*n {
		return nil, nil, fmt.Errorf("%w: graph segment header lists %d arrays in %d bytes", ErrCorrupt, n, len(h))
	}
	arrays, sums = make([][]byte, n), make([]uint32, n)
	for i := range arrays {
		l := binary.LittleEndian.Uint64(h[8+16*i:])
		sums[i] = binary.LittleEndian.Uint32(h[16+16*i:])
		v := b.Get(blockKey(uint64(i + 1)))
		if v == nil || uint64(len(v)) < l || uint64(len(v)) != (l+7)&^7 {
			return nil, nil, fmt.Errorf("%w: graph segment array %d has %d bytes, its header says %d", ErrCorrupt, i, len(v), l)
		}
		arrays[i] = v[:l:l]
	}
	if k, _ := b.Cursor().Last(); k == nil || len(k) != 8 || binary.BigEndian.Uint64(k) != uint64(n) {
		return nil, nil, fmt.Errorf("%w: graph segment holds values its header does not list", ErrCorrupt)
	}
	return arrays, sums, nil
}

// IndexSegment returns the arrays of the collection's graph segment, read
// in place: valid only while the transaction is open (a Pin's, to use
// them longer). nil, nil when the collection has none. The checksums are
// not verified (Check does).
func (c *Coll) IndexSegment() ([][]byte, error) {
	b := c.b.Bucket(subHNSWSeg)
	if b == nil {
		return nil, nil
	}
	arrays, _, err := segArrays(b)
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", c.meta.Name, err)
	}
	return arrays, nil
}

// HasIndexSegment reports whether the collection has a graph segment.
func (c *Coll) HasIndexSegment() bool { return c.b.Bucket(subHNSWSeg) != nil }

// IndexPutSegment stores the graph segment (arrays as ann.Index.Segment
// gives them) of the graph whose records and header record the collection
// holds, replacing any.
func (c *Coll) IndexPutSegment(arrays [][]byte) error {
	return putSegment(c.b, arrays)
}

// IndexDropSegment deletes the graph segment, if any: the graph is then
// opened from its records.
func (c *Coll) IndexDropSegment() error { return c.dropSegment() }

// dropSegment deletes the graph segment, if any: the records are about
// to change one by one.
func (c *Coll) dropSegment() error {
	if c.b.Bucket(subHNSWSeg) != nil {
		return c.b.DeleteBucket(subHNSWSeg)
	}
	return nil
}

// PutSegment writes the new graph's segment aside (one transaction of its
// own); Commit swaps it in with the records.
func (w *IndexWriter) PutSegment(arrays [][]byte) error {
	return w.db.boltUpdate(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(w.bucket))
		if b == nil {
			return fmt.Errorf("index build bucket vanished")
		}
		return putSegment(b, arrays)
	})
}

// PutIndexSegment writes the segment of the new copy's graph (one
// transaction of its own), swapped in with the rows by Commit.
func (l *Loader) PutIndexSegment(arrays [][]byte) error {
	if err := l.flush(); err != nil {
		return err
	}
	return l.db.boltUpdate(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(l.bucket))
		if b == nil {
			return fmt.Errorf("load bucket vanished")
		}
		return putSegment(b, arrays)
	})
}

// checkSegment checks the graph segment of data bucket b, if any: that
// the collection has an index, the segment's layout, and every array's
// checksum. It returns the arrays when they are sound (for the deep
// comparison with the records), else nil.
func checkSegment(b *bolt.Bucket, m *CollectionMeta, add func(Problem)) [][]byte {
	sb := b.Bucket(subHNSWSeg)
	if sb == nil {
		return nil
	}
	if m.Index == nil {
		add(Problem{What: "graph segment stored but the catalog has no index"})
		return nil
	}
	arrays, sums, err := segArrays(sb)
	if err != nil {
		add(Problem{What: err.Error()})
		return nil
	}
	ok := true
	for i, a := range arrays {
		if crc32.Checksum(a, crcTable) != sums[i] {
			add(Problem{What: fmt.Sprintf("graph segment array %d fails its checksum", i)})
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return arrays
}
