package db

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vecdb/vecdb/query"
)

// optionTables maps each statement kind, as the shell and the docs name
// it, to the one table that declares its WITH options.
var optionTables = map[string][]optDef{
	"TRAIN":              trainOptions,
	"CREATE INDEX":       indexOptions,
	"IMPORT":             importOptions,
	"EXPORT":             exportOptions,
	"IMPORT METADATA":    metadataOptions,
	"NEAREST":            nearestOptions,
	"PROJECT":            projectOptions,
	"CLUSTER":            clusterOptions,
	"RECOMMEND":          recommendOptions,
	"EVALUATE ANALOGIES": evaluateOptions["ANALOGIES"],
	"EVALUATE PAIRS":     evaluateOptions["PAIRS"],
	"EVALUATE RECOMMEND": evalRecOptions,
	"SEQUENCES":          usersOptions,
}

// OptionKinds returns the statement kinds that take WITH ( ... ) options,
// sorted: the keys OptionNames accepts.
func OptionKinds() []string {
	out := make([]string, 0, len(optionTables))
	for k := range optionTables {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// OptionNames returns the names a statement's WITH ( ... ) clause accepts,
// sorted; kind names the statement as the REPL sees it: "TRAIN",
// "CREATE INDEX", "IMPORT", "EXPORT", "IMPORT METADATA", "NEAREST", "PROJECT",
// "CLUSTER", "RECOMMEND", "EVALUATE ANALOGIES", "EVALUATE PAIRS",
// "EVALUATE RECOMMEND", "SEQUENCES" (CREATE COLLECTION ... FROM SEQUENCES). An unknown kind gives
// nil. It is used by the shell's completion.
func OptionNames(kind string) []string {
	defs, ok := optionTables[kind]
	if !ok {
		return nil
	}
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.name
	}
	sort.Strings(out)
	return out
}

// bindOptions sets the given options (names to the values the compiler
// checked) on dst through their table's setters, in table order.
func bindOptions[T any](defs []optDef, given map[string]any, dst *T) error {
	for _, d := range defs {
		v, ok := given[d.name]
		if !ok {
			continue
		}
		set, ok := d.set.(func(*T, any) error)
		if !ok {
			return fmt.Errorf("option %s has no setter for %T", d.name, dst)
		}
		if err := set(dst, v); err != nil {
			return err
		}
	}
	return nil
}

// Setters for the option tables: each takes the field of the typed options
// that the option sets.

func bindInt[T any](field func(*T) *int) func(*T, any) error {
	return func(o *T, v any) error { *field(o) = v.(int); return nil }
}

func bindInt64[T any](field func(*T) *int64) func(*T, any) error {
	return func(o *T, v any) error { *field(o) = int64(v.(int)); return nil }
}

func bindFloat[T any](field func(*T) *float64) func(*T, any) error {
	return func(o *T, v any) error {
		switch x := v.(type) {
		case int:
			*field(o) = float64(x)
		default:
			*field(o) = x.(float64)
		}
		return nil
	}
}

func bindBool[T any](field func(*T) *bool) func(*T, any) error {
	return func(o *T, v any) error { *field(o) = v.(bool); return nil }
}

func bindString[T any](field func(*T) *string) func(*T, any) error {
	return func(o *T, v any) error { *field(o) = v.(string); return nil }
}

// OptionsDoc returns the reference of every WITH option and SET setting,
// generated from the tables, as Markdown (OPTIONS.md).
func OptionsDoc() string {
	var b strings.Builder
	b.WriteString("# WITH options and SET settings\n\n")
	b.WriteString("Generated from the option tables in package db (`go test ./db -run TestOptionsDoc -update-doc`).\n")
	b.WriteString("Every option is checked (type, range) before the statement runs; an unknown name gets a did-you-mean.\n")
	write := func(title string, defs []optDef) {
		fmt.Fprintf(&b, "\n## %s\n\n| option | type | range | default | what it does |\n|---|---|---|---|---|\n", title)
		for _, d := range defs {
			rng := ""
			switch {
			case d.kind != optInt && d.kind != optFloat:
			case d.max > 0:
				rng = query.FormatNum(d.min) + " – " + query.FormatNum(d.max)
			default:
				rng = "≥ " + query.FormatNum(d.min)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", d.name, optKindNames[d.kind], rng, d.def, d.doc)
		}
	}
	for _, k := range OptionKinds() {
		title := k
		if k == "SEQUENCES" {
			title = "CREATE COLLECTION … FROM SEQUENCES"
		}
		write(title, optionTables[k])
	}
	write("SET", Settings)
	return b.String()
}

func optionsText(o map[string]any) string {
	if len(o) == 0 {
		return ""
	}
	names := make([]string, 0, len(o))
	for k := range o {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%v", n, o[n])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
