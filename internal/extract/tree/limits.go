package tree

import "fmt"

// The limits on the tree of one file. They are checked while the tree is
// built, so that a hostile file costs time and memory linear in its size
// and stops at the limit with an error that names it and where it was
// reached. Real configuration files stay far below both: a few levels
// deep, a few thousand values. The size of a file is bounded before it is
// parsed (scan.MaxFileSize).
const (
	// MaxDepth bounds nesting: a map or sequence more than MaxDepth
	// levels below the root is refused.
	MaxDepth = 1000
	// MaxNodes bounds the values of one file (maps, sequences and
	// scalars, YAML aliases expanded): each costs a Node.
	MaxNodes = 1_000_000
)

var (
	// ErrTooDeep is returned, inside a *SyntaxError at the first value
	// past the limit, for a document nested deeper than MaxDepth.
	ErrTooDeep = fmt.Errorf("nesting deeper than the limit of %d levels", MaxDepth)
	// ErrTooManyNodes is returned, inside a *SyntaxError at the first
	// value past the limit, for a file of more than MaxNodes values.
	ErrTooManyNodes = fmt.Errorf("more than the limit of %d values (maps, lists and scalars) in one file", MaxNodes)
	// ErrAliasExpansion is ErrTooManyNodes when most of the values are
	// copies made by YAML aliases: a billion-laughs file is a few hundred
	// bytes whose aliases expand to billions of values.
	ErrAliasExpansion = fmt.Errorf("yaml aliases expand to more than the limit of %d values in one file", MaxNodes)
)

// limitError is the *SyntaxError of a limit (ErrTooDeep, ErrTooManyNodes,
// ErrAliasExpansion) reached at line:col.
func limitError(limit error, line, col int) *SyntaxError {
	return &SyntaxError{Line: line, Col: col, Msg: limit.Error(), Err: limit}
}

// full reports whether the parser has made MaxNodes nodes since it began
// (hint), so that the next one is past the limit.
func (a *arena) full() bool { return a.count >= MaxNodes }
