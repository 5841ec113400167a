package repl

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/render")

// sample has a rank, keys in several scripts (CJK and emoji are two
// columns wide), a similarity, NULL, a bool and a vector.
func sample() *db.Result {
	return &db.Result{
		Columns: []string{"rank", "key", "similarity", "note", "live", "vector"},
		Rows: [][]any{
			{int64(1), "queen", 0.71181715, "a|b", true, []float32{0.5, -0.25}},
			{int64(2), "東京", 0.6, nil, false, []float32{1, 0}},
			{int64(10), "☕ café", -0.0000001, "line\nbreak", nil, nil},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	for _, mode := range Modes {
		for _, headers := range []int{0, -1} {
			name := mode
			if headers < 0 {
				name += "_noheader"
			}
			t.Run(name, func(t *testing.T) {
				var b bytes.Buffer
				if err := Render(&b, sample(), Config{Mode: mode, Headers: headers}); err != nil {
					t.Fatal(err)
				}
				// A second result in the same stream, as a script prints it.
				if err := Render(&b, &db.Result{Message: "inserted 2 rows into songs"}, Config{Mode: mode}); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "render", name+".golden")
				if *update {
					os.MkdirAll(filepath.Dir(path), 0o755)
					if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if b.String() != string(want) {
					t.Errorf("mode %s:\ngot:\n%s\nwant:\n%s", name, b.String(), want)
				}
			})
		}
	}
}

func TestRenderAlignsWideRunes(t *testing.T) {
	var b bytes.Buffer
	res := &db.Result{Columns: []string{"key", "n"}, Rows: [][]any{{"東京", int64(5)}, {"ab", int64(12345)}}}
	if err := Render(&b, res, Config{Mode: "box"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	// Every line of the box has the same display width.
	w := displayWidth(lines[0])
	for _, l := range lines {
		if displayWidth(l) != w {
			t.Errorf("ragged box:\n%s", b.String())
			break
		}
	}
	if !strings.Contains(b.String(), "│     5 │") {
		t.Errorf("numbers are not right-aligned:\n%s", b.String())
	}
}

func TestRenderMaxRows(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, sample(), Config{Mode: "list", MaxRows: 1}); err != nil {
		t.Fatal(err)
	}
	want := "1|queen|0.7118|a|b|true|[0.5000, -0.2500]\n(2 more rows not shown)\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestRenderUnknownMode(t *testing.T) {
	if err := Render(&bytes.Buffer{}, sample(), Config{Mode: "xml"}); err == nil {
		t.Error("no error for an unknown mode")
	}
}

func TestFormatValue(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, "NULL"}, {0.123456, "0.1235"}, {-0.00001, "0.0000"}, {int64(-3), "-3"}, {true, "true"},
		{[]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, "[1.0000, 2.0000, 3.0000, 4.0000, 5.0000, 6.0000, 7.0000, 8.0000, … 9 values]"},
	}
	for _, c := range cases {
		if got := FormatValue(c.v); got != c.want {
			t.Errorf("FormatValue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func displayWidth(s string) int { return runewidthOf(s) }

// TestLineModeSeparatesRecords: in line mode every record ends with a
// blank line, within a result and between the results of two statements.
func TestLineModeSeparatesRecords(t *testing.T) {
	var b bytes.Buffer
	cfg := Config{Mode: "line"}
	if err := Render(&b, &db.Result{Columns: []string{"key", "n"}, Rows: [][]any{{"a", int64(1)}, {"b", int64(2)}}}, cfg); err != nil {
		t.Fatal(err)
	}
	if err := Render(&b, &db.Result{Columns: []string{"count"}, Rows: [][]any{{int64(2)}}}, cfg); err != nil {
		t.Fatal(err)
	}
	want := "key = a\n  n = 1\n\nkey = b\n  n = 2\n\ncount = 2\n\n"
	if b.String() != want {
		t.Errorf("line mode:\n%q\nwant\n%q", b.String(), want)
	}
}
