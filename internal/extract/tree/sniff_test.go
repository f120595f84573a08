package tree_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		head string
		want string
	}{
		{"config/database.yml", "", "yaml"},
		{"docker-compose.override.yaml", "", "yaml"},
		{"appsettings.Development.json", "", "json"},
		{"pyproject.toml", "", "toml"},
		{".env", "", "env"},
		{".env.production", "", "env"},
		{"deploy/prod.env", "", "env"},
		{"env.example", "", "env"},
		{".env.example", "", "env"},
		{"application-prod.properties", "", "properties"},
		{"app.ini", "", "ini"},
		{"pgbouncer.ini", "", "ini"},
		{"/etc/mysql/my.cnf", "", "ini"},
		{"odyssey.conf", "storage \"x\" {", "conf"},
		{`C:\app\pgbouncer.INI`, "", "ini"},
		{"Dockerfile", "FROM postgres", ""},
		{"Dockerfile.dev", "FROM postgres", ""},
		{"main.go", "package main", ""},
		{"settings", "\xef\xbb\xbf  {\"a\": 1}", "json"},
		{"settings", "[1, 2]", "json"},
		{"settings", "; comment\n[database]\nhost = x\n", "ini"},
		{"settings", "# c\nDB_HOST=localhost\n", "env"},
		{"settings", "export DB_HOST=localhost\n", "env"},
		{"settings", "---\na: 1\n", "yaml"},
		{"settings", "host: localhost\n", "yaml"},
		{"settings.cfg", "spring.datasource.url=jdbc:x\n", "properties"},
		{"settings", "title = \"x\"\n", "toml"},
		{"settings", "", ""},
	}
	for _, c := range cases {
		if got := tree.Sniff(c.name, []byte(c.head)); got != c.want {
			t.Errorf("Sniff(%q, %q) = %q, want %q", c.name, c.head, got, c.want)
		}
	}
}
