package tree_test

import (
	"errors"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestParseYAMLPositions(t *testing.T) {
	t.Parallel()
	cases := []posCase{
		{path: "defaults.adapter", value: "postgresql", typ: tree.String, at: "postgresql", keyAt: "adapter"},
		{path: "defaults.port", value: "5432", typ: tree.Int, at: "5432", keyAt: "port"},
		{path: "defaults.timeout", value: "5.5", typ: tree.Float, at: "5.5", keyAt: "timeout"},
		{path: "development.host", value: "localhost", typ: tree.String, at: "localhost", keyAt: "host:"},
		// Merged from the anchor: the anchored text's positions.
		{path: "development.adapter", value: "postgresql", typ: tree.String, at: "postgresql", keyAt: "adapter"},
		{path: "development.pool", value: "5", typ: tree.Int, at: "5", keyAt: "pool"},
		{path: "production.host", value: "db.prod.internal", typ: tree.String, quoted: true, at: `"db.prod.internal"`, keyAt: "host"},
		{path: "production.port", value: "6432", typ: tree.String, quoted: true, at: `'6432'`, keyAt: "port"},
		{path: "production.sslmode", value: "require", typ: tree.String, at: "require", keyAt: "sslmode"},
		{path: "production.password", value: "${DB_PASSWORD}", typ: tree.String, at: "${DB_PASSWORD}", keyAt: "password"},
		{path: "production.enabled", value: "true", typ: tree.Bool, at: "true"},
		{path: "production.max_idle", value: "~", typ: tree.NullType, at: "~"},
		{path: "production.hosts", at: "- \"pg-1"},
		{path: "production.hosts[0]", value: "pg-1.internal", typ: tree.String, quoted: true, at: `"pg-1.internal"`},
		{path: "production.hosts[1]", value: "pg-2.internal", typ: tree.String, at: "pg-2.internal"},
		{path: "production.note", value: "multi\nline\n", typ: tree.String, at: "|"},
		{path: "production.city", value: "Zürich – ß", typ: tree.String, quoted: true, at: `"Zürich – ß"`},
	}
	data := readFile(t, "app.yaml")
	for _, v := range []struct {
		name string
		data []byte
	}{{"lf", data}, {"crlf", crlf(data)}} {
		t.Run(v.name, func(t *testing.T) {
			docs, err := tree.ParseYAML(v.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 2 {
				t.Fatalf("got %d documents, want 2 (empty ones skipped)", len(docs))
			}
			if docs[0].Index != 0 || docs[1].Index != 1 {
				t.Errorf("indexes %d, %d", docs[0].Index, docs[1].Index)
			}
			checkPositions(t, v.data, docs[0].Root, cases)
			checkPositions(t, v.data, docs[1].Root, []posCase{
				{path: "data.DATABASE_URL", value: "postgres://app@db:5432/app?sslmode=disable", at: "postgres://", keyAt: "DATABASE_URL"},
			})
			for _, d := range docs {
				checkBounds(t, v.data, d.Root)
			}
		})
	}
}

func TestParseYAMLMerge(t *testing.T) {
	t.Parallel()
	docs, err := tree.ParseYAML(readFile(t, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	prod := docs[0].Root.Get("production")
	// Explicit keys win over merged ones; in a list the first source wins.
	if got := prod.Get("host").Value; got != "db.prod.internal" {
		t.Errorf("production.host = %q, explicit key must override the merge", got)
	}
	if got := prod.Get("port").Value; got != "6432" {
		t.Errorf("production.port = %q", got)
	}
	count := 0
	for _, c := range prod.Children {
		if c.Key == "host" {
			count++
		}
	}
	if count != 1 {
		t.Errorf("production has %d host keys, want 1", count)
	}
	if prod.Get("<<") != nil {
		t.Error("merge key kept as an entry")
	}
	dev := docs[0].Root.Get("development")
	if dev.Get("adapter") == docs[0].Root.Get("defaults").Get("adapter") {
		t.Error("merged node shared with the anchor, want a copy")
	}
	// YAML comments are not kept; suppressions are read from the source
	// lines.
	if got := dev.Get("host").Comment; got != "" {
		t.Errorf("comment %q kept", got)
	}
	if got := docs[0].Root.Get("defaults").Comment; got != "" {
		t.Errorf("head comment %q kept", got)
	}
}

func TestParseYAMLAlias(t *testing.T) {
	t.Parallel()
	docs, err := tree.ParseYAML([]byte("base: &b\n  host: h\nother: *b\nlist: [*b]\n"))
	if err != nil {
		t.Fatal(err)
	}
	other := docs[0].Root.Get("other")
	if other.Kind != tree.Map || other.Get("host").Value != "h" {
		t.Fatalf("alias not expanded: %+v", other)
	}
	if other.KeyLine != 3 || other.KeyCol != 1 {
		t.Errorf("alias site key at %d:%d, want 3:1", other.KeyLine, other.KeyCol)
	}
	base := docs[0].Root.Get("base")
	if other.Line != base.Line || other.Col != base.Col || other.Get("host").Line != 2 {
		t.Errorf("alias copy should keep the anchored text's positions, got %d:%d", other.Line, other.Col)
	}
	if docs[0].Root.Get("list").Children[0].Get("host").Value != "h" {
		t.Error("alias in a flow sequence not expanded")
	}
}

func TestParseYAMLBOM(t *testing.T) {
	t.Parallel()
	data := readFile(t, "bom.yaml")
	docs, err := tree.ParseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	checkPositions(t, data, docs[0].Root, []posCase{
		{path: "host", value: "bom.example", at: "bom.example", keyAt: "host"},
		{path: "port", value: "5433", typ: tree.Int, at: "5433", keyAt: "port"},
	})
	if h := docs[0].Root.Get("host"); h.Col != 7 || h.KeyCol != 1 {
		t.Errorf("BOM shifted line 1: key col %d value col %d, want 1 and 7", h.KeyCol, h.Col)
	}
}

func TestParseYAMLEmpty(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "\n\n", "# only a comment\n", "---\n---\n", "---\n...\n"} {
		docs, err := tree.ParseYAML([]byte(in))
		if err != nil || len(docs) != 0 {
			t.Errorf("%q: %d docs, err %v; want none", in, len(docs), err)
		}
	}
}

func TestParseYAMLErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		line int
		is   error
	}{
		{file: "tab.yaml", line: 3},
		{file: "unclosed_flow.yaml", line: 2},
		{file: "mapping_in_context.yaml", line: 2},
		{file: "unknown_anchor.yaml", line: 3},
		{file: "unterminated_quote.yaml", line: 2},
		{file: "merge_scalar.yaml", line: 3},
		{file: "self_alias.yaml", line: 1},
		{file: "billion_laughs.yaml", is: tree.ErrAliasExpansion},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			_, err := tree.ParseYAML(readFile(t, "errors/"+c.file))
			var se *tree.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *SyntaxError", err, err)
			}
			if c.line != 0 && se.Line != c.line {
				t.Errorf("line %d, want %d (%v)", se.Line, c.line, err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("err %v is not %v", err, c.is)
			}
		})
	}
}

func TestParseYAMLOldMacLineEnds(t *testing.T) {
	t.Parallel()
	// YAML counts a lone CR as a line break; positions are given in the
	// "\n" numbering every other parser uses.
	data := []byte("a: 1\rb: x\n")
	docs, err := tree.ParseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	b := docs[0].Root.Get("b")
	if b.Line != 1 || b.Col != 9 || b.KeyCol != 6 {
		t.Errorf("b at %d:%d key col %d, want 1:9 and 6", b.Line, b.Col, b.KeyCol)
	}
}

// TestParseYAMLBadCharacterPosition: yaml.v3's reader errors name no
// line; the error points at the character it refuses, not at 1:1.
func TestParseYAMLBadCharacterPosition(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		line, col  int
	}{
		{"invalid UTF-8 in a plain scalar", "a: 1\nb: 2\nc: caf\xe9\n", 3, 7},
		{"invalid UTF-8 in a quoted scalar", "a: 1\nb: \"x\xffy\"\n", 2, 6},
		{"a control character", "a: 1\nb: x\x01y\n", 2, 5},
		{"after a byte order mark", "\xef\xbb\xbfa: \xc3\n", 1, 4},
		{"after multibyte characters", "a: Zürich\nb: 日本\xe6\n", 2, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tree.ParseYAML([]byte(c.text))
			var se *tree.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if se.Line != c.line || se.Col != c.col {
				t.Errorf("at %d:%d, want %d:%d (%v)", se.Line, se.Col, c.line, c.col, err)
			}
		})
	}
}
