package analysis

// Point is one labelled point of a 2-D plot: TerminalPlot draws it here,
// and package plotfile draws it to SVG and PNG files.
type Point struct {
	Label string  // text drawn beside the point; may be empty
	X, Y  float64 // position in data units
	Group string  // points of a group share a colour and shape; may be empty
}

// groupIndex numbers the distinct groups of points in order of first
// appearance.
func groupIndex(points []Point) (names []string, idx []int) {
	seen := map[string]int{}
	idx = make([]int, len(points))
	for i, p := range points {
		g, ok := seen[p.Group]
		if !ok {
			g = len(names)
			seen[p.Group] = g
			names = append(names, p.Group)
		}
		idx[i] = g
	}
	return names, idx
}
