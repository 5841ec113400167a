package plotfile

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/vecdb/vecdb/analysis"
)

// PlotOptions configures Scatter, SavePlot and SaveAxisPlot. The zero value
// gives an untitled 8×6 inch plot (10×3.5 inches for SaveAxisPlot).
type PlotOptions struct {
	Title, XLabel, YLabel string
	// Width and Height are the image size; use vg.Inch, vg.Centimeter or
	// vg.Points. A PNG is Width×Height inches times DPI pixels.
	Width, Height vg.Length
	// Legend adds a legend of the groups to the right of the plot. It is
	// drawn only when there is more than one group.
	Legend bool
	// DPI is the resolution of PNG output; 0 means 150.
	DPI int
}

func (o PlotOptions) size(w, h vg.Length) (vg.Length, vg.Length) {
	if o.Width > 0 {
		w = o.Width
	}
	if o.Height > 0 {
		h = o.Height
	}
	return w, h
}

func (o PlotOptions) dpi() int {
	if o.DPI > 0 {
		return o.DPI
	}
	return 150
}

// palette holds ten colours that stay apart for common forms of colour
// blindness and on white; groups beyond ten cycle through markShapes.
var palette = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xe8, 0x6a, 0x10, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x5f, 0x5f, 0x5f, 0xff}, // grey
	{0xa8, 0xa8, 0x10, 0xff}, // olive
	{0x17, 0xb0, 0xc8, 0xff}, // cyan
}

// markShape is the outline of a point mark. All are filled, so each mark is
// a single filled path.
type markShape int

const (
	shapeCircle markShape = iota
	shapeSquare
	shapeTriangle
	shapeDiamond
	numShapes
)

// markAlpha is the opacity of point marks. Marks are the only filled paths
// drawn with it, which lets tests count them in the SVG
// (fill-opacity:0.85098).
const markAlpha = 0xd9

// groupStyle returns the colour and shape of the i-th group.
func groupStyle(i int) (color.NRGBA, markShape) {
	return palette[i%len(palette)], markShape((i / len(palette)) % int(numShapes))
}

// markPath returns the filled outline of a mark of radius r centred on pt.
func markPath(s markShape, pt vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	switch s {
	case shapeSquare:
		h := r * 0.85
		p.Move(vg.Point{X: pt.X - h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y + h})
		p.Line(vg.Point{X: pt.X - h, Y: pt.Y + h})
	case shapeTriangle:
		t := r * 1.2
		p.Move(vg.Point{X: pt.X, Y: pt.Y + t})
		p.Line(vg.Point{X: pt.X - t*0.866, Y: pt.Y - t*0.5})
		p.Line(vg.Point{X: pt.X + t*0.866, Y: pt.Y - t*0.5})
	case shapeDiamond:
		d := r * 1.2
		p.Move(vg.Point{X: pt.X, Y: pt.Y + d})
		p.Line(vg.Point{X: pt.X + d, Y: pt.Y})
		p.Line(vg.Point{X: pt.X, Y: pt.Y - d})
		p.Line(vg.Point{X: pt.X - d, Y: pt.Y})
	default:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
	}
	p.Close()
	return p
}

// groupIndex numbers the distinct groups of points in order of first
// appearance, as analysis.TerminalPlot does.
func groupIndex(points []analysis.Point) (names []string, idx []int) {
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

// textStyle returns a text style of the plot's default font.
func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(plot.DefaultFont, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the house look: title, axis labels, light
// grid-free axes and a white background.
func newPlot(opts PlotOptions) *plot.Plot {
	p := plot.New()
	p.Title.Text = opts.Title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = opts.XLabel
	p.Y.Label.Text = opts.YLabel
	p.X.Padding = vg.Points(4)
	p.Y.Padding = vg.Points(4)
	return p
}

// Scatter returns a scatter plot of points: one colour (then shape) per
// Group, text labels beside the points placed greedily so they do not
// collide (every point is labelled when there are at most 60; beyond that
// labels that would collide are left out), and a legend of the groups at
// the right when opts.Legend is set and there is more than one group. The
// plot can be drawn with SavePlot's writer or any gonum/plot canvas.
func Scatter(points []analysis.Point, opts PlotOptions) (*plot.Plot, error) {
	if len(points) == 0 {
		return nil, fmt.Errorf("scatter: %w", analysis.ErrEmpty)
	}
	for _, pt := range points {
		if math.IsNaN(pt.X) || math.IsNaN(pt.Y) || math.IsInf(pt.X, 0) || math.IsInf(pt.Y, 0) {
			return nil, fmt.Errorf("scatter: point %q is not finite", pt.Label)
		}
	}
	p := newPlot(opts)
	names, idx := groupIndex(points)
	sp := &scatterPlotter{points: points, group: idx}
	switch n := len(points); {
	case n <= 200:
		sp.radius = vg.Points(4)
	case n <= 2000:
		sp.radius = vg.Points(2.5)
	default:
		sp.radius = vg.Points(1.5)
	}
	if opts.Legend && len(names) > 1 {
		p.Legend.Top = true
		p.Legend.Left = false
		p.Legend.TextStyle.Font.Size = vg.Points(10)
		p.Legend.ThumbnailWidth = vg.Points(12)
		var w vg.Length
		for g, name := range names {
			if name == "" {
				name = "(none)"
			}
			c, s := groupStyle(g)
			p.Legend.Add(name, legendThumb{c: c, s: s})
			w = max(w, p.Legend.TextStyle.Width(" "+name))
		}
		// Reserve a strip right of the data area; the legend, drawn at the
		// right edge of the plot, then sits beside the points, not on them.
		sp.rightMargin = w + p.Legend.ThumbnailWidth + vg.Points(16)
	}
	p.Add(sp)
	return p, nil
}

// legendThumb draws a group's mark in the legend. It is opaque, so it is not
// counted as a point mark.
type legendThumb struct {
	c color.NRGBA
	s markShape
}

func (t legendThumb) Thumbnail(c *draw.Canvas) {
	c.SetColor(t.c)
	c.Fill(markPath(t.s, c.Center(), vg.Points(4)))
}

// scatterPlotter draws the marks and labels of Scatter.
type scatterPlotter struct {
	points      []analysis.Point
	group       []int
	radius      vg.Length
	rightMargin vg.Length
}

func (sp *scatterPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, p := range sp.points {
		xmin, xmax = min(xmin, p.X), max(xmax, p.X)
		ymin, ymax = min(ymin, p.Y), max(ymax, p.Y)
	}
	// A little air around the points so edge labels have room.
	dx, dy := (xmax-xmin)*0.04, (ymax-ymin)*0.04
	if dx == 0 {
		dx = 1
	}
	if dy == 0 {
		dy = 1
	}
	return xmin - dx, xmax + dx, ymin - dy, ymax + dy
}

func (sp *scatterPlotter) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	r := sp.radius * 1.3
	boxes := []plot.GlyphBox{
		{X: 0, Y: 0, Rectangle: vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}},
		{X: 1, Y: 1, Rectangle: vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r + sp.rightMargin, Y: r}}},
	}
	return boxes
}

func (sp *scatterPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(sp.points)
	pos := make([]vg.Point, n)
	for i, pt := range sp.points {
		pos[i] = vg.Point{X: trX(pt.X), Y: trY(pt.Y)}
	}
	outline := draw.LineStyle{Color: color.White, Width: vg.Points(0.6)}
	for i := range sp.points {
		col, shape := groupStyle(sp.group[i])
		col.A = markAlpha
		path := markPath(shape, pos[i], sp.radius)
		c.SetColor(col)
		c.Fill(path)
		if n <= 2000 {
			c.SetLineStyle(outline)
			c.Stroke(path)
		}
	}
	marks := make([]vg.Rectangle, n)
	for i, q := range pos {
		marks[i] = vg.Rectangle{Min: vg.Point{X: q.X - sp.radius, Y: q.Y - sp.radius}, Max: vg.Point{X: q.X + sp.radius, Y: q.Y + sp.radius}}
	}
	labels := make([]string, n)
	for i, pt := range sp.points {
		labels[i] = pt.Label
	}
	leaderStyle := draw.LineStyle{Color: color.NRGBA{0x99, 0x99, 0x99, 0xff}, Width: vg.Points(0.5)}
	for _, l := range placeLabels(labels, pos, marks, sp.radius, c.Rectangle) {
		if l.leader {
			to := vg.Point{X: max(l.box.Min.X, min(l.from.X, l.box.Max.X)), Y: max(l.box.Min.Y, min(l.from.Y, l.box.Max.Y))}
			c.StrokeLine2(leaderStyle, l.from.X, l.from.Y, to.X, to.Y)
		}
		c.FillText(l.style, l.at, l.text)
	}
}

// placedLabel is a label with its final style and position.
type placedLabel struct {
	text  string
	style text.Style
	at    vg.Point
	box   vg.Rectangle
	// leader is set for labels placed away from their point, which get a
	// thin line from the point (from) to the nearest point of the box.
	leader bool
	from   vg.Point
}

// maxLabelled is the most points Scatter tries to label.
const maxLabelled = 1500

// alwaysLabel is the number of points up to which every point is labelled,
// overlapping if nothing else fits.
const alwaysLabel = 60

// placeLabels places each non-empty label greedily: it tries eight positions
// around the mark at the full size, then at a smaller size, and takes the
// first that stays inside bounds and overlaps neither an already placed
// label nor another mark. When none fits, the label is skipped, or with at
// most alwaysLabel points put where it overlaps least.
func placeLabels(labels []string, pos []vg.Point, marks []vg.Rectangle, r vg.Length, bounds vg.Rectangle) []placedLabel {
	n := len(labels)
	if n > maxLabelled {
		return nil
	}
	ink := color.NRGBA{0x22, 0x22, 0x22, 0xff}
	sizes := []vg.Length{vg.Points(9), vg.Points(7)}
	if n > alwaysLabel {
		sizes = []vg.Length{vg.Points(7)}
	}
	var placed []placedLabel
	gap := r + vg.Points(2)
	for i, txt := range labels {
		if txt == "" {
			continue
		}
		var best placedLabel
		bestCost := math.Inf(1)
		done := false
		for _, size := range sizes {
			sty := textStyle(size, ink)
			w := sty.Width(txt)
			fe := sty.FontExtents()
			h := fe.Ascent + fe.Descent
			cands := append(labelCandidates(pos[i], w, h, gap), labelCandidates(pos[i], w, h, 3*gap)...)
			for ci, cand := range cands {
				leader := ci >= 8
				box := vg.Rectangle{Min: cand, Max: vg.Point{X: cand.X + w, Y: cand.Y + h}}
				cost := 0.0
				if box.Min.X < bounds.Min.X || box.Max.X > bounds.Max.X || box.Min.Y < bounds.Min.Y || box.Max.Y > bounds.Max.Y {
					cost += 1e6
				}
				for _, pl := range placed {
					cost += 4 * overlap(box, pl.box)
				}
				for j, m := range marks {
					if j != i {
						cost += overlap(box, m)
					}
				}
				at := vg.Point{X: cand.X, Y: cand.Y + fe.Descent}
				if leader {
					cost += 0.5 // a near position is better at equal overlap
				}
				if cost == 0 {
					best = placedLabel{text: txt, style: sty, at: at, box: box, leader: leader, from: pos[i]}
					done = true
					break
				}
				// The fallback prefers the full size: compare at equal size
				// only by adding a small penalty for shrinking.
				if size != sizes[0] {
					cost *= 1.05
				}
				if cost < bestCost {
					bestCost = cost
					best = placedLabel{text: txt, style: sty, at: at, box: box, leader: leader, from: pos[i]}
				}
			}
			if done {
				break
			}
		}
		if done || n <= alwaysLabel {
			placed = append(placed, best)
		}
	}
	return placed
}

// labelCandidates returns the bottom-left corners of a w×h label at eight
// positions around pt, preferred first: right, left, the four diagonals,
// above and below.
func labelCandidates(pt vg.Point, w, h, gap vg.Length) []vg.Point {
	d := gap * 0.7
	return []vg.Point{
		{X: pt.X + gap, Y: pt.Y - h/2},     // right
		{X: pt.X - gap - w, Y: pt.Y - h/2}, // left
		{X: pt.X + d, Y: pt.Y + d},         // upper right
		{X: pt.X + d, Y: pt.Y - d - h},     // lower right
		{X: pt.X - d - w, Y: pt.Y + d},     // upper left
		{X: pt.X - d - w, Y: pt.Y - d - h}, // lower left
		{X: pt.X - w/2, Y: pt.Y + gap},     // above
		{X: pt.X - w/2, Y: pt.Y - gap - h}, // below
	}
}

// overlap returns the area shared by two rectangles, in square points.
func overlap(a, b vg.Rectangle) float64 {
	w := min(a.Max.X, b.Max.X) - max(a.Min.X, b.Min.X)
	h := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return float64(w) * float64(h)
}

// SavePlot draws Scatter(points, opts) to path as SVG or PNG, chosen by the
// extension (.svg, .png, any case); other extensions give ErrFormat.
func SavePlot(points []analysis.Point, opts PlotOptions, path string) error {
	return saveFile(path, func(out io.Writer) error { return EncodePlot(out, points, opts, path) })
}

// EncodePlot is SavePlot writing to out; name's extension picks the format.
func EncodePlot(out io.Writer, points []analysis.Point, opts PlotOptions, name string) error {
	format, err := formatOf(name)
	if err != nil {
		return err
	}
	return encodeScatter(out, points, opts, format)
}

// encodeScatter draws Scatter(points, opts) to out as format "svg" or "png".
func encodeScatter(out io.Writer, points []analysis.Point, opts PlotOptions, format string) error {
	p, err := Scatter(points, opts)
	if err != nil {
		return err
	}
	w, h := opts.size(8*vg.Inch, 6*vg.Inch)
	return WritePlot(out, p, w, h, opts.dpi(), format)
}

// formatOf returns "svg" or "png" for path's extension, or ErrFormat.
func formatOf(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".svg", ".png":
		return ext[1:], nil
	default:
		return "", fmt.Errorf("save %s: %w %q (want .svg or .png)", path, ErrFormat, ext)
	}
}

// saveFile draws with enc into memory, then writes path: a failed drawing
// leaves no file behind.
func saveFile(path string, enc func(out io.Writer) error) error {
	var buf bytes.Buffer
	if err := enc(&buf); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("save plot: %w", err)
	}
	return nil
}

// WritePlot draws p on a w×h canvas with a margin around it and writes it
// to out as format "svg" or "png" (PNG at dpi dots per inch; 0 means 150).
// Other formats give ErrFormat.
func WritePlot(out io.Writer, p *plot.Plot, w, h vg.Length, dpi int, format string) error {
	if dpi <= 0 {
		dpi = 150
	}
	var cw vg.CanvasWriterTo
	switch strings.ToLower(format) {
	case "svg":
		cw = vgsvg.New(w, h)
	case "png":
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))}
	default:
		return fmt.Errorf("%w %q (want svg or png)", ErrFormat, format)
	}
	dc := draw.New(cw)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	m := vg.Points(14)
	p.Draw(draw.Crop(dc, m, -m, m, -m))
	_, err := cw.WriteTo(out)
	return err
}
