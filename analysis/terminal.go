package analysis

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// ansiColors are the foreground colours of TerminalPlot's groups, in
// palette order where the 16 basic colours allow.
var ansiColors = []string{"34", "33", "32", "31", "35", "36", "94", "93", "92", "91"}

// terminalLabels is the most points TerminalPlot labels.
const terminalLabels = 8

// TerminalPlot draws points as a width×height-cell scatter plot in Unicode
// braille (each cell holds 2×4 dots), for terminals. Up to eight points are
// labelled (all of them when there are at most eight, else an evenly spread
// selection of the labelled ones) where the label fits on free cells. With
// color set, each cell takes the ANSI colour of the group of the last point
// drawn in it; without it the output is plain text. The output is exactly
// height lines of width cells, followed, when there is more than one group,
// by one legend line. Widths and heights below 2 are raised to 2.
func TerminalPlot(w io.Writer, points []Point, width, height int, color bool) error {
	width, height = max(width, 2), max(height, 2)
	names, idx := groupIndex(points)
	dots := make([]uint8, width*height) // braille dot bits per cell
	group := make([]int, width*height)  // group of the last point per cell, -1 for none
	for i := range group {
		group[i] = -1
	}
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range points {
		if finite(p.X) && finite(p.Y) {
			xmin, xmax = min(xmin, p.X), max(xmax, p.X)
			ymin, ymax = min(ymin, p.Y), max(ymax, p.Y)
		}
	}
	if xmax == xmin {
		xmin, xmax = xmin-1, xmax+1
	}
	if ymax == ymin {
		ymin, ymax = ymin-1, ymax+1
	}
	// Braille dot bits by (column, row) within a cell: U+2800 + bits.
	bits := [2][4]uint8{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}
	dw, dh := width*2, height*4
	cellOf := make([]int, len(points))
	for i, p := range points {
		cellOf[i] = -1
		if !finite(p.X) || !finite(p.Y) {
			continue
		}
		dx := int(math.Round((p.X - xmin) / (xmax - xmin) * float64(dw-1)))
		dy := int(math.Round((ymax - p.Y) / (ymax - ymin) * float64(dh-1)))
		cell := (dy/4)*width + dx/2
		dots[cell] |= bits[dx%2][dy%4]
		group[cell] = idx[i]
		cellOf[i] = cell
	}
	grid := make([]rune, width*height)
	for i, d := range dots {
		if d == 0 {
			grid[i] = ' '
		} else {
			grid[i] = rune(0x2800 + int(d))
		}
	}
	labelGroup := make([]int, width*height)
	for i := range labelGroup {
		labelGroup[i] = -1
	}
	var labelled []int
	for i, p := range points {
		if p.Label != "" && cellOf[i] >= 0 {
			labelled = append(labelled, i)
		}
	}
	if len(labelled) > terminalLabels {
		pick := make([]int, 0, terminalLabels)
		for j := range terminalLabels {
			pick = append(pick, labelled[j*len(labelled)/terminalLabels])
		}
		labelled = pick
	}
	for _, i := range labelled {
		txt := []rune(points[i].Label)
		cell := cellOf[i]
		row, col := cell/width, cell%width+1
		if col+len(txt) > width { // put it left of the point instead
			col = cell%width - len(txt)
		}
		if col < 0 {
			continue
		}
		free := true
		for t := range txt {
			c := row*width + col + t
			if dots[c] != 0 || labelGroup[c] >= 0 || (t == 0 && col > 0 && labelGroup[c-1] >= 0) {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for t, r := range txt {
			grid[row*width+col+t] = r
			labelGroup[row*width+col+t] = idx[i]
		}
	}
	var b strings.Builder
	for r := range height {
		cur := -1
		for c := range width {
			k := r*width + c
			g := group[k]
			if labelGroup[k] >= 0 {
				g = labelGroup[k]
			}
			if color && g != cur {
				if g < 0 {
					b.WriteString("\x1b[0m")
				} else {
					fmt.Fprintf(&b, "\x1b[%sm", ansiColors[g%len(ansiColors)])
				}
				cur = g
			}
			b.WriteRune(grid[k])
		}
		if color && cur >= 0 {
			b.WriteString("\x1b[0m")
		}
		b.WriteByte('\n')
	}
	if len(names) > 1 {
		for g, name := range names {
			if name == "" {
				name = "(none)"
			}
			if g > 0 {
				b.WriteString("  ")
			}
			if color {
				fmt.Fprintf(&b, "\x1b[%sm⣿\x1b[0m %s", ansiColors[g%len(ansiColors)], name)
			} else {
				fmt.Fprintf(&b, "%c %s", []rune("⣿⠿⠛⠉⣤⣀⡇⢸⠃⠘")[g%10], name)
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
