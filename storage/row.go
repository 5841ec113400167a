package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// Row is one entry of a collection. Meta holds one value per field of the
// collection, in declaration order; a nil element is NULL.
type Row struct {
	ID     uint32
	Key    string
	Count  int64
	Vector []float32
	Meta   []any
	// Output is the row's word2vec output weight vector (syn1neg), kept
	// apart from the row record so that training can be continued. Loader
	// stores it when set; Scan fills it only with ScanOptions.Output.
	Output []float32
}

// Record layout (all in one bbolt value, keyed by the big-endian row id).
// A data bucket whose vectors live in its vector blocks (vblock.go: every
// bucket this release writes) stores no vector in the record:
//
//	uvarint len(key) | key | varint count | uvarint len(vx) | vx |
//	uvarint nfields | per field: tag byte (0 NULL, else FieldType) + value |
//	CRC-32C of everything before it (4 bytes LE)
//
// where vx is empty except for a COSINE collection, whose blocks hold the
// unit vector u and the norm n: vx then says how the raw vector differs
// from u·n (see vectorExtra). A data bucket of the earlier layout (files
// of format version 1 not yet vacuumed) has the vector itself in place of
// len(vx) | vx:
//
//	uvarint len(key) | key | varint count | dim × float32 LE | …
//
// Text values are uvarint length + bytes, Int a varint, Float 8 bytes LE,
// Bool one byte. Rows written before a field was added simply have fewer
// fields; the missing ones read as NULL. Reads ignore the checksum (a record
// without one is also valid); Check verifies it, so that a flipped bit in a
// vector, which decodes to another finite number, is still found.

// appendRow appends the record of r in the earlier layout (the vector in
// the record).
func appendRow(dst []byte, r *Row, fields []Field) ([]byte, error) {
	return appendRecord(dst, r, fields, func(dst []byte) []byte {
		for _, x := range r.Vector {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(x))
		}
		return dst
	})
}

// appendRowVX appends the record of r in the block layout: the vector
// itself is in the blocks, the record has only vx (vectorExtra).
func appendRowVX(dst []byte, r *Row, fields []Field, vx []byte) ([]byte, error) {
	return appendRecord(dst, r, fields, func(dst []byte) []byte {
		dst = binary.AppendUvarint(dst, uint64(len(vx)))
		return append(dst, vx...)
	})
}

func appendRecord(dst []byte, r *Row, fields []Field, vec func([]byte) []byte) ([]byte, error) {
	start := len(dst)
	dst = binary.AppendUvarint(dst, uint64(len(r.Key)))
	dst = append(dst, r.Key...)
	dst = binary.AppendVarint(dst, r.Count)
	dst = vec(dst)
	n := len(r.Meta)
	for n > 0 && r.Meta[n-1] == nil {
		n--
	}
	dst = binary.AppendUvarint(dst, uint64(n))
	for i := 0; i < n; i++ {
		v := r.Meta[i]
		if v == nil {
			dst = append(dst, 0)
			continue
		}
		if i >= len(fields) {
			return nil, fmt.Errorf("row %q has %d metadata values for %d fields", r.Key, len(r.Meta), len(fields))
		}
		t := fields[i].Type
		if err := t.Check(v); err != nil {
			return nil, fmt.Errorf("field %s: %w", fields[i].Name, err)
		}
		dst = append(dst, byte(t))
		switch t {
		case Text:
			s := v.(string)
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			dst = append(dst, s...)
		case Int:
			dst = binary.AppendVarint(dst, v.(int64))
		case Float:
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.(float64)))
		case Bool:
			if v.(bool) {
				dst = append(dst, 1)
			} else {
				dst = append(dst, 0)
			}
		}
	}
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], crcTable)), nil
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// rowDecoder decodes records; parts of a Row can be skipped for speed.
// blocks says that the records are of the block layout (no vector).
type rowDecoder struct {
	dim    int
	fields []Field
	blocks bool
}

func errRecord(id uint32, what string) error {
	return fmt.Errorf("%w: row %d: %s", ErrCorrupt, id, what)
}

// decode fills r from b, all but its vector: it returns the record's
// vector part (the dim × 4 bytes of the vector in the earlier layout, vx
// in the block layout), which vecReader.vector turns into the vector.
// wantMeta controls whether metadata is decoded.
func (d rowDecoder) decode(id uint32, b []byte, r *Row, wantMeta bool) ([]byte, error) {
	kl, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < kl {
		return nil, errRecord(id, "bad key length")
	}
	b = b[n:]
	r.ID = id
	r.Key = string(b[:kl])
	b = b[kl:]
	c, n := binary.Varint(b)
	if n <= 0 {
		return nil, errRecord(id, "bad count")
	}
	r.Count = c
	b = b[n:]
	var vpart []byte
	if d.blocks {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return nil, errRecord(id, "bad vector part length")
		}
		vpart = b[n : n+int(l) : n+int(l)]
		b = b[n+int(l):]
	} else {
		if len(b) < 4*d.dim {
			return nil, errRecord(id, "vector shorter than the collection's dimension")
		}
		vpart = b[: 4*d.dim : 4*d.dim]
		b = b[4*d.dim:]
	}
	r.Vector = nil
	if !wantMeta {
		r.Meta = nil
		return vpart, nil
	}
	nf, n := binary.Uvarint(b)
	if n <= 0 || nf > uint64(len(d.fields)) {
		return nil, errRecord(id, "bad metadata count")
	}
	b = b[n:]
	meta := make([]any, len(d.fields))
	for i := 0; i < int(nf); i++ {
		if len(b) < 1 {
			return nil, errRecord(id, "truncated metadata")
		}
		tag := FieldType(b[0])
		b = b[1:]
		if tag == 0 {
			continue
		}
		if tag != d.fields[i].Type {
			return nil, errRecord(id, "metadata type does not match its field")
		}
		switch tag {
		case Text:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, errRecord(id, "bad text value")
			}
			meta[i] = string(b[n : n+int(l)])
			b = b[n+int(l):]
		case Int:
			v, n := binary.Varint(b)
			if n <= 0 {
				return nil, errRecord(id, "bad int value")
			}
			meta[i] = v
			b = b[n:]
		case Float:
			if len(b) < 8 {
				return nil, errRecord(id, "bad float value")
			}
			meta[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			b = b[8:]
		case Bool:
			if len(b) < 1 {
				return nil, errRecord(id, "bad bool value")
			}
			meta[i] = b[0] != 0
			b = b[1:]
		default:
			return nil, errRecord(id, "unknown metadata tag")
		}
	}
	r.Meta = meta
	return vpart, nil
}

func idKey(id uint32) []byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], id)
	return k[:]
}

func keyID(b []byte) (uint32, bool) {
	if len(b) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}

func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte, dim int) ([]float32, bool) {
	if len(b) != 4*dim {
		return nil, false
	}
	v := make([]float32, dim)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, true
}
