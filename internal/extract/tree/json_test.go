package tree_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestParseJSONPositions(t *testing.T) {
	t.Parallel()
	cases := []posCase{
		{path: "ConnectionStrings", at: "{", keyAt: `"ConnectionStrings"`},
		{path: "ConnectionStrings.Default", value: "Host=db.internal;Port=5432;Database=app;Username=api", quoted: true, at: `"Host=db.internal`, keyAt: `"Default"`},
		{path: "Pool.Max", value: "50", typ: tree.Int, at: "50", keyAt: `"Max"`},
		{path: "Pool.Timeout", value: "1.5e1", typ: tree.Float, at: "1.5e1", keyAt: `"Timeout"`},
		{path: "Pool.Enabled", value: "true", typ: tree.Bool, at: "true"},
		{path: "Pool.Idle", value: "null", typ: tree.NullType, at: "null"},
		{path: "Hosts", at: "[", keyAt: `"Hosts"`},
		{path: "Hosts[1]", value: "b.internal", quoted: true, at: `"b.internal"`},
		{path: "Unicode", value: "café 😀 – \"q\"", quoted: true, at: `"caf\u00e9`},
		{path: "Näme", value: "wert", quoted: true, at: `"wert"`, keyAt: `"Näme"`},
	}
	data := readFile(t, "appsettings.json")
	for _, v := range []struct {
		name string
		data []byte
	}{{"lf", data}, {"crlf", crlf(data)}} {
		t.Run(v.name, func(t *testing.T) {
			doc, err := tree.ParseJSON(v.data)
			if err != nil {
				t.Fatal(err)
			}
			checkPositions(t, v.data, doc.Root, cases)
			checkBounds(t, v.data, doc.Root)
			var dups []string
			for _, c := range doc.Root.Children {
				if c.Key == "Dup" {
					dups = append(dups, c.Value)
				}
			}
			if strings.Join(dups, ",") != "1,2" {
				t.Errorf("duplicate keys %v, want both in order", dups)
			}
			if got := doc.Root.Get("ConnectionStrings").Comment; got != "Connection strings for the API" {
				t.Errorf("head comment %q", got)
			}
			if got := doc.Root.Path("ConnectionStrings", "Default").Comment; got != "primary" {
				t.Errorf("line comment %q", got)
			}
			if got := doc.Root.Get("Pool").Comment; got != "pool settings" {
				t.Errorf("block comment %q", got)
			}
		})
	}
}

func TestParseJSONBOM(t *testing.T) {
	t.Parallel()
	data := readFile(t, "bom.json")
	doc, err := tree.ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	checkPositions(t, data, doc.Root, []posCase{
		{path: "host", value: "bom.example", quoted: true, at: `"bom.example"`, keyAt: `"host"`},
		{path: "port", value: "5434", typ: tree.Int, at: "5434"},
	})
	if doc.Root.Col != 1 {
		t.Errorf("root at col %d, want 1", doc.Root.Col)
	}
}

func TestParseJSONScalars(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		value string
		typ   tree.Type
		kind  tree.Kind
	}{
		{`0`, "0", tree.Int, tree.Scalar},
		{`-12`, "-12", tree.Int, tree.Scalar},
		{`-0.5E+3`, "-0.5E+3", tree.Float, tree.Scalar},
		{`"a\/b\\c\n\t\b\f\r"`, "a/b\\c\n\t\b\f\r", tree.String, tree.Scalar},
		{`"\u00e9\uD83D\uDE00"`, "é😀", tree.String, tree.Scalar},
		{`false`, "false", tree.Bool, tree.Scalar},
		{`null`, "null", tree.NullType, tree.Null},
		{" // c\n 7 /* d */ ", "7", tree.Int, tree.Scalar},
	}
	for _, c := range cases {
		doc, err := tree.ParseJSON([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if doc.Root.Value != c.value || doc.Root.Type != c.typ || doc.Root.Kind != c.kind {
			t.Errorf("%s: got %q type %d kind %d", c.in, doc.Root.Value, doc.Root.Type, doc.Root.Kind)
		}
	}
	doc, err := tree.ParseJSON([]byte(" // nothing\n"))
	if err != nil || doc.Root != nil {
		t.Errorf("comment-only input: root %v err %v, want nil root", doc.Root, err)
	}
}

func TestParseJSONErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file      string
		line, col int
	}{
		{"missing_comma.json", 3, 3},
		{"control_in_string.json", 2, 12},
		{"unterminated_string.json", 2, 8},
		{"bad_escape.json", 3, 9},
		{"lone_high_surrogate.json", 2, 9},
		{"lone_low_surrogate.json", 2, 9},
		{"trailing_value.json", 3, 1},
		{"bad_number.json", 2, 5},
		{"bare_minus.json", 2, 4},
		{"open_comment.json", 2, 3},
		{"bad_literal.json", 2, 8},
		{"missing_colon.json", 2, 7},
		{"unquoted_key.json", 2, 3},
		{"double_comma.json", 3, 3},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			data := readFile(t, "errors/"+c.file)
			for _, d := range [][]byte{data, crlf(data)} {
				_, err := tree.ParseJSON(d)
				var se *tree.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want *SyntaxError", err)
				}
				if se.Line != c.line || se.Col != c.col {
					t.Errorf("at %d:%d, want %d:%d (%v)", se.Line, se.Col, c.line, c.col, err)
				}
			}
		})
	}
}

func TestParseJSONDepth(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	_, err := tree.ParseJSON([]byte(deep))
	if !errors.Is(err, tree.ErrTooDeep) {
		t.Fatalf("err = %v, want ErrTooDeep", err)
	}
	ok := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	if _, err := tree.ParseJSON([]byte(ok)); err != nil {
		t.Fatal(err)
	}
}
