package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// CurrentVersion is the only schema version this dbguard reads. A file must
// say it explicitly so that a future, incompatible schema is refused with a
// clear message instead of being misread.
const CurrentVersion = 1

// Default returns the configuration that applies before any file is read.
// Parse starts from it, so a key the file leaves out keeps its default.
func Default() *Config {
	c := &Config{Version: CurrentVersion}
	for _, s := range registry() {
		if s.defaults != nil {
			s.defaults(c)
		}
	}
	return c
}

// Load reads and parses the configuration file at path. Problems in the
// file are reported as *Error values joined together, each naming path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a dbguard.yaml held in memory; name is used in messages.
// It returns either a valid configuration or an error listing every
// problem found, never both.
func Parse(name string, data []byte) (*Config, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	c := Default()
	c.File = name
	p := &problems{}
	d := &decoder{file: name, p: p}
	if root == nil {
		p.add(Position{File: name}, `file is empty; it needs at least "version: %d"`, CurrentVersion)
		return nil, p.err()
	}
	if !decodeVersion(d, root, c) {
		return nil, p.err()
	}
	// Decode every section, then validate only those that decoded cleanly:
	// validating a half-decoded section would pile guesses on top of the
	// real problem.
	clean := make(map[string]bool)
	fields := []field{{name: "version", decode: func(*yaml.Node) {}}}
	for _, s := range registry() {
		clean[s.name] = true
		fields = append(fields, field{name: s.name, decode: func(v *yaml.Node) {
			before := p.len()
			s.decode(d, v, c)
			clean[s.name] = p.len() == before
		}})
	}
	d.mapping(root, "", fields)
	for _, s := range registry() {
		if clean[s.name] {
			s.validate(c, p)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeVersion reads the version key before anything else, because the
// version decides how the rest of the file is read. It returns false when
// the rest must not be read at all. A missing version is reported but the
// file is still read as the current version, so the user sees every other
// problem in the same run.
func decodeVersion(d *decoder, root *yaml.Node, c *Config) bool {
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "the top level must be a mapping with at least \"version: %d\", got %s", CurrentVersion, describe(root))
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := resolve(root.Content[i]), root.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value != "version" {
			continue
		}
		before := d.p.len()
		n, ok := d.integer(v, "version")
		if !ok {
			return false
		}
		c.Version, c.VersionPos = n, d.pos(resolve(v))
		if n != CurrentVersion {
			d.errorf(resolve(v), "unsupported version %d (this dbguard reads version %d)", n, CurrentVersion)
		}
		return d.p.len() == before
	}
	d.errorf(root, "missing required key \"version\" at top level (add \"version: %d\")", CurrentVersion)
	return true
}

// Validate checks a configuration, whether read from a file or built in
// code, and returns every problem joined, each with its position. Parse has
// already called it on what it returns.
func (c *Config) Validate() error {
	if c == nil {
		return nil
	}
	p := &problems{}
	if c.Version != CurrentVersion {
		p.add(c.VersionPos, "unsupported version %d (this dbguard reads version %d)", c.Version, CurrentVersion)
	}
	for _, s := range registry() {
		s.validate(c, p)
	}
	return p.err()
}

// parseYAML parses data into its single document's root node; a nil node
// means the file holds no document at all. Syntax errors become an *Error
// with the line yaml.v3 reports; yaml.v3 does not expose a column for them.
func parseYAML(name string, data []byte) (root *yaml.Node, err error) {
	// yaml.v3 has panicked on malformed input in the past; a configuration
	// file must never crash dbguard, so a panic becomes an ordinary error.
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &Error{Pos: Position{File: name}, Msg: fmt.Sprintf("invalid YAML: parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(name, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		pos := Position{File: name, Line: extra.Line, Column: extra.Column}
		return nil, &Error{Pos: pos, Msg: "more than one YAML document; dbguard.yaml holds exactly one"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(name, data, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func syntaxError(name string, data []byte, err error) error {
	pos := Position{File: name}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	// yaml.v3 writes "yaml: line N: message" when the line is not the first.
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, text, _ := strings.Cut(rest, ": ")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			pos.Line, msg = n, text
		}
	}
	switch {
	case isParserProblem(msg):
		// yaml.v3 (v3.0.1, decode.go parser.fail) prints the 0-based line
		// of a parser error's mark and omits it when it is 0; only scanner
		// errors get the +1. Shift parser errors to 1-based lines.
		pos.Line++
	case pos.Line == 0 && !isComposerProblem(msg):
		// A scanner error on the first line: yaml.v3 omits "line 1".
		pos.Line = 1
	}
	if strings.Contains(msg, "cannot start any token") && lineHasTab(data, pos.Line) {
		msg += " (a tab; indent YAML with spaces)"
	}
	return &Error{Pos: pos, Msg: "invalid YAML: " + msg}
}

// isParserProblem reports whether msg is one of the problems raised by
// yaml.v3's parser (parserc.go), as opposed to its scanner: the two count
// lines differently.
func isParserProblem(msg string) bool {
	switch msg {
	case "did not find expected <stream-start>",
		"did not find expected <document start>",
		"did not find expected node content",
		"did not find expected '-' indicator",
		"did not find expected key",
		"did not find expected ',' or ']'",
		"did not find expected ',' or '}'",
		"found undefined tag handle",
		"found duplicate %YAML directive",
		"found duplicate %TAG directive",
		"found incompatible YAML document":
		return true
	}
	return false
}

// isComposerProblem reports whether msg comes from yaml.v3 building the
// node tree (anchors and aliases), which knows no line at all.
func isComposerProblem(msg string) bool {
	return strings.HasPrefix(msg, "unknown anchor") ||
		strings.HasPrefix(msg, "anchor ") ||
		strings.Contains(msg, "excessive aliasing")
}

// lineHasTab reports whether 1-based line n of data contains a tab, the
// usual cause of yaml.v3's least helpful message.
func lineHasTab(data []byte, n int) bool {
	lines := bytes.Split(data, []byte("\n"))
	return n >= 1 && n <= len(lines) && bytes.ContainsRune(lines[n-1], '\t')
}
