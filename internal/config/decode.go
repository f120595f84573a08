package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree by hand instead of calling Node.Decode into
// tagged structs. yaml.v3's KnownFields stops at the first unknown key and
// says neither the column nor which section it was in; walking the tree lets
// every problem carry file:line:column and the dotted path of the value, and
// lets decoding continue past a problem so that one run reports them all.
type decoder struct {
	file string
	p    *problems
}

func (d *decoder) pos(n *yaml.Node) Position {
	return Position{File: d.file, Line: n.Line, Column: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.p.add(d.pos(n), format, args...)
}

// resolve follows aliases (*name) to the anchored value. The schema has a
// fixed depth, so following aliases cannot blow up the way it can for a
// decoder that descends into arbitrary values.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe renders a value for "got ..." in an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		if n.ShortTag() == "!!str" {
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "an unsupported YAML node"
}

// field describes one key of a fixed-shape mapping.
type field struct {
	name     string
	required bool
	decode   func(v *yaml.Node)
}

// mapping decodes a mapping whose keys are fixed: unknown keys, duplicate
// keys and missing required keys are all reported, each at its own position.
// name is the mapping's dotted path ("replicas[0]"), empty for the top
// level. It returns false when n is not a mapping at all.
func (d *decoder) mapping(n *yaml.Node, name string, fields []field) bool {
	n = resolve(n)
	what, where := name, "in "+name
	if name == "" {
		what, where = "the top level", "at top level"
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, got %s", what, describe(n))
		return false
	}
	seen := make(map[string]*yaml.Node, len(fields))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, ok := d.key(k)
		if !ok {
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(k, "duplicate key %q %s (first at line %d)", key, where, first.Line)
			continue
		}
		seen[key] = k
		f, known := lookupField(fields, key)
		if !known {
			d.errorf(k, "unknown key %q %s (known: %s)", key, where, fieldNames(fields))
			continue
		}
		f.decode(v)
	}
	for _, f := range fields {
		if _, ok := seen[f.name]; f.required && !ok {
			d.errorf(n, "missing required key %q %s", f.name, where)
		}
	}
	return true
}

// key returns a mapping key as a string, reporting keys that cannot name a
// field: merge keys and non-scalar keys.
func (d *decoder) key(k *yaml.Node) (string, bool) {
	k = resolve(k)
	switch {
	case k.Kind != yaml.ScalarNode:
		d.errorf(k, "a key must be a plain word, got %s", describe(k))
		return "", false
	case k.ShortTag() == "!!merge":
		d.errorf(k, "merge keys (<<) are not supported; write the keys out")
		return "", false
	}
	return k.Value, true
}

func lookupField(fields []field, key string) (field, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	return field{}, false
}

func fieldNames(fields []field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// list decodes a sequence, calling item for each element with its index.
// A null value (a key with nothing after it) is an empty list.
func (d *decoder) list(n *yaml.Node, what string, item func(i int, v *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, got %s", what, describe(n))
		return
	}
	for i, v := range n.Content {
		item(i, resolve(v))
	}
}

// str decodes a string. Any scalar but null is accepted, since YAML reads
// an unquoted 2024 or 1.0 as a number where dbguard wants the text; null is
// a string's absence, reported so the user does not get a silent default.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, "%s must be a string, got %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// integer decodes a whole number. Unlike str it is strict about the YAML
// type: "3" (quoted), 3.0 and three are all refused, because a number that
// only looks right is the kind of mistake dbguard exists to catch.
func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.errorf(n, "%s must be a whole number, got %s", what, describe(n))
		return 0, false
	}
	var v int
	if err := n.Decode(&v); err != nil {
		d.errorf(n, "%s must be a whole number that fits in %d bits, got %s", what, strconv.IntSize, n.Value)
		return 0, false
	}
	return v, true
}

// at builds the dotted path of a list element for messages: environments[0].
func at(list string, i int) string {
	return fmt.Sprintf("%s[%d]", list, i)
}
