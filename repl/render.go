package repl

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/vecdb/vecdb/db"
)

// Modes lists the output modes Render accepts.
var Modes = []string{"box", "table", "csv", "tsv", "json", "jsonl", "markdown", "list", "line"}

// Config holds the settings of a session: output mode, headers, error
// handling and timing. The zero value renders in box mode with headers.
type Config struct {
	// Mode is one of Modes; "" means box.
	Mode string
	// Headers: 0 takes the mode's default (on for box, table, markdown
	// and line, off for list, csv and tsv), 1 forces them on, -1 off.
	Headers int
	// Bail stops a script at its first error.
	Bail bool
	// Timer prints each statement's run time on the error stream.
	Timer bool
	// MaxRows, when positive, shows at most that many rows of a result.
	MaxRows int
	// Separator of list mode; "" means "|".
	Separator string
	// OnResult, when set, is called by Execute with each result before it
	// is rendered (the shell keeps the last one for .plot).
	OnResult func(db.Result)
	// Params are the values of placeholders (.parameter set): each
	// statement uses those it names (see db.Bindings).
	Params db.Bindings
}

func (c Config) mode() string {
	if c.Mode == "" {
		return "box"
	}
	return c.Mode
}

func (c Config) headers() bool {
	switch {
	case c.Headers > 0:
		return true
	case c.Headers < 0:
		return false
	}
	switch c.mode() {
	case "list", "csv", "tsv":
		return false
	}
	return true
}

// IsMachineMode reports whether a mode is meant for programs (csv, tsv,
// json, jsonl): messages then go to the error stream, not the output.
func IsMachineMode(mode string) bool {
	switch mode {
	case "csv", "tsv", "json", "jsonl":
		return true
	}
	return false
}

// Render writes a result in the configured mode. A result without columns
// prints its message (box, table, markdown, list and line modes only).
func Render(w io.Writer, res *db.Result, cfg Config) error {
	if res == nil {
		return nil
	}
	if res.Columns == nil {
		if res.Message != "" && !IsMachineMode(cfg.mode()) {
			_, err := fmt.Fprintln(w, res.Message)
			return err
		}
		return nil
	}
	rows := res.Rows
	truncated := 0
	if cfg.MaxRows > 0 && len(rows) > cfg.MaxRows {
		truncated = len(rows) - cfg.MaxRows
		rows = rows[:cfg.MaxRows]
	}
	var err error
	switch cfg.mode() {
	case "box":
		err = renderGrid(w, res.Columns, rows, cfg.headers(), boxStyle)
	case "table":
		err = renderGrid(w, res.Columns, rows, cfg.headers(), asciiStyle)
	case "csv":
		err = renderCSV(w, res.Columns, rows, cfg.headers(), ',')
	case "tsv":
		err = renderCSV(w, res.Columns, rows, cfg.headers(), '\t')
	case "json":
		err = renderJSON(w, res.Columns, rows, false)
	case "jsonl":
		err = renderJSON(w, res.Columns, rows, true)
	case "markdown":
		err = renderMarkdown(w, res.Columns, rows)
	case "list":
		err = renderList(w, res.Columns, rows, cfg)
	case "line":
		err = renderLine(w, res.Columns, rows)
	default:
		return fmt.Errorf("unknown mode %q (want %s)", cfg.Mode, strings.Join(Modes, ", "))
	}
	if err == nil && truncated > 0 && !IsMachineMode(cfg.mode()) {
		_, err = fmt.Fprintf(w, "(%d more rows not shown)\n", truncated)
	}
	// A summary that goes with rows (CLUSTER's inertia and silhouette,
	// TRAIN's speed) follows them in the modes meant for people.
	if err == nil && res.Message != "" && !IsMachineMode(cfg.mode()) && cfg.mode() != "list" {
		_, err = fmt.Fprintln(w, res.Message)
	}
	return err
}

// FormatValue prints a cell for people: floats with 4 decimals, NULL for
// nil, vectors abbreviated after 8 values.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case float64:
		return formatFloat(x)
	case float32:
		return formatFloat(float64(x))
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case []float32:
		return formatVector(x, 8)
	}
	return fmt.Sprint(v)
}

func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', 4, 64)
	if s == "-0.0000" {
		s = "0.0000"
	}
	return s
}

func formatVector(v []float32, max int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		if max > 0 && i == max {
			fmt.Fprintf(&b, "… %d values", len(v))
			break
		}
		b.WriteString(formatFloat(float64(x)))
	}
	b.WriteByte(']')
	return b.String()
}

// rawValue prints a cell for programs: shortest exact numbers, "" for NULL.
func rawValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 32)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case []float32:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = strconv.FormatFloat(float64(f), 'g', -1, 32)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return FormatValue(v)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, int, float64, float32:
		return true
	}
	return false
}

// numericColumns marks the columns whose non-NULL cells are all numbers.
func numericColumns(cols []string, rows [][]any) []bool {
	num := make([]bool, len(cols))
	for j := range cols {
		seen := false
		num[j] = true
		for _, r := range rows {
			if j >= len(r) || r[j] == nil {
				continue
			}
			seen = true
			if !isNumber(r[j]) {
				num[j] = false
				break
			}
		}
		num[j] = num[j] && seen
	}
	return num
}

// cellText replaces line breaks and tabs so a cell stays on one line.
func cellText(v any) string {
	s := FormatValue(v)
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.NewReplacer("\r\n", "↵", "\n", "↵", "\r", "↵", "\t", " ").Replace(s)
	}
	return s
}

type gridStyle struct {
	top, mid, bottom [3]string // left, cross, right
	horiz, vert      string
}

var boxStyle = gridStyle{
	top: [3]string{"┌", "┬", "┐"}, mid: [3]string{"├", "┼", "┤"}, bottom: [3]string{"└", "┴", "┘"},
	horiz: "─", vert: "│",
}

var asciiStyle = gridStyle{
	top: [3]string{"+", "+", "+"}, mid: [3]string{"+", "+", "+"}, bottom: [3]string{"+", "+", "+"},
	horiz: "-", vert: "|",
}

func pad(s string, width int, right bool) string {
	n := width - runewidth.StringWidth(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

func renderGrid(w io.Writer, cols []string, rows [][]any, headers bool, st gridStyle) error {
	cells := make([][]string, len(rows))
	widths := make([]int, len(cols))
	if headers {
		for j, c := range cols {
			widths[j] = runewidth.StringWidth(c)
		}
	}
	for i, r := range rows {
		cells[i] = make([]string, len(cols))
		for j := range cols {
			var v any
			if j < len(r) {
				v = r[j]
			}
			cells[i][j] = cellText(v)
			widths[j] = max(widths[j], runewidth.StringWidth(cells[i][j]))
		}
	}
	num := numericColumns(cols, rows)
	var b bytes.Buffer
	line := func(s [3]string) {
		b.WriteString(s[0])
		for j, wd := range widths {
			if j > 0 {
				b.WriteString(s[1])
			}
			b.WriteString(strings.Repeat(st.horiz, wd+2))
		}
		b.WriteString(s[2])
		b.WriteByte('\n')
	}
	row := func(vals []string, right []bool) {
		b.WriteString(st.vert)
		for j, v := range vals {
			b.WriteString(" ")
			b.WriteString(pad(v, widths[j], right != nil && right[j]))
			b.WriteString(" ")
			b.WriteString(st.vert)
		}
		b.WriteByte('\n')
	}
	line(st.top)
	if headers {
		row(cols, nil)
		line(st.mid)
	}
	for _, r := range cells {
		row(r, num)
	}
	line(st.bottom)
	_, err := w.Write(b.Bytes())
	return err
}

func renderCSV(w io.Writer, cols []string, rows [][]any, headers bool, sep rune) error {
	cw := csv.NewWriter(w)
	cw.Comma = sep
	if headers {
		if err := cw.Write(cols); err != nil {
			return err
		}
	}
	rec := make([]string, len(cols))
	for _, r := range rows {
		for j := range cols {
			var v any
			if j < len(r) {
				v = r[j]
			}
			rec[j] = rawValue(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonValue returns a cell as a JSON value; floats keep the precision of
// the float32 they came from.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 32))
	case float32:
		return jsonValue(float64(x))
	case []float32:
		out := make([]json.Number, len(x))
		for i, f := range x {
			out[i] = json.Number(strconv.FormatFloat(float64(f), 'g', -1, 32))
		}
		return out
	}
	return v
}

func rowJSON(cols []string, r []any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for j, c := range cols {
		if j > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c)
		b.Write(k)
		b.WriteByte(':')
		var v any
		if j < len(r) {
			v = r[j]
		}
		enc, err := json.Marshal(jsonValue(v))
		if err != nil {
			return nil, err
		}
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func renderJSON(w io.Writer, cols []string, rows [][]any, lines bool) error {
	var b bytes.Buffer
	if !lines {
		b.WriteByte('[')
	}
	for i, r := range rows {
		enc, err := rowJSON(cols, r)
		if err != nil {
			return err
		}
		if lines {
			b.Write(enc)
			b.WriteByte('\n')
			continue
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		b.Write(enc)
	}
	if !lines {
		if len(rows) > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("]\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func renderMarkdown(w io.Writer, cols []string, rows [][]any) error {
	num := numericColumns(cols, rows)
	widths := make([]int, len(cols))
	cells := make([][]string, len(rows))
	for j, c := range cols {
		widths[j] = max(3, runewidth.StringWidth(mdEscape(c)))
	}
	for i, r := range rows {
		cells[i] = make([]string, len(cols))
		for j := range cols {
			var v any
			if j < len(r) {
				v = r[j]
			}
			cells[i][j] = mdEscape(cellText(v))
			widths[j] = max(widths[j], runewidth.StringWidth(cells[i][j]))
		}
	}
	var b bytes.Buffer
	b.WriteString("|")
	for j, c := range cols {
		b.WriteString(" " + pad(mdEscape(c), widths[j], false) + " |")
	}
	b.WriteString("\n|")
	for j := range cols {
		if num[j] {
			b.WriteString(" " + strings.Repeat("-", widths[j]-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", widths[j]) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range cells {
		b.WriteString("|")
		for j, v := range r {
			b.WriteString(" " + pad(v, widths[j], num[j]) + " |")
		}
		b.WriteString("\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

func renderList(w io.Writer, cols []string, rows [][]any, cfg Config) error {
	sep := cfg.Separator
	if sep == "" {
		sep = "|"
	}
	var b bytes.Buffer
	if cfg.headers() {
		b.WriteString(strings.Join(cols, sep))
		b.WriteByte('\n')
	}
	for _, r := range rows {
		for j := range cols {
			if j > 0 {
				b.WriteString(sep)
			}
			var v any
			if j < len(r) {
				v = r[j]
			}
			if v == nil {
				continue // NULL prints as an empty string, as sqlite3 does
			}
			b.WriteString(cellText(v))
		}
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

func renderLine(w io.Writer, cols []string, rows [][]any) error {
	wd := 0
	for _, c := range cols {
		wd = max(wd, runewidth.StringWidth(c))
	}
	var b bytes.Buffer
	for _, r := range rows {
		for j, c := range cols {
			var v any
			if j < len(r) {
				v = r[j]
			}
			b.WriteString(pad(c, wd, true) + " = " + cellText(v) + "\n")
		}
		// Every record ends with a blank line, so records stay apart
		// within a result and across the results of several statements.
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}
