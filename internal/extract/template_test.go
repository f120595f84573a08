package extract_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// tplField is one expected field of a profile read from a template. Empty
// strings are not checked; "-" means unset.
type tplField struct {
	text string // the value as written (the template's text when unresolved)
	v    string // the variable an unresolved value names
	def  string // the default it names; "-" for none
	loc  string // line:column in the original file
}

// tplWant is one expected profile of a templated file. notes lists every
// conditional note as "field line:col <conditions> [other line:col]".
type tplWant struct {
	name     string
	fields   map[string]tplField
	password string // password source
	notes    []string
}

func TestTemplatedFiles(t *testing.T) {
	tests := []struct {
		file  string
		wants []tplWant
	}{
		{"rails/config/database.yml", []tplWant{
			{name: "development", password: "none", fields: map[string]tplField{
				"driver":        {text: "postgres", loc: "3:12"},
				"database":      {text: "shop_development", loc: "14:13"},
				"host":          {text: `<%= ENV.fetch("DB_HOST") { "localhost" } %>`, v: "DB_HOST", def: "localhost", loc: "15:9"},
				"port":          {text: `<%= ENV["DB_PORT"] %>`, v: "DB_PORT", def: "-", loc: "17:9"},
				"pool.max_open": {v: "RAILS_MAX_THREADS", def: "5", loc: "5:9"},
			}, notes: []string{`port 17:9 if ENV["DB_PORT"]`}},
			{name: "test", fields: map[string]tplField{
				"database": {text: "shop_test<%= ENV['TEST_ENV_NUMBER'] %>", v: "TEST_ENV_NUMBER", def: "-", loc: "22:13"},
			}},
			// Rails merges the URL over the explicit keys
			// (ActiveRecord's UrlConfig: configuration_hash.merge(url_hash)):
			// the URL's host wins, pool (not in the URL) stays.
			{name: "staging", password: "none", fields: map[string]tplField{
				"host":          {text: "db.staging.internal", loc: "26:24"},
				"port":          {text: "5433", loc: "26:44"},
				"database":      {text: "shop_staging", loc: "26:49"},
				"user":          {text: "shop", loc: "26:19"},
				"tls":           {text: "require"},
				"pool.max_open": {text: "12", loc: "28:9"},
			}},
			{name: "production.primary", password: "env:SHOP_DATABASE_PASSWORD", fields: map[string]tplField{
				"params.url": {text: `<%= ENV["DATABASE_URL"] %>`, v: "DATABASE_URL", def: "-", loc: "33:10"},
				"tls":        {text: `<%= ENV["DB_SSLMODE"] %>`, v: "DB_SSLMODE", loc: "35:14"},
				"host":       {text: "-"},
			}, notes: []string{`tls 35:14 if ENV["DB_SSLMODE"] [37:14]`}},
			{name: "production.primary_replica", fields: map[string]tplField{
				"host":             {v: "REPLICA_HOST", def: "replica.shop.internal", loc: "43:11"},
				"user":             {text: "shop_ro", loc: "44:15"},
				"timeouts.connect": {text: "3", loc: "10:20"},
				"pool.max_open":    {def: "5", loc: "5:9"},
			}},
		}},
		{"chart/orders/templates/deployment.yaml", []tplWant{
			{name: `Deployment/{{ include "orders.fullname" . }} env DB_*`,
				password: `secret:{{ .Values.database.existingSecret }}/password`,
				fields: map[string]tplField{
					"host":     {v: ".Values.database.host", def: "orders-postgresql", loc: "31:22"},
					"port":     {v: ".Values.database.port", def: "5432", loc: "33:22"},
					"database": {text: "{{ .Values.database.name | quote }}", v: ".Values.database.name", def: "-", loc: "35:22"},
					"user":     {v: ".Values.database.user", def: "orders", loc: "37:22"},
					"tls":      {text: "verify-full", loc: "53:22"},
					"replicas": {text: "{{ .Values.replicaCount }}", v: ".Values.replicaCount", loc: "12:13"},
				},
				notes: []string{
					"tls 53:22 if .Values.database.tls",
					"replicas 12:13 if not .Values.autoscaling.enabled",
					"password 42:25 if .Values.database.existingSecret [48:25]",
				}},
		}},
		{"chart/orders/templates/secret.yaml", []tplWant{
			{name: `Secret/{{ include "orders.fullname" . }}-db DATABASE_URL`,
				password: "template:.Values.database.password",
				fields: map[string]tplField{
					"host":     {v: ".Values.database.host", def: "orders-postgresql", loc: "9:89"},
					"port":     {text: "5432", loc: "9:147"},
					"database": {text: "orders", loc: "9:152"},
					"user":     {v: ".Values.database.user", def: "-", loc: "9:29"},
					"tls":      {text: "require"},
				},
				notes: []string{
					"driver 9:18 if not .Values.database.existingSecret",
					"host 9:89 if not .Values.database.existingSecret",
					"port 9:147 if not .Values.database.existingSecret",
					"database 9:152 if not .Values.database.existingSecret",
					"user 9:29 if not .Values.database.existingSecret",
					"tls 9:167 if not .Values.database.existingSecret",
					"params.raw 9:18 if not .Values.database.existingSecret",
					"password 9:57 if not .Values.database.existingSecret",
				}},
		}},
		{"chart/orders/templates/configmap.yaml", []tplWant{
			{name: `ConfigMap/{{ include "orders.fullname" . }}-config DATABASE_DSN`, password: "none",
				fields: map[string]tplField{
					"host": {v: ".host", def: "orders-postgresql", loc: "7:23"},
					"port": {v: ".port", def: "5432", loc: "7:70"},
					"tls":  {text: "{{ if .tls }}verify-full{{ else }}disable{{ end }}", loc: "7:141"},
				},
				notes: []string{
					"driver 7:18 with .Values.database",
					"host 7:23 with .Values.database",
					"port 7:70 with .Values.database",
					"database 7:104 with .Values.database",
					"user 7:121 with .Values.database",
					"tls 7:141 with .Values.database",
					"params.raw 7:18 with .Values.database",
				}},
		}},
		// A list item whose body follows a `- {{- if }}` line, and a
		// file embedded in a ConfigMap whose branches set one key.
		{"chart/orders/templates/job.yaml", []tplWant{
			{name: `Job/{{ include "orders.fullname" . }}-migrate env MIGRATE_DATABASE_URL`, fields: map[string]tplField{
				"host":     {v: ".Values.migrate.url", def: "orders-postgresql", loc: "15:76"},
				"port":     {def: "5432", loc: "15:94"},
				"database": {def: "orders", loc: "15:99"},
				"user":     {def: "migrator", loc: "15:67"},
				"tls":      {def: "verify-full", loc: "15:114"},
			}, notes: []string{
				"driver 15:22 if .Values.migrate.enabled",
				"host 15:76 if .Values.migrate.enabled",
				"port 15:94 if .Values.migrate.enabled",
				"database 15:99 if .Values.migrate.enabled",
				"user 15:67 if .Values.migrate.enabled",
				"tls 15:114 if .Values.migrate.enabled",
				"params.raw 15:22 if .Values.migrate.enabled",
			}},
			{name: "data.report.json.database", fields: map[string]tplField{
				"host":     {text: `{{ include "orders.postgresql" . | quote }}`, loc: "27:17"},
				"port":     {text: "5432", loc: "28:17"},
				"user":     {text: "reporter", loc: "34:18"},
				"database": {text: "orders", loc: "35:20"},
			}, notes: []string{
				"host 27:17 if .Values.postgresql.enabled [30:17]",
				"port 28:17 if .Values.postgresql.enabled [31:17]",
			}},
		}},
		{"chart/orders/values.yaml", []tplWant{
			{name: "externalDatabase", fields: map[string]tplField{
				"host": {text: "{{ .Release.Name }}-postgresql", v: ".Release.Name", def: "-", loc: "7:10"},
				"port": {text: "5432", loc: "8:9"},
			}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "templates", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res := extract.File(tc.file, data)
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %v", res.Problems)
			}
			byName := map[string]*profile.Profile{}
			var names []string
			for _, p := range res.Profiles {
				byName[p.Name] = p
				names = append(names, p.Name)
			}
			for _, w := range tc.wants {
				p := byName[w.name]
				if p == nil {
					t.Errorf("no profile %q; have %q", w.name, names)
					continue
				}
				checkTplFields(t, p, w)
			}
		})
	}
}

func checkTplFields(t *testing.T, p *profile.Profile, w tplWant) {
	t.Helper()
	fields := map[string]profile.Value{}
	p.EachField(func(name string, v profile.Value) { fields[name] = v })
	for name, want := range w.fields {
		got, ok := fields[name]
		if want.text == "-" {
			if ok && got.Set {
				t.Errorf("%s: %s = %q, want unset", p.Name, name, got.Text)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no field %s", p.Name, name)
			continue
		}
		if want.text != "" && got.Text != want.text {
			t.Errorf("%s: %s = %q, want %q", p.Name, name, got.Text, want.text)
		}
		if want.v != "" && (!got.Unresolved || got.Var != want.v) {
			t.Errorf("%s: %s names variable %q (unresolved %v), want %q", p.Name, name, got.Var, got.Unresolved, want.v)
		}
		switch {
		case want.def == "-" && got.HasDefault:
			t.Errorf("%s: %s has default %q, want none", p.Name, name, got.Default)
		case want.def != "" && want.def != "-" && (!got.HasDefault || got.Default != want.def):
			t.Errorf("%s: %s default %q (%v), want %q", p.Name, name, got.Default, got.HasDefault, want.def)
		}
		if want.loc != "" {
			if l := lineCol(got.Loc); l != want.loc {
				t.Errorf("%s: %s at %s, want %s", p.Name, name, l, want.loc)
			}
		}
	}
	if w.password != "" && p.Password.Source != w.password {
		t.Errorf("%s: password source %q, want %q", p.Name, p.Password.Source, w.password)
	}
	var notes []string
	for _, n := range p.Notes {
		if n.Kind != profile.NoteConditional {
			continue
		}
		s := n.Field + " " + lineCol(n.Loc) + " " + n.Key
		if n.Other.Line > 0 {
			s += " [" + lineCol(n.Other) + "]"
		}
		notes = append(notes, s)
	}
	slices.Sort(notes)
	want := slices.Clone(w.notes)
	slices.Sort(want)
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: conditional notes\n%s\nwant\n%s", p.Name, strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
}

func lineCol(l profile.Location) string {
	return strconv.Itoa(l.Line) + ":" + strconv.Itoa(l.Column)
}

// templateCanary is a password the template fuzz target plants in every
// input; no run of four of its characters may reach a problem's message, a
// note or a profile's JSON.
const templateCanary = "Qv8#kW2!zR"

// FuzzTemplatedYAML runs templated YAML through extraction: nothing
// panics, every location (notes included) lies inside the input, and a
// password planted after the input never shows.
func FuzzTemplatedYAML(f *testing.F) {
	for _, s := range []string{"rails/config/database.yml", "chart/orders/templates/deployment.yaml",
		"chart/orders/templates/secret.yaml", "chart/orders/templates/configmap.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "templates", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("{{ if eq .Values.db.password \"x\" }}\nhost: {{ .h }}\n{{ else }}\nhost: b\n{{ end }}\n"))
	f.Add([]byte("a:\n<% if x %>\n  - 1\n<% else %>\n  b: 2\n<% end %>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := append(append([]byte{}, data...), "\npassword: "+templateCanary+"\n"...)
		res := extract.File("templates/x.yaml", in)
		lines := strings.Split(string(in), "\n")
		inside := func(what string, l profile.Location) {
			if l.Line == 0 {
				return
			}
			if l.Line > len(lines) || l.Column < 1 || l.Column > utf8.RuneCountInString(lines[l.Line-1])+1 {
				t.Fatalf("%s at %d:%d, outside the input", what, l.Line, l.Column)
			}
		}
		var out []string
		for _, pr := range res.Problems {
			out = append(out, pr.Msg)
		}
		for _, p := range res.Profiles {
			p.EachField(func(field string, v profile.Value) { inside(field, v.Loc) })
			for _, n := range p.Notes {
				inside("note "+n.Field, n.Loc)
				inside("note other "+n.Field, n.Other)
			}
			js, err := json.Marshal(p.View())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(js))
		}
		all := strings.Join(out, "\n")
		for i := 0; i+4 <= len(templateCanary); i++ {
			if run := templateCanary[i : i+4]; strings.Contains(all, run) && !bytes.Contains(data, []byte(run)) {
				t.Fatalf("%q of the planted password shows:\n%s", run, all)
			}
		}
	})
}

// BenchmarkTemplates extracts the templated fixtures (a Rails
// database.yml with ERB, a chart's Deployment, Secret and ConfigMap).
func BenchmarkTemplates(b *testing.B) {
	var names []string
	var files [][]byte
	for _, s := range []string{"rails/config/database.yml", "chart/orders/templates/deployment.yaml",
		"chart/orders/templates/secret.yaml", "chart/orders/templates/configmap.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "templates", s))
		if err != nil {
			b.Fatal(err)
		}
		names, files = append(names, s), append(files, data)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, data := range files {
			extract.File(names[i], data)
		}
	}
}
