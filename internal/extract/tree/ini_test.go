package tree_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestParseINIPgBouncer(t *testing.T) {
	t.Parallel()
	cases := []posCase{
		{path: "databases", at: "[databases]", keyAt: "databases]"},
		{path: "databases.app", value: "host=127.0.0.1 port=5432 dbname=app", at: "host=127", keyAt: "app ="},
		{path: "databases.*", value: "host=fallback.internal", at: "host=fallback", keyAt: "* ="},
		{path: "pgbouncer.listen_port", value: "6432", at: "6432 ;", keyAt: "listen_port"},
		{path: "pgbouncer.admin_users", value: "postgres", quoted: true, at: `"postgres"`},
	}
	data := readFile(t, "pgbouncer.ini")
	for _, v := range []struct {
		name string
		data []byte
	}{{"lf", data}, {"crlf", crlf(data)}} {
		t.Run(v.name, func(t *testing.T) {
			doc, err := tree.ParseINI(v.data)
			if err != nil {
				t.Fatal(err)
			}
			checkPositions(t, v.data, doc.Root, cases)
			checkBounds(t, v.data, doc.Root)
			if got := doc.Root.Path("pgbouncer", "listen_port").Comment; got != "inline comment" {
				t.Errorf("inline comment %q", got)
			}
			if got := doc.Root.Get("databases").Comment; got != "; PgBouncer configuration" {
				t.Errorf("section comment %q", got)
			}
			if n := len(doc.Root.Get("pgbouncer").Children); n != 4 {
				t.Errorf("pgbouncer section has %d keys, want 4 (%%include skipped)", n)
			}
			if len(doc.Problems) != 0 {
				t.Errorf("problems %v", doc.Problems)
			}
		})
	}
}

func TestParseINIMyCnf(t *testing.T) {
	t.Parallel()
	data := readFile(t, "my.cnf")
	doc, err := tree.ParseINI(data)
	if err != nil {
		t.Fatal(err)
	}
	checkPositions(t, data, doc.Root, []posCase{
		{path: "client.port", value: "3306", at: "3306", keyAt: "port"},
		{path: "client.socket", value: "/run/mysqld/mysqld.sock", at: "/run/", keyAt: "socket"},
		{path: "mysqld.skip-name-resolve", value: "", at: "", keyAt: "skip-name-resolve"},
		{path: "mysqld.max_connections", value: "500", at: "500"},
		{path: "mysqld.bind-address", value: "0.0.0.0", at: "0.0.0.0 #"},
	})
	checkBounds(t, data, doc.Root)
	var sections []string
	for _, c := range doc.Root.Children {
		sections = append(sections, c.Key)
	}
	if len(sections) != 3 || sections[0] != "client" || sections[2] != "client" {
		t.Errorf("sections %v, want [client mysqld client]", sections)
	}
	if got := doc.Root.Children[2].Get("user"); got == nil || got.Value != "app" || !got.Quoted {
		t.Errorf("second [client] user %+v", got)
	}
	if n := doc.Root.Path("mysqld", "skip-name-resolve"); n.Kind != tree.Scalar {
		t.Errorf("bare key kind %d", n.Kind)
	}
	if len(doc.Problems) != 2 || doc.Problems[0].Line != 11 || doc.Problems[1].Line != 14 {
		t.Errorf("problems %v, want lines 11 and 14", doc.Problems)
	}
}

func TestParseINIKeysBeforeSection(t *testing.T) {
	t.Parallel()
	data := readFile(t, "bom.ini")
	doc, _ := tree.ParseINI(data)
	checkPositions(t, data, doc.Root, []posCase{
		{path: "main", at: "[main]", keyAt: "main]"},
		{path: "main.host", value: "bom.example", at: "bom.example", keyAt: "host"},
	})
	if doc.Root.Get("main").Col != 1 {
		t.Error("BOM shifted line 1")
	}
	doc, _ = tree.ParseINI([]byte("top = 1\n[s]\nk = v\n"))
	if doc.Root.Get("top").Value != "1" || doc.Root.Path("s", "k").Value != "v" {
		t.Errorf("keys before the first section: %+v", doc.Root.Children)
	}
}
