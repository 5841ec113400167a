package query

import (
	"fmt"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// This file holds the participle grammar: unexported structs whose keyed
// parser tags spell the syntax of SPEC §2–§4. They are converted into the
// exported AST (ast.go) by convert.go; nothing outside this package sees them.
//
// Conventions: every struct starts with Pos, filled in by participle with the
// position of its first token; strings and quoted identifiers keep their
// quotes here and are unquoted by the converter (participle.Unquote follows
// Go's rules, where 'abc' is a rune literal, so it does not fit SQL strings);
// numbers are kept as text and checked by the converter so that "12abc" is a
// "bad number" with a position rather than a lexer failure.

// script is the root: statements separated by semicolons, with an optional
// semicolon after the last one.
type script struct {
	Pos   lexer.Position
	Stmts []*statement `parser:"';'* ( @@ ( ';'+ @@? )* )?"`
}

type statement struct {
	Pos      lexer.Position
	Explain  *statement     `parser:"  'EXPLAIN' @@"`
	Select   *selectStmt    `parser:"| @@"`
	Count    *countStmt     `parser:"| @@"`
	Project  *projectStmt   `parser:"| @@"`
	Cluster  *clusterStmt   `parser:"| @@"`
	Rec      *recommendStmt `parser:"| @@"`
	Create   *createStmt    `parser:"| @@"`
	Drop     *dropStmt      `parser:"| @@"`
	Insert   *insertStmt    `parser:"| @@"`
	Update   *updateStmt    `parser:"| @@"`
	Delete   *deleteStmt    `parser:"| @@"`
	Import   *importStmt    `parser:"| @@"`
	Export   *exportStmt    `parser:"| @@"`
	Train    *trainStmt     `parser:"| @@"`
	Evaluate *evaluateStmt  `parser:"| @@"`
	Show     *showStmt      `parser:"| @@"`
	Describe *ident         `parser:"| 'DESCRIBE' @@"`
	Check    *ident         `parser:"| 'CHECK' @@"`
	Set      *option        `parser:"| 'SET' @@"`
	Vacuum   *vacuumStmt    `parser:"| @@"`
	Backup   *backupStmt    `parser:"| @@"`
}

// VACUUM [INTO 'path'].
type vacuumStmt struct {
	Pos  lexer.Position
	Into *pathLit `parser:"'VACUUM' ( 'INTO' @@ )?"`
}

func (x *vacuumStmt) node(c *converter, p Position) Statement {
	s := &Vacuum{Pos: p}
	if x.Into != nil {
		s.Into, s.IntoParam = c.path(x.Into)
	}
	return s
}

// BACKUP TO 'path'.
type backupStmt struct {
	Pos lexer.Position
	To  *pathLit `parser:"'BACKUP' 'TO' @@"`
}

func (x *backupStmt) node(c *converter, p Position) Statement {
	s := &Backup{Pos: p}
	s.To, s.ToParam = c.path(x.To)
	return s
}

// Queries.

// SELECT COUNT(*) FROM c [WHERE cond]. It is a statement of its own, tried
// after selectStmt, which fails on it at "(" (its third token, within the
// lookahead); "SELECT count FROM c" names the count column.
type countStmt struct {
	Pos   lexer.Position
	From  *ident  `parser:"'SELECT' 'COUNT' '(' '*' ')' 'FROM' @@"`
	Where *orCond `parser:"( 'WHERE' @@ )?"`
}

func (x *countStmt) node(c *converter, p Position) Statement {
	return &SelectCount{Pos: p, From: c.name(x.From), Where: c.cond(x.Where)}
}

type selectStmt struct {
	Pos     lexer.Position
	Nearest *nearestQ    `parser:"'SELECT' ( @@"`
	Analogy *analogyQ    `parser:"| @@"`
	Sim     *similarityQ `parser:"| @@"`
	Odd     *oddQ        `parser:"| @@"`
	Proj    *projectionQ `parser:"| @@"`
	Rows    *rowsQ       `parser:"| @@ )"`
}

type nearestQ struct {
	Pos       lexer.Position
	All       *allWord  `parser:"'NEAREST' ( @@"`
	K         *countLit `parser:"| @@ ) 'TO'"`
	Each      []*keyLit `parser:"( 'EACH' '(' @@ ( ',' @@ )* ')'"`
	Target    *vexpr    `parser:"| @@ )"`
	From      *ident    `parser:"'FROM' @@"`
	Among     []*keyLit `parser:"( 'AMONG' '(' @@ ( ',' @@ )* ')' )?"`
	Where     *orCond   `parser:"( 'WHERE' @@ )?"`
	WithinTop *countLit `parser:"( 'WITHIN' 'TOP' @@ )?"`
	Using     *ident    `parser:"( 'USING' @@ )?"`
	With      []*option `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
	Include   bool      `parser:"@( 'INCLUDE' 'INPUTS' )?"`
	Offset    *countLit `parser:"( 'OFFSET' @@ )?"`
	Returning []*ident  `parser:"( 'RETURNING' @@ ( ',' @@ )* )?"`
}

// analogyQ is ANALOGY a : b :: c : ?. The last term is a Param token so
// that ?1 there gets a message of its own; the converter checks it is "?".
type analogyQ struct {
	Pos       lexer.Position
	A         *keyLit   `parser:"'ANALOGY' @@ ':'"`
	B         *keyLit   `parser:"@@ '::'"`
	C         *keyLit   `parser:"@@ ':'"`
	Unknown   *param    `parser:"@@"`
	From      *ident    `parser:"'FROM' @@"`
	Where     *orCond   `parser:"( 'WHERE' @@ )?"`
	WithinTop *countLit `parser:"( 'WITHIN' 'TOP' @@ )?"`
	Using     *ident    `parser:"( 'USING' @@ )?"`
	Limit     *countLit `parser:"( 'LIMIT' @@ )?"`
}

type similarityQ struct {
	Pos   lexer.Position
	Funcs []*simFunc `parser:"@@ ( ',' @@ )*"`
	From  *ident     `parser:"'FROM' @@"`
}

type simFunc struct {
	Pos  lexer.Position
	Name string  `parser:"@( 'SIMILARITY' | 'DISTANCE' | 'RANK' ) '('"`
	A    *simArg `parser:"@@ ','"`
	B    *simArg `parser:"@@ ')'"`
}

type simArg struct {
	Pos lexer.Position
	Key *keyLit   `parser:"  @@"`
	Set []*keyLit `parser:"| '(' @@ ( ',' @@ )* ')'"`
}

type oddQ struct {
	Pos  lexer.Position
	Keys []*keyLit `parser:"'ODD_ONE_OUT' '(' @@ ( ',' @@ )* ')'"`
	From *ident    `parser:"'FROM' @@"`
}

type projectionQ struct {
	Pos  lexer.Position
	Key  *keyLit `parser:"'PROJECTION' '(' @@ ')'"`
	Onto *vexpr  `parser:"'ONTO' @@"`
	From *ident  `parser:"'FROM' @@"`
}

// allWord is the ALL of NEAREST ALL, kept as a struct for its position.
type allWord struct {
	Pos lexer.Position
	All bool `parser:"@'ALL'"`
}

type rowsQ struct {
	Pos     lexer.Position
	Columns []*column `parser:"@@ ( ',' @@ )*"`
	From    *ident    `parser:"'FROM' @@"`
	Where   *orCond   `parser:"( 'WHERE' @@ )?"`
	OrderBy *ident    `parser:"( 'ORDER' 'BY' @@"`
	Dir     string    `parser:"@( 'ASC' | 'DESC' )? )?"`
	Limit   *countLit `parser:"( 'LIMIT' @@ )?"`
	Offset  *countLit `parser:"( 'OFFSET' @@ )?"`
}

type column struct {
	Pos   lexer.Position
	Star  bool     `parser:"  @'*'"`
	Proj  *colProj `parser:"| ( @@"`
	Name  *ident   `parser:"  | @@ )"`
	Alias *ident   `parser:"  ( 'AS' @@ )?"`
}

type colProj struct {
	Pos  lexer.Position
	Of   *ident `parser:"'PROJECTION' '(' @@ ')'"`
	Onto *vexpr `parser:"'ONTO' @@"`
}

// Analysis.

type projectStmt struct {
	Pos     lexer.Position
	Query   *selectStmt `parser:"'PROJECT' '(' ( @@"`
	Keys    []*keyLit   `parser:"| @@ ( ',' @@ )* ) ')'"`
	From    *ident      `parser:"( 'FROM' @@ )?"`
	Using   *ident      `parser:"( 'USING' @@ )?"`
	Onto    *vexpr      `parser:"( 'ONTO' @@ )?"`
	With    []*option   `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
	ColorBy *ident      `parser:"( 'COLOR' 'BY' @@ )?"`
	To      *pathLit    `parser:"( 'TO' @@ )?"`
}

type clusterStmt struct {
	Pos   lexer.Position
	Coll  *ident    `parser:"'CLUSTER' @@"`
	K     *countLit `parser:"'INTO' @@"`
	Where *orCond   `parser:"( 'WHERE' @@ )?"`
	With  []*option `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

type recommendStmt struct {
	Pos   lexer.Position
	K     *countLit `parser:"'RECOMMEND' @@"`
	From  *ident    `parser:"'FROM' @@"`
	For   []*vexpr  `parser:"'FOR' '(' @@ ( ',' @@ )* ')'"`
	Where *orCond   `parser:"( 'WHERE' @@ )?"`
	With  []*option `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

// Data definition and change.

type createStmt struct {
	Pos   lexer.Position
	Index *createIndex `parser:"'CREATE' ( @@"`
	Users *createUsers `parser:"| @@"`
	Coll  *createColl  `parser:"| @@ )"`
}

type createIndex struct {
	Pos   lexer.Position
	On    *ident    `parser:"'INDEX' 'ON' @@"`
	Using *ident    `parser:"( 'USING' @@ )?"`
	With  []*option `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

type createUsers struct {
	Pos   lexer.Position
	Name  *ident    `parser:"'COLLECTION' @@ 'FROM' 'SEQUENCES' 'OF'"`
	Items *ident    `parser:"@@"`
	Path  *pathLit  `parser:"'FROM' @@"`
	With  []*option `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

type createColl struct {
	Pos         lexer.Position
	IfNotExists bool      `parser:"'COLLECTION' @( 'IF' 'NOT' 'EXISTS' )?"`
	Name        *ident    `parser:"@@"`
	Defs        []*colDef `parser:"'(' @@ ( ',' @@ )* ')'"`
}

type colDef struct {
	Pos    lexer.Position
	Dim    *number `parser:"  'DIM' @@"`
	Metric *ident  `parser:"| 'METRIC' @@"`
	Field  *ident  `parser:"| @@"`
	Type   *ident  `parser:"  @@"`
}

type dropStmt struct {
	Pos      lexer.Position
	Index    bool   `parser:"'DROP' ( @'INDEX' 'ON'"`
	IfExists bool   `parser:"| 'COLLECTION' @( 'IF' 'EXISTS' )? )"`
	Name     *ident `parser:"@@"`
}

type insertStmt struct {
	Pos     lexer.Position
	Upsert  bool         `parser:"( @'UPSERT'"`
	Replace bool         `parser:"| 'INSERT' ( @'OR' 'REPLACE' )? ) 'INTO'"`
	Into    *ident       `parser:"@@"`
	Columns []*ident     `parser:"'(' @@ ( ',' @@ )* ')'"`
	Rows    []*valuesRow `parser:"'VALUES' @@ ( ',' @@ )*"`
}

type valuesRow struct {
	Pos    lexer.Position
	Values []*literal `parser:"'(' @@ ( ',' @@ )* ')'"`
}

type updateStmt struct {
	Pos   lexer.Position
	Coll  *ident    `parser:"'UPDATE' @@"`
	Set   []*option `parser:"'SET' @@ ( ',' @@ )*"`
	Where *orCond   `parser:"( 'WHERE' @@ )?"`
}

type deleteStmt struct {
	Pos   lexer.Position
	From  *ident  `parser:"'DELETE' 'FROM' @@"`
	Where *orCond `parser:"( 'WHERE' @@ )?"`
}

// Files and training.

type importStmt struct {
	Pos      lexer.Position
	Metadata bool          `parser:"'IMPORT' @'METADATA'? 'INTO'"`
	Into     *ident        `parser:"@@ 'FROM'"`
	Catalog  bool          `parser:"@'CATALOG'?"`
	Path     *pathLit      `parser:"@@"`
	Format   *formatClause `parser:"@@?"`
	With     []*option     `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

type formatClause struct {
	Pos    lexer.Position
	Name   *ident `parser:"'FORMAT' @@"`
	Binary bool   `parser:"@'BINARY'?"`
}

type exportStmt struct {
	Pos    lexer.Position
	Coll   *ident        `parser:"'EXPORT' @@"`
	Path   *pathLit      `parser:"'TO' @@"`
	Format *formatClause `parser:"@@?"`
	With   []*option     `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

type trainStmt struct {
	Pos   lexer.Position
	Coll  *ident    `parser:"'TRAIN' @@"`
	Path  *pathLit  `parser:"'FROM' @@"`
	Using *ident    `parser:"( 'USING' @@ )?"`
	With  []*option `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

type evaluateStmt struct {
	Pos  lexer.Position
	Kind string    `parser:"'EVALUATE' @( 'ANALOGIES' | 'PAIRS' | 'RECOMMEND' )"`
	Coll *ident    `parser:"@@"`
	Path *pathLit  `parser:"'FROM' @@"`
	With []*option `parser:"( 'WITH' '(' @@ ( ',' @@ )* ')' )?"`
}

// showStmt is SHOW COLLECTIONS, SHOW STATS c, SHOW SETTINGS or SHOW name
// (one setting of SET).
type showStmt struct {
	Pos         lexer.Position
	Collections bool         `parser:"'SHOW' ( @'COLLECTIONS'"`
	Stats       *ident       `parser:"| 'STATS' @@"`
	Settings    bool         `parser:"| @'SETTINGS'"`
	Setting     *settingName `parser:"| @@ )"`
}

// settingName is the name of a setting of SET after SHOW: a plain or
// quoted identifier (no setting is named like a keyword, so SHOW STATS
// without a collection stays an error about STATS).
type settingName struct {
	Pos  lexer.Position
	Name string `parser:"@( Ident | QIdent )"`
}

// Shared pieces.

// ident is a name: a plain identifier, a double-quoted one, or a soft
// keyword (see softWords).
type ident struct {
	Pos  lexer.Position
	Name string `parser:"@( Ident | QIdent | Keyword )"`
}

// optName is an option or column name in "name = value"; any word goes,
// since the "=" that follows removes the ambiguity (WITH (limit = 10)).
type optName struct {
	Pos  lexer.Position
	Name string `parser:"@( Ident | QIdent | Keyword | Reserved )"`
}

type option struct {
	Pos   lexer.Position
	Name  *optName `parser:"@@ '='"`
	Value *literal `parser:"@@"`
}

type strLit struct {
	Pos  lexer.Position
	Text string `parser:"@String"`
}

// number is an optionally negated number; the minus sign belongs to the
// grammar (SPEC §2), not to the lexer.
//
// It is written as two alternatives rather than @"-"? @Number so that a
// token that is not a number fails the production without consuming
// anything, which keeps participle's "deepest error" pointing at the real
// problem.
type number struct {
	Pos  lexer.Position
	Neg  bool   `parser:"( @'-'"`
	Text string `parser:"  @Number | @Number )"`
}

type literal struct {
	Pos   lexer.Position
	Num   *number   `parser:"  @@"`
	Str   *strLit   `parser:"| @@"`
	True  bool      `parser:"| @'TRUE'"`
	False bool      `parser:"| @'FALSE'"`
	Null  bool      `parser:"| @'NULL'"`
	Vec   []*number `parser:"| '[' @@ ( ',' @@ )* ']'"`
	Param *param    `parser:"| @@"`
	Ident *ident    `parser:"| @@"`
}

// param is a placeholder: ?, ?NNN, $NNN or :name.
type param struct {
	Pos  lexer.Position
	Text string `parser:"@Param"`
}

// keyLit is a key: a string or a placeholder.
type keyLit struct {
	Pos   lexer.Position
	Str   *strLit `parser:"  @@"`
	Param *param  `parser:"| @@"`
}

// pathLit is a file path (or a catalog name): a string or a placeholder.
type pathLit struct {
	Pos   lexer.Position
	Str   *strLit `parser:"  @@"`
	Param *param  `parser:"| @@"`
}

// countLit is k, LIMIT, OFFSET, a weight...: a number or a placeholder.
type countLit struct {
	Pos   lexer.Position
	Param *param  `parser:"  @@"`
	Num   *number `parser:"| @@"`
}

// Vector expressions (SPEC §3).

// addOp is the operator between the terms of a vector expression.
type addOp int

const (
	opAdd addOp = iota
	opSub
)

// Capture implements participle.Capture.
func (o *addOp) Capture(values []string) error {
	switch values[0] {
	case "+":
		*o = opAdd
	case "-":
		*o = opSub
	default:
		return fmt.Errorf("unknown operator %q", values[0])
	}
	return nil
}

func (o addOp) String() string {
	if o == opSub {
		return "-"
	}
	return "+"
}

type vexpr struct {
	Pos   lexer.Position
	Left  *vterm     `parser:"@@"`
	Right []*vopTerm `parser:"@@*"`
}

type vopTerm struct {
	Pos  lexer.Position
	Op   addOp  `parser:"@( '+' | '-' )"`
	Term *vterm `parser:"@@"`
}

type vterm struct {
	Pos    lexer.Position
	Neg    bool      `parser:"@'-'?"`
	Weight *countLit `parser:"( @@ '*' )?"`
	Factor *vfactor  `parser:"@@"`
}

type vfactor struct {
	Pos       lexer.Position
	Key       *strLit   `parser:"  @@"`
	Param     *param    `parser:"| @@"`
	Vec       []*number `parser:"| '[' @@ ( ',' @@ )* ']'"`
	Sub       *vexpr    `parser:"| '(' @@ ')'"`
	Centroid  []*vexpr  `parser:"| 'CENTROID' '(' @@ ( ',' @@ )* ')'"`
	Normalize *vexpr    `parser:"| 'NORMALIZE' '(' @@ ')'"`
	Item      *itemRef  `parser:"| 'ITEM' '(' @@ ')'"`
	Other     *otherKey `parser:"| @@"`
}

type itemRef struct {
	Pos   lexer.Position
	Field *ident   `parser:"@@ '='"`
	Value *literal `parser:"@@"`
}

type otherKey struct {
	Pos  lexer.Position
	Coll *ident  `parser:"@@ '.'"`
	Key  *keyLit `parser:"@@"`
}

// Conditions, loosest first: OR < AND < NOT < comparison.

type orCond struct {
	Pos   lexer.Position
	Left  *andCond   `parser:"@@"`
	Right []*andCond `parser:"( 'OR' @@ )*"`
}

type andCond struct {
	Pos   lexer.Position
	Left  *notCond   `parser:"@@"`
	Right []*notCond `parser:"( 'AND' @@ )*"`
}

type notCond struct {
	Pos  lexer.Position
	Not  *notCond   `parser:"  'NOT' @@"`
	Pred *predicate `parser:"| @@"`
}

type predicate struct {
	Pos  lexer.Position
	Sub  *orCond `parser:"  '(' @@ ')'"`
	Test *test   `parser:"| @@"`
}

type test struct {
	Pos     lexer.Position
	Field   *ident     `parser:"@@ ("`
	Op      *CompareOp `parser:"    @( '=' | '!=' | '<>' | '<=' | '>=' | '<' | '>' )"`
	Value   *literal   `parser:"    @@"`
	Is      bool       `parser:"  | @'IS'"`
	IsNot   bool       `parser:"    @'NOT'? 'NULL'"`
	Not     bool       `parser:"  | @'NOT'? ("`
	In      []*literal `parser:"      'IN' '(' @@ ( ',' @@ )* ')'"`
	Between []*literal `parser:"    | 'BETWEEN' @@ 'AND' @@"`
	Like    *literal   `parser:"    | 'LIKE' @@ ) )"`
}

// lookahead is how many tokens a branch may consume before the parser
// commits to it. SELECT PROJECTION(key) needs three to tell the scalar query
// from the column form; CREATE COLLECTION c FROM needs three as well.
const lookahead = 4

var parser = participle.MustBuild[script](
	participle.Lexer(VqLexer),
	participle.CaseInsensitive("Reserved", "Keyword"),
	participle.Elide("Whitespace", "Comment"),
	participle.UseLookahead(lookahead),
)

// reservedWords are keywords that can never be used as a bare identifier:
// they end or separate clauses, so reading them as a name would make the
// grammar ambiguous. Quote them ("from") to use them as names.
var reservedWords = []string{
	"ALL", "AMONG", "AND", "AS", "ASC", "BETWEEN", "BY", "CHECK", "CLUSTER", "COLOR",
	"CREATE", "DELETE", "DESC", "DESCRIBE", "DROP", "EVALUATE", "EXISTS", "EXPLAIN",
	"EXPORT", "FALSE", "FOR", "FORMAT", "FROM", "IF", "IMPORT", "IN", "INCLUDE", "INSERT",
	"INTO", "IS", "LIKE", "LIMIT", "NOT", "NULL", "OFFSET", "ON", "ONTO", "OR", "ORDER",
	"PROJECT", "RECOMMEND", "RETURNING", "SELECT", "SET", "SHOW", "TO", "TRAIN", "TRUE",
	"UPDATE", "UPSERT", "USING", "VALUES", "WHERE", "WITH", "WITHIN",
}

// softWords are keywords that are also valid identifiers where a name is
// expected (a field called "rank", a collection called "items", the
// pseudo-column similarity), and method, format and type names.
var softWords = []string{
	"ANALOGIES", "ANALOGY", "BACKUP", "BINARY", "BOOL", "CATALOG", "CBOW", "CENTROID", "COLLECTION",
	"COLLECTIONS", "COSINE", "COSMUL", "COUNT", "CSV", "DIM", "DISTANCE", "DOT", "EACH", "EXACT",
	"FASTTEXT", "FLOAT", "GLOVE", "HNSW", "INDEX", "INPUTS", "INT", "ITEM", "JSONL", "L2",
	"METADATA", "METRIC", "NEAREST", "NORMALIZE", "ODD_ONE_OUT", "OF", "PAIRS", "PARQUET", "PCA",
	"PROJECTION", "RANK", "REPLACE", "SEQUENCES", "SETTINGS", "SIMILARITY", "SKIPGRAM", "STATS", "TEXT", "TOP",
	"TSNE", "VACUUM", "WORD2VEC",
}
