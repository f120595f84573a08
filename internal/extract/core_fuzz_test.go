package extract_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// fuzzExtract feeds arbitrary content under a fixed file name, so that one
// extractor is exercised, and checks that nothing panics and that every
// location lies inside the input.
func fuzzExtract(f *testing.F, name string, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := extract.File(name, data)
		lines := strings.Split(string(data), "\n")
		for _, p := range res.Profiles {
			p.EachField(func(field string, v profile.Value) {
				if v.Loc.Line == 0 {
					return
				}
				if v.Loc.Line > len(lines) {
					t.Fatalf("%s %s: line %d beyond %d lines", p.ID, field, v.Loc.Line, len(lines))
				}
				if v.Loc.Column < 1 || v.Loc.Column > utf8.RuneCountInString(lines[v.Loc.Line-1])+1 {
					t.Fatalf("%s %s: column %d outside line %d", p.ID, field, v.Loc.Column, v.Loc.Line)
				}
			})
			_ = p.View()
		}
	})
}

func FuzzCompose(f *testing.F) {
	fuzzExtract(f, "docker-compose.yml", "compose/app.yml", "link/docker-compose.yml")
}
func FuzzKubernetes(f *testing.F) { fuzzExtract(f, "deploy.yaml", "kube/deploy.yaml") }
func FuzzDotenv(f *testing.F)     { fuzzExtract(f, ".env", "dotenv/.env.production", "compose/.env") }
func FuzzGenericYAML(f *testing.F) {
	fuzzExtract(f, "database.yml", "generic/database.yml", "link/app/src/main/resources/application.yml")
}
func FuzzGenericJSON(f *testing.F) {
	fuzzExtract(f, "appsettings.json", "generic/appsettings.Production.json")
}
func FuzzGenericTOML(f *testing.F) { fuzzExtract(f, "config.toml", "generic/config.toml") }
