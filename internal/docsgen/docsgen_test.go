package docsgen_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/docsgen"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
)

func val(s string) profile.Value { return profile.Value{Text: s, Set: true} }

// client is a client profile of service svc in env, at host:port.
func client(file, svc string, env profile.Environment, host, port string) *profile.Profile {
	p := &profile.Profile{ID: file + "#database", File: file, KeyPath: "database", Format: "generic", Service: svc,
		Environment: env, Driver: val("postgres"), Database: val("orders"), User: val("app"),
		Hosts: []profile.Host{{Host: val(host)}}}
	if port != "" {
		p.Hosts[0].Port = val(port)
	}
	return p
}

func bouncer(file, listen, host, port string) *profile.Profile {
	p := client(file, "pgbouncer", profile.Unknown, host, port)
	p.Format, p.KeyPath, p.ID = "pgbouncer", "databases.orders", file+"#databases.orders"
	if listen != "" {
		p.SetParam("global.listen_port", val(listen))
	}
	return p
}

func pgPort(driver string) (int, bool) { return 5432, driver == "postgres" }

func build(ps ...*profile.Profile) *docsgen.Reference {
	var in docsgen.Input
	for _, p := range ps {
		in.Entries = append(in.Entries, docsgen.Entry{Profile: p, File: p.File})
	}
	in.DefaultPort = pgPort
	return docsgen.Build(in)
}

// edges renders the topology as "from-label -> to-label [env]" lines.
func edges(t docsgen.Topology) []string {
	label := map[string]string{}
	for _, n := range t.Nodes {
		label[n.ID] = n.Kind + ":" + n.Label
	}
	var out []string
	for _, e := range t.Edges {
		out = append(out, label[e.From]+" -> "+label[e.To]+" ["+e.Label+"]")
	}
	return out
}

func TestTopology(t *testing.T) {
	tests := []struct {
		name string
		ps   []*profile.Profile
		want []string
	}{
		{"through the pooler that listens on the port", []*profile.Profile{
			client("prod.yaml", "orders", profile.Production, "bouncer.internal", "6432"),
			bouncer("pgbouncer.ini", "6432", "db-primary", "5432"),
		}, []string{
			"service:orders -> pooler:PgBouncer pgbouncer.ini (:6432) [production]",
			"pooler:PgBouncer pgbouncer.ini (:6432) -> server:db-primary:5432 [unknown]",
		}},
		{"two poolers on one port: the address itself", []*profile.Profile{
			client("prod.yaml", "orders", profile.Production, "bouncer.internal", "6432"),
			bouncer("a.ini", "6432", "db-a", "5432"),
			bouncer("b.ini", "6432", "db-b", "5432"),
		}, []string{
			"service:orders -> server:bouncer.internal:6432 [production]",
			"pooler:PgBouncer a.ini (:6432) -> server:db-a:5432 [unknown]",
			"pooler:PgBouncer b.ini (:6432) -> server:db-b:5432 [unknown]",
		}},
		{"default port, environments merged, unresolved host as written", []*profile.Profile{
			client("prod.yaml", "orders", profile.Production, "db", ""),
			client("staging.yaml", "orders", profile.Staging, "db", "5432"),
			client("dev.yaml", "web", profile.Development, "${DB_HOST:-localhost}", "5432"),
		}, []string{
			"service:orders -> server:db:5432 [production, staging]",
			"service:web -> server:${DB_HOST:-localhost}:5432 [development]",
		}},
		{"a pooler sidecar in the pod", func() []*profile.Profile {
			p := client("deploy.yaml", "api", profile.Production, "127.0.0.1", "6432")
			p.SetParam("sidecars", val("pgbouncer=edoburu/pgbouncer:1.22"))
			return []*profile.Profile{p}
		}(), []string{"service:api -> pooler:PgBouncer pgbouncer sidecar of api [production]"}},
		{"a server's own settings are a server, not a service", func() []*profile.Profile {
			s := client("compose.yml", "db", profile.Unknown, "db", "5432")
			s.ServerSide = true
			return []*profile.Profile{s, client("compose.yml", "api", profile.Development, "db", "5432")}
		}(), []string{"service:api -> server:db:5432 [development]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := edges(build(tt.ps...).Topology); !slices.Equal(got, tt.want) {
				t.Errorf("edges:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// TestBuildIsStable: the order of the inputs does not change the reference.
func TestBuildIsStable(t *testing.T) {
	ps := []*profile.Profile{
		client("b.yaml", "orders", profile.Staging, "db", "5432"),
		client("a.yaml", "orders", profile.Production, "db", "5432"),
		bouncer("pgbouncer.ini", "6432", "db", "5432"),
		client("c.yaml", "Web App!", profile.Development, "web-db", ""),
	}
	fs := []policy.Finding{{Rule: "x", Severity: policy.Warning, Profile: "a.yaml#database"}, {Rule: "y", Severity: policy.Error, Profile: "a.yaml#database"}}
	in := func(order []int) docsgen.Input {
		var in docsgen.Input
		for _, i := range order {
			in.Entries = append(in.Entries, docsgen.Entry{Profile: ps[i], File: ps[i].File})
		}
		in.Findings = fs
		if order[0] != 0 {
			in.Findings = []policy.Finding{fs[1], fs[0]}
		}
		in.DefaultPort = pgPort
		return in
	}
	a, b := docsgen.Build(in([]int{0, 1, 2, 3})), docsgen.Build(in([]int{3, 2, 1, 0}))
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("the order of the inputs changed the reference:\n%+v\n%+v", a, b)
	}
	var names, envs []string
	for _, s := range a.Services {
		names = append(names, s.Name+"="+s.Slug)
	}
	for _, e := range a.Services[1].Environments {
		envs = append(envs, e.Name)
	}
	if want := []string{"Web App!=web-app", "orders=orders", "pgbouncer=pgbouncer"}; !slices.Equal(names, want) {
		t.Errorf("services %v, want %v", names, want)
	}
	if want := []string{"production", "staging"}; !slices.Equal(envs, want) {
		t.Errorf("environments %v, want production first: %v", envs, want)
	}
	if got := a.Services[1].Environments[0].Connections[0].Findings; len(got) != 2 || got[0].Severity != "error" {
		t.Errorf("findings %+v, want the error first", got)
	}
}

// TestSecretSourceOnly: a connection says where its password comes from
// and carries nothing else of it.
func TestSecretSourceOnly(t *testing.T) {
	const pw = "Qz7-secret-Wx"
	tests := []struct {
		pw   profile.Password
		want string
	}{
		{profile.Password{Secret: profile.NewSecret(pw), Set: true, Known: true, Source: "literal"}, "literal"},
		{profile.Password{Set: true, Known: true, Source: "env:DB_PASSWORD"}, "env:DB_PASSWORD"},
		{profile.Password{Known: true, Source: "none"}, "none"},
		{profile.Password{Secret: profile.NewSecret(pw)}, "unknown"},
	}
	for _, tt := range tests {
		p := client("a.yaml", "orders", profile.Production, "db", "5432")
		p.Password = tt.pw
		c := build(p).Services[0].Environments[0].Connections[0]
		if c.Secret != tt.want {
			t.Errorf("secret source %q, want %q", c.Secret, tt.want)
		}
		if s := strings.ToLower(strings.Join([]string{c.Secret, c.User, c.Database, strings.Join(c.Hosts, ",")}, " ")); strings.Contains(s, strings.ToLower(pw)) {
			t.Errorf("the connection carries the password: %+v", c)
		}
	}
}

// TestApprovalsPerEnvironment: an environment gets the policy's rules
// for it and those for every environment, with the groups' members.
func TestApprovalsPerEnvironment(t *testing.T) {
	pol := &config.ReviewConfig{
		Groups: []config.ReviewGroup{{Name: "dba", Members: []string{"bob", "alice"}}},
		Require: []config.ReviewRule{
			{Risk: "high", Approvals: 2, Groups: []string{"dba"}, Environments: []string{"production"}},
			{Risk: "low", Approvals: 1},
		},
	}
	in := docsgen.Input{Review: pol, Entries: []docsgen.Entry{
		{Profile: client("a.yaml", "orders", profile.Production, "db", "5432"), File: "a.yaml"},
		{Profile: client("b.yaml", "orders", profile.Staging, "db", "5432"), File: "b.yaml"},
	}}
	ref := docsgen.Build(in)
	prod, staging := ref.Services[0].Environments[0], ref.Services[0].Environments[1]
	if len(prod.Approvals) != 2 || !slices.Equal(prod.Approvals[0].Members, []string{"alice", "bob"}) {
		t.Errorf("production approvals %+v", prod.Approvals)
	}
	if len(staging.Approvals) != 1 || staging.Approvals[0].Risk != "low" {
		t.Errorf("staging approvals %+v, want only the rule for every environment", staging.Approvals)
	}
	if len(ref.Review) != 2 {
		t.Errorf("the whole policy has %d rules, want 2", len(ref.Review))
	}
}

// TestRunbooksFollowTheTaxonomy: one page per class, in the taxonomy's
// order, each with its stage, the stages before it and its fields.
func TestRunbooksFollowTheTaxonomy(t *testing.T) {
	rbs := docsgen.Runbooks()
	classes := verify.Classes()
	if len(rbs) != len(classes) {
		t.Fatalf("%d pages for %d classes", len(rbs), len(classes))
	}
	for i, ci := range classes {
		rb := rbs[i]
		if rb.Class != string(ci.Class) || rb.Stage != string(ci.Stage) || rb.Remediation != ci.Remediation || rb.MistakenFor != ci.MistakenFor {
			t.Errorf("page %d is %+v, the taxonomy says %+v", i, rb, ci)
		}
		stages := verify.Stages()
		if n := slices.Index(stages, ci.Stage); len(rb.Passed) != n {
			t.Errorf("%s: %d stages passed before %s, want %d", rb.Class, len(rb.Passed), rb.Stage, n)
		}
		if slices.Contains(rb.Siblings, rb.Class) {
			t.Errorf("%s lists itself among its siblings", rb.Class)
		}
	}
}

func TestCompare(t *testing.T) {
	page := func(body string) []byte { return []byte(docsgen.Marker + "\n\n" + body) }
	files := []docsgen.File{
		{Name: "README.md", Data: page("# index\n\nGenerated at 2026-01-02T03:04:05Z.\n\ntext\n")},
		{Name: "services/a.md", Data: page("a\n")},
		{Name: "services/new.md", Data: page("new\n")},
	}
	dir := fstest.MapFS{
		"README.md":         {Data: page("# index\n\ntext\n")}, // no timestamp: still current
		"services/a.md":     {Data: page("a, edited\n")},
		"services/gone.md":  {Data: page("gone\n")},
		"services/NOTES.md": {Data: []byte("# by hand\n")},
	}
	got, err := docsgen.Compare(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	want := []docsgen.Stale{{Name: "services/a.md", State: "differs"}, {Name: "services/gone.md", State: "extra"}, {Name: "services/new.md", State: "missing"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Compare = %+v, want %+v", got, want)
	}
	// inventory.json beside the pages leaves them be.
	got, err = docsgen.Compare(dir, []docsgen.File{{Name: "inventory.json", Data: []byte("{}\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []docsgen.Stale{{Name: "inventory.json", State: "missing"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Compare of the JSON = %+v, want %+v", got, want)
	}
	// A folder that does not exist yet: everything is missing.
	got, err = docsgen.Compare(fstest.MapFS{}, files[:1])
	if err != nil || len(got) != 1 || got[0].State != "missing" {
		t.Errorf("Compare of an empty folder = %+v, %v", got, err)
	}
}
