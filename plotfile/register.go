package plotfile

import (
	"fmt"
	"io"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/vecdb/vecdb/db"
)

// init registers Write with package db for .svg and .png, so that a blank
// import of this package makes PROJECT … TO 'x.png' and Projection.Save
// draw files.
func init() {
	db.RegisterPlotWriter(".svg", Write)
	db.RegisterPlotWriter(".png", Write)
}

// Write draws spec to w as SVG or PNG, by ext (".svg" or ".png", any case;
// others give ErrFormat): a ScatterPlot as Scatter draws it (8×6 inches by
// default), an AxisPlot as AxisPlot draws it (10×3.5 inches), PNG at 150
// DPI; another Kind gives ErrFormat. It is the db.PlotWriter this package
// registers; it is safe for concurrent use.
func Write(w io.Writer, ext string, spec *db.PlotSpec) error {
	format := strings.TrimPrefix(strings.ToLower(ext), ".")
	if format != "svg" && format != "png" {
		return fmt.Errorf("%w %q (want .svg or .png)", ErrFormat, ext)
	}
	opts := PlotOptions{
		Title:  spec.Title,
		XLabel: spec.XLabel,
		YLabel: spec.YLabel,
		Legend: spec.Legend,
		Width:  vg.Length(spec.Width) * vg.Inch,
		Height: vg.Length(spec.Height) * vg.Inch,
	}
	switch spec.Kind {
	case db.ScatterPlot:
		return encodeScatter(w, spec.Points, opts, format)
	case db.AxisPlot:
		keys := make([]string, len(spec.Points))
		pos := make([]float64, len(spec.Points))
		for i, p := range spec.Points {
			keys[i], pos[i] = p.Label, p.X
		}
		return encodeAxis(w, keys, pos, spec.Neg, spec.Pos, opts, format)
	}
	return fmt.Errorf("%w: plot kind %d", ErrFormat, spec.Kind)
}
