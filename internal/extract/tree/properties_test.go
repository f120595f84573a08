package tree_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestParsePropertiesPositions(t *testing.T) {
	t.Parallel()
	cases := []posCase{
		{path: "spring.datasource.url", value: "jdbc:postgresql://db.internal:5432/app", at: "jdbc:", keyAt: "spring.datasource.url"},
		{path: "spring.datasource.username", value: "app", at: "app", keyAt: "spring.datasource.username"},
		{path: "spring.datasource.password", value: "s3cr3t", at: "s3cr3t"},
		{path: "spring.jpa.open-in-view", value: "false", at: "false"},
		{path: "spring.datasource.hikari.connection-init-sql", value: "SELECT 1; SELECT 2", at: "SELECT 1; \\"},
		{path: "key with spaces", value: "value\tTab", at: `value\tTab`, keyAt: `key\ with`},
		{path: "unicode", value: "café", at: `caf\u00e9`},
		{path: "colon:key", value: "a=b", at: `a\=b`, keyAt: `colon\:key`},
		{path: "empty", value: "", at: ""},
		{path: "indented.key", value: "indented value", at: "indented value", keyAt: "indented.key"},
	}
	data := readFile(t, "application.properties")
	for _, v := range []struct {
		name string
		data []byte
	}{{"lf", data}, {"crlf", crlf(data)}} {
		t.Run(v.name, func(t *testing.T) {
			doc, err := tree.ParseProperties(v.data)
			if err != nil {
				t.Fatal(err)
			}
			checkPositions(t, v.data, doc.Root, cases)
			checkBounds(t, v.data, doc.Root)
			n := 0
			for _, c := range doc.Root.Children {
				if c.Key == "spring.datasource.url" {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%d spring.datasource.url entries, want both", n)
			}
			if len(doc.Problems) != 1 || doc.Problems[0].Line != 15 {
				t.Errorf("problems %v, want the bad \\u escape on line 15", doc.Problems)
			}
			if got := doc.Root.Get("spring.datasource.url").Comment; got != "Spring datasource" {
				t.Errorf("comment %q", got)
			}
		})
	}
}

func TestParsePropertiesContinuationOnNextLine(t *testing.T) {
	t.Parallel()
	data := []byte("key = \\\n    value on next\nother=1\n")
	doc, _ := tree.ParseProperties(data)
	checkPositions(t, data, doc.Root, []posCase{
		{path: "key", value: "value on next", at: "value on next", keyAt: "key"},
		{path: "other", value: "1", at: "1", keyAt: "other"},
	})
}

func TestParsePropertiesEncoding(t *testing.T) {
	t.Parallel()
	doc, _ := tree.ParseProperties(readFile(t, "latin1.properties"))
	if got := doc.Root.Get("name").Value; got != "Müller" {
		t.Errorf("latin-1 value %q", got)
	}
	if n := doc.Root.Get("city"); n.Value != "Köln" || n.Line != 2 || n.Col != 6 {
		t.Errorf("city %q at %d:%d", n.Value, n.Line, n.Col)
	}
	data := readFile(t, "bom.properties")
	doc, _ = tree.ParseProperties(data)
	checkPositions(t, data, doc.Root, []posCase{{path: "db.host", value: "bom.example", at: "bom.example", keyAt: "db.host"}})
	if n := doc.Root.Get("db.host"); n.KeyCol != 1 {
		t.Errorf("BOM shifted line 1: key col %d", n.KeyCol)
	}
}
