package db

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/vecdb/vecdb/analysis"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
)

// ProjectOptions configure Project. The zero value is a 2-D PCA without
// colours.
type ProjectOptions struct {
	// Method is "PCA" (the default when empty) or "TSNE", in any case.
	Method string
	// Dims is the number of output dimensions, 2 or 3; 0 means 2.
	Dims int
	// Seed seeds t-SNE's initial layout and the k-means of ColorBy
	// "cluster"; 0 means 1. PCA is deterministic.
	Seed int64
	// Perplexity is t-SNE's effective number of neighbours; 0 means 30,
	// lowered to (n−1)/3 for few keys.
	Perplexity float64
	// Iterations is the number of t-SNE gradient steps; 0 means 1000.
	Iterations int
	// ColorBy groups the points: the name of a metadata field (each
	// distinct value is a group, NULL included; groups of TEXT fields are
	// named by the value, others by field and value, as in "topic 3"),
	// or "cluster" to run
	// k-means with ColorK clusters on the projected keys. A metadata field
	// named "cluster" takes precedence over k-means.
	ColorBy string
	// ColorK is the number of clusters for ColorBy "cluster"; 0 means 5,
	// and it is lowered to the number of keys.
	ColorK int
	// Title is the plot's title; empty means one naming the method and
	// collection.
	Title string
	// Width and Height are the saved image's size in pixels of a PNG at
	// 150 DPI (an SVG gets the same size in inches); 0 means 1200×900.
	Width, Height int
	// Subwords lets keys that the collection does not store take vectors
	// built from their character n-grams, in a collection trained with
	// subwords (see View.WordVector); without it they are errors.
	Subwords bool
}

// Projection is the outcome of Project: Keys, Coords and Groups are
// parallel. A Projection is plain data; it is safe for concurrent reads.
type Projection struct {
	Keys []string
	// Coords holds Dims coordinates per key.
	Coords [][]float64
	// Groups holds each key's group when ColorBy was set, else nil.
	Groups []string
	// Explained holds the fraction of the variance along each principal
	// component (PCA only; nil for t-SNE).
	Explained []float64
	// Method is "PCA" or "TSNE".
	Method string
	// Title is the plot title.
	Title string

	width, height float64 // inches; 0 means the writer's default
}

// Project places keys of the named collection in 2 or 3 dimensions with
// PCA or t-SNE, computed on the vectors used for search (unit length for
// COSINE collections, as stored otherwise). Repeated keys are projected
// once. Every unknown key is reported at once in a *KeysNotFoundError.
// Other errors: ErrCollectionNotFound, ErrInvalid for no keys or a bad
// option, ErrFieldNotFound for an unknown ColorBy field, analysis.ErrTooMany
// for t-SNE on more than analysis.MaxTSNEPoints keys, and ctx.Err() when
// cancelled. Project is safe for concurrent use.
func (d *DB) Project(ctx context.Context, name string, keys []string, opts ProjectOptions) (*Projection, error) {
	v, err := d.viewOf(name)
	if err != nil {
		return nil, err
	}
	if opts.Subwords {
		v = v.withSubwords()
	}
	pos, err := v.positions(ctx, keys)
	if err != nil {
		return nil, err
	}
	return d.ProjectVectors(ctx, v, pos, opts)
}

// ProjectVectors is Project for keys already resolved to positions of v,
// such as the rows of a subquery run against v. Positions out of range give
// ErrInvalid; repeated positions are projected once.
func (d *DB) ProjectVectors(ctx context.Context, v *View, positions []int, opts ProjectOptions) (*Projection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pos, err := v.uniquePositions(positions)
	if err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	method := strings.ToUpper(opts.Method)
	switch method {
	case "":
		method = "PCA"
	case "PCA", "TSNE":
	default:
		return nil, fmt.Errorf("project: %w: method %q (want PCA or TSNE)", ErrInvalid, opts.Method)
	}
	dims := opts.Dims
	if dims == 0 {
		dims = 2
	}
	if dims != 2 && dims != 3 {
		return nil, fmt.Errorf("project: %w: dims must be 2 or 3, got %d", ErrInvalid, opts.Dims)
	}
	if dims > v.dim {
		return nil, fmt.Errorf("project: %w: %d dimensions of %d-dimensional vectors", ErrInvalid, dims, v.dim)
	}
	if opts.Perplexity < 0 || math.IsNaN(opts.Perplexity) || math.IsInf(opts.Perplexity, 0) {
		return nil, fmt.Errorf("project: %w: perplexity must be a positive number, got %g", ErrInvalid, opts.Perplexity)
	}
	if opts.Iterations < 0 || opts.ColorK < 0 || opts.Width < 0 || opts.Height < 0 {
		return nil, fmt.Errorf("project: %w: iterations, color k, width and height must be >= 0", ErrInvalid)
	}
	if opts.Width > maxPlotSide || opts.Height > maxPlotSide {
		return nil, fmt.Errorf("project: %w: width and height must be at most %d pixels, got %d×%d", ErrInvalid, maxPlotSide, opts.Width, opts.Height)
	}
	if opts.Iterations > maxTSNEIterations || opts.Perplexity > maxPerplexity {
		return nil, fmt.Errorf("project: %w: iterations must be at most %d and perplexity at most %d, got %d and %g", ErrInvalid, maxTSNEIterations, maxPerplexity, opts.Iterations, opts.Perplexity)
	}
	if method == "TSNE" {
		n := int64(len(pos))
		if err := d.checkMemory(fmt.Sprintf("t-SNE of %d points", n), 3*8*n*n); err != nil {
			return nil, fmt.Errorf("project: %w", err)
		}
	}
	if err := d.checkMemory(fmt.Sprintf("a %d×%d image", opts.Width, opts.Height), 8*int64(opts.Width)*int64(opts.Height)); err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	data := v.gather(pos)
	p := &Projection{Keys: make([]string, len(pos)), Coords: make([][]float64, len(pos)), Method: method}
	for i, q := range pos {
		p.Keys[i] = v.Key(q)
	}
	var flat []float32
	switch method {
	case "PCA":
		res, err := analysis.PCA(data, v.dim, dims)
		if err != nil {
			return nil, fmt.Errorf("project %s: %w", v.info.Name, err)
		}
		flat, p.Explained = res.Coords, res.Explained
	case "TSNE":
		flat, err = analysis.TSNE(ctx, data, v.dim, analysis.TSNEOptions{
			Perplexity: opts.Perplexity, Iterations: opts.Iterations, Seed: seed, Dims: dims})
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, fmt.Errorf("project %s: %w", v.info.Name, err)
		}
	}
	for i := range pos {
		row := make([]float64, dims)
		for t := range row {
			row[t] = float64(flat[i*dims+t])
		}
		p.Coords[i] = row
	}
	if opts.ColorBy != "" {
		if p.Groups, err = v.groups(ctx, pos, data, opts.ColorBy, opts.ColorK, seed); err != nil {
			return nil, err
		}
	}
	p.Title = opts.Title
	if p.Title == "" {
		p.Title = fmt.Sprintf("%s of %s (%d keys)", methodName(method), v.info.Name, len(pos))
	}
	if dims == 3 {
		p.Title += " — first 2 of 3 dimensions shown"
	}
	p.width, p.height = float64(opts.Width)/150, float64(opts.Height)/150
	return p, nil
}

func methodName(method string) string {
	if method == "TSNE" {
		return "t-SNE"
	}
	return method
}

// groups returns the group of each position for ColorBy: a metadata
// field's values, or k-means clusters of data.
func (v *View) groups(ctx context.Context, pos []int, data []float32, colorBy string, k int, seed int64) ([]string, error) {
	out := make([]string, len(pos))
	if fi := v.FieldIndex(colorBy); fi >= 0 {
		f := v.info.Fields[fi]
		for i, p := range pos {
			meta, err := v.Meta(p)
			if err != nil {
				return nil, fmt.Errorf("project: color by %s: %w", colorBy, err)
			}
			out[i] = metaText(meta[fi])
			if f.Type != Text || meta[fi] == nil {
				// A bare 3 or true says little in a legend; "topic 3" does.
				out[i] = f.Name + " " + out[i]
			}
		}
		return out, nil
	}
	if !strings.EqualFold(colorBy, "cluster") {
		names := make([]string, len(v.info.Fields))
		for i, f := range v.info.Fields {
			names[i] = f.Name
		}
		have := "it has no metadata fields"
		if len(names) > 0 {
			have = "its fields are " + strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("project: color by: %w: %s has no field %q (%s; or use cluster)", ErrFieldNotFound, v.info.Name, colorBy, have)
	}
	if k == 0 {
		k = 5
	}
	k = min(k, len(pos))
	km, err := analysis.KMeans(ctx, data, v.dim, k, analysis.KMeansOptions{Seed: seed, Spherical: v.metric == Cosine})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("project: color by cluster: %w", err)
	}
	for i, c := range km.Assign {
		out[i] = "cluster " + strconv.Itoa(c)
	}
	return out, nil
}

// metaText formats a metadata value as a group name.
func metaText(x any) string {
	switch x := x.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(x)
}

// points returns the first two coordinates of p as plot points.
func (p *Projection) points() []analysis.Point {
	pts := make([]analysis.Point, len(p.Keys))
	for i, k := range p.Keys {
		pts[i] = analysis.Point{Label: k}
		if c := p.Coords[i]; len(c) >= 2 {
			pts[i].X, pts[i].Y = c[0], c[1]
		}
		if p.Groups != nil {
			pts[i].Group = p.Groups[i]
		}
	}
	return pts
}

func (p *Projection) axisLabel(i int) string {
	if p.Method == "TSNE" {
		return fmt.Sprintf("t-SNE %d", i+1)
	}
	if i < len(p.Explained) {
		return fmt.Sprintf("PC%d (%.1f%%)", i+1, 100*p.Explained[i])
	}
	return fmt.Sprintf("PC%d", i+1)
}

// Save draws the projection as a labelled scatter plot of its first two
// coordinates to path, in the format of its extension, with a legend when
// Groups is set. Drawing is done by the PlotWriter registered for the
// extension (import _ "github.com/vecdb/vecdb/plotfile" registers .svg and
// .png); without one Save returns ErrNoPlotWriter, and for an extension no
// writer takes, ErrInvalid. A plot that fails to draw leaves no file. The
// path is used as given: callers serving untrusted queries resolve it
// through the database's sandbox first.
func (p *Projection) Save(path string) error {
	return saveFile(path, p.Write)
}

// Write draws the projection as Save does, to w; name's extension picks the
// format.
func (p *Projection) Write(w io.Writer, name string) error {
	if len(p.Keys) == 0 {
		return fmt.Errorf("save %s: %w: the projection is empty", name, ErrInvalid)
	}
	return writePlot(w, name, &PlotSpec{
		Kind:   ScatterPlot,
		Title:  p.Title,
		XLabel: p.axisLabel(0),
		YLabel: p.axisLabel(1),
		Points: p.points(),
		Legend: p.Groups != nil,
		Width:  p.width,
		Height: p.height,
	})
}

// saveFile draws with write into memory, then writes path: a failed
// drawing leaves no file behind.
func saveFile(path string, write func(w io.Writer, name string) error) error {
	var buf bytes.Buffer
	if err := write(&buf, path); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("save plot: %w", err)
	}
	return nil
}

// Terminal draws the projection's first two coordinates to w as a
// width×height-cell braille scatter plot (the shell's .plot), with ANSI
// colours per group when color is set; see analysis.TerminalPlot.
func (p *Projection) Terminal(w io.Writer, width, height int, color bool) error {
	return analysis.TerminalPlot(w, p.points(), width, height, color)
}

// AxisProjection is the outcome of ProjectOntoAxis: each key's position
// on an axis, parallel slices.
type AxisProjection struct {
	Keys []string
	// Positions holds the cosine of each key's vector with the axis, −1..1.
	Positions []float64
	// Neg and Pos name the axis's negative and positive poles (may be empty).
	Neg, Pos string
	// Title is the plot title.
	Title string
}

// ProjectOntoAxis places keys of the named collection on an axis, such as
// unit('he') − unit('she') evaluated by the caller: each position is the
// cosine between the key's vector and the axis, which is the bias
// measurement of Bolukbasi et al. as gensim users compute it (a key's unit
// vector dotted with the normalised direction). neg and pos name the poles
// for the plot. Repeated keys are placed once.
//
// Every unknown key is reported at once in a *KeysNotFoundError; an axis of
// the wrong length gives ErrDimension, and a zero or non-finite axis, or no
// keys, ErrInvalid. ProjectOntoAxis is safe for concurrent use.
func (d *DB) ProjectOntoAxis(ctx context.Context, name string, keys []string, axis []float32, neg, pos string) (*AxisProjection, error) {
	return d.projectOntoAxis(ctx, name, keys, axis, neg, pos, false)
}

// projectOntoAxis is ProjectOntoAxis; with subwords, keys that are not
// stored take vectors from their n-grams.
func (d *DB) projectOntoAxis(ctx context.Context, name string, keys []string, axis []float32, neg, pos string, subwords bool) (*AxisProjection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := d.viewOf(name)
	if err != nil {
		return nil, err
	}
	if subwords {
		v = v.withSubwords()
	}
	if len(axis) != v.dim {
		return nil, fmt.Errorf("projection: %w: the axis has %d values, %s has dimension %d", ErrDimension, len(axis), v.info.Name, v.dim)
	}
	for _, x := range axis {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("projection: %w: the axis has a NaN or infinite value", ErrInvalid)
		}
	}
	if vec.Norm(axis) == 0 {
		return nil, fmt.Errorf("projection: %w: the axis has zero length", ErrInvalid)
	}
	ps, err := v.positions(ctx, keys)
	if err != nil {
		return nil, err
	}
	if ps, err = v.uniquePositions(ps); err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	cos, err := analysis.ProjectOnto(v.gather(ps), v.dim, axis)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	ap := &AxisProjection{Keys: make([]string, len(ps)), Positions: cos, Neg: neg, Pos: pos}
	for i, p := range ps {
		ap.Keys[i] = v.Key(p)
	}
	ap.Title = "Projection onto the axis"
	if neg != "" && pos != "" {
		ap.Title = fmt.Sprintf("Projection onto %s − %s", pos, neg)
	}
	ap.Title += " (" + v.info.Name + ")"
	return ap, nil
}

// Save draws the keys along the axis between the two poles to path, in the
// format of its extension, through the registered PlotWriter as
// Projection.Save does. The path is used as given, as with Projection.Save.
func (a *AxisProjection) Save(path string) error {
	return saveFile(path, a.Write)
}

// Write draws the axis plot as Save does, to w; name's extension picks the
// format.
func (a *AxisProjection) Write(w io.Writer, name string) error {
	if len(a.Keys) == 0 {
		return fmt.Errorf("save %s: %w: the projection is empty", name, ErrInvalid)
	}
	if len(a.Positions) != len(a.Keys) {
		return fmt.Errorf("save %s: %w: %d keys, %d positions", name, ErrDimension, len(a.Keys), len(a.Positions))
	}
	pts := make([]analysis.Point, len(a.Keys))
	for i, k := range a.Keys {
		pts[i] = analysis.Point{Label: k, X: a.Positions[i]}
	}
	return writePlot(w, name, &PlotSpec{Kind: AxisPlot, Title: a.Title, Points: pts, Neg: a.Neg, Pos: a.Pos})
}

// viewOf returns the current view of the named collection.
func (d *DB) viewOf(name string) (*View, error) {
	c, err := d.Collection(name)
	if err != nil {
		return nil, err
	}
	return c.View()
}

// uniquePositions checks that positions are in range and drops repeats,
// keeping first occurrences. An empty list is ErrInvalid.
func (v *View) uniquePositions(positions []int) ([]int, error) {
	if len(positions) == 0 {
		return nil, invalidf("no keys")
	}
	seen := make(map[int]bool, len(positions))
	out := make([]int, 0, len(positions))
	for _, p := range positions {
		if p < 0 || p >= v.rows+v.built.len() {
			return nil, invalidf("position %d is outside %s's %d rows", p, v.info.Name, v.rows)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

var projectOptions = []optDef{
	{name: "dims", kind: optInt, min: 1, max: 3, def: "2", doc: "output dimensions (2 or 3)",
		set: bindInt(func(o *ProjectOptions) *int { return &o.Dims })},
	{name: "perplexity", kind: optFloat, min: 1, max: 1000, def: "30 (capped below a third of the points)", doc: "t-SNE's effective number of neighbours",
		set: bindFloat(func(o *ProjectOptions) *float64 { return &o.Perplexity })},
	{name: "iterations", kind: optInt, min: 1, max: 100000, def: "1000", doc: "t-SNE gradient steps",
		set: bindInt(func(o *ProjectOptions) *int { return &o.Iterations })},
	{name: "seed", kind: optInt, min: 0, def: "1", doc: "t-SNE's random start",
		set: bindInt64(func(o *ProjectOptions) *int64 { return &o.Seed })},
	{name: "width", kind: optInt, min: 100, max: 8192, def: "1200", doc: "image width in pixels (TO 'x.png')",
		set: bindInt(func(o *ProjectOptions) *int { return &o.Width })},
	{name: "height", kind: optInt, min: 100, max: 8192, def: "900", doc: "image height in pixels (TO 'x.png')",
		set: bindInt(func(o *ProjectOptions) *int { return &o.Height })},
	{name: "title", kind: optString, def: "the statement", doc: "the plot's title (TO 'x.png')",
		set: bindString(func(o *ProjectOptions) *string { return &o.Title })},
}

func (c *compiler) compileProject(s *query.Project) (Plan, error) {
	spec := ProjectSpec{ColorBy: s.ColorBy, To: s.To}
	var err error
	spec.Method, err = c.choice(s.Using, []string{"PCA", "TSNE"}, s.At("word projection method", s.Pos), "PROJECT")
	if err != nil {
		return nil, err
	}
	if spec.Options, err = c.options(s, s.With, projectOptions, "PROJECT"); err != nil {
		return nil, err
	}
	var inner Plan
	switch {
	case s.Query != nil:
		inner, err = c.compile(s.Query)
		if err != nil {
			return nil, err
		}
		np, ok := inner.(*nearestPlan)
		if !ok {
			if rp, ok2 := inner.(*rowsPlan); !ok2 || !containsFold(rp.cols, "key") {
				return nil, errorAt(s.Query.Position(), "PROJECT (SELECT ...) needs a query that returns keys")
			}
		}
		if np != nil {
			spec.Collection = np.src.Info().Name
		} else if sr, ok := s.Query.(*query.SelectRows); ok {
			spec.Collection = sr.From
		}
	default:
		if s.From == "" {
			return nil, errorAt(s.Pos, "PROJECT (keys) needs FROM collection")
		}
		src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
		if err != nil {
			return nil, err
		}
		names := keyStrings(s.Keys)
		if _, err := src.positions(c.ctx, names); err != nil {
			return nil, keysErr(err, s.Keys, s.Pos)
		}
		spec.Collection, spec.Keys, spec.Subwords = s.From, names, src.built != nil
	}
	if s.Onto != nil {
		src, err := c.source(spec.Collection, s.NameAt(spec.Collection, s.Pos))
		if err != nil {
			return nil, err
		}
		if spec.Axis, err = c.axis(src, s.Onto); err != nil {
			return nil, err
		}
		spec.Subwords = spec.Subwords || src.built != nil
		var neg, pos []string
		for _, t := range terms(s.Onto) {
			if k, ok := t.Factor.(*query.VKey); ok {
				if t.Sign*t.Weight < 0 {
					neg = append(neg, k.Key)
				} else {
					pos = append(pos, k.Key)
				}
			}
		}
		spec.AxisNeg, spec.AxisPos = strings.Join(neg, " + "), strings.Join(pos, " + ")
	} else if spec.Method == "" {
		spec.Method = "PCA"
	}
	desc := fmt.Sprintf("PROJECT %s of %s%s", spec.Method, query.QuoteIdent(spec.Collection), optionsText(spec.Options))
	if s.To != "" {
		desc += " TO " + query.QuoteString(s.To)
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		if inner != nil {
			res, err := inner.Run(ctx, d)
			if err != nil {
				return nil, err
			}
			ki := -1
			for i, col := range res.Columns {
				if col == "key" {
					ki = i
				}
			}
			for _, r := range res.Rows {
				if k, ok := r[ki].(string); ok {
					spec.Keys = append(spec.Keys, k)
				}
			}
		}
		return d.execProject(ctx, spec)
	}}, nil
}

// ProjectSpec is a compiled PROJECT: either Keys of Collection, or the
// rows of a query (Query, already run into Keys with its collection).
type ProjectSpec struct {
	Collection string
	Keys       []string
	Method     string // PCA or TSNE; "" with Axis
	Axis       []float32
	AxisNeg    string // names of the axis's poles for a plot: the
	AxisPos    string // keys subtracted and added in ONTO ("" when none)
	ColorBy    string
	To         string
	Options    map[string]any
	Subwords   bool // keys not stored get vectors from n-grams
}

func (d *DB) execProject(ctx context.Context, s ProjectSpec) (*Result, error) {
	if s.Axis != nil {
		return d.execProjectOnto(ctx, s)
	}
	opts := ProjectOptions{Method: s.Method, ColorBy: s.ColorBy, Subwords: s.Subwords}
	if err := bindOptions(projectOptions, s.Options, &opts); err != nil {
		return nil, err
	}
	p, err := d.Project(ctx, s.Collection, s.Keys, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"key"}}
	dims := 0
	if len(p.Coords) > 0 {
		dims = len(p.Coords[0])
	}
	for i := 0; i < dims; i++ {
		res.Columns = append(res.Columns, string(rune('x'+i)))
	}
	if p.Groups != nil {
		res.Columns = append(res.Columns, "group")
	}
	for i, k := range p.Keys {
		row := []any{k}
		for _, c := range p.Coords[i] {
			row = append(row, c)
		}
		if p.Groups != nil {
			row = append(row, p.Groups[i])
		}
		res.Rows = append(res.Rows, row)
	}
	if s.To != "" {
		if err := d.writeOutput(s.To, func(w io.Writer) error { return p.Write(w, s.To) }); err != nil {
			return nil, err
		}
		res.Message = fmt.Sprintf("wrote %s (%s of %d keys)", s.To, p.Method, len(p.Keys))
	}
	return res, nil
}

// projectOnto is PROJECT (keys) ONTO axis: each key's cosine with the axis.
func (d *DB) execProjectOnto(ctx context.Context, s ProjectSpec) (*Result, error) {
	a, err := d.projectOntoAxis(ctx, s.Collection, s.Keys, s.Axis, s.AxisNeg, s.AxisPos, s.Subwords)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"key", "projection"}}
	for i, k := range a.Keys {
		res.Rows = append(res.Rows, []any{k, a.Positions[i]})
	}
	if s.To != "" {
		if err := d.writeOutput(s.To, func(w io.Writer) error { return a.Write(w, s.To) }); err != nil {
			return nil, err
		}
		res.Message = fmt.Sprintf("wrote %s (%d keys on the axis)", s.To, len(a.Keys))
	}
	return res, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileProject, true, nil)
}
