package parquet_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/format"
)

// arrowFile writes a Parquet file at path with pqarrow directly, as
// another tool would, and returns its bytes.
func arrowFile(t *testing.T, path string, fields []arrow.Field, build func(b *array.RecordBuilder)) []byte {
	t.Helper()
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	build(b)
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sc, &buf, pq.NewWriterProperties(pq.WithMaxRowGroupLength(3)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// vectorField reads the type of the vector column of the Parquet file at
// path as Arrow sees it.
func vectorField(t *testing.T, path string) arrow.DataType {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := fr.Schema()
	if err != nil {
		t.Fatal(err)
	}
	idx := sc.FieldIndices("vector")
	if len(idx) != 1 {
		t.Fatalf("%s: schema %v has no vector column", path, sc)
	}
	return sc.Field(idx[0]).Type
}

func run(t *testing.T, d *db.DB, stmt string) *db.Result {
	t.Helper()
	res, err := d.Exec(bg, stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return res
}

// TestFormatParquetKeyword: FORMAT PARQUET writes and reads Parquet
// whatever the file is called, with the rows, counts and metadata.
func TestFormatParquetKeyword(t *testing.T) {
	d := openDB(t)
	rows := fill(t, d, "src", 100, 6)
	path := filepath.Join(t.TempDir(), "x.dat")
	run(t, d, "EXPORT src TO '"+path+"' FORMAT PARQUET")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 8 || string(data[:4]) != "PAR1" || string(data[len(data)-4:]) != "PAR1" {
		t.Fatalf("EXPORT … FORMAT PARQUET did not write Parquet: %q…", data[:min(len(data), 8)])
	}
	if _, ok := vectorField(t, path).(*arrow.ListType); !ok {
		t.Errorf("vector column is %v, want a list", vectorField(t, path))
	}
	run(t, d, "IMPORT INTO dst FROM '"+path+"' FORMAT PARQUET")
	if got := rowsOf(t, d, "dst", rows); !reflect.DeepEqual(got, rows) {
		t.Fatalf("rows differ: got %v\nwant %v", got[:3], rows[:3])
	}
	// FORMAT PARQUET on a file that is not Parquet says so.
	txt := filepath.Join(t.TempDir(), "x.txt")
	run(t, d, "EXPORT src TO '"+txt+"' FORMAT WORD2VEC")
	if _, err := d.Exec(bg, "IMPORT INTO dst FROM '"+txt+"' FORMAT PARQUET"); !errors.Is(err, format.ErrSyntax) {
		t.Errorf("a text file read as Parquet: %v", err)
	}
	if got := rowsOf(t, d, "dst", rows); !reflect.DeepEqual(got, rows) {
		t.Fatal("a failed import changed the collection")
	}
}

// TestFixedSizeOption: WITH (fixed_size = true) writes the vector column
// as an Arrow fixed_size_list of DIM floats, which reads back the same.
func TestFixedSizeOption(t *testing.T) {
	d := openDB(t)
	rows := fill(t, d, "src", 40, 5)
	dir := t.TempDir()
	for _, tc := range []struct{ stmt, file string }{
		{"EXPORT src TO '%s' WITH (fixed_size = true)", "f.parquet"},
		{"EXPORT src TO '%s' FORMAT PARQUET WITH (fixed_size = true)", "f.bin"},
	} {
		stmt, path := tc.stmt, filepath.Join(dir, tc.file)
		run(t, d, fmt.Sprintf(stmt, path))
		ft, ok := vectorField(t, path).(*arrow.FixedSizeListType)
		if !ok || ft.Len() != 5 || ft.Elem().ID() != arrow.FLOAT32 {
			t.Fatalf("%s: vector column is %v, want fixed_size_list<float>[5]", stmt, vectorField(t, path))
		}
		run(t, d, "IMPORT INTO back FROM '"+path+"'")
		if got := rowsOf(t, d, "back", rows); !reflect.DeepEqual(got, rows) {
			t.Fatalf("%s: rows differ", stmt)
		}
	}
	path := filepath.Join(dir, "plain.parquet")
	run(t, d, "EXPORT src TO '"+path+"' WITH (fixed_size = false)")
	if _, ok := vectorField(t, path).(*arrow.ListType); !ok {
		t.Errorf("fixed_size = false wrote %v, want a list", vectorField(t, path))
	}
}

// metaFile writes a metadata table: id (int64), title (string with a
// null), plays (int32), score (double with a null), live (bool).
func metaFile(t *testing.T, path string, ids []int64) []byte {
	return arrowFile(t, path, []arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "title", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "plays", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "live", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, func(b *array.RecordBuilder) {
		for i, id := range ids {
			b.Field(0).(*array.Int64Builder).Append(id)
			if i == 1 {
				b.Field(1).(*array.StringBuilder).AppendNull()
				b.Field(3).(*array.Float64Builder).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("song %d", id))
				b.Field(3).(*array.Float64Builder).Append(float64(id) / 4)
			}
			b.Field(2).(*array.Int32Builder).Append(int32(id * 10))
			b.Field(4).(*array.BooleanBuilder).Append(id%2 == 0)
		}
	})
}

// collState is what a failed statement must leave as it was.
func collState(t *testing.T, d *db.DB, name string) string {
	t.Helper()
	c, err := d.Collection(name)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := c.Info()
	res, err := d.Query(bg, "SELECT * FROM "+name)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(info.Fields, res.Rows)
}

// TestImportMetadataParquet: IMPORT METADATA from Parquet finds the id
// column by name, makes the other columns typed fields, keeps nulls NULL,
// counts unknown keys, and refuses bad files leaving the collection as it
// was.
func TestImportMetadataParquet(t *testing.T) {
	d := openDB(t)
	run(t, d, "CREATE COLLECTION s (DIM 2)")
	run(t, d, "INSERT INTO s (key, vector) VALUES ('1', [1, 0]), ('2', [0, 1]), ('3', [1, 1])")
	dir := t.TempDir()
	path := filepath.Join(dir, "meta.parquet")
	metaFile(t, path, []int64{1, 2, 3, 99})
	res := run(t, d, "IMPORT METADATA INTO s FROM '"+path+"'")
	if res.Stats.RowsAffected != 3 {
		t.Errorf("updated %d rows, want 3: %s", res.Stats.RowsAffected, res.Message)
	}
	c, _ := d.Collection("s")
	info, _ := c.Info()
	if fmt.Sprint(info.Fields) != "[{title TEXT} {plays INT} {score FLOAT} {live BOOL}]" {
		t.Errorf("fields %v", info.Fields)
	}
	want := map[string][]any{
		"1": {"song 1", int64(10), 0.25, false},
		"2": {nil, int64(20), nil, true},
		"3": {"song 3", int64(30), 0.75, false},
	}
	for k, w := range want {
		r, err := c.Get(k)
		if err != nil || !reflect.DeepEqual(r.Meta, w) {
			t.Errorf("%s: %v (%v), want %v", k, r.Meta, err, w)
		}
	}
	// Again, by keyword, on a file with another name and the key named.
	other := filepath.Join(dir, "meta.bin")
	metaFile(t, other, []int64{3})
	run(t, d, "IMPORT METADATA INTO s FROM '"+other+"' FORMAT PARQUET WITH (key = 'ID')")
	// An INT column fills an existing FLOAT field.
	run(t, d, "CREATE COLLECTION f (DIM 2, plays FLOAT)")
	run(t, d, "INSERT INTO f (key, vector) VALUES ('1', [1, 0])")
	r, err := d.ImportMetadata(bg, "f", path, db.MetadataOptions{})
	if err != nil || r.Rows != 1 || r.Unknown != 3 {
		t.Fatalf("ImportMetadata: %+v, %v", r, err)
	}
	fc, _ := d.Collection("f")
	if got, _ := fc.Get("1"); got.Meta[0] != 10.0 {
		t.Errorf("plays = %v (%T), want 10.0", got.Meta[0], got.Meta[0])
	}

	before := collState(t, d, "s")
	good := metaFile(t, filepath.Join(dir, "good.parquet"), []int64{1, 2, 3})
	bad := func(name string, fields []arrow.Field, build func(b *array.RecordBuilder)) string {
		p := filepath.Join(dir, name+".parquet")
		arrowFile(t, p, fields, build)
		return p
	}
	truncated := filepath.Join(dir, "truncated.parquet")
	os.WriteFile(truncated, good[:len(good)/2], 0o644)
	str := func(vals ...string) func(b array.Builder) {
		return func(b array.Builder) {
			for _, v := range vals {
				if v == "NULL" {
					b.AppendNull()
				} else {
					b.(*array.StringBuilder).Append(v)
				}
			}
		}
	}
	two := func(name string, t2 arrow.DataType, keys func(array.Builder), col func(array.Builder)) string {
		return bad(name, []arrow.Field{
			{Name: "key", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "x", Type: t2, Nullable: true},
		}, func(b *array.RecordBuilder) { keys(b.Field(0)); col(b.Field(1)) })
	}
	for _, tc := range []struct {
		name     string
		path     string
		opts     db.MetadataOptions
		sentinel error
		row      int64 // the row a *format.Error names, 0 for none
	}{
		{"truncated", truncated, db.MetadataOptions{}, format.ErrSyntax, 0},
		{"null key", two("nullkey", arrow.PrimitiveTypes.Int64, str("1", "NULL"), func(b array.Builder) {
			b.(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
		}), db.MetadataOptions{}, format.ErrSyntax, 2},
		{"duplicate key", two("dup", arrow.PrimitiveTypes.Int64, str("1", "2", "1"), func(b array.Builder) {
			b.(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
		}), db.MetadataOptions{}, db.ErrDuplicateKey, 0},
		{"list column", two("list", arrow.ListOf(arrow.PrimitiveTypes.Float32), str("1"), func(b array.Builder) {
			b.(*array.ListBuilder).Append(true)
			b.(*array.ListBuilder).ValueBuilder().(*array.Float32Builder).Append(1)
		}), db.MetadataOptions{}, db.ErrFieldType, 0},
		// title is a TEXT field of s: an INT column named title clashes.
		{"type clash", bad("clash", []arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}, {Name: "title", Type: arrow.PrimitiveTypes.Int64}}, func(b *array.RecordBuilder) {
			b.Field(0).(*array.StringBuilder).Append("1")
			b.Field(1).(*array.Int64Builder).Append(7)
		}), db.MetadataOptions{}, db.ErrFieldType, 0},
		{"NaN", two("nan", arrow.PrimitiveTypes.Float64, str("1", "2"), func(b array.Builder) {
			b.(*array.Float64Builder).AppendValues([]float64{1, math.NaN()}, nil)
		}), db.MetadataOptions{}, db.ErrInvalid, 2},
		{"no key column", bad("nokey", []arrow.Field{{Name: "title", Type: arrow.BinaryTypes.String}}, func(b *array.RecordBuilder) {
			b.Field(0).(*array.StringBuilder).Append("a")
		}), db.MetadataOptions{}, db.ErrInvalid, 0},
		{"built-in name", bad("rank", []arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}, {Name: "rank", Type: arrow.PrimitiveTypes.Int64}}, func(b *array.RecordBuilder) {
			b.Field(0).(*array.StringBuilder).Append("1")
			b.Field(1).(*array.Int64Builder).Append(1)
		}), db.MetadataOptions{}, db.ErrInvalid, 0},
		{"text options", path, db.MetadataOptions{Delimiter: ';'}, db.ErrInvalid, 0},
	} {
		_, err := d.ImportMetadata(bg, "s", tc.path, tc.opts)
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.sentinel)
		}
		var fe *format.Error
		if tc.row > 0 && (!errors.As(err, &fe) || fe.File != tc.path || fe.Row != tc.row) {
			t.Errorf("%s: %v does not name %s row %d", tc.name, err, tc.path, tc.row)
		}
		// Through the language too, with a position.
		_, lerr := d.Exec(bg, "IMPORT METADATA INTO s FROM '"+tc.path+"'")
		if tc.opts.Delimiter == 0 && !errors.Is(lerr, tc.sentinel) {
			t.Errorf("%s: the statement gives %v", tc.name, lerr)
		}
		if got := collState(t, d, "s"); got != before {
			t.Fatalf("%s: the collection changed:\n%s\nwant\n%s", tc.name, got, before)
		}
	}
}

// eventLogs writes the same event log (user, item, ts; rows shuffled so
// that order_by matters) as CSV and as Parquet, with the users as
// integers, the items as integers or strings and the times as a
// timestamp column in Parquet.
func eventLogs(t *testing.T, dir string, stringItems bool) (csvPath, pqPath string) {
	t.Helper()
	type event struct{ user, item, ts int64 }
	var evs []event
	for u := int64(1); u <= 40; u++ {
		for j := int64(0); j < 12; j++ {
			evs = append(evs, event{u, (u*7 + j*j*3) % 30, 1_700_000_000_000 + (j*37+u*11)%97*1000 + j})
		}
	}
	// A fixed shuffle.
	for i := range evs {
		j := (i*7919 + 13) % len(evs)
		evs[i], evs[j] = evs[j], evs[i]
	}
	item := func(n int64) string {
		if stringItems {
			return fmt.Sprintf("song-%d", n)
		}
		return fmt.Sprint(n)
	}
	var csv bytes.Buffer
	csv.WriteString("user,item,ts\n")
	for _, e := range evs {
		fmt.Fprintf(&csv, "%d,%s,%d\n", e.user, item(e.item), e.ts)
	}
	csvPath, pqPath = filepath.Join(dir, "events.csv"), filepath.Join(dir, "events.parquet")
	if err := os.WriteFile(csvPath, csv.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	itemType := arrow.DataType(arrow.PrimitiveTypes.Int64)
	if stringItems {
		itemType = arrow.BinaryTypes.String
	}
	arrowFile(t, pqPath, []arrow.Field{
		{Name: "user", Type: arrow.PrimitiveTypes.Int64},
		{Name: "item", Type: itemType},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond}},
	}, func(b *array.RecordBuilder) {
		for _, e := range evs {
			b.Field(0).(*array.Int64Builder).Append(e.user)
			if stringItems {
				b.Field(1).(*array.StringBuilder).Append(item(e.item))
			} else {
				b.Field(1).(*array.Int64Builder).Append(e.item)
			}
			b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(e.ts))
		}
	})
	return csvPath, pqPath
}

// allRows returns every row of a collection in its order.
func allRows(t *testing.T, d *db.DB, name string) []db.Row {
	t.Helper()
	res, err := d.Query(bg, "SELECT key FROM "+name)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection(name)
	var out []db.Row
	for _, r := range res.Rows {
		row, err := c.Get(r[0].(string))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *row)
	}
	return out
}

// TestTrainParquetEventLog: TRAIN and CREATE COLLECTION … FROM SEQUENCES
// read a Parquet event log (integer or string items, a timestamp order)
// into the same vocabulary, counts and vectors as the same log in CSV.
func TestTrainParquetEventLog(t *testing.T) {
	const with = " WITH (sequence_by = 'user', order_by = 'ts', item = 'item', dim = 8, epochs = 2, threads = 1, seed = 7, min_count = 1)"
	for _, stringItems := range []bool{false, true} {
		d := openDB(t)
		csvPath, pqPath := eventLogs(t, t.TempDir(), stringItems)
		run(t, d, "TRAIN fromcsv FROM '"+csvPath+"'"+with)
		res := run(t, d, "TRAIN frompq FROM '"+pqPath+"'"+with)
		a, b := allRows(t, d, "fromcsv"), allRows(t, d, "frompq")
		if len(a) != 30 || res.Stats.RowsAffected != 30 {
			t.Fatalf("trained %d keys from CSV, %d from Parquet; want 30", len(a), res.Stats.RowsAffected)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("string items %v: Parquet gives another vocabulary or vectors:\n%v\n%v", stringItems, b[:3], a[:3])
		}
		const users = " WITH (sequence_by = 'user', order_by = 'ts', item = 'item')"
		run(t, d, "CREATE COLLECTION ucsv FROM SEQUENCES OF fromcsv FROM '"+csvPath+"'"+users)
		run(t, d, "CREATE COLLECTION upq FROM SEQUENCES OF fromcsv FROM '"+pqPath+"'"+users)
		if a, b := allRows(t, d, "ucsv"), allRows(t, d, "upq"); len(a) != 40 || !reflect.DeepEqual(a, b) {
			t.Fatalf("users from Parquet differ from users from CSV (%d and %d)", len(a), len(b))
		}
	}
}

// TestTrainParquetBadLogs: a Parquet event log with a null, a truncated
// one, and one read without sequence_by are clear errors, and nothing is
// trained.
func TestTrainParquetBadLogs(t *testing.T) {
	d := openDB(t)
	dir := t.TempDir()
	_, good := eventLogs(t, dir, false)
	data, _ := os.ReadFile(good)
	truncated := filepath.Join(dir, "truncated.parquet")
	os.WriteFile(truncated, data[:len(data)-100], 0o644)
	nulls := filepath.Join(dir, "nulls.parquet")
	arrowFile(t, nulls, []arrow.Field{
		{Name: "user", Type: arrow.PrimitiveTypes.Int64},
		{Name: "item", Type: arrow.BinaryTypes.String, Nullable: true},
	}, func(b *array.RecordBuilder) {
		b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 1, 2, 2, 2}, nil)
		b.Field(1).(*array.StringBuilder).AppendValues([]string{"a", "b", "c", "", "d"}, []bool{true, true, true, false, true})
	})
	const with = " WITH (sequence_by = 'user', item = 'item', min_count = 1, epochs = 1)"
	for _, tc := range []struct {
		stmt     string
		sentinel error
		row      int64
	}{
		{"TRAIN t FROM '" + nulls + "'" + with, format.ErrSyntax, 4},
		{"TRAIN t FROM '" + truncated + "'" + with, format.ErrSyntax, 0},
		{"TRAIN t FROM '" + good + "' WITH (min_count = 1)", db.ErrInvalid, 0},
	} {
		_, err := d.Exec(bg, tc.stmt)
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: got %v, want %v", tc.stmt, err, tc.sentinel)
		}
		var fe *format.Error
		if tc.row > 0 && (!errors.As(err, &fe) || fe.File != nulls || fe.Row != tc.row || fe.RowGroup != 1) {
			t.Errorf("%s: %v does not name row %d in row group 1", tc.stmt, err, tc.row)
		}
		if _, err := d.Collection("t"); !errors.Is(err, db.ErrCollectionNotFound) {
			t.Fatalf("%s: collection t exists after a failed TRAIN (%v)", tc.stmt, err)
		}
	}
}

// TestBadParquetFiles imports each bad file of the list over an
// existing collection, through the Go API and the language: a clear error
// with its sentinel that names the file once (the message is the
// statement's "import c: " and the reader's *format.Error, built in one
// place), the row when there is one, and the collection as it was.
func TestBadParquetFiles(t *testing.T) {
	d := openDB(t)
	rows := fill(t, d, "c", 30, 2)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	if _, err := d.ExportParquet(bg, "c", good, db.ParquetOptions{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	truncated := filepath.Join(dir, "truncated.parquet")
	os.WriteFile(truncated, data[:len(data)*2/3], 0o644)
	keyVec := func(name string, vt arrow.DataType, build func(k *array.StringBuilder, v array.Builder)) string {
		p := filepath.Join(dir, name+".parquet")
		arrowFile(t, p, []arrow.Field{
			{Name: "key", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "vector", Type: vt, Nullable: true},
		}, func(b *array.RecordBuilder) { build(b.Field(0).(*array.StringBuilder), b.Field(1)) })
		return p
	}
	floats := arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.PrimitiveTypes.Float32, Nullable: true})
	// vecs appends vectors (nil: a null vector; NaN where asked).
	vecs := func(keys []string, vals [][]float32, nullVal bool) func(k *array.StringBuilder, v array.Builder) {
		return func(k *array.StringBuilder, v array.Builder) {
			for i, key := range keys {
				if key == "" {
					k.AppendNull()
				} else {
					k.Append(key)
				}
				lb := v.(*array.ListBuilder)
				if vals[i] == nil {
					lb.AppendNull()
					continue
				}
				lb.Append(true)
				vb := lb.ValueBuilder().(*array.Float32Builder)
				for j, x := range vals[i] {
					if nullVal && i == len(keys)-1 && j == 1 {
						vb.AppendNull()
					} else {
						vb.Append(x)
					}
				}
			}
		}
	}
	keys := []string{"a", "b", "c", "d", "e"}
	ok := [][]float32{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}}
	for _, tc := range []struct {
		name     string
		path     string
		sentinel error
		row      int64 // 0: the error names no row
	}{
		{"truncated", truncated, format.ErrSyntax, 0},
		{"not Parquet", filepath.Join("..", "..", "README.md"), format.ErrSyntax, 0},
		{"ragged", keyVec("ragged", floats, vecs(keys, [][]float32{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9}}, false)), format.ErrRagged, 5},
		{"null key", keyVec("nullkey", floats, vecs([]string{"a", "b", "c", ""}, ok, false)), format.ErrSyntax, 4},
		{"null vector", keyVec("nullvec", floats, vecs(keys, [][]float32{{1, 2}, nil, {5, 6}, {7, 8}, {9, 10}}, false)), format.ErrSyntax, 2},
		{"null value", keyVec("nullval", floats, vecs(keys, ok, true)), format.ErrNumber, 5},
		{"NaN", keyVec("nan", floats, vecs(keys, [][]float32{{1, 2}, {3, 4}, {float32(math.NaN()), 6}, {7, 8}, {9, 10}}, false)), format.ErrNotFinite, 3},
		{"vector of strings", keyVec("strings", arrow.BinaryTypes.String, func(k *array.StringBuilder, v array.Builder) {
			k.Append("a")
			v.(*array.StringBuilder).Append("[1, 2]")
		}), format.ErrSyntax, 0},
		{"list of strings", keyVec("strlist", arrow.ListOf(arrow.BinaryTypes.String), func(k *array.StringBuilder, v array.Builder) {
			k.Append("a")
			v.(*array.ListBuilder).Append(true)
			v.(*array.ListBuilder).ValueBuilder().(*array.StringBuilder).AppendValues([]string{"1", "2"}, nil)
		}), format.ErrSyntax, 0},
	} {
		if tc.name == "not Parquet" {
			// A text file read as Parquet by keyword.
			_, err := d.Exec(bg, "IMPORT INTO c FROM '"+tc.path+"' FORMAT PARQUET")
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		_, err := d.Import(bg, "c", tc.path, db.ImportOptions{})
		var fe *format.Error
		switch {
		case !errors.Is(err, tc.sentinel) || !errors.As(err, &fe):
			t.Errorf("%s: got %v, want %v from a *format.Error", tc.name, err, tc.sentinel)
		case fe.File != tc.path || fe.Row != tc.row:
			t.Errorf("%s: the error names %s row %d, want %s row %d", tc.name, fe.File, fe.Row, tc.path, tc.row)
		case err.Error() != "import c: "+fe.Error():
			t.Errorf("%s: message %q, want %q", tc.name, err, "import c: "+fe.Error())
		}
		_, lerr := d.Exec(bg, "IMPORT INTO c FROM '"+tc.path+"'")
		if !errors.Is(lerr, tc.sentinel) {
			t.Errorf("%s: the statement gives %v", tc.name, lerr)
		}
		if got := rowsOf(t, d, "c", rows); !reflect.DeepEqual(got, rows) {
			t.Fatalf("%s: a failed import changed the collection", tc.name)
		}
	}
}

// TestImportNamedColumns: WITH (key = ..., vector = ...) picks the key and
// vector columns of a Parquet file whose names are not the usual ones
// (the usual ones then become metadata), an unknown name is an error
// naming the columns, and text files refuse the options.
func TestImportNamedColumns(t *testing.T) {
	d := openDB(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "named.parquet")
	arrowFile(t, path, []arrow.Field{
		{Name: "word", Type: arrow.BinaryTypes.String},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "emb", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64)},
	}, func(b *array.RecordBuilder) {
		b.Field(0).(*array.StringBuilder).AppendValues([]string{"w1", "w2"}, nil)
		b.Field(1).(*array.StringBuilder).AppendValues([]string{"n1", "n2"}, nil)
		lb := b.Field(2).(*array.ListBuilder)
		for i := range 2 {
			lb.Append(true)
			lb.ValueBuilder().(*array.Float64Builder).AppendValues([]float64{float64(i), 1, 2}, nil)
		}
	})
	// Without the options there is no vector column (emb is not a usual name).
	if _, err := d.Exec(bg, "IMPORT INTO c FROM '"+path+"'"); !errors.Is(err, format.ErrSyntax) {
		t.Fatalf("no vector column: %v", err)
	}
	run(t, d, "IMPORT INTO c FROM '"+path+"' WITH (key = 'NAME', vector = 'emb')")
	c, _ := d.Collection("c")
	r, err := c.Get("n2")
	if err != nil || !reflect.DeepEqual(r.Vector, []float32{1, 1, 2}) || !reflect.DeepEqual(r.Meta, []any{"w2"}) {
		t.Fatalf("n2: %+v, %v", r, err)
	}
	before := collState(t, d, "c")
	if _, err := d.Exec(bg, "IMPORT INTO c FROM '"+path+"' WITH (key = 'nom', vector = 'emb')"); !errors.Is(err, format.ErrSyntax) {
		t.Errorf("unknown key column: %v", err)
	}
	txt := filepath.Join(dir, "c.txt")
	run(t, d, "EXPORT c TO '"+txt+"'")
	if _, err := d.Import(bg, "c", txt, db.ImportOptions{KeyColumn: "name"}); !errors.Is(err, db.ErrInvalid) {
		t.Errorf("a text file with KeyColumn: %v", err)
	}
	if _, err := d.Exec(bg, "IMPORT INTO c FROM '"+txt+"' FORMAT WORD2VEC WITH (vector = 'emb')"); !errors.Is(err, db.ErrInvalid) {
		t.Errorf("FORMAT WORD2VEC with vector: %v", err)
	}
	if got := collState(t, d, "c"); got != before {
		t.Fatal("a failed import changed the collection")
	}
}

// TestColdStartParquetRefused: cold_start reads text metadata files only;
// with a Parquet file it is ErrInvalid and the collection keeps its rows
// and gains no field.
func TestColdStartParquetRefused(t *testing.T) {
	d := openDB(t)
	run(t, d, "CREATE COLLECTION s (DIM 2)")
	run(t, d, "INSERT INTO s (key, vector) VALUES ('1', [1, 0]), ('2', [0, 1])")
	path := filepath.Join(t.TempDir(), "meta.parquet")
	metaFile(t, path, []int64{1, 2, 99})
	if _, err := d.Exec(bg, "IMPORT METADATA INTO s FROM '"+path+"' WITH (cold_start = 'title')"); !errors.Is(err, db.ErrInvalid) {
		t.Fatalf("cold_start from Parquet: %v, want ErrInvalid", err)
	}
	c, _ := d.Collection("s")
	info, _ := c.Info()
	if c.Len() != 2 || len(info.Fields) != 0 {
		t.Errorf("collection changed: %d rows, fields %v", c.Len(), info.Fields)
	}
}
