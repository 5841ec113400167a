package query

import "sort"

// OptionNames returns the names a statement's WITH ( ... ) clause accepts,
// sorted; kind names the statement as the REPL sees it: "TRAIN",
// "CREATE INDEX", "IMPORT", "IMPORT METADATA", "NEAREST", "PROJECT",
// "CLUSTER", "RECOMMEND", "EVALUATE ANALOGIES", "EVALUATE PAIRS",
// "SEQUENCES" (CREATE COLLECTION ... FROM SEQUENCES). An unknown kind gives
// nil. It is used by the shell's completion.
func OptionNames(kind string) []string {
	var defs []optDef
	switch kind {
	case "TRAIN":
		defs = trainOptions
	case "CREATE INDEX":
		defs = indexOptions
	case "IMPORT":
		defs = importOptions
	case "IMPORT METADATA":
		defs = metadataOptions
	case "NEAREST":
		defs = nearestOptions
	case "PROJECT":
		defs = projectOptions
	case "CLUSTER":
		defs = clusterOptions
	case "RECOMMEND":
		defs = recommendOptions
	case "EVALUATE ANALOGIES":
		defs = evaluateOptions["ANALOGIES"]
	case "EVALUATE PAIRS":
		defs = evaluateOptions["PAIRS"]
	case "SEQUENCES":
		defs = usersOptions
	default:
		return nil
	}
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.name
	}
	sort.Strings(out)
	return out
}
