package storage

import (
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// A collection trained with subwords keeps its character n-gram table
// (the bytes of trainer.Subwords.WriteTo, which carry their own checksum)
// in the sub-bucket "subwords" of its data bucket, cut into values of at
// most subwordChunk bytes under big-endian chunk numbers 0, 1, 2, ... It is
// written by a Loader into the new data bucket, so it becomes the
// collection's in the same transaction as the rows (Commit) and goes with
// the bucket when the collection is replaced or dropped. storage does not
// read the bytes: db parses them with package trainer.
var subSubwords = []byte("subwords")

// subwordChunk is the size of one stored piece of the table; pieces are
// written subwordTxBytes at a time, one transaction each.
const (
	subwordChunk   = 1 << 20
	subwordTxBytes = 16 << 20
)

// PutSubwords stores the collection's subword table in the new copy:
// write is called once with a writer that receives the table's bytes,
// which are written in transactions of a few MiB as they come (the table
// is never held whole). Like the rows, they become the collection's only at
// Commit; a load aborted before leaves the previous table, if any. It may
// be called at most once per Loader.
func (l *Loader) PutSubwords(write func(w io.Writer) error) error {
	if l.done {
		return fmt.Errorf("loader already finished")
	}
	if l.subwords {
		return fmt.Errorf("subword table already written")
	}
	l.subwords = true
	if err := l.flush(); err != nil {
		return err
	}
	cw := &chunkWriter{l: l}
	if err := write(cw); err != nil {
		return err
	}
	return cw.flush(true)
}

// chunkWriter cuts the table into chunks and writes them to the loader's
// bucket a transaction's worth at a time.
type chunkWriter struct {
	l      *Loader
	buf    []byte
	chunks [][]byte // full chunks not yet written
	next   uint32   // number of the next chunk to write
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, subwordChunk)
		}
		k := min(len(p), subwordChunk-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == subwordChunk {
			w.chunks = append(w.chunks, w.buf)
			w.buf = nil
			if len(w.chunks)*subwordChunk >= subwordTxBytes {
				if err := w.flush(false); err != nil {
					return 0, err
				}
			}
		}
	}
	return n, nil
}

// flush writes the full chunks and, when last, the partial one.
func (w *chunkWriter) flush(last bool) error {
	if last && len(w.buf) > 0 {
		w.chunks = append(w.chunks, w.buf)
		w.buf = nil
	}
	if len(w.chunks) == 0 {
		return nil
	}
	err := w.l.db.boltUpdate(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(w.l.bucket))
		if b == nil {
			return fmt.Errorf("load bucket vanished")
		}
		sb, err := b.CreateBucketIfNotExists(subSubwords)
		if err != nil {
			return err
		}
		sb.FillPercent = 1.0
		for i, c := range w.chunks {
			if err := sb.Put(idKey(w.next+uint32(i)), c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.next += uint32(len(w.chunks))
	w.chunks = nil
	return nil
}

// HasSubwords reports whether the collection has a subword table.
func (c *Coll) HasSubwords() bool { return c.b.Bucket(subSubwords) != nil }

// Subwords returns a reader of the collection's subword table (the bytes
// PutSubwords received), or nil when it has none. The reader is valid only
// during the transaction. It returns an error wrapping ErrCorrupt when the
// stored pieces are not numbered 0, 1, 2, ... or one is empty.
func (c *Coll) Subwords() io.Reader {
	sb := c.b.Bucket(subSubwords)
	if sb == nil {
		return nil
	}
	return &chunkReader{cur: sb.Cursor()}
}

// chunkReader reads the chunks of a subword table in order.
type chunkReader struct {
	cur     *bolt.Cursor
	started bool
	next    uint32
	rest    []byte
	err     error
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		var k, v []byte
		if !r.started {
			k, v = r.cur.First()
			r.started = true
		} else {
			k, v = r.cur.Next()
		}
		switch id, ok := keyID(k); {
		case k == nil:
			r.err = io.EOF
		case !ok || v == nil || len(v) == 0 || id != r.next:
			r.err = fmt.Errorf("%w: subword table piece %x is out of sequence or empty (want %d)", ErrCorrupt, k, r.next)
		default:
			r.next++
			r.rest = v
		}
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

// SubwordValidator deep-checks a stored subword table: it parses r (see
// Coll.Subwords) and checks that its vectors have dim values. The db
// package passes one built on trainer.ReadSubwords, so that storage need
// not import trainer.
type SubwordValidator func(r io.Reader, dim int) error

// checkSubwords checks the "subwords" sub-bucket of b, when there is one:
// pieces numbered 0, 1, 2, ... and, with validate, the table itself.
func checkSubwords(b *bolt.Bucket, dim int, validate SubwordValidator, add func(Problem)) {
	sb := b.Bucket(subSubwords)
	if sb == nil {
		if v := b.Get(subSubwords); v != nil {
			add(Problem{What: "subword table: stored as a value, not a bucket"})
		}
		return
	}
	var want uint32
	bad := false
	sb.ForEach(func(k, v []byte) error {
		id, ok := keyID(k)
		if !bad && (!ok || v == nil || len(v) == 0 || id != want) {
			add(Problem{What: fmt.Sprintf("subword table: piece %x is out of sequence or empty (want %d)", k, want)})
			bad = true
		}
		want++
		return nil
	})
	if bad || validate == nil {
		return
	}
	if err := validate(&chunkReader{cur: sb.Cursor()}, dim); err != nil {
		add(Problem{What: "subword table: " + err.Error()})
	}
}
