// Package repl renders query results and runs scripts of statements for the
// vecdb command (SPEC §6).
//
// # Rendering
//
// Render writes a *db.Result in one of the Modes: box and table (aligned
// grids, numbers right-aligned, widths measured in terminal columns so CJK
// and emoji line up), markdown, list and line (sqlite3's modes) for people;
// csv, tsv, json (one array of row objects per statement) and jsonl for
// programs. People's modes print floats with 4 decimals and NULL; program
// modes print the shortest exact float32 value and an empty cell or null.
//
// # Scripts
//
// RunScript splits a script with query.SplitStatements (the language's own
// lexer, so quotes and comments read as the parser reads them), runs each
// statement through db.DB.RunAt and renders the results. Errors go to the
// error stream as "Error: line:column: message" followed by the line of
// the error, cut to the failing statement when others share the line, and
// a caret under the column; positions count from the
// start of the script (RunAt is given where the statement starts, so the
// work per statement does not grow with the script). A byte order mark at
// the start is skipped. Config.Bail stops at the first error.
//
// Parameters: .parameter set NAME VALUE (in the shell, or on a line of its
// own between the statements of a script, as in sqlite3) keeps a value that
// the statements after it bind to their placeholders (Config.Params,
// db.Bindings); the other dot-commands are for the interactive shell.
// Shell.RunScript runs a script with a shell's parameters and settings,
// and Shell.Command runs what the command line's -cmd gives (statements or
// any dot-command) before the shell or the script.
//
// # The interactive shell
//
// The readline shell is built on the same pieces: Complete tells whether the
// text typed so far ends a statement (else show the continuation prompt),
// Execute runs one statement and renders it, PrintError reports an error.
// Shell.Interact is the prompt loop: history of whole statements (one entry
// per statement, see HistoryEntry), Ctrl-C clears the line or cancels the
// running statement through its context, Ctrl-D exits. Dot-commands come
// from one table that drives dispatch, .help, usage errors, "did you mean"
// and completion. Complete and completion read the text with query.Tokens,
// the parser's lexer. Completer.Complete completes by position: keywords in the
// case typed, collections, fields, WITH options per statement, keys inside
// quotes (a prefix lookup capped at MaxKeyCompletions), files and dot-command
// arguments. ProgressBar draws db.Progress reports on a terminal.
//
// # Concurrency
//
// The functions keep no state between calls; Config is passed by value.
package repl
