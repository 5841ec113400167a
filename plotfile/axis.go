package plotfile

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/vecdb/vecdb/analysis"
)

// AxisPlot returns a one-dimensional plot of keys at their positions on an
// axis (for example ProjectOnto's cosines with the he−she axis): a
// horizontal line with a tick per key, the labels alternating above and
// below on stems (moved to further rows when they would collide), and the
// two poles named at the ends, "neg ←" on the left and "→ pos" on the right.
// keys and positions must have the same, non-zero length.
func AxisPlot(keys []string, positions []float64, neg, pos string, opts PlotOptions) (*plot.Plot, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("axis plot: %w", analysis.ErrEmpty)
	}
	if len(keys) != len(positions) {
		return nil, fmt.Errorf("axis plot: %w: %d keys, %d positions", analysis.ErrDimension, len(keys), len(positions))
	}
	for i, v := range positions {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("axis plot: position of %q is not finite", keys[i])
		}
	}
	p := newPlot(opts)
	p.HideY()
	ap := &axisPlotter{keys: keys, pos: positions, neg: neg, posName: pos}
	ap.poleStyle = textStyle(vg.Points(11), color.NRGBA{0x44, 0x44, 0x44, 0xff})
	if neg != "" {
		ap.negText = neg + " ←"
	}
	if pos != "" {
		ap.posText = "→ " + pos
	}
	p.Add(ap)
	return p, nil
}

// SaveAxisPlot draws AxisPlot(keys, positions, neg, pos, opts) to path as
// SVG or PNG, chosen by the extension; the default size is 10×3.5 inches.
func SaveAxisPlot(keys []string, positions []float64, neg, pos string, opts PlotOptions, path string) error {
	return saveFile(path, func(out io.Writer) error {
		return EncodeAxisPlot(out, keys, positions, neg, pos, opts, path)
	})
}

// EncodeAxisPlot is SaveAxisPlot writing to out; name's extension picks
// the format.
func EncodeAxisPlot(out io.Writer, keys []string, positions []float64, neg, pos string, opts PlotOptions, name string) error {
	format, err := formatOf(name)
	if err != nil {
		return err
	}
	return encodeAxis(out, keys, positions, neg, pos, opts, format)
}

// encodeAxis draws AxisPlot(keys, positions, neg, pos, opts) to out as
// format "svg" or "png".
func encodeAxis(out io.Writer, keys []string, positions []float64, neg, pos string, opts PlotOptions, format string) error {
	p, err := AxisPlot(keys, positions, neg, pos, opts)
	if err != nil {
		return err
	}
	w, h := opts.size(10*vg.Inch, 3.5*vg.Inch)
	return WritePlot(out, p, w, h, opts.dpi(), format)
}

type axisPlotter struct {
	keys             []string
	pos              []float64
	neg, posName     string
	negText, posText string
	poleStyle        text.Style
}

func (ap *axisPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, v := range ap.pos {
		xmin, xmax = min(xmin, v), max(xmax, v)
	}
	d := (xmax - xmin) * 0.05
	if d == 0 {
		d = 0.1
	}
	return xmin - d, xmax + d, -1, 1
}

func (ap *axisPlotter) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	gap := vg.Points(8)
	lw := ap.poleStyle.Width(ap.negText)
	rw := ap.poleStyle.Width(ap.posText)
	return []plot.GlyphBox{
		{X: 0, Y: 0.5, Rectangle: vg.Rectangle{Min: vg.Point{X: -lw - gap}, Max: vg.Point{}}},
		{X: 1, Y: 0.5, Rectangle: vg.Rectangle{Min: vg.Point{}, Max: vg.Point{X: rw + gap}}},
	}
}

func (ap *axisPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	midY := (c.Min.Y + c.Max.Y) / 2
	line := draw.LineStyle{Color: color.NRGBA{0x55, 0x55, 0x55, 0xff}, Width: vg.Points(1.2)}
	stem := draw.LineStyle{Color: color.NRGBA{0xaa, 0xaa, 0xaa, 0xff}, Width: vg.Points(0.6)}
	c.StrokeLine2(line, c.Min.X, midY, c.Max.X, midY)

	// Poles, in the margins reserved by GlyphBoxes.
	gap := vg.Points(8)
	fe := ap.poleStyle.FontExtents()
	if ap.negText != "" {
		sty := ap.poleStyle
		sty.XAlign = draw.XRight
		c.FillText(sty, vg.Point{X: c.Min.X - gap/2, Y: midY - (fe.Ascent-fe.Descent)/2}, ap.negText)
	}
	if ap.posText != "" {
		c.FillText(ap.poleStyle, vg.Point{X: c.Max.X + gap/2, Y: midY - (fe.Ascent-fe.Descent)/2}, ap.posText)
	}

	order := make([]int, len(ap.keys))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ap.pos[order[a]] < ap.pos[order[b]] })

	sty := textStyle(vg.Points(9), color.NRGBA{0x22, 0x22, 0x22, 0xff})
	sty.XAlign = draw.XCenter
	lfe := sty.FontExtents()
	rowH := lfe.Ascent + lfe.Descent + vg.Points(3)
	rows := max(int((midY-c.Min.Y-vg.Points(10))/rowH), 1)
	// rightEdge[side][row] is the right end of the last label on that row.
	rightEdge := [2][]vg.Length{make([]vg.Length, rows), make([]vg.Length, rows)}
	for s := range rightEdge {
		for r := range rightEdge[s] {
			rightEdge[s][r] = vg.Length(math.Inf(-1))
		}
	}
	mark := color.NRGBA{0x1f, 0x77, 0xb4, 0xff}
	for k, i := range order {
		x := trX(ap.pos[i])
		w := sty.Width(ap.keys[i])
		side, row := k%2, -1
		// Alternate sides; within a side take the lowest free row, else the
		// other side's, else the row whose last label ends earliest.
		for _, s := range []int{side, 1 - side} {
			for r := range rows {
				if x-w/2 > rightEdge[s][r]+vg.Points(3) {
					side, row = s, r
					break
				}
			}
			if row >= 0 {
				break
			}
		}
		if row < 0 {
			side, row = k%2, 0
			for r := range rows {
				if rightEdge[side][r] < rightEdge[side][row] {
					row = r
				}
			}
		}
		rightEdge[side][row] = x + w/2
		dy := vg.Points(8) + vg.Length(row)*rowH
		var ty, stemEnd vg.Length
		if side == 0 { // above
			stemEnd = midY + dy
			ty = stemEnd + lfe.Descent
		} else {
			stemEnd = midY - dy
			ty = stemEnd - lfe.Ascent
		}
		c.StrokeLine2(stem, x, midY, x, stemEnd)
		c.SetColor(mark)
		c.Fill(markPath(shapeCircle, vg.Point{X: x, Y: midY}, vg.Points(2.5)))
		c.FillText(sty, vg.Point{X: x, Y: ty}, ap.keys[i])
	}
}
