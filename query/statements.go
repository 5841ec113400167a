package query

import (
	"strconv"
	"strings"
)

// This file holds the exported statement nodes. Each prints canonical
// syntax: keywords in upper case, clauses in the order of SPEC §4, options
// sorted by name, and no trailing semicolon.

// SelectNearest is SELECT NEAREST k TO vexpr FROM c ... (SPEC §4). Exactly
// one of Target and Each is set. K is 0 when All is set (NEAREST ALL, which
// needs a WHERE on similarity or distance; the planner checks that).
type SelectNearest struct {
	Marked
	Pos            Position
	K              int
	KParam         *Param `vq:"k,1"` // NEAREST ? TO ...: K is set by Bind
	All            bool
	Target         VExpr
	Each           []*VKey // TO EACH ('a', 'b'): one search per key
	From           string
	Among          []*VKey // AMONG ('x', 'y'): rank only these keys
	Where          Cond
	WithinTop      int    // WITHIN TOP n: only the n most frequent keys; 0 = all
	WithinTopParam *Param `vq:"WITHIN TOP,1"`
	Using          string // "", "COSMUL" or "EXACT"
	With           Options
	IncludeInputs  bool
	Offset         int
	OffsetParam    *Param `vq:"OFFSET,0"`
	Returning      []string
}

// Analogy is SELECT ANALOGY 'a' : 'b' :: 'c' : ? FROM c: the keys that are
// to C what B is to A.
type Analogy struct {
	Marked
	Pos            Position
	A, B, C        *VKey
	From           string
	Where          Cond
	WithinTop      int
	WithinTopParam *Param `vq:"WITHIN TOP,1"`
	Using          string // "", "COSMUL" or "EXACT"
	Limit          int    // 0 = default
	LimitParam     *Param `vq:"LIMIT,1"`
}

// Similarity is SELECT SIMILARITY(..)[, DISTANCE(..), RANK(..)] FROM c: one
// row with one column per function.
type Similarity struct {
	Marked
	Pos   Position
	Funcs []SimFunc
	From  string
}

// SimFunc is one of SIMILARITY, DISTANCE or RANK applied to two arguments.
// An argument is one key, or a parenthesised set of keys (ASet/BSet) whose
// mean is used, as gensim's n_similarity does.
type SimFunc struct {
	Pos        Position
	Name       string // "SIMILARITY", "DISTANCE" or "RANK"
	A, B       []*VKey
	ASet, BSet bool
}

// OddOneOut is SELECT ODD_ONE_OUT('a', 'b', ...) FROM c.
type OddOneOut struct {
	Marked
	Pos  Position
	Keys []*VKey
	From string
}

// ProjectionQuery is SELECT PROJECTION('k') ONTO vexpr FROM c: the scalar
// position of a key on an axis.
type ProjectionQuery struct {
	Marked
	Pos  Position
	Key  *VKey
	Onto VExpr
	From string
}

// SelectRows is SELECT col, ... FROM c [WHERE] [ORDER BY] [LIMIT] [OFFSET].
type SelectRows struct {
	Marked
	Pos         Position
	Columns     []Column
	From        string
	Where       Cond
	OrderBy     string // "" when absent
	Desc        bool
	Limit       int    // -1 when absent
	LimitParam  *Param `vq:"LIMIT,0"`
	Offset      int
	OffsetParam *Param `vq:"OFFSET,0"`
}

// Column is one result column of SelectRows: *, a field (key, count,
// vector or metadata), or PROJECTION(field) ONTO vexpr, with an optional alias.
type Column struct {
	Pos        Position
	Star       bool
	Name       string
	Projection *ColumnProjection
	Alias      string
}

// ColumnProjection is PROJECTION(Of) ONTO Onto as a column.
type ColumnProjection struct {
	Of   string
	Onto VExpr
}

// Project is PROJECT (keys) FROM c or PROJECT (SELECT ...): a 2-D or 3-D
// projection, written as a plot To a file or returned as rows. Exactly one of
// Keys and Query is set. Onto projects on an axis instead of PCA/TSNE.
type Project struct {
	Marked
	Pos     Position
	Keys    []*VKey
	Query   Statement // a SELECT statement
	From    string
	Using   string // "", "PCA" or "TSNE"
	Onto    VExpr
	With    Options
	ColorBy string
	To      string
	ToParam *Param `vq:"the file path"`
}

// Cluster is CLUSTER c INTO k [WHERE cond] [WITH (...)].
type Cluster struct {
	Marked
	Pos        Position
	Collection string
	K          int
	KParam     *Param `vq:"the number of clusters,1"`
	Where      Cond
	With       Options
}

// Recommend is RECOMMEND k FROM c FOR (items...): nearest to the mean of a
// history; the history is excluded from the result.
type Recommend struct {
	Marked
	Pos    Position
	K      int
	KParam *Param `vq:"k,1"`
	From   string
	For    []VExpr
	Where  Cond
	With   Options
}

// CreateCollection is CREATE COLLECTION [IF NOT EXISTS] c (DIM n, ...).
type CreateCollection struct {
	Marked
	Pos         Position
	Name        string
	IfNotExists bool
	Dim         int
	Metric      string // "" (COSINE), "COSINE", "DOT" or "L2"
	Fields      []FieldDef
}

// FieldDef declares a metadata field: name TEXT|INT|FLOAT|BOOL.
type FieldDef struct {
	Pos  Position
	Name string
	Type string // "TEXT", "INT", "FLOAT" or "BOOL"
}

// CreateUsers is CREATE COLLECTION users FROM SEQUENCES OF items FROM 'path':
// one vector per line of the file (first token the user key, the rest item
// keys), the mean of the items' vectors.
type CreateUsers struct {
	Marked
	Pos       Position
	Name      string
	Items     string
	Path      string
	PathParam *Param `vq:"the file path"`
	With      Options
}

// DropCollection is DROP COLLECTION [IF EXISTS] c.
type DropCollection struct {
	Marked
	Pos      Position
	Name     string
	IfExists bool
}

// Insert is INSERT|UPSERT|INSERT OR REPLACE INTO c (cols) VALUES (...), ....
// Each row has one value per column, as written (the converter checks the
// counts). UPSERT updates an existing row's vector and the columns it
// names, keeping the others; INSERT OR REPLACE replaces the whole row.
type Insert struct {
	Marked
	Pos     Position
	Upsert  bool
	Replace bool // INSERT OR REPLACE
	Into    string
	Columns []string
	Rows    [][]Literal
}

// Update is UPDATE c SET field = literal, ... [WHERE cond].
type Update struct {
	Marked
	Pos        Position
	Collection string
	Set        []Assignment
	Where      Cond
}

// Assignment is field = value in UPDATE.
type Assignment struct {
	Pos   Position
	Field string
	Value Literal
}

// Delete is DELETE FROM c [WHERE cond].
type Delete struct {
	Marked
	Pos   Position
	From  string
	Where Cond
}

// CreateIndex is CREATE INDEX ON c [USING HNSW] [WITH (...)].
type CreateIndex struct {
	Marked
	Pos   Position
	On    string
	Using string // "" (HNSW) or "HNSW"
	With  Options
}

// DropIndex is DROP INDEX ON c.
type DropIndex struct {
	Marked
	Pos Position
	On  string
}

// Import is IMPORT INTO c FROM ['path' | CATALOG 'name'] [FORMAT f [BINARY]].
type Import struct {
	Marked
	Pos       Position
	Into      string
	Path      string // a file path, or a catalog name when Catalog is set
	PathParam *Param `vq:"the file path"`
	Catalog   bool
	Format    string // "" (sniff), "GLOVE", "WORD2VEC", "FASTTEXT", "CSV", "JSONL" or "PARQUET"
	Binary    bool   // FORMAT WORD2VEC BINARY, FORMAT FASTTEXT BINARY (a fastText model)
	With      Options
}

// ImportMetadata is IMPORT METADATA INTO c FROM 'path' [FORMAT PARQUET]
// [WITH (...)].
type ImportMetadata struct {
	Marked
	Pos       Position
	Into      string
	Path      string
	PathParam *Param `vq:"the file path"`
	Format    string // "" (text, or Parquet by its magic bytes) or "PARQUET"
	With      Options
}

// Export is EXPORT c TO 'path' [FORMAT f [BINARY]] [WITH (...)].
type Export struct {
	Marked
	Pos        Position
	Collection string
	Path       string
	PathParam  *Param `vq:"the file path"`
	Format     string
	Binary     bool
	With       Options
}

// Train is TRAIN c FROM 'path' [USING SKIPGRAM|CBOW] [WITH (...)].
type Train struct {
	Marked
	Pos        Position
	Collection string
	Path       string
	PathParam  *Param `vq:"the file path"`
	Using      string // "", "SKIPGRAM" or "CBOW"
	With       Options
}

// Evaluate is EVALUATE ANALOGIES|PAIRS|RECOMMEND c FROM 'path' [WITH (...)].
type Evaluate struct {
	Marked
	Pos        Position
	Kind       string // "ANALOGIES", "PAIRS" or "RECOMMEND"
	Collection string
	Path       string
	PathParam  *Param `vq:"the file path"`
	With       Options
}

// ShowCollections is SHOW COLLECTIONS.
type ShowCollections struct{ Pos Position }

// ShowSettings is SHOW SETTINGS (every setting of SET, Name "") or SHOW
// name (one of them; Name lower-cased).
type ShowSettings struct {
	Marked
	Pos  Position
	Name string
}

// SelectCount is SELECT COUNT(*) FROM c [WHERE cond]: one row, one column
// count.
type SelectCount struct {
	Marked
	Pos   Position
	From  string
	Where Cond
}

// Describe is DESCRIBE c.
type Describe struct {
	Marked
	Pos        Position
	Collection string
}

// ShowStats is SHOW STATS c.
type ShowStats struct {
	Marked
	Pos        Position
	Collection string
}

// Explain is EXPLAIN stmt.
type Explain struct {
	Marked
	Pos  Position
	Stmt Statement
}

// Set is SET name = value (a session setting; Name is lower case).
type Set struct {
	Marked
	Pos   Position
	Name  string
	Value Literal
}

// Check is CHECK c: an integrity check of a collection and its index.
type Check struct {
	Marked
	Pos        Position
	Collection string
}

func (*SelectNearest) stmt()    {}
func (*Analogy) stmt()          {}
func (*Similarity) stmt()       {}
func (*OddOneOut) stmt()        {}
func (*ProjectionQuery) stmt()  {}
func (*SelectRows) stmt()       {}
func (*Project) stmt()          {}
func (*Cluster) stmt()          {}
func (*Recommend) stmt()        {}
func (*CreateCollection) stmt() {}
func (*CreateUsers) stmt()      {}
func (*DropCollection) stmt()   {}
func (*Insert) stmt()           {}
func (*Update) stmt()           {}
func (*Delete) stmt()           {}
func (*CreateIndex) stmt()      {}
func (*DropIndex) stmt()        {}
func (*Import) stmt()           {}
func (*ImportMetadata) stmt()   {}
func (*Export) stmt()           {}
func (*Train) stmt()            {}
func (*Evaluate) stmt()         {}
func (*ShowCollections) stmt()  {}
func (*Describe) stmt()         {}
func (*ShowStats) stmt()        {}
func (*ShowSettings) stmt()     {}
func (*SelectCount) stmt()      {}
func (*Explain) stmt()          {}
func (*Set) stmt()              {}
func (*Check) stmt()            {}

// Position returns the position of the statement's first token.
func (s *SelectNearest) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Analogy) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Similarity) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *OddOneOut) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *ProjectionQuery) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *SelectRows) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Project) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Cluster) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Recommend) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *CreateCollection) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *CreateUsers) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *DropCollection) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Insert) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Update) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Delete) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *CreateIndex) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *DropIndex) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Import) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *ImportMetadata) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Export) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Train) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Evaluate) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *ShowCollections) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Describe) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *ShowStats) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *ShowSettings) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *SelectCount) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Explain) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Set) Position() Position { return s.Pos }

// Position returns the position of the statement's first token.
func (s *Check) Position() Position { return s.Pos }

func itoa(n int) string { return strconv.Itoa(n) }

func opt(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

func clause(kw, val string) string {
	if val == "" {
		return ""
	}
	return " " + kw + " " + val
}

// pathString prints a quoted path, or its placeholder when it has one.
func pathString(path string, p *Param) string {
	if p != nil {
		return p.String()
	}
	return QuoteString(path)
}

// countString prints a count, or its placeholder when it has one.
func countString(n int, p *Param) string {
	if p != nil {
		return p.String()
	}
	return itoa(n)
}

func formatClauseString(format string, binary bool) string {
	return clause("FORMAT", format) + opt(binary, " BINARY")
}

func (s *SelectNearest) String() string {
	var b strings.Builder
	b.WriteString("SELECT NEAREST ")
	if s.All {
		b.WriteString("ALL")
	} else {
		b.WriteString(countString(s.K, s.KParam))
	}
	b.WriteString(" TO ")
	if s.Each != nil {
		b.WriteString("EACH (" + joinKeys(s.Each) + ")")
	} else if s.Target != nil {
		b.WriteString(s.Target.String())
	}
	b.WriteString(" FROM " + QuoteIdent(s.From))
	if s.Among != nil {
		b.WriteString(" AMONG (" + joinKeys(s.Among) + ")")
	}
	b.WriteString(whereString(s.Where))
	if s.WithinTop > 0 || s.WithinTopParam != nil {
		b.WriteString(" WITHIN TOP " + countString(s.WithinTop, s.WithinTopParam))
	}
	b.WriteString(clause("USING", s.Using))
	b.WriteString(s.With.String())
	b.WriteString(opt(s.IncludeInputs, " INCLUDE INPUTS"))
	if s.Offset > 0 || s.OffsetParam != nil {
		b.WriteString(" OFFSET " + countString(s.Offset, s.OffsetParam))
	}
	if s.Returning != nil {
		b.WriteString(" RETURNING " + joinIdents(s.Returning))
	}
	return b.String()
}

func (s *Analogy) String() string {
	out := "SELECT ANALOGY " + s.A.String() + " : " + s.B.String() + " :: " + s.C.String() +
		" : ? FROM " + QuoteIdent(s.From) + whereString(s.Where)
	if s.WithinTop > 0 || s.WithinTopParam != nil {
		out += " WITHIN TOP " + countString(s.WithinTop, s.WithinTopParam)
	}
	out += clause("USING", s.Using)
	if s.Limit > 0 || s.LimitParam != nil {
		out += " LIMIT " + countString(s.Limit, s.LimitParam)
	}
	return out
}

func simArgString(keys []*VKey, set bool) string {
	if set {
		return "(" + joinKeys(keys) + ")"
	}
	return joinKeys(keys)
}

func (f SimFunc) String() string {
	return f.Name + "(" + simArgString(f.A, f.ASet) + ", " + simArgString(f.B, f.BSet) + ")"
}

func (s *Similarity) String() string {
	fs := make([]string, len(s.Funcs))
	for i, f := range s.Funcs {
		fs[i] = f.String()
	}
	return "SELECT " + strings.Join(fs, ", ") + " FROM " + QuoteIdent(s.From)
}

func (s *OddOneOut) String() string {
	return "SELECT ODD_ONE_OUT(" + joinKeys(s.Keys) + ") FROM " + QuoteIdent(s.From)
}

func (s *ProjectionQuery) String() string {
	return "SELECT PROJECTION(" + s.Key.String() + ") ONTO " + s.Onto.String() + " FROM " + QuoteIdent(s.From)
}

func (c Column) String() string {
	var s string
	switch {
	case c.Star:
		return "*"
	case c.Projection != nil:
		s = "PROJECTION(" + QuoteIdent(c.Projection.Of) + ") ONTO " + c.Projection.Onto.String()
	default:
		s = QuoteIdent(c.Name)
	}
	return s + clause("AS", quoteAlias(c.Alias))
}

func quoteAlias(a string) string {
	if a == "" {
		return ""
	}
	return QuoteIdent(a)
}

func (s *SelectRows) String() string {
	cs := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		cs[i] = c.String()
	}
	out := "SELECT " + strings.Join(cs, ", ") + " FROM " + QuoteIdent(s.From) + whereString(s.Where)
	if s.OrderBy != "" {
		out += " ORDER BY " + QuoteIdent(s.OrderBy) + opt(s.Desc, " DESC")
	}
	if s.Limit >= 0 || s.LimitParam != nil {
		out += " LIMIT " + countString(s.Limit, s.LimitParam)
	}
	if s.Offset > 0 || s.OffsetParam != nil {
		out += " OFFSET " + countString(s.Offset, s.OffsetParam)
	}
	return out
}

func (s *Project) String() string {
	out := "PROJECT ("
	if s.Query != nil {
		out += s.Query.String()
	} else {
		out += joinKeys(s.Keys)
	}
	out += ")"
	if s.From != "" {
		out += " FROM " + QuoteIdent(s.From)
	}
	out += clause("USING", s.Using)
	if s.Onto != nil {
		out += " ONTO " + s.Onto.String()
	}
	out += s.With.String()
	if s.ColorBy != "" {
		out += " COLOR BY " + QuoteIdent(s.ColorBy)
	}
	if s.To != "" || s.ToParam != nil {
		out += " TO " + pathString(s.To, s.ToParam)
	}
	return out
}

func (s *Cluster) String() string {
	return "CLUSTER " + QuoteIdent(s.Collection) + " INTO " + countString(s.K, s.KParam) + whereString(s.Where) + s.With.String()
}

func (s *Recommend) String() string {
	return "RECOMMEND " + countString(s.K, s.KParam) + " FROM " + QuoteIdent(s.From) + " FOR (" + joinVExprs(s.For) + ")" +
		whereString(s.Where) + s.With.String()
}

func (s *CreateCollection) String() string {
	defs := []string{"DIM " + itoa(s.Dim)}
	if s.Metric != "" {
		defs = append(defs, "METRIC "+s.Metric)
	}
	for _, f := range s.Fields {
		defs = append(defs, QuoteIdent(f.Name)+" "+f.Type)
	}
	return "CREATE COLLECTION " + opt(s.IfNotExists, "IF NOT EXISTS ") + QuoteIdent(s.Name) +
		" (" + strings.Join(defs, ", ") + ")"
}

func (s *CreateUsers) String() string {
	return "CREATE COLLECTION " + QuoteIdent(s.Name) + " FROM SEQUENCES OF " + QuoteIdent(s.Items) +
		" FROM " + pathString(s.Path, s.PathParam) + s.With.String()
}

func (s *DropCollection) String() string {
	return "DROP COLLECTION " + opt(s.IfExists, "IF EXISTS ") + QuoteIdent(s.Name)
}

func (s *Insert) String() string {
	verb := "INSERT"
	switch {
	case s.Upsert:
		verb = "UPSERT"
	case s.Replace:
		verb = "INSERT OR REPLACE"
	}
	rows := make([]string, len(s.Rows))
	for i, r := range s.Rows {
		vs := make([]string, len(r))
		for j, v := range r {
			vs[j] = v.String()
		}
		rows[i] = "(" + strings.Join(vs, ", ") + ")"
	}
	return verb + " INTO " + QuoteIdent(s.Into) + " (" + joinIdents(s.Columns) + ") VALUES " + strings.Join(rows, ", ")
}

func (s *Update) String() string {
	as := make([]string, len(s.Set))
	for i, a := range s.Set {
		as[i] = quoteOptName(a.Field) + " = " + a.Value.String()
	}
	return "UPDATE " + QuoteIdent(s.Collection) + " SET " + strings.Join(as, ", ") + whereString(s.Where)
}

func (s *Delete) String() string { return "DELETE FROM " + QuoteIdent(s.From) + whereString(s.Where) }

func (s *CreateIndex) String() string {
	return "CREATE INDEX ON " + QuoteIdent(s.On) + clause("USING", s.Using) + s.With.String()
}

func (s *DropIndex) String() string { return "DROP INDEX ON " + QuoteIdent(s.On) }

func (s *Import) String() string {
	return "IMPORT INTO " + QuoteIdent(s.Into) + " FROM " + opt(s.Catalog, "CATALOG ") + pathString(s.Path, s.PathParam) +
		formatClauseString(s.Format, s.Binary) + s.With.String()
}

func (s *ImportMetadata) String() string {
	return "IMPORT METADATA INTO " + QuoteIdent(s.Into) + " FROM " + pathString(s.Path, s.PathParam) +
		formatClauseString(s.Format, false) + s.With.String()
}

func (s *Export) String() string {
	return "EXPORT " + QuoteIdent(s.Collection) + " TO " + pathString(s.Path, s.PathParam) +
		formatClauseString(s.Format, s.Binary) + s.With.String()
}

func (s *Train) String() string {
	return "TRAIN " + QuoteIdent(s.Collection) + " FROM " + pathString(s.Path, s.PathParam) + clause("USING", s.Using) + s.With.String()
}

func (s *Evaluate) String() string {
	return "EVALUATE " + s.Kind + " " + QuoteIdent(s.Collection) + " FROM " + pathString(s.Path, s.PathParam) + s.With.String()
}

func (s *ShowCollections) String() string { return "SHOW COLLECTIONS" }

func (s *Describe) String() string { return "DESCRIBE " + QuoteIdent(s.Collection) }

func (s *ShowStats) String() string { return "SHOW STATS " + QuoteIdent(s.Collection) }

func (s *ShowSettings) String() string {
	if s.Name == "" {
		return "SHOW SETTINGS"
	}
	return "SHOW " + QuoteIdent(s.Name)
}

func (s *SelectCount) String() string {
	return "SELECT COUNT(*) FROM " + QuoteIdent(s.From) + whereString(s.Where)
}

func (s *Explain) String() string { return "EXPLAIN " + s.Stmt.String() }

func (s *Set) String() string { return "SET " + quoteOptName(s.Name) + " = " + s.Value.String() }

func (s *Check) String() string { return "CHECK " + QuoteIdent(s.Collection) }

// Vacuum is VACUUM [INTO 'path']: compact the database file in place, or
// into a new file.
type Vacuum struct {
	Marked
	Pos       Position
	Into      string // "" compacts in place
	IntoParam *Param `vq:"the file path"`
}

func (*Vacuum) stmt()                {}
func (s *Vacuum) Position() Position { return s.Pos }
func (s *Vacuum) String() string {
	if s.Into == "" && s.IntoParam == nil {
		return "VACUUM"
	}
	return "VACUUM INTO " + pathString(s.Into, s.IntoParam)
}

// Backup is BACKUP TO 'path': a consistent copy of the live database.
type Backup struct {
	Marked
	Pos     Position
	To      string
	ToParam *Param `vq:"the file path"`
}

func (*Backup) stmt()                {}
func (s *Backup) Position() Position { return s.Pos }
func (s *Backup) String() string     { return "BACKUP TO " + pathString(s.To, s.ToParam) }
