// Package query is the vecdb language: lexer, grammar, typed syntax tree
// and errors (SPEC §2–§5). It knows nothing of collections or vectors at
// run time: package db plans and runs the statements on its own types.
//
// # Parsing
//
// Parse turns a script of statements separated by semicolons into
// []Statement; ParseWith adds limits (nesting depth, length) for untrusted
// input. Each Statement is a pointer to an exported struct (*SelectNearest,
// *CreateCollection, ...) whose String method prints canonical syntax that
// parses back to an equal tree. Every node keeps the Position of its first
// token so that later errors still point at the text.
//
// # Tokens and scripts
//
// Tokens returns the tokens of a text as the parser's lexer reads them,
// blanks and comments included; it never fails, marking an open quote at
// the end (Unterminated) and characters that start no token, so that the
// shell can tell an incomplete statement and complete what is typed.
// SplitStatements cuts a script into Chunks at the semicolons that end
// statements, in linear time; each Chunk knows where it starts, and
// ParseOptions.Base (db's RunAt) makes positions those of the script
// without the text before the statement.
//
// # Vector expressions and conditions
//
// A VExpr is a tree of *VSum (weighted terms), *VKey, *VLiteral, *VCentroid,
// *VNormalize and *VItem. A Cond is a tree of *CondBinary, *CondNot and the
// leaf tests *CondCompare, *CondIn, *CondBetween, *CondLike and *CondIsNull.
//
// # Parameters
//
// A Param is a placeholder (?, ?NNN, $NNN, :name) where a literal may stand:
// a Literal of kind LitParam, a VKey with Param set, or the *Param field
// beside a count (SelectNearest.KParam). Params lists a statement's
// placeholders; Bind returns a copy with values in their place, checked for
// where each stands (a key takes a string, k a positive integer), and
// leaves the parsed tree as it was, so that one tree serves many runs. In
// ANALOGY the bare ? is the unknown term and parameters are numbered or
// named.
//
// # Errors
//
// Every error from Parse is an *Error (or an ErrorList) with a position, what
// was expected and, for a misspelt keyword, a "did you mean" hint; Pretty
// shows the statement with a caret under the problem. Callers never see
// participle's error types. Suggest and Suggester give the same hints for
// collection names, fields, options and keys.
//
// Errors found when a statement is compiled or run are *Error values too,
// whose Err (returned by Unwrap) is the cause: a sentinel of
// internal/errdefs for a problem the planner finds itself (a vector of the
// wrong length matches db.ErrDimension), or the database's error. So
// errors.Is gives the same answer for a statement as for the Go API, and
// nothing decides on an error by its text. Unknown keys are an ErrorList of
// at most errdefs.MaxKeysReported errors, each at its key, and one that
// counts the others; an ErrorList unwraps to its errors.
//
// # Concurrency
//
// Parse, Suggest and a built Suggester are safe for concurrent use.
package query
