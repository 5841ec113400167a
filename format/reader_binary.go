package format

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// readBinaryRow reads one word2vec binary row: the key up to a space, Dim
// little-endian float32 values and an optional newline. Leading newlines are
// skipped, so files that omit the newline after each row (as gensim
// tolerates) read the same.
func (r *Reader) readBinaryRow() (string, []float32, error) {
	for {
		c, err := r.src.ReadByte()
		if err == io.EOF {
			r.rowOff = r.off
			return "", nil, io.EOF
		}
		if err != nil {
			r.rowOff = r.off
			return "", nil, r.ioErr(err)
		}
		r.off++
		if c != '\n' {
			r.src.UnreadByte()
			r.off--
			break
		}
	}
	r.rowOff = r.off
	kb, err := r.src.ReadSlice(' ')
	r.off += int64(len(kb))
	switch {
	case err == bufio.ErrBufferFull:
		return "", nil, r.errf(ErrSyntax, "key longer than %d bytes: not a word2vec binary file?", bufSize)
	case err == io.EOF:
		return "", nil, r.errf(ErrTruncated, "file ends inside a row: key %s has no values", quote(string(kb)))
	case err != nil:
		return "", nil, r.ioErr(err)
	}
	key := string(kb[:len(kb)-1])
	if key == "" {
		return "", nil, r.errf(ErrSyntax, "empty key")
	}
	n, err := io.ReadFull(r.src, r.bin)
	r.off += int64(n)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "", nil, r.errf(ErrTruncated, "file ends inside row %s: %d of %d value bytes", quote(key), n, len(r.bin))
	} else if err != nil {
		return "", nil, r.ioErr(err)
	}
	vec := make([]float32, r.dim)
	for j := range vec {
		v := math.Float32frombits(binary.LittleEndian.Uint32(r.bin[4*j:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return "", nil, r.errf(ErrNotFinite, "value %d of %s is not finite: %v", j+1, quote(key), v)
		}
		vec[j] = v
	}
	if c, err := r.src.ReadByte(); err == nil {
		if c == '\n' {
			r.off++
		} else {
			r.src.UnreadByte()
		}
	}
	return key, vec, nil
}
