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

// float32pow10 holds the powers of ten that float32 represents exactly.
var float32pow10 = [...]float32{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

// parseSimple parses the common short decimals of vector files, such as
// "-0.41242" or "1.5e-3", when the digits form an integer m <= 2^24 and the
// decimal exponent e is within ±10: then m and 10^|e| are exact float32
// values and one float32 multiply or divide rounds correctly, so the result
// equals strconv.ParseFloat(s, 32). Anything else reports ok == false and is
// left to strconv.
func parseSimple(s []byte) (f float32, ok bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var m uint64
	exp, digits, dot := 0, false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
			m = m*10 + uint64(c-'0')
			if m > 1<<24 {
				return 0, false
			}
			if dot {
				exp--
			}
			continue
		case c == '.' && !dot:
			dot = true
			continue
		}
		break
	}
	if !digits {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return 0, false
		}
		e := 0
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' || e > 100 {
				return 0, false
			}
			e = e*10 + int(c-'0')
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(s) {
		return 0, false
	}
	f = float32(m)
	switch {
	case exp == 0:
	case exp < 0 && exp >= -10:
		f /= float32pow10[-exp]
	case exp > 0 && exp <= 10:
		f *= float32pow10[exp]
	default:
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

func (r *Reader) parseValueString(s string, col int) (float32, error) {
	if len(s) > 0 {
		if f, ok := parseSimple(unsafe.Slice(unsafe.StringData(s), len(s))); ok {
			return f, nil
		}
	}
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
