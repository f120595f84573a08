package tree_test

import (
	"errors"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestParseTOMLPositions(t *testing.T) {
	t.Parallel()
	cases := []posCase{
		{path: "title", value: "dbguard sample", quoted: true, at: `"dbguard sample"`, keyAt: "title"},
		{path: "database", at: "[database]", keyAt: "database]"},
		{path: "database.host", value: "db.internal", quoted: true, at: `"db.internal"`, keyAt: "host"},
		{path: "database.port", value: "5432", typ: tree.Int, at: "5432", keyAt: "port"},
		{path: "database.user", value: "app", quoted: true, at: "'app'", keyAt: "user"},
		{path: "database.ratio", value: "0.75", typ: tree.Float, at: "0.75"},
		{path: "database.enabled", value: "true", typ: tree.Bool, at: "true"},
		{path: "database.created", value: "1979-05-27T07:32:00Z", at: "1979-05-27"},
		{path: "database.options", at: `[ "sslmode`, keyAt: "options"},
		{path: "database.options[0]", value: "sslmode=require", quoted: true, at: `"sslmode=require"`},
		{path: "database.options[1]", value: "connect_timeout=5", quoted: true, at: `"connect_timeout=5"`},
		{path: "database.nested", at: "[[1, 2]"},
		{path: "database.nested[0]", at: "[1, 2]"},
		{path: "database.nested[0][1]", value: "2", typ: tree.Int, at: "2]"},
		{path: "database.nested[1]", at: "[]"},
		{path: "database.nested[2]", at: `["x"]`},
		{path: "database.nested[2][0]", value: "x", quoted: true, at: `"x"`},
		{path: "database.pool", at: "{ max", keyAt: "pool"},
		{path: "database.pool.idle", value: "5", typ: tree.Int, at: "5,", keyAt: "idle"},
		{path: "database.pool.inner.a", value: "1", typ: tree.Int, at: "1 }", keyAt: "a = 1"},
		{path: "database.server", keyAt: "server.name"},
		{path: "database.server.name", value: "pg-main", quoted: true, at: `"pg-main"`, keyAt: "name"},
		{path: "database.replica", at: "[database.replica]", keyAt: "replica]"},
		{path: "database.replica.host", value: "replica.internal", quoted: true, at: `"replica.internal"`},
		{path: "servers", at: "[[servers]]", keyAt: "servers]]"},
		{path: "servers[0].name", value: "alpha", quoted: true, at: `"alpha"`, keyAt: "name"},
		{path: "servers[1]", at: "[[servers]]"},
		{path: "servers[1].name", value: "bêta", quoted: true, at: `"bêta"`},
		{path: "servers[1].extra.dc", value: "eu", quoted: true, at: `"eu"`, keyAt: "dc"},
	}
	data := readFile(t, "app.toml")
	for _, v := range []struct {
		name string
		data []byte
	}{{"lf", data}, {"crlf", crlf(data)}} {
		t.Run(v.name, func(t *testing.T) {
			doc, err := tree.ParseTOML(v.data)
			if err != nil {
				t.Fatal(err)
			}
			checkPositions(t, v.data, doc.Root, cases)
			checkBounds(t, v.data, doc.Root)
			if got := doc.Root.Path("database", "host").Comment; got != "primary" {
				t.Errorf("line comment %q", got)
			}
			if got := doc.Root.Get("title").Comment; got != "Service configuration" {
				t.Errorf("head comment %q", got)
			}
			if n := len(doc.Root.Get("servers").Children); n != 2 {
				t.Errorf("%d servers, want 2", n)
			}
		})
	}
}

func TestParseTOMLBOM(t *testing.T) {
	t.Parallel()
	data := readFile(t, "bom.toml")
	doc, err := tree.ParseTOML(data)
	if err != nil {
		t.Fatal(err)
	}
	checkPositions(t, data, doc.Root, []posCase{
		{path: "host", value: "bom.example", quoted: true, at: `"bom.example"`, keyAt: "host"},
		{path: "port", value: "5435", typ: tree.Int, at: "5435"},
	})
	if h := doc.Root.Get("host"); h.KeyCol != 1 {
		t.Errorf("BOM shifted line 1: key col %d", h.KeyCol)
	}
}

func TestParseTOMLErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		line int
	}{
		{"missing_value.toml", 2},
		{"unclosed_table.toml", 2},
		{"value_then_table.toml", 2},
		{"bad_escape.toml", 2},
		{"table_then_array.toml", 3},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			data := readFile(t, "errors/"+c.file)
			for _, d := range [][]byte{data, crlf(data)} {
				_, err := tree.ParseTOML(d)
				var se *tree.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want *SyntaxError", err)
				}
				if se.Line != c.line || se.Col < 1 {
					t.Errorf("at %d:%d, want line %d (%v)", se.Line, se.Col, c.line, err)
				}
			}
		})
	}
}
