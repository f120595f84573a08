// Package tree is the common shape every configuration format is read into
// before dbguard looks for connections in it: maps, sequences and scalars,
// each carrying the line and column where its text starts. Format parsers
// (YAML, JSON, TOML, .env, .properties, INI) live here; what a document
// means (a compose file, a Kubernetes manifest, a Rails database.yml) is
// decided by the extractors on top.
package tree

import "strings"

// Kind is a node's shape.
type Kind uint8

const (
	Null Kind = iota
	Scalar
	Map
	Seq
)

// Type is a scalar's type as the format decides it: in YAML 5432 is an Int
// and "5432" a String.
type Type uint8

const (
	String Type = iota
	Int
	Float
	Bool
	NullType
)

// Node is one value of a document.
//
// For a map entry, Key is the entry's key and KeyLine/KeyCol where the key
// starts. Line and Col are where the value's text starts, its opening quote
// included for a quoted scalar; both are 1-based, and Col counts runes.
// Value is the scalar's text after the format's own unquoting and escapes.
// YAML aliases and merge keys are resolved by the parser: the tree holds
// copies, with the locations of the anchored text.
type Node struct {
	Key      string
	Value    string
	Children []*Node
	// Comment holds a comment on the same line or the lines just above,
	// without its marker, where the format has comments. YAML comments
	// are not kept: yaml.v3 attributes them in ways the fast YAML reader
	// would have to copy, and nothing needs them, since suppressions
	// (dbguard:ignore) are read from the source lines.
	Comment string
	KeyLine int
	KeyCol  int
	Line    int
	Col     int
	// The small fields come last so that the struct packs tight: a scan
	// allocates one node per value of every file.
	Kind   Kind
	Type   Type
	Quoted bool
}

// Get returns the child of a map with the given key (exact match), or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for _, c := range n.Children {
		if c.Key == key {
			return c
		}
	}
	return nil
}

// GetFold returns the child of a map whose key equals key ignoring case.
func (n *Node) GetFold(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for _, c := range n.Children {
		if strings.EqualFold(c.Key, key) {
			return c
		}
	}
	return nil
}

// Path returns the node at a dotted key path (a.b.c), or nil.
func (n *Node) Path(keys ...string) *Node {
	for _, k := range keys {
		n = n.Get(k)
		if n == nil {
			return nil
		}
	}
	return n
}

// Text returns a scalar's value, or "" for any other node.
func (n *Node) Text() string {
	if n == nil || n.Kind != Scalar {
		return ""
	}
	return n.Value
}

// Document is one parsed document of a file. YAML files may hold several.
type Document struct {
	Root *Node
	// Index is the document's position in a multi-document stream.
	Index int
	// Problems lists lines that a lenient parser (.env, .properties, INI)
	// skipped or read only in part, so that the caller can warn about them
	// without losing the rest of the file.
	Problems []*SyntaxError
}

// SyntaxError is a parse failure at a position in the file.
//
// Msg never holds text of the input: the file may hold a password at the
// very place a parser fails (password: *S3cret is an alias to an unknown
// anchor in YAML), and an error travels to logs and CI annotations. What
// the parser found there goes to Found, which Error does not print; the
// caller that knows which parts of the file are secret (extract's problem
// message) decides whether it can be shown.
type SyntaxError struct {
	Line, Col int
	Msg       string
	// Found is the input text the message is about (an unexpected
	// character, an unknown anchor's name), or "". It may be a secret.
	Found string
	// Err is the cause when a caller may want to test for it with
	// errors.Is (ErrAliasExpansion, ErrTooDeep, ErrTooManyNodes); it
	// may be nil.
	Err error
}

// Unwrap returns the cause, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }

func (e *SyntaxError) Error() string {
	if e.Col > 0 {
		return itoa(e.Line) + ":" + itoa(e.Col) + ": " + e.Msg
	}
	return itoa(e.Line) + ": " + e.Msg
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
