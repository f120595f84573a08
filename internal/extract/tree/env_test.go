package tree_test

import (
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestParseEnvPositions(t *testing.T) {
	t.Parallel()
	cases := []posCase{
		{path: "DB_HOST", value: "localhost", at: "localhost", keyAt: "DB_HOST"},
		{path: "DB_PORT", value: "5432", at: "5432", keyAt: "DB_PORT"},
		{path: "DB_USER", value: "app", at: "app", keyAt: "DB_USER"},
		{path: "DB_PASSWORD", value: "p@ss#word", quoted: true, at: "'p@ss#word'"},
		{path: "DB_URL", value: "postgres://app:${DB_PASSWORD}@${DB_HOST:-localhost}:5432/app", quoted: true, at: `"postgres://`},
		{path: "DB_NAME", value: "app", at: "app #"},
		{path: "DB_HASH", value: "abc#def", at: "abc#def"},
		{path: "EMPTY", value: "", at: ""},
		{path: "MULTI", value: "line one\nline two\n\"quoted\"", quoted: true, at: `"line one`},
		{path: "DEFAULTED", value: "${DB_SSLMODE:?sslmode required}", at: "${DB_SSLMODE"},
		{path: "DOLLAR", value: "pa$$word", at: "pa$$word"},
		{path: "TRAIL", value: "x", quoted: true, at: `"x"`},
	}
	data := readFile(t, "app.env")
	for _, v := range []struct {
		name string
		data []byte
	}{{"lf", data}, {"crlf", crlf(data)}} {
		t.Run(v.name, func(t *testing.T) {
			doc, err := tree.ParseEnv(v.data)
			if err != nil {
				t.Fatal(err)
			}
			checkPositions(t, v.data, doc.Root, cases)
			checkBounds(t, v.data, doc.Root)
			var keys []string
			for _, c := range doc.Root.Children {
				keys = append(keys, c.Key)
			}
			want := "DB_HOST DB_PORT DB_USER DB_PASSWORD DB_URL DB_NAME DB_HASH EMPTY MULTI DEFAULTED DOLLAR TRAIL DB_HOST"
			if got := strings.Join(keys, " "); got != want {
				t.Errorf("keys\n got %s\nwant %s", got, want)
			}
			if got := doc.Root.Get("DB_HOST").Comment; got != "Database settings" {
				t.Errorf("head comment %q", got)
			}
			if got := doc.Root.Get("DB_NAME").Comment; got != "inline comment" {
				t.Errorf("inline comment %q", got)
			}
			if e := doc.Root.Get("EMPTY"); e.Kind != tree.Scalar {
				t.Errorf("EMPTY kind %d, want Scalar (set, empty)", e.Kind)
			}
			// The non-assignment on line 12, CAFÉ_OK on 15 and the junk
			// after TRAIL's quote on 16 are reported, not fatal.
			var lines []int
			for _, p := range doc.Problems {
				lines = append(lines, p.Line)
			}
			if len(lines) != 3 || lines[0] != 12 || lines[1] != 15 || lines[2] != 16 {
				t.Errorf("problem lines %v, want [12 15 16]", lines)
			}
		})
	}
}

func TestParseEnvBOM(t *testing.T) {
	t.Parallel()
	data := readFile(t, "bom.env")
	doc, _ := tree.ParseEnv(data)
	checkPositions(t, data, doc.Root, []posCase{{path: "DB_HOST", value: "bom.example", at: "bom.example", keyAt: "DB_HOST"}})
	if n := doc.Root.Get("DB_HOST"); n.KeyCol != 1 || n.Col != 9 {
		t.Errorf("BOM shifted line 1: %d and %d, want 1 and 9", n.KeyCol, n.Col)
	}
}

func TestParseEnvUnterminated(t *testing.T) {
	t.Parallel()
	doc, err := tree.ParseEnv(readFile(t, "errors/unterminated.env"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Problems) != 1 || doc.Problems[0].Line != 2 || doc.Problems[0].Col != 3 {
		t.Fatalf("problems %v, want one at 2:3", doc.Problems)
	}
	if doc.Root.Get("A").Value != "1" || doc.Root.Get("C").Value != "3" {
		t.Error("lines around the bad one lost")
	}
	if doc.Root.Get("B") != nil {
		t.Error("unterminated value kept")
	}
}
