package plotfile

import "errors"

// ErrFormat is returned by SavePlot, EncodePlot, SaveAxisPlot,
// EncodeAxisPlot, WritePlot and Write for an image format other than SVG or
// PNG. Empty or mismatched input gives analysis.ErrEmpty and
// analysis.ErrDimension, wrapped.
var ErrFormat = errors.New("plotfile: unsupported image format")
