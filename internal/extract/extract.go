// Package extract finds database connection profiles in configuration
// files. A file is parsed into a tree (package tree) by its format; each
// document is then offered to the extractors of the registry (registry.go)
// in order, and the first that recognises the document's kind — a compose
// file, a Kubernetes manifest, an ECS task definition — reads it. A generic
// extractor reads whatever is left by the conventions common to all formats.
//
// Extraction never reads the machine's environment, ~/.pgpass or service
// files: its output depends only on its input.
package extract

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Result is what one file yields.
type Result struct {
	Profiles []*profile.Profile
	Problems []profile.Problem
	// Format is the file format that was read (yaml, json, ...), "" when
	// the file is not a configuration format dbguard reads.
	Format string
	// Scalers are autoscalers found in the file: they raise the replicas
	// of the workload they target, wherever that workload is defined.
	Scalers []Scaler
	// EnvFrom are workloads' envFrom references to ConfigMaps and
	// Secrets, which may be defined in other files.
	EnvFrom []EnvFrom
}

// EnvFrom is a workload that takes every key of a ConfigMap or Secret as
// environment variables.
type EnvFrom struct {
	Kind, Name      string // ConfigMap or Secret, and its name
	Workload, App   string // Deployment/orders-api, its app label
	Replicas, Surge profile.Value
	// Binding marks a Secret mounted as a volume by a container that
	// reads service bindings (SERVICE_BINDING_ROOT), not variables: it
	// gives the Secret's connection no variables, replicas or labels,
	// only its consumer (profile.ParamConsumer), when the container
	// tells one.
	Binding  bool
	Consumer string
}

// Scaler is a HorizontalPodAutoscaler's bound on a workload's replicas.
type Scaler struct {
	Kind, Target string // the target workload, e.g. Deployment orders-api
	Max          profile.Value
}

// File extracts the profiles of one file. rel is the file's path relative to
// the scanned argument, slash-separated: it becomes the profiles' File and
// the prefix of their IDs.
func File(rel string, data []byte) Result {
	fc := contexts.Get().(*fileCtx)
	defer fc.release()
	fc.path, fc.data = rel, data
	format := formatOf(path.Base(rel), data)
	res := Result{Format: format}
	docs, tpl, err := parse(&fc.reader, format, data)
	fc.tpl = tpl
	if err != nil {
		pr := problemOf(rel, data, err)
		if pr.Loc.Column == 0 && pr.Loc.Line > 0 {
			// The YAML library names only the line: point at its
			// first non-blank character.
			line := fc.line(pr.Loc.Line)
			pr.Loc.Column = 1 + utf8.RuneCountInString(line) - utf8.RuneCountInString(strings.TrimLeft(line, " \t"))
		}
		if bytes.Contains(data, []byte("{{")) || bytes.Contains(data, []byte("<%")) {
			pr.Msg = "templated beyond parsing (" + pr.Msg + "): render the template first, e.g. helm template CHART | dbguard scan -"
		}
		res.Problems = append(res.Problems, pr)
		if len(docs) == 0 {
			return res
		}
	}
	for i := range docs {
		root := docs[i].Root
		if root == nil {
			continue
		}
		if sc, ok := hpaOf(fc, root); ok {
			res.Scalers = append(res.Scalers, sc)
			continue
		}
		for _, ex := range registry() {
			if !ex.reads(format) {
				continue
			}
			ps, ok := ex.extract(fc, root, docs[i].Index)
			if ok {
				for _, p := range ps {
					if p.Format == "" {
						p.Format = ex.name
					}
				}
				res.Profiles = append(res.Profiles, ps...)
				break
			}
		}
	}
	finish(fc, res.Profiles)
	tpl.noteConditions(rel, res.Profiles, 0)
	res.EnvFrom = fc.envFrom
	return res
}

func head(data []byte) []byte {
	if len(data) > 512 {
		return data[:512]
	}
	return data
}

// contexts lends File the memory it works in: the trees (tree.Reader) and
// the scratch buffers of fileCtx. It is the one package-level variable
// that changes: a cache no caller can observe, since nothing File returns
// points into that memory, and the way to reuse it without changing File's
// signature for every caller.
var contexts = sync.Pool{New: func() any { return new(fileCtx) }}

// parse reads a file of a format into documents, and returns the template
// mask of a YAML file with template tags (template.go).
func parse(r *tree.Reader, format string, data []byte) ([]tree.Document, *templateMask, error) {
	var d tree.Document
	var err error
	switch format {
	case "yaml":
		return parseTemplatedYAML(r, data)
	case "json":
		d, err = r.ParseJSON(data)
	case "toml":
		d, err = r.ParseTOML(data)
	case "env":
		d, err = r.ParseEnv(data)
	case "properties":
		d, err = r.ParseProperties(data)
	case "ini", "conf":
		d, err = r.ParseINI(data)
	case "prisma":
		d, err = r.ParsePrisma(data)
	case "python":
		d, err = r.ParsePython(data)
	default:
		return nil, nil, nil
	}
	docs, err := one(d, err)
	return docs, nil, err
}

// parseTemplatedYAML reads YAML with its template tags masked. When both
// arms of the template's blocks together are not YAML, it reads the file
// again with the first arm of each block only; the first error stands if
// that fails too.
func parseTemplatedYAML(r *tree.Reader, data []byte) ([]tree.Document, *templateMask, error) {
	masked, m := maskTemplates(data)
	docs, err := r.ParseYAML(masked)
	if err != nil {
		if first, ok := m.firstArms(masked); ok {
			if d2, err2 := r.ParseYAML(first); err2 == nil {
				docs, err = d2, nil
			}
		}
	}
	m.restore(docs)
	return docs, m, err
}

func one(d tree.Document, err error) ([]tree.Document, error) {
	if err != nil {
		return nil, err
	}
	return []tree.Document{d}, nil
}

// finish gives every profile of a file its identity and environment.
func finish(fc *fileCtx, ps []*profile.Profile) {
	// Most files have a few profiles: counting the earlier ones of the
	// same key path is cheaper than building a map, up to a point.
	var seen map[string]int
	if len(ps) > 16 {
		seen = make(map[string]int, len(ps))
	}
	for i, p := range ps {
		p.File = fc.path
		id := fc.path + "#" + p.KeyPath
		n := 0
		if seen != nil {
			n = seen[p.KeyPath]
			seen[p.KeyPath] = n + 1
		} else {
			for _, q := range ps[:i] {
				if q.KeyPath == p.KeyPath {
					n++
				}
			}
		}
		if n > 0 {
			id = fmt.Sprintf("%s~%d", id, n+1)
		}
		p.ID = id
		if p.Name == "" {
			p.Name = p.KeyPath
		}
		decideEnvironment(fc.path, p)
	}
}

// decideEnvironment applies the documented order (docs/scan.md) after
// dbguard.yaml, which the caller applies because it knows the
// configuration: a sibling key the extractor recorded (environment:,
// APP_ENV, RAILS_ENV, ...), then an enclosing block (production:), then the
// path (config/production.yml, values-prod.yaml, overlays/prod/), then the
// Kubernetes namespace or what a compose file's stack says of itself.
func decideEnvironment(rel string, p *profile.Profile) {
	// The namespace and a compose stack's own signs come last: the
	// extractor proposes them, the block and the path outrank them.
	last, lastFrom := "", ""
	if p.EnvironmentFrom == "namespace" || p.EnvironmentFrom == "compose" {
		last, lastFrom = p.EnvironmentRaw, p.EnvironmentFrom
		p.EnvironmentRaw, p.EnvironmentFrom = "", ""
	}
	if p.EnvironmentRaw != "" {
		p.Environment = profile.CanonicalEnvironment(p.EnvironmentRaw)
		if p.EnvironmentFrom == "" {
			p.EnvironmentFrom = "key"
		}
		return
	}
	for _, k := range splitKeyPath(p.KeyPath) {
		if e := profile.CanonicalEnvironment(k); e != profile.Unknown && isEnvBlockName(k) {
			p.Environment, p.EnvironmentRaw, p.EnvironmentFrom = e, k, "block"
			return
		}
	}
	if e, raw := envFromPath(rel); raw != "" {
		p.Environment, p.EnvironmentRaw, p.EnvironmentFrom = e, raw, "path"
		if e != profile.Unknown || last == "" {
			return
		}
	}
	switch lastFrom {
	case "namespace":
		p.Environment, p.EnvironmentRaw, p.EnvironmentFrom = profile.CanonicalEnvironment(last), last, lastFrom
	case "compose":
		// The compose extractor proposes development only: a dev
		// container's stack, a database that keeps no data (compose.go).
		p.Environment, p.EnvironmentRaw, p.EnvironmentFrom = profile.Development, last, lastFrom
	default:
		p.Environment = profile.Unknown
	}
}

// isEnvBlockName excludes words that name an environment only loosely
// (main, local, docker) from counting as an enclosing block.
func isEnvBlockName(k string) bool {
	switch strings.ToLower(k) {
	case "main", "local", "docker", "release", "ci", "integration", "pre", "live", "product", "daily", "e2e":
		return false
	}
	return true
}

// envFromPath reads config/production.yml, values-prod.yaml,
// overlays/prod/, application-prod.yml, .env.staging, and the files of CI
// systems (.github/workflows/, .gitlab-ci.yml).
func envFromPath(rel string) (profile.Environment, string) {
	if raw := ciFile(rel); raw != "" {
		return profile.CI, raw
	}
	if raw := envOfFileName(path.Base(rel)); raw != "" {
		return profile.CanonicalEnvironment(raw), raw
	}
	if codeGeneratorFile(path.Base(rel)) {
		// Generating code from a database's tables is done on a
		// developer's machine, against a developer's database.
		return profile.Development, "generator"
	}
	parts := strings.Split(strings.ToLower(rel), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] == ".devcontainer" && i < len(parts)-1 {
			// A dev container is a developer's own machine.
			return profile.Development, "devcontainer"
		}
		for _, w := range words(parts[i]) {
			if e := profile.CanonicalEnvironment(w); e != profile.Unknown && pathEnvWord(w) {
				return e, w
			}
		}
	}
	return profile.Unknown, ""
}

// codeGeneratorFile reports the settings file of a tool that generates
// code from a live database's schema, by the name its documentation
// gives it: MyBatis Generator (generatorConfig.xml and the
// generator.properties it loads), sqlc (sqlc.yaml, sqlc.json) and
// SQLBoiler (sqlboiler.toml). A migration tool's settings (flyway.conf,
// liquibase.properties) are not among them: migrations run in production.
func codeGeneratorFile(base string) bool {
	name := strings.ToLower(base)
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	switch name {
	case "generator", "generatorconfig", "mybatis-generator", "mybatis-generator-config", "sqlc", "sqlboiler":
		return true
	}
	return false
}

// pathEnvWord excludes words that name an environment only loosely in a
// path (main, local, docker, release, integration, live, ci). A test,
// tests, testing or e2e folder or file is the test suite's: environment
// test, whose findings about availability are info (docs/rules).
func pathEnvWord(w string) bool {
	switch w {
	case "main", "local", "docker", "release", "ci", "integration", "live":
		return false
	}
	return true
}

// ciFile returns the CI system a path belongs to (.github/workflows/*,
// .gitlab-ci.yml, .circleci/, ...), or "".
func ciFile(rel string) string {
	lower := strings.ToLower(rel)
	base := path.Base(lower)
	switch {
	case strings.HasPrefix(lower, ".github/workflows/") || strings.Contains(lower, "/.github/workflows/"):
		return "github-actions"
	case base == ".gitlab-ci.yml" || base == ".gitlab-ci.yaml" || strings.HasPrefix(lower, ".gitlab/ci/") || strings.Contains(lower, "/.gitlab/ci/"):
		return "gitlab-ci"
	case strings.HasPrefix(lower, ".circleci/") || strings.Contains(lower, "/.circleci/"):
		return "circleci"
	case base == ".travis.yml" || base == "bitbucket-pipelines.yml" || base == "azure-pipelines.yml" ||
		base == ".drone.yml" || base == ".woodpecker.yml":
		return strings.TrimSuffix(strings.TrimPrefix(base, "."), ".yml")
	}
	return ""
}

// splitKeyPath splits a.b[0].c into [a b c].
func splitKeyPath(kp string) []string {
	var out []string
	for _, part := range strings.Split(kp, ".") {
		if i := strings.IndexByte(part, '['); i >= 0 {
			part = part[:i]
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// joinKey appends a key to a key path.
func joinKey(kp, k string) string {
	if kp == "" {
		return k
	}
	if strings.HasPrefix(k, "[") {
		return kp + k
	}
	return kp + "." + k
}

// IsBinary reports whether data looks like a binary file rather than text:
// a NUL byte in its first 512 bytes.
func IsBinary(data []byte) bool {
	return bytes.IndexByte(head(data), 0) >= 0
}

// envOfFileName reads the environment that naming conventions put in a
// file name: ASP.NET's appsettings.Docker.json, Spring's
// application-prod.yml, Helm's values-staging.yaml, dotenv's .env.production.
// It keeps the segment as written.
func envOfFileName(base string) string {
	lower := strings.ToLower(base)
	seg := ""
	switch {
	case strings.HasPrefix(lower, "appsettings."):
		seg = strings.TrimSuffix(base[len("appsettings."):], path.Ext(base))
	case strings.HasPrefix(lower, "application-") || strings.HasPrefix(lower, "bootstrap-"):
		seg = base[strings.IndexByte(base, '-')+1:]
		seg = strings.TrimSuffix(seg, path.Ext(seg))
	case strings.HasPrefix(lower, "values-") || strings.HasPrefix(lower, "values."):
		seg = strings.TrimSuffix(base[len("values-"):], path.Ext(base))
	case strings.HasPrefix(lower, ".env."):
		seg = base[len(".env."):]
	}
	if seg == "" || strings.ContainsAny(seg, "./") {
		return ""
	}
	switch strings.ToLower(seg) {
	case "example", "sample", "template", "dist", "default", "defaults", "override", "local":
		return ""
	}
	return seg
}
