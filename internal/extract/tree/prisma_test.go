package tree_test

import (
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestParsePrismaPositions(t *testing.T) {
	t.Parallel()
	cases := []posCase{
		{path: "client.provider", value: "prisma-client-js", quoted: true, at: `"prisma-client-js"`, keyAt: "provider"},
		{path: "client.previewFeatures", value: `["driverAdapters"]`, at: `["driverAdapters"] //`, keyAt: "previewFeatures"},
		{path: "db.provider", value: "postgresql", quoted: true, at: `"postgresql"`, keyAt: "provider"},
		{path: "db.url", value: `env("DATABASE_URL")`, at: `env("DATABASE_URL")`, keyAt: "url "},
		{path: "db.directUrl", value: "postgresql://migrator@pg.internal:5432/app?sslmode=require", quoted: true,
			at: `"postgresql://migrator`, keyAt: "directUrl"},
		{path: "db.shadowDatabaseUrl", value: `postgres://shadow@pg.internal/shadow"db`, quoted: true,
			at: `"postgres://shadow`, keyAt: "shadowDatabaseUrl"},
		{path: "db.extensions", value: `[pg_trgm, postgis(version: "3.4")]`, at: "[pg_trgm", keyAt: "extensions"},
	}
	data := readFile(t, "schema.prisma")
	for _, v := range []struct {
		name string
		data []byte
	}{{"lf", data}, {"crlf", crlf(data)}, {"bom", append([]byte("\xef\xbb\xbf"), data...)}} {
		t.Run(v.name, func(t *testing.T) {
			doc, err := tree.ParsePrisma(v.data)
			if err != nil {
				t.Fatal(err)
			}
			checkPositions(t, v.data, doc.Root, cases)
			checkBounds(t, v.data, doc.Root)
			var blocks []string
			for _, c := range doc.Root.Children {
				blocks = append(blocks, c.Value+" "+c.Key)
			}
			if got, want := strings.Join(blocks, ", "), "generator client, datasource db, model Post, enum Role"; got != want {
				t.Errorf("blocks %q, want %q", got, want)
			}
			if n := len(doc.Root.Get("Post").Children); n != 0 {
				t.Errorf("a model's fields are read: %d children", n)
			}
		})
	}
}

func TestParsePrismaErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"no keyword", "{ }", 1, 1, "expected a block keyword"},
		{"no name", "datasource {", 1, 12, "block's name"},
		{"no brace", "datasource db\n", 1, 14, `expected "{"`},
		{"not closed", "datasource db {\n  url = \"x\"\n", 1, 1, "not closed"},
		{"model not closed", "model M {\n  id Int\n", 1, 1, "not closed"},
		{"no equals", "datasource db {\n  url env(\"X\")\n}", 2, 7, `expected "="`},
		{"no value", "datasource db {\n  url =\n}", 2, 8, "expected a value"},
		{"string across lines", "datasource db {\n  url = \"postgres://u:S3cret\n@h\"\n}", 2, 9, "string not closed"},
		{"open call", "datasource db {\n  url = env(\"X\"\n}", 2, 9, "not closed"},
		{"stray closer", "datasource db {\n  url = x)\n}", 2, 10, "without its opening"},
		{"junk after a string", "datasource db {\n  url = \"x\" y\n}", 2, 13, "end of the line"},
		{"unicode column", "datasource db {\n  é = 1\n}", 2, 3, "setting's name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tree.ParsePrisma([]byte(tc.in))
			se, ok := err.(*tree.SyntaxError)
			if !ok {
				t.Fatalf("error %T %v, want *tree.SyntaxError", err, err)
			}
			if se.Line != tc.line || se.Col != tc.col || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("got %d:%d %q, want %d:%d %q", se.Line, se.Col, se.Msg, tc.line, tc.col, tc.msg)
			}
			if strings.Contains(se.Error(), "S3cret") {
				t.Errorf("the error quotes the input: %v", se)
			}
		})
	}
}

func FuzzParsePrisma(f *testing.F) {
	seed(f, ".prisma")
	for _, s := range []string{"", "{", "a b {", "datasource db { url = \"", "datasource db { x = env(\"a\") }",
		"model M { a String @default(\"}\") }", "datasource db {\r\n url = [(\"x\")]\r\n}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := tree.ParsePrisma(data)
		if err != nil {
			se, ok := err.(*tree.SyntaxError)
			if !ok {
				t.Fatalf("error %T %v, want *tree.SyntaxError", err, err)
			}
			checkProblems(t, data, []*tree.SyntaxError{se})
			return
		}
		checkBounds(t, data, doc.Root)
	})
}
