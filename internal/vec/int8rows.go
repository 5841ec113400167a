package vec

import "fmt"

// dotInt8RowsImpl is the kernel behind DotInt8Rows; the default calls the
// DotInt8 kernel once per row, and amd64 replaces it at init by assembly
// that scores all the rows in one call (int8_amd64.s).
var dotInt8RowsImpl = dotInt8RowsLoop

// int8RowsVariants lists the runnable DotInt8Rows kernels, the pure-Go one
// first, for the tests.
var int8RowsVariants = []int8RowsVariant{{"generic", dotInt8RowsGeneric}, {"loop", dotInt8RowsLoop}}

type int8RowsVariant struct {
	name string
	fn   func(q, codes []int8, rows []uint32, out []int32)
}

// DotInt8Rows sets out[i] to DotInt8(q, codes[r*d : r*d+d]) for the i-th
// row r of rows, where d = len(q): the int8 scores of a batch of rows of a
// table of codes, as a graph walk scores the neighbours of a node, without
// a call per row. It panics when out is shorter than rows or a row lies
// past the end of codes. It is safe for concurrent use.
func DotInt8Rows(q, codes []int8, rows []uint32, out []int32) {
	out = out[:len(rows)]
	var hi uint32
	for _, r := range rows {
		hi = max(hi, r)
	}
	if len(rows) > 0 && (uint64(hi)+1)*uint64(len(q)) > uint64(len(codes)) {
		panic(fmt.Sprintf("vec: DotInt8Rows row %d of %d codes past the %d given", hi, len(q), len(codes)))
	}
	dotInt8RowsImpl(q, codes, rows, out)
}

// dotInt8RowsLoop is DotInt8Rows with one DotInt8 kernel call per row.
func dotInt8RowsLoop(q, codes []int8, rows []uint32, out []int32) {
	d := len(q)
	for i, r := range rows {
		o := int(r) * d
		out[i] = dotInt8Impl(q, codes[o:o+d:o+d])
	}
}

// dotInt8RowsGeneric is DotInt8Rows in pure Go, the reference for the
// assembly.
func dotInt8RowsGeneric(q, codes []int8, rows []uint32, out []int32) {
	d := len(q)
	for i, r := range rows {
		o := int(r) * d
		out[i] = dotInt8Generic(q, codes[o:o+d:o+d])
	}
}
