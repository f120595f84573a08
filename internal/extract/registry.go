package extract

import (
	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// extractor recognises one kind of document and reads its connections.
type extractor struct {
	// name is the extractor's name, shown as a profile's format.
	name string
	// formats are the file formats whose documents it may read.
	formats []string
	// extract returns the document's profiles; ok is false when the
	// document is not of its kind, so that the next extractor is tried.
	extract func(fc *fileCtx, root *tree.Node, docIndex int) (ps []*profile.Profile, ok bool)
}

func (e extractor) reads(format string) bool {
	for _, f := range e.formats {
		if f == format {
			return true
		}
	}
	return false
}

// registry lists the extractors in the order they are tried. The generic
// extractor comes last: it reads any tree.
func registry() []extractor { return extractors }

// extractors is the registry itself, written once at initialisation and
// only read afterwards.
var extractors = []extractor{
	{name: "github-actions", formats: []string{"yaml"}, extract: extractGitHubActions},
	{name: "gitlab-ci", formats: []string{"yaml"}, extract: extractGitLabCI},
	{name: "compose", formats: []string{"yaml", "json"}, extract: extractCompose},
	{name: "kubernetes", formats: []string{"yaml", "json"}, extract: extractKube},
	{name: "dotenv", formats: []string{"env"}, extract: extractEnvFile},
	{name: "ecs", formats: []string{"json", "yaml"}, extract: extractECS},
	{name: "helm", formats: []string{"yaml"}, extract: extractHelm},
	{name: "temporal", formats: []string{"yaml"}, extract: extractTemporal},
	{name: "pgbouncer", formats: []string{"ini", "conf"}, extract: extractPgBouncer},
	{name: "odyssey", formats: []string{"conf"}, extract: extractOdyssey},
	{name: "pgcat", formats: []string{"toml"}, extract: extractPgCat},
	{name: "patroni", formats: []string{"yaml", "json"}, extract: extractPatroni},
	{name: "postgresql.conf", formats: []string{"conf"}, extract: extractPostgresConf},
	{name: "my.cnf", formats: []string{"ini", "conf"}, extract: extractMyCnf},
	{name: "pg_service", formats: []string{"conf", "ini"}, extract: extractPgService},
	{name: "etherpad", formats: []string{"json"}, extract: extractEtherpad},
	{name: "app.ini", formats: []string{"ini", "conf"}, extract: extractAppIni},
	{name: "prisma", formats: []string{"prisma"}, extract: extractPrisma},
	{name: "django", formats: []string{"python"}, extract: extractDjango},
	{name: "generic", formats: []string{"yaml", "json", "toml", "properties", "ini", "conf"}, extract: extractGeneric},
}

// Extractors returns the names of the registered extractors, for help text
// and documentation.
func Extractors() []string {
	var out []string
	for _, e := range registry() {
		out = append(out, e.name)
	}
	return out
}
