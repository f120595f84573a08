package extract_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// want describes one expected profile by its name; fields left empty are
// not checked, "-" means the field must be unset.
type want struct {
	name, driver, host, port, database, user, tls, password, env string
	serverSide                                                   bool
	replicas, maxOpen, connectTimeout                            string
	params                                                       map[string]string
}

func extractFile(t *testing.T, rel string) extract.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return extract.File(rel, data)
}

func text(v profile.Value) string {
	if !v.Set {
		return "-"
	}
	return v.Text
}

func check(t *testing.T, got []*profile.Profile, wants []want) {
	t.Helper()
	byName := map[string]*profile.Profile{}
	var names []string
	for _, p := range got {
		byName[p.Name] = p
		names = append(names, p.Name)
	}
	if len(got) != len(wants) {
		t.Errorf("got %d profiles %q, want %d", len(got), names, len(wants))
	}
	for _, w := range wants {
		p := byName[w.name]
		if p == nil {
			t.Errorf("no profile %q among %q", w.name, names)
			continue
		}
		h := p.FirstHost()
		pw := "none"
		switch {
		case !p.Password.Known:
			pw = "unknown"
		case p.Password.Set:
			pw = p.Password.Source
		}
		fields := []struct{ field, got, want string }{
			{"driver", text(p.Driver), w.driver},
			{"host", text(h.Host), w.host},
			{"port", text(h.Port), w.port},
			{"database", text(p.Database), w.database},
			{"user", text(p.User), w.user},
			{"tls", text(p.TLS.Mode), w.tls},
			{"password", pw, w.password},
			{"environment", string(p.Environment), w.env},
			{"replicas", text(p.Replicas.Count), w.replicas},
			{"pool.max_open", text(p.Pool.MaxOpen), w.maxOpen},
			{"timeouts.connect", text(p.Timeouts.Connect), w.connectTimeout},
		}
		for _, f := range fields {
			if f.want != "" && f.got != f.want {
				t.Errorf("%s: %s = %q, want %q", w.name, f.field, f.got, f.want)
			}
		}
		if p.ServerSide != w.serverSide {
			t.Errorf("%s: server_side = %v, want %v", w.name, p.ServerSide, w.serverSide)
		}
		for k, v := range w.params {
			if got := text(p.Params[k]); got != v {
				t.Errorf("%s: params.%s = %q, want %q", w.name, k, got, v)
			}
		}
	}
}

func TestExtractors(t *testing.T) {
	tests := []struct {
		file  string
		wants []want
	}{
		{"compose/app.yml", []want{
			{name: "api", driver: "postgres", host: "db", port: "5432", database: "orders", user: "app",
				password: "env:DB_PASSWORD", replicas: "3"},
			{name: "worker.DATABASE_URL", driver: "postgres", host: "db", port: "5432", database: "orders",
				user: "worker", tls: "require", password: "env:WORKER_PW"},
			{name: "worker.REDIS_URL", driver: "redis", host: "cache", port: "6379", database: "1", password: "none"},
			{name: "db", driver: "postgres", host: "db", port: "5432", database: "orders", user: "app", tls: "on",
				password: "literal", serverSide: true, params: map[string]string{"max_connections": "200"}},
		}},
		{"kube/deploy.yaml", []want{
			{name: "Secret/billing-db DB_*", host: "billing-db.staging.svc", user: "billing", password: "literal", env: "staging"},
			{name: "Deployment/billing env DB_*", driver: "postgres", host: "billing-db", port: "5432", database: "billing",
				password: "secret:billing-db/DB_PASSWORD", replicas: "4", env: "staging"},
			{name: "Deployment/billing env DATABASE_URL", driver: "postgres", host: "billing-db", port: "5432",
				database: "billing", replicas: "4"},
		}},
		{"dotenv/.env.production", []want{
			{name: "DB_*", driver: "postgres", host: "db.prod.internal", port: "5432", database: "shop", user: "shop",
				password: "literal", env: "production"},
			{name: "REDIS_URL", driver: "redis", host: "cache.prod.internal", port: "6380", database: "0", tls: "rediss",
				password: "literal", env: "production"},
		}},
		{"generic/database.yml", []want{
			{name: "development", driver: "postgres", host: "localhost", database: "app_development", env: "development",
				maxOpen: `<%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>`},
			{name: "production.primary", driver: "postgres", host: "-", password: "unknown", env: "production"},
			{name: "production.replica", driver: "postgres", host: "replica.prod.internal", database: "app_production",
				user: "app_ro", password: "env:REPLICA_PASSWORD", env: "production"},
		}},
		{"generic/config.toml", []want{
			{name: "database", driver: "mysql", host: "mysql.internal", port: "3306", database: "app", user: "app",
				tls: "skip-verify", password: "literal", maxOpen: "50", connectTimeout: "5s"},
		}},
		{"generic/appsettings.Production.json", []want{
			{name: "ConnectionStrings.Orders", driver: "sqlserver", host: "sql.prod.internal", port: "1433",
				database: "Orders", user: "orders", tls: "true", password: "literal", env: "production"},
			// A StackExchange.Redis string, found since that format is read.
			{name: "ConnectionStrings.Cache", driver: "redis", host: "cache.prod.internal", port: "6379",
				tls: "true", password: "none", env: "production"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := extractFile(t, tt.file)
			for _, p := range res.Problems {
				t.Errorf("problem: %s: %s", p.Loc, p.Msg)
			}
			check(t, res.Profiles, tt.wants)
		})
	}
}

// TestNoSecretInParams checks that passwords never reach params or the
// view, whatever carried them.
func TestNoSecretInParams(t *testing.T) {
	for _, rel := range []string{"compose/app.yml", "dotenv/.env.production", "generic/config.toml", "generic/appsettings.Production.json", "kube/deploy.yaml"} {
		res := extractFile(t, rel)
		for _, p := range res.Profiles {
			for k, v := range p.Params {
				for _, secret := range []string{"devonly", "s3cr#t value", "p@ss", ":pw@", "token", "secret-value"} {
					if strings.Contains(v.Text, secret) {
						t.Errorf("%s: params.%s holds a secret: %q", p.ID, k, v.Text)
					}
				}
			}
		}
	}
}

// TestValueLocations checks that every located field points at its own text.
func TestValueLocations(t *testing.T) {
	for _, rel := range []string{"compose/app.yml", "dotenv/.env.production", "generic/config.toml", "generic/database.yml", "kube/deploy.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", rel))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		res := extract.File(rel, data)
		for _, p := range res.Profiles {
			check := func(name string, v profile.Value) {
				// The driver is canonical (postgresql -> postgres), a raw
				// connection string is redacted, a Secret's data is
				// base64 in the file and $(VAR) references are expanded:
				// their text differs from the file's by design.
				if !v.Set || v.Loc.Line == 0 || v.Text == "" || name == "driver" || name == "params.url" || name == "params.raw" ||
					strings.HasPrefix(p.KeyPath, "data.") || strings.Contains(p.Name, "DATABASE_URL") && rel == "kube/deploy.yaml" {
					return
				}
				line := []rune(lines[v.Loc.Line-1])
				if v.Loc.Column < 1 || v.Loc.Column > len(line) {
					t.Errorf("%s %s: column %d outside line %d", p.ID, name, v.Loc.Column, v.Loc.Line)
					return
				}
				at := string(line[v.Loc.Column-1:])
				if !strings.HasPrefix(at, v.Text) && !strings.HasPrefix(strings.TrimLeft(at, `"'`), v.Text) {
					t.Errorf("%s %s = %q but %s holds %q", p.ID, name, v.Text, v.Loc, at)
				}
			}
			p.EachField(check)
		}
	}
}

// TestNotes checks that duplicate keys and keys dedented out of their block
// are recorded with both locations.
func TestNotes(t *testing.T) {
	tests := []struct {
		file, kind, key, loc, other string
	}{
		{"notes/app.yaml", profile.NoteStrayKey, "max_open_conns", "notes/app.yaml:7:1", "notes/app.yaml:2:9"},
		{"notes/application.properties", profile.NoteStrayKey, "hikari", "notes/application.properties:3:1", "notes/application.properties:1:23"},
		{"notes/.env", profile.NoteDuplicateKey, "DB_HOST", "notes/.env:3:9", "notes/.env:1:9"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := extractFile(t, tt.file)
			var notes []profile.Note
			for _, p := range res.Profiles {
				notes = append(notes, p.Notes...)
			}
			if len(notes) != 1 {
				t.Fatalf("got notes %+v, want one", notes)
			}
			n := notes[0]
			if n.Kind != tt.kind || n.Key != tt.key || n.Loc.String() != tt.loc || n.Other.String() != tt.other {
				t.Errorf("got %s %s at %s (other %s), want %s %s at %s (other %s)",
					n.Kind, n.Key, n.Loc, n.Other, tt.kind, tt.key, tt.loc, tt.other)
			}
		})
	}
	// A clean block has no notes.
	res := extractFile(t, "generic/config.toml")
	for _, p := range res.Profiles {
		if len(p.Notes) > 0 {
			t.Errorf("%s: unexpected notes %+v", p.ID, p.Notes)
		}
	}
}

// TestEnvironmentOrder checks the documented order: a sibling key, then the
// enclosing block, then the path, then the Kubernetes namespace.
func TestEnvironmentOrder(t *testing.T) {
	tests := []struct {
		file, name string
		env        profile.Environment
		raw, from  string
	}{
		{"envorder/overlays/prod/deploy.yaml", "Deployment/api env DB_*", profile.Production, "prod", "path"},
		{"envorder/ns.yaml", "Deployment/api env DB_*", profile.Production, "production", "key"},
		{"envorder/ns.yaml", "Deployment/worker env DB_*", profile.Staging, "staging", "namespace"},
		{"generic/database.yml", "production.replica", profile.Production, "production", "block"},
		{"generic/appsettings.Production.json", "ConnectionStrings.Orders", profile.Production, "Production", "path"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.name, func(t *testing.T) {
			for _, p := range extractFile(t, tt.file).Profiles {
				if p.Name != tt.name {
					continue
				}
				if p.Environment != tt.env || p.EnvironmentRaw != tt.raw || p.EnvironmentFrom != tt.from {
					t.Errorf("environment %s (%q from %s), want %s (%q from %s)", p.Environment, p.EnvironmentRaw,
						p.EnvironmentFrom, tt.env, tt.raw, tt.from)
				}
				return
			}
			t.Errorf("no profile %q", tt.name)
		})
	}
}

// TestTemplatedBeyondParsing checks that a template that is not YAML until
// rendered is reported with its position and a way out.
func TestTemplatedBeyondParsing(t *testing.T) {
	res := extractFile(t, "bad/templates-deployment.yaml")
	if len(res.Problems) != 1 {
		t.Fatalf("problems %+v, want one", res.Problems)
	}
	p := res.Problems[0]
	if p.Loc.String() != "bad/templates-deployment.yaml:14:13" || !strings.Contains(p.Msg, "templated beyond parsing") || !strings.Contains(p.Msg, "helm template") {
		t.Errorf("got %s: %s", p.Loc, p.Msg)
	}
}

// TestEnvironmentDocumented holds docs/scan.md's table of paths and the
// environments decided from them to the code: each row's path, holding a
// minimal connection, gets the row's environment.
func TestEnvironmentDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scan.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "<!-- environment-paths -->\n")
	if !ok {
		t.Fatal("docs/scan.md has no <!-- environment-paths --> table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	rows := strings.Split(table, "\n")[2:]
	if len(rows) < 10 {
		t.Fatalf("only %d rows in docs/scan.md's environment table", len(rows))
	}
	for _, row := range rows {
		cells := strings.Split(strings.Trim(strings.TrimSpace(row), "|"), "|")
		if len(cells) != 3 {
			t.Fatalf("row %q has %d cells", row, len(cells))
		}
		file := strings.Trim(strings.TrimSpace(cells[0]), "`")
		env, raw := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])
		t.Run(file, func(t *testing.T) {
			data := "DATABASE_URL=postgres://app@db:5432/app\n"
			if strings.HasSuffix(file, ".yml") || strings.HasSuffix(file, ".yaml") {
				data = "database:\n  url: postgres://app@db:5432/app\n"
			}
			ps := extract.File(file, []byte(data)).Profiles
			if len(ps) != 1 {
				t.Fatalf("%d profiles, want 1", len(ps))
			}
			if p := ps[0]; string(p.Environment) != env || p.EnvironmentRaw != raw {
				t.Errorf("environment %s (%q), docs/scan.md says %s (%q)", p.Environment, p.EnvironmentRaw, env, raw)
			}
		})
	}
}
