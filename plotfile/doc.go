// Package plotfile draws vecdb's plots to SVG and PNG files with
// gonum/plot. It is kept out of package db so that a program that imports
// only db links no plotting, font, LaTeX or PDF code; a program that wants
// PROJECT … TO 'x.png' (and Projection.Save) imports it for its effect, as
// image/png is imported:
//
//	import _ "github.com/vecdb/vecdb/plotfile"
//
// The vecdb command does so. Without it those statements fail with
// db.ErrNoPlotWriter.
//
// # Registration
//
// init registers Write with db.RegisterPlotWriter for ".svg" and ".png".
// db hands Write a db.PlotSpec: plain data (title, axis labels, points,
// groups, size in inches) with no drawing types in it.
//
// # Plots
//
// Scatter builds a gonum/plot plot with one colour per group (ten
// colours, then cycling mark shapes), a legend beside the data and labels
// placed greedily at eight positions around each point, then further out
// with a leader line, so labels do not collide; every point is labelled when
// there are at most 60. AxisPlot lays keys along a horizontal axis between
// two named poles. SavePlot and SaveAxisPlot write SVG or PNG by file
// extension; EncodePlot, EncodeAxisPlot and WritePlot write to an
// io.Writer. The points are analysis.Point values, which the terminal
// plot (analysis.TerminalPlot) takes too.
//
// # Concurrency
//
// All functions are safe for concurrent use; the registration in init is
// guarded by db's lock.
package plotfile
