package format

import (
	"bufio"
	"bytes"
	"io"
	"strconv"

	"github.com/vecdb/vecdb/internal/textline"
)

// readLine returns the next line, its newline included, counting lines and
// bytes. A last line without a newline is returned before io.EOF.
func (r *Reader) readLine() ([]byte, error) {
	r.line++
	data, err := r.src.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], data...)
		limit := textline.Limit()
		for err == bufio.ErrBufferFull {
			if len(r.long) > limit {
				return nil, r.tooLong(limit)
			}
			data, err = r.src.ReadSlice('\n')
			r.long = append(r.long, data...)
		}
		data = r.long
	}
	if limit := textline.Limit(); len(data) > limit && len(bytes.TrimRight(data, "\r\n")) > limit {
		return nil, r.tooLong(limit) // a line under the buffer size when the limit is lowered
	}
	r.off += int64(len(data))
	if err != nil {
		if err == io.EOF {
			if len(data) > 0 {
				return data, nil
			}
			r.line--
			return nil, io.EOF
		}
		return nil, r.ioErr(err)
	}
	return data, nil
}

// trimRight drops trailing newline, carriage return, space and tab bytes:
// word2vec.c and fastText end every row with a space.
func trimRight(b []byte) []byte {
	i := len(b)
	for i > 0 {
		switch b[i-1] {
		case '\n', '\r', ' ', '\t':
			i--
			continue
		}
		break
	}
	return b[:i]
}

// readHeader reads and checks the `N D` line of the word2vec layouts.
func (r *Reader) readHeader() error {
	line, err := r.readLine()
	if err == io.EOF {
		r.line = 1
		return r.errf(ErrHeader, `empty file: expected an "N D" header`)
	}
	if err != nil {
		return err
	}
	n, d, ok := parseHeader(trimRight(line))
	if !ok {
		return r.errf(ErrHeader, `expected an "N D" header of two integers, got %s`, quote(string(trimRight(line))))
	}
	if d == 0 || d > MaxDim {
		return r.errf(ErrHeader, "header declares dimension %d (want 1 to %d)", d, MaxDim)
	}
	if r.opts.Dim > 0 && d != r.opts.Dim {
		return r.errf(ErrRagged, "header declares dimension %d, want %d", d, r.opts.Dim)
	}
	r.declared, r.dim = n, d
	r.bin = make([]byte, 4*d)
	return nil
}

// parseHeader parses `N D`: two non-negative decimal integers separated by
// blanks.
func parseHeader(line []byte) (n, d int, ok bool) {
	f := bytes.Fields(line)
	if len(f) != 2 {
		return 0, 0, false
	}
	var nums [2]int
	for i, tok := range f {
		if len(tok) == 0 || len(tok) > 18 {
			return 0, 0, false
		}
		for _, c := range tok {
			if c < '0' || c > '9' {
				return 0, 0, false
			}
		}
		v, err := strconv.Atoi(string(tok))
		if err != nil {
			return 0, 0, false
		}
		nums[i] = v
	}
	return nums[0], nums[1], true
}

// readTextRow reads one GloVe / word2vec text / fastText row, skipping blank
// lines.
func (r *Reader) readTextRow() (string, []float32, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return "", nil, err
		}
		line = trimRight(line)
		if len(line) == 0 {
			continue
		}
		return r.parseTextLine(line)
	}
}

// parseTextLine splits line on single spaces and tabs. The last Dim tokens
// are the values; everything before them, separators included, is the key,
// so keys with spaces survive when the dimension is known.
func (r *Reader) parseTextLine(line []byte) (string, []float32, error) {
	b := append(r.bounds[:0], 0)
	if bytes.IndexByte(line, '\t') < 0 {
		for i := 0; ; {
			j := bytes.IndexByte(line[i:], ' ')
			if j < 0 {
				break
			}
			i += j + 1
			b = append(b, i)
		}
	} else {
		for i, c := range line {
			if c == ' ' || c == '\t' {
				b = append(b, i+1)
			}
		}
	}
	r.bounds = b
	ntok := len(b)
	dim := r.dim
	if dim == 0 {
		if ntok < 2 {
			return "", nil, r.errf(ErrRagged, "expected a key and at least one value, got %s", quote(string(line)))
		}
		if ntok-1 > MaxDim {
			return "", nil, r.errf(ErrRagged, "row has %d values, more than the maximum dimension %d", ntok-1, MaxDim)
		}
		dim = ntok - 1
	}
	if ntok-1 < dim {
		return "", nil, r.errf(ErrRagged, "expected %d values, got %d", dim, ntok-1)
	}
	first := ntok - dim
	key := line[:b[first]-1]
	if len(key) == 0 {
		return "", nil, r.errf(ErrSyntax, "empty key")
	}
	// A key may hold spaces ("new york"), but one whose last word is a
	// number is a row with too many values ("b 1 2 3 4" in a DIM 3 file).
	if first > 1 {
		last := line[b[first-1] : b[first]-1]
		if _, err := strconv.ParseFloat(string(last), 64); err == nil {
			return "", nil, r.errf(ErrRagged, "expected %d values, got %d", dim, ntok-1)
		}
	}
	vec := make([]float32, dim)
	for j := range vec {
		start, end := b[first+j], len(line)
		if first+j+1 < ntok {
			end = b[first+j+1] - 1
		}
		v, err := r.parseValue(line[start:end], j+1)
		if err != nil {
			return "", nil, err
		}
		vec[j] = v
	}
	r.dim = dim
	return string(key), vec, nil
}
