package db

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/vecdb/vecdb/analysis"
)

// plotfileImport is the package that registers the .svg and .png plot
// writers; ErrNoPlotWriter names it.
const plotfileImport = "github.com/vecdb/vecdb/plotfile"

// PlotKind says what a PlotSpec draws.
type PlotKind int

const (
	// ScatterPlot draws each point at (X, Y) with its label, one colour
	// (then mark shape) per Group, and a legend of the groups when Legend
	// is set.
	ScatterPlot PlotKind = iota
	// AxisPlot lays the points along a horizontal axis at X, between the
	// poles Neg (left) and Pos (right); Y and Group are unused.
	AxisPlot
)

// PlotSpec is a plot as plain data: what db hands a PlotWriter to draw. It
// holds no drawing types, so that package db links no drawing code.
type PlotSpec struct {
	Kind                  PlotKind
	Title, XLabel, YLabel string
	Points                []analysis.Point
	// Legend asks for a legend of the groups (ScatterPlot).
	Legend bool
	// Neg and Pos name the poles of an AxisPlot; either may be empty.
	Neg, Pos string
	// Width and Height are the image size in inches (a PNG has 150 pixels
	// per inch); 0 means the writer's default.
	Width, Height float64
}

// PlotWriter draws spec to w in the image format of ext, a lower-case file
// extension with its dot (".png").
type PlotWriter func(w io.Writer, ext string, spec *PlotSpec) error

// plotWriters maps a lower-case extension to its writer.
var plotWriters struct {
	sync.RWMutex
	m map[string]PlotWriter
}

// RegisterPlotWriter makes fn draw the plots of PROJECT … TO, Projection.Save
// and Write and AxisProjection.Save and Write to files whose extension is ext
// (".svg"; the case of ext and of file names does not matter). Package db
// links no drawing code: as with image.RegisterFormat, a drawing package
// registers its writers in its init function, and a program that wants
// plots imports it for that effect alone:
//
//	import _ "github.com/vecdb/vecdb/plotfile" // .svg and .png plots
//
// A later registration of the same extension replaces the earlier one; a
// nil fn removes it. RegisterPlotWriter is safe for concurrent use.
func RegisterPlotWriter(ext string, fn PlotWriter) {
	ext = strings.ToLower(ext)
	if !strings.HasPrefix(ext, ".") {
		ext = "." + ext
	}
	plotWriters.Lock()
	defer plotWriters.Unlock()
	if fn == nil {
		delete(plotWriters.m, ext)
		return
	}
	if plotWriters.m == nil {
		plotWriters.m = map[string]PlotWriter{}
	}
	plotWriters.m[ext] = fn
}

// plotWriterFor returns the writer registered for ext, or nil and the
// sorted extensions that have one.
func plotWriterFor(ext string) (PlotWriter, []string) {
	plotWriters.RLock()
	defer plotWriters.RUnlock()
	if fn := plotWriters.m[ext]; fn != nil {
		return fn, nil
	}
	exts := make([]string, 0, len(plotWriters.m))
	for e := range plotWriters.m {
		exts = append(exts, e)
	}
	slices.Sort(exts)
	return nil, exts
}

// writePlot draws spec to w with the writer registered for name's
// extension. With no writer registered at all it returns ErrNoPlotWriter;
// with none for this extension, ErrInvalid naming the ones there are.
func writePlot(w io.Writer, name string, spec *PlotSpec) error {
	ext := strings.ToLower(filepath.Ext(name))
	fn, exts := plotWriterFor(ext)
	if fn == nil {
		if len(exts) == 0 {
			return fmt.Errorf("save %s: %w", name, ErrNoPlotWriter)
		}
		return fmt.Errorf("save %s: %w: unsupported plot format %q (want %s)", name, ErrInvalid, ext, strings.Join(exts, " or "))
	}
	if err := fn(w, ext, spec); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	return nil
}
