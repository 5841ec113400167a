package db

import (
	"fmt"
	"sort"
	"strings"
)

// optionTables maps each statement kind, as the shell and the docs name
// it, to the one table that declares its WITH options.
var optionTables = map[string][]optDef{
	"TRAIN":              trainOptions,
	"CREATE INDEX":       indexOptions,
	"IMPORT":             importOptions,
	"IMPORT METADATA":    metadataOptions,
	"NEAREST":            nearestOptions,
	"PROJECT":            projectOptions,
	"CLUSTER":            clusterOptions,
	"RECOMMEND":          recommendOptions,
	"EVALUATE ANALOGIES": evaluateOptions["ANALOGIES"],
	"EVALUATE PAIRS":     evaluateOptions["PAIRS"],
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
// "CREATE INDEX", "IMPORT", "IMPORT METADATA", "NEAREST", "PROJECT",
// "CLUSTER", "RECOMMEND", "EVALUATE ANALOGIES", "EVALUATE PAIRS",
// "SEQUENCES" (CREATE COLLECTION ... FROM SEQUENCES). An unknown kind gives
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

// setOpt copies a compiled WITH option into dst when it was given (the
// compiler has already checked its type and range).
func setOpt[T any](o map[string]any, name string, dst *T) {
	if v, ok := o[name].(T); ok {
		*dst = v
	}
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
