package format

import (
	"errors"
	"math"
	"strconv"
	"unsafe"
)

// parseValue parses the col'th value (1-based) of the current row as a
// finite float32 without allocating: strconv does not retain its argument
// (it copies it into any error it returns), so the bytes are viewed as a
// string in place.
func (r *Reader) parseValue(tok []byte, col int) (float32, error) {
	if len(tok) == 0 {
		return 0, r.errf(ErrNumber, `bad number "" at value %d`, col)
	}
	return r.parseValueString(unsafe.String(&tok[0], len(tok)), col)
}

func (r *Reader) parseValueString(s string, col int) (float32, error) {
	f, err := strconv.ParseFloat(s, 32)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
			return 0, r.errf(ErrNotFinite, "value %d overflows float32: %s", col, quote(s))
		}
		return 0, r.errf(ErrNumber, "bad number %s at value %d", quote(s), col)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, r.errf(ErrNotFinite, "value %d is not finite: %s", col, quote(s))
	}
	return float32(f), nil
}

// isNumber reports whether s parses as a number (finite or not).
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 32)
	return err == nil || errors.Is(err, strconv.ErrRange)
}
