package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vecdb/vecdb/format"
)

// The names looked for, in this order and ignoring case, for the key and
// the vector column.
var (
	KeyNames    = format.KeyColumnNames
	VectorNames = format.VectorColumnNames
)

const (
	defaultBatchRows = 4096
	streamBuffer     = 1 << 20 // bytes read at a time from a column chunk
	// maxPage is the largest page the reader accepts, compressed or not.
	// Writers differ: DuckDB writes a row group's list column as one page
	// (122,880 rows of 256 floats are a 126 MB page), so the library's
	// default of 64 MiB is too small; 1 GiB takes DuckDB's row groups up
	// to about 2,000 floats a vector.
	maxPage = 1 << 30
	// maxAlloc is the largest buffer the reader lets the library allocate
	// at once (a page and some slack); a damaged length asking for more is
	// an error, not an attempt to allocate it.
	maxAlloc = maxPage + 1<<20
)

// boundedAllocator refuses single allocations above max by panicking,
// which Reader turns into an error.
type boundedAllocator struct {
	memory.Allocator
	max int
}

func (a boundedAllocator) Allocate(size int) []byte {
	if size < 0 || size > a.max {
		panic(fmt.Sprintf("allocation of %d bytes refused", size))
	}
	return a.Allocator.Allocate(size)
}

func (a boundedAllocator) Reallocate(size int, b []byte) []byte {
	if size < 0 || size > a.max {
		panic(fmt.Sprintf("allocation of %d bytes refused", size))
	}
	return a.Allocator.Reallocate(size, b)
}

// Reader streams the rows of a Parquet file, one batch of rows of one row
// group at a time: its memory is a batch plus the read buffers, whatever
// the size of the file or of its row groups. The key column is the first
// of KeyNames found (string, or an integer written in decimal), the vector
// column the first of VectorNames (a list, large list or fixed-size list
// of float or double), an integer column named `count` gives the rows'
// counts, and every other column is a metadata column: strings are TEXT,
// integers INT, float and double FLOAT, booleans BOOL. A column of another
// type is an error naming it. A Reader is not safe for concurrent use.
type Reader struct {
	batches
	name string
	opts format.TableReaderOptions

	keyName, vecName, countName string
	cols                        []format.Column
	metaNames                   []string

	rgRow int64
	row   int64
	dim   int
	err   error

	keyArr, cntArr arrow.Array
	vecArr         array.ListLike
	metaArrs       []arrow.Array
	// f32 holds the vector values of the batch when they are float32
	// without nulls (the common case, read by copying); nil otherwise.
	f32 []float32
	// The vectors and metadata slices of the batch's rows are carved from
	// these, one allocation per batch instead of two per row.
	vecSlab  []float32
	metaSlab []any

	pending bool
	prow    format.TableRow

	// direct: the vector column is a list (of one level) of float32 and
	// is read with its column chunk reader (vcr, one per row group) into
	// lv, rather than as Arrow lists, which cost three times as much.
	direct    bool
	vecLeaf   int   // its leaf column
	vecDef    int16 // the definition level of a value
	emptyDef  int16 // of an empty list (below: a NULL list)
	nullElems bool  // its elements may be NULL (def vecDef-1)
	vcr       *file.Float32ColumnChunkReader
	lv        levels
}

// levels holds definition and repetition levels of the vector column read
// ahead, with the values of the levels that have one: the rows not yet
// returned are levels p..n-1 and values vp..vn-1.
type levels struct {
	defs, reps   []int16
	vals         []float32
	p, n, vp, vn int
	eof          bool
}

// directChunk is the number of levels read from the vector column at a
// time.
const directChunk = 1 << 16

// NewReader opens the Parquet file in r (name is used in messages), finds
// its columns and reads its first row, so that Dim is known when it
// returns.
func NewReader(r format.ReadAtSeeker, name string, opts format.TableReaderOptions) (rd *Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, corrupt(name, 0, 0, p)
		}
	}()
	if opts.BatchRows <= 0 {
		opts.BatchRows = defaultBatchRows
	}
	pf, fr, err := openFile(r, name, opts.BatchRows)
	if err != nil {
		return nil, err
	}
	rd = &Reader{batches: batches{pf: pf, fr: fr, rg: -1}, name: name, opts: opts, dim: opts.Dim}
	if err := rd.findColumns(); err != nil {
		return nil, err
	}
	switch err := rd.safeNext(&rd.prow); {
	case err == io.EOF:
		rd.err = io.EOF
	case err != nil:
		return nil, err
	default:
		rd.pending = true
	}
	return rd, nil
}

// openFile opens the Parquet file in r for reading batchRows rows at a
// time, with bounded allocations and buffers.
func openFile(r format.ReadAtSeeker, name string, batchRows int) (*file.Reader, *pqarrow.FileReader, error) {
	mem := boundedAllocator{memory.DefaultAllocator, maxAlloc}
	rprops := pq.NewReaderProperties(mem)
	rprops.BufferedStreamEnabled = true
	rprops.BufferSize = streamBuffer
	rprops.PageStreamingEnabled = true // decode big plain pages a buffer at a time
	rprops.MaxCompressedPageSize = maxPage
	rprops.MaxUncompressedPageSize = maxPage
	pf, err := file.NewParquetReader(r, file.WithReadProps(rprops))
	if err != nil {
		return nil, nil, &format.Error{File: name, Msg: "not a Parquet file: " + err.Error(), Err: format.ErrSyntax}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(batchRows)}, mem)
	if err != nil {
		return nil, nil, &format.Error{File: name, Msg: fmt.Sprintf("schema: %v", err), Err: format.ErrSyntax}
	}
	return pf, fr, nil
}

func (r *Reader) errf(sentinel error, msg string, args ...any) error {
	e := &format.Error{File: r.name, Msg: fmt.Sprintf(msg, args...), Err: sentinel}
	if r.row > 0 {
		e.Row, e.RowGroup = r.row, r.rg
	}
	return e
}

func findName(sc *arrow.Schema, names []string) int {
	for _, n := range names {
		for i, f := range sc.Fields() {
			if strings.EqualFold(f.Name, n) {
				return i
			}
		}
	}
	return -1
}

func fieldNames(sc *arrow.Schema) string {
	var b []string
	for _, f := range sc.Fields() {
		b = append(b, fmt.Sprintf("%s %s", f.Name, f.Type))
	}
	return strings.Join(b, ", ")
}

func isInteger(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isString(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// findColumns picks the key, vector, count and metadata columns.
func (r *Reader) findColumns() error {
	sc, err := r.fr.Schema()
	if err != nil {
		return r.errf(format.ErrSyntax, "schema: %v", err)
	}
	keyNames, vecNames := KeyNames, VectorNames
	if r.opts.KeyColumn != "" {
		keyNames = []string{r.opts.KeyColumn}
	}
	if r.opts.VectorColumn != "" {
		vecNames = []string{r.opts.VectorColumn}
	}
	ki := findName(sc, keyNames)
	if ki < 0 || !(isString(sc.Field(ki).Type) || isInteger(sc.Field(ki).Type)) {
		return r.errf(format.ErrSyntax, "no key column: want a string column named %s (columns: %s)", strings.Join(keyNames, ", "), fieldNames(sc))
	}
	vi := findName(sc, vecNames)
	if vi < 0 || vi == ki {
		return r.errf(format.ErrSyntax, "no vector column: want a list of float or double named %s (columns: %s)", strings.Join(vecNames, " or "), fieldNames(sc))
	}
	vf := sc.Field(vi)
	var elem arrow.DataType
	switch t := vf.Type.(type) {
	case *arrow.ListType:
		elem = t.Elem()
	case *arrow.LargeListType:
		elem = t.Elem()
	case *arrow.FixedSizeListType:
		elem = t.Elem()
		if r.dim == 0 {
			r.dim = int(t.Len())
		}
	}
	if elem == nil || (elem.ID() != arrow.FLOAT32 && elem.ID() != arrow.FLOAT64) {
		return r.errf(format.ErrSyntax, "vector column %s has type %s: want a list of float or double", vf.Name, vf.Type)
	}
	r.keyName, r.vecName = sc.Field(ki).Name, vf.Name
	var want []int // top-level fields to read through Arrow
	want = append(want, ki)
	if !r.directVector(vi) {
		want = append(want, vi)
	}
	for i, f := range sc.Fields() {
		if i == ki || i == vi {
			continue
		}
		if strings.EqualFold(f.Name, CountColumn) && isInteger(f.Type) && r.countName == "" {
			r.countName = f.Name
			want = append(want, i)
			continue
		}
		var t format.ColumnType
		switch {
		case f.Type.ID() == arrow.STRING || f.Type.ID() == arrow.LARGE_STRING:
			t = format.TextColumn
		case isInteger(f.Type):
			t = format.IntColumn
		case f.Type.ID() == arrow.FLOAT32 || f.Type.ID() == arrow.FLOAT64:
			t = format.FloatColumn
		case f.Type.ID() == arrow.BOOL:
			t = format.BoolColumn
		default:
			return r.errf(format.ErrSyntax, "column %s has type %s: metadata columns must be strings, integers, floats or booleans (leave it out or cast it, as in DuckDB's SELECT * EXCLUDE (%s))", f.Name, f.Type, f.Name)
		}
		r.cols = append(r.cols, format.Column{Name: f.Name, Type: t})
		r.metaNames = append(r.metaNames, f.Name)
		want = append(want, i)
	}
	for _, i := range want {
		r.leaves = appendLeaves(r.leaves, &r.fr.Manifest.Fields[i])
	}
	return nil
}

func appendLeaves(dst []int, f *pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return append(dst, f.ColIndex)
	}
	for i := range f.Children {
		dst = appendLeaves(dst, &f.Children[i])
	}
	return dst
}

// directVector reports whether the vector column (field vi) can be read
// directly, and sets the reader up for it: a list of one level (list,
// large list or fixed-size list in Arrow) of float32 values.
func (r *Reader) directVector(vi int) bool {
	leaves := appendLeaves(nil, &r.fr.Manifest.Fields[vi])
	if len(leaves) != 1 {
		return false
	}
	d := r.pf.MetaData().Schema.Column(leaves[0])
	if d.PhysicalType() != pq.Types.Float || d.MaxRepetitionLevel() != 1 {
		return false
	}
	r.direct, r.vecLeaf, r.vecDef = true, leaves[0], d.MaxDefinitionLevel()
	r.nullElems = d.SchemaNode().RepetitionType() == pq.Repetitions.Optional
	r.emptyDef = r.vecDef - 1
	if r.nullElems {
		r.emptyDef--
	}
	return true
}

// fill reads more levels of the vector column, keeping those not yet
// used; at the end of the column chunk it sets lv.eof.
func (r *Reader) fill() error {
	l := &r.lv
	k := copy(l.defs, l.defs[l.p:l.n])
	copy(l.reps, l.reps[l.p:l.n])
	l.n, l.p = k, 0
	l.vn = copy(l.vals, l.vals[l.vp:l.vn])
	l.vp = 0
	if need := l.n + directChunk; need > len(l.defs) {
		l.defs = append(l.defs[:l.n], make([]int16, need-l.n)...)
		l.reps = append(l.reps[:l.n], make([]int16, need-l.n)...)
	}
	if need := l.vn + directChunk; need > len(l.vals) {
		l.vals = append(l.vals[:l.vn], make([]float32, need-l.vn)...)
	}
	tot, nv, err := r.vcr.ReadBatch(directChunk, l.vals[l.vn:], l.defs[l.n:], l.reps[l.n:])
	if err != nil {
		return r.errf(format.ErrSyntax, "vector column: %v", err)
	}
	if tot == 0 {
		l.eof = true
	}
	l.n += int(tot)
	l.vn += nv
	return nil
}

// directNext returns the next row's vector (of the row with key, i-th of
// the batch) from the vector column read directly, with the checks and
// errors of vector.
func (r *Reader) directNext(key string, i int) ([]float32, error) {
	l := &r.lv
	end := l.p + 1 // the row's levels are p..end-1: up to the next row's
	for {
		for end < l.n && l.reps[end] != 0 {
			end++
		}
		if end < l.n || l.eof {
			break
		}
		off := end - l.p
		if err := r.fill(); err != nil {
			return nil, err
		}
		end = l.p + off
	}
	if l.p >= l.n || l.reps[l.p] != 0 {
		return nil, r.errf(format.ErrSyntax, "row group %d: the vector column has fewer rows than the others", r.rg)
	}
	n := end - l.p
	switch d := l.defs[l.p]; {
	case d < r.emptyDef:
		return nil, r.errf(format.ErrSyntax, "vector of %q is null", key)
	case d == r.emptyDef:
		n = 0
	}
	if r.dim == 0 {
		if n < 1 || n > format.MaxDim {
			return nil, r.errf(format.ErrRagged, "vector of %q has %d values: want 1..%d", key, n, format.MaxDim)
		}
		r.dim = n
	}
	if n != r.dim {
		return nil, r.errf(format.ErrRagged, "vector of %q has %d values, want %d", key, n, r.dim)
	}
	for j, d := range l.defs[l.p:end] {
		if d != r.vecDef {
			return nil, r.errf(format.ErrNumber, "value %d of %q is null", j+1, key)
		}
	}
	if len(r.vecSlab) < n {
		r.vecSlab = make([]float32, n*(int(r.rec.NumRows())-i))
	}
	vec := r.vecSlab[:n:n]
	r.vecSlab = r.vecSlab[n:]
	copy(vec, l.vals[l.vp:l.vp+n])
	l.p, l.vp = end, l.vp+n
	for j, v := range vec {
		if math.Float32bits(v)&0x7f800000 == 0x7f800000 { // NaN or ±Inf
			return nil, r.errf(format.ErrNotFinite, "value %d of %q is not a finite float32: %v", j+1, key, v)
		}
	}
	return vec, nil
}

// Dim returns the dimension (see format.TableReader).
func (r *Reader) Dim() int { return r.dim }

// Columns returns the metadata columns.
func (r *Reader) Columns() []format.Column { return r.cols }

// KeyColumn returns the name of the key column.
func (r *Reader) KeyColumn() string { return r.keyName }

// VectorColumn returns the name of the vector column.
func (r *Reader) VectorColumn() string { return r.vecName }

// HasCount reports whether the file has an integer count column.
func (r *Reader) HasCount() bool { return r.countName != "" }

// Rows returns the number of rows the file's footer declares.
func (r *Reader) Rows() int64 { return r.pf.NumRows() }

// Next fills row with the next row; see format.TableReader.
func (r *Reader) Next(row *format.TableRow) error {
	if r.pending {
		r.pending = false
		*row, r.prow = r.prow, format.TableRow{}
		return nil
	}
	if r.err != nil {
		return r.err
	}
	if err := r.safeNext(row); err != nil {
		r.err = err
		return err
	}
	return nil
}

// safeNext is next turning a panic of the Parquet library, which trusts
// the lengths and offsets in damaged files, into an error.
func (r *Reader) safeNext(row *format.TableRow) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = corrupt(r.name, r.row, r.rg, p)
		}
	}()
	return r.next(row)
}

// corrupt is the error for a panic p while reading the file name.
func corrupt(name string, row int64, rg int, p any) error {
	return &format.Error{File: name, Row: row, RowGroup: rg, Msg: fmt.Sprintf("damaged Parquet file: %v", p), Err: format.ErrSyntax}
}

// advance moves to the next batch; io.EOF after the last row group.
func (r *Reader) advance() error {
	if err := r.batches.advance(r.errf, r.enterRowGroup); err != nil {
		return err
	}
	return r.bind()
}

// enterRowGroup is called before the reader moves on to row group rg: it
// checks that the vector column of the group left has no rows left over
// and, for the direct path, opens the vector column's chunk reader.
func (r *Reader) enterRowGroup(rg int) error {
	if r.vcr != nil && r.lv.p < r.lv.n {
		return r.errf(format.ErrSyntax, "row group %d: the vector column has more rows than the others", r.rg)
	}
	r.rgRow = 0
	if !r.direct {
		return nil
	}
	cr, err := r.pf.RowGroup(rg).Column(r.vecLeaf)
	if err != nil {
		return r.errAt(rg, "row group %d: %v", rg, err)
	}
	var ok bool
	if r.vcr, ok = cr.(*file.Float32ColumnChunkReader); !ok {
		return r.errAt(rg, "row group %d: the vector column is not of floats", rg)
	}
	r.lv.p, r.lv.n, r.lv.vp, r.lv.vn, r.lv.eof = 0, 0, 0, 0, false
	return nil
}

// errAt is an ErrSyntax error placed in row group rg, which the reader is
// about to enter.
func (r *Reader) errAt(rg int, msg string, args ...any) error {
	err := r.errf(format.ErrSyntax, msg, args...)
	if e, ok := err.(*format.Error); ok && r.row > 0 {
		e.RowGroup = rg
	}
	return err
}

// bind looks up the columns of the current batch.
func (r *Reader) bind() error {
	sc := r.rec.Schema()
	col := func(name string) (arrow.Array, error) {
		idx := sc.FieldIndices(name)
		if len(idx) != 1 {
			return nil, r.errf(format.ErrSyntax, "row group %d lacks column %s", r.rg, name)
		}
		return r.rec.Column(idx[0]), nil
	}
	var err error
	if r.keyArr, err = col(r.keyName); err != nil {
		return err
	}
	r.vecSlab, r.metaSlab, r.f32 = nil, nil, nil
	if !r.direct {
		v, err := col(r.vecName)
		if err != nil {
			return err
		}
		var ok bool
		if r.vecArr, ok = v.(array.ListLike); !ok {
			return r.errf(format.ErrSyntax, "vector column %s is %s, not a list", r.vecName, v.DataType())
		}
		if vals, ok := r.vecArr.ListValues().(*array.Float32); ok && vals.NullN() == 0 {
			r.f32 = vals.Float32Values()
		}
	}
	r.cntArr = nil
	if r.countName != "" {
		if r.cntArr, err = col(r.countName); err != nil {
			return err
		}
	}
	r.metaArrs = r.metaArrs[:0]
	for _, n := range r.metaNames {
		a, err := col(n)
		if err != nil {
			return err
		}
		r.metaArrs = append(r.metaArrs, a)
	}
	return nil
}

func (r *Reader) next(row *format.TableRow) error {
	for r.rec == nil || r.i >= int(r.rec.NumRows()) {
		if err := r.advance(); err != nil {
			return err
		}
	}
	i := r.i
	r.i++
	r.row++
	r.rgRow++
	if r.keyArr.IsNull(i) {
		return r.errf(format.ErrSyntax, "key is null")
	}
	key, err := r.str(r.keyArr, i)
	if err != nil {
		return err
	}
	if key == "" {
		return r.errf(format.ErrSyntax, "key is empty")
	}
	// A string of an Arrow array shares the batch's buffer; a loader
	// keeps every key, which must not keep every batch's buffers alive.
	key = strings.Clone(key)
	vec, err := r.vector(key, i)
	if err != nil {
		return err
	}
	var count int64
	if r.cntArr != nil && !r.cntArr.IsNull(i) {
		if count, err = r.integer(r.cntArr, i, r.countName); err != nil {
			return err
		}
	}
	if len(r.metaSlab) < len(r.cols) {
		r.metaSlab = make([]any, len(r.cols)*(int(r.rec.NumRows())-i))
	}
	meta := r.metaSlab[:len(r.cols):len(r.cols)]
	r.metaSlab = r.metaSlab[len(r.cols):]
	for j, a := range r.metaArrs {
		if a.IsNull(i) {
			continue
		}
		switch r.cols[j].Type {
		case format.TextColumn:
			meta[j], err = r.str(a, i)
		case format.IntColumn:
			meta[j], err = r.integer(a, i, r.cols[j].Name)
		case format.FloatColumn:
			switch a := a.(type) {
			case *array.Float64:
				meta[j] = a.Value(i)
			case *array.Float32:
				meta[j] = float64(a.Value(i))
			}
		case format.BoolColumn:
			meta[j] = a.(*array.Boolean).Value(i)
		}
		if err != nil {
			return err
		}
	}
	*row = format.TableRow{Key: key, Count: count, Vector: vec, Meta: meta}
	return nil
}

func (r *Reader) str(a arrow.Array, i int) (string, error) {
	switch a := a.(type) {
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Binary:
		return string(a.Value(i)), nil
	case *array.LargeBinary:
		return string(a.Value(i)), nil
	}
	if isInteger(a.DataType()) {
		n, err := r.integer(a, i, r.keyName)
		return strconv.FormatInt(n, 10), err
	}
	return "", r.errf(format.ErrSyntax, "a %s is not a string", a.DataType())
}

func (r *Reader) integer(a arrow.Array, i int, name string) (int64, error) {
	switch a := a.(type) {
	case *array.Int8:
		return int64(a.Value(i)), nil
	case *array.Int16:
		return int64(a.Value(i)), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Uint8:
		return int64(a.Value(i)), nil
	case *array.Uint16:
		return int64(a.Value(i)), nil
	case *array.Uint32:
		return int64(a.Value(i)), nil
	case *array.Uint64:
		v := a.Value(i)
		if v > math.MaxInt64 {
			return 0, r.errf(format.ErrNumber, "%s value %d does not fit in a 64-bit signed integer", name, v)
		}
		return int64(v), nil
	}
	return 0, r.errf(format.ErrSyntax, "%s is a %s, not an integer", name, a.DataType())
}

func (r *Reader) vector(key string, i int) ([]float32, error) {
	if r.direct {
		return r.directNext(key, i)
	}
	if r.vecArr.IsNull(i) {
		return nil, r.errf(format.ErrSyntax, "vector of %q is null", key)
	}
	start, end := r.vecArr.ValueOffsets(i)
	n := int(end - start)
	if r.dim == 0 {
		if n < 1 || n > format.MaxDim {
			return nil, r.errf(format.ErrRagged, "vector of %q has %d values: want 1..%d", key, n, format.MaxDim)
		}
		r.dim = n
	}
	if n != r.dim {
		return nil, r.errf(format.ErrRagged, "vector of %q has %d values, want %d", key, n, r.dim)
	}
	if len(r.vecSlab) < n {
		r.vecSlab = make([]float32, n*(int(r.rec.NumRows())-i))
	}
	vec := r.vecSlab[:n:n]
	r.vecSlab = r.vecSlab[n:]
	if r.f32 != nil {
		copy(vec, r.f32[start:end])
		for j, v := range vec {
			if math.Float32bits(v)&0x7f800000 == 0x7f800000 { // NaN or ±Inf
				return nil, r.errf(format.ErrNotFinite, "value %d of %q is not a finite float32: %v", j+1, key, v)
			}
		}
		return vec, nil
	}
	vals := r.vecArr.ListValues()
	for j := range vec {
		k := int(start) + j
		if vals.IsNull(k) {
			return nil, r.errf(format.ErrNumber, "value %d of %q is null", j+1, key)
		}
		var f float64
		switch v := vals.(type) {
		case *array.Float32:
			f = float64(v.Value(k))
		case *array.Float64:
			f = v.Value(k)
		}
		vec[j] = float32(f)
		if math.IsNaN(f) || math.IsInf(float64(vec[j]), 0) {
			return nil, r.errf(format.ErrNotFinite, "value %d of %q is not a finite float32: %v", j+1, key, f)
		}
	}
	return vec, nil
}

// Close releases the reader's memory. It does not close the file given to
// NewReader. It is safe to call more than once.
func (r *Reader) Close() error {
	r.release()
	if r.err == nil || r.err == io.EOF {
		r.err = errors.New("parquet: reader is closed")
	}
	r.pending = false
	return nil
}
