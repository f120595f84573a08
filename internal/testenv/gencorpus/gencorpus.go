// Package gencorpus writes the synthetic corpus that dbguard's tests and
// benchmarks read: application configuration files carrying database
// connection settings, some with planted violations, and a manifest that
// names them.
//
// The tests own this data: it is generated here, seeded and deterministic,
// so that no test needs Python or the shared folder beside the checkout.
// The shapes follow the corpus generator that bench/README.md's published
// comparisons with conftest were measured on (../shared/tools/gen-corpus):
// YAML (~40%: an app config with a database block, a DSN, a MySQL DSN, a
// primary and replica list, or a Kubernetes ConfigMap of DB_* keys), JSON
// (~20%), TOML (~15%), .env (~15%) and Spring .properties with a JDBC URL
// (~10%). The files are not byte-identical to that generator's: the two
// use different random number generators.
//
// About Options.ViolationRate of the files carry one violation, 15% of
// those two, of the kinds in Violations. Compliant files never hold a
// literal password: they use ${DB_PASSWORD} references, a password file,
// or none.
//
// The same Options give byte-identical output with one Go toolchain
// (math/rand/v2's PCG is a specified algorithm).
package gencorpus

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The violation kinds, as the manifest names them.
const (
	SSLDisabledInProd = "ssl_disabled_in_prod" // sslmode=disable (MySQL: tls=false, useSSL=false) in production
	NoConnectTimeout  = "no_connect_timeout"   // no connect timeout in a field or DSN parameter
	PoolTooLarge      = "pool_too_large"       // pool max open connections above 100
	PlaintextPassword = "plaintext_password"   // literal password: a field, an env key or inside a DSN
	PortOutOfRange    = "port_out_of_range"    // port below 1 or above 65535
)

// Violations lists every kind, in the order the generator draws from.
var Violations = []string{SSLDisabledInProd, NoConnectTimeout, PoolTooLarge, PlaintextPassword, PortOutOfRange}

// Options says what to write.
type Options struct {
	Files         int     // number of files; default 10,000
	Seed          uint64  // default 42
	ViolationRate float64 // share of files with a violation; default 0.05
	PerDir        int     // files per sub-folder; default 100
}

func (o *Options) defaults() {
	if o.Files == 0 {
		o.Files = 10000
	}
	if o.Seed == 0 {
		o.Seed = 42
	}
	if o.ViolationRate == 0 {
		o.ViolationRate = 0.05
	}
	if o.PerDir == 0 {
		o.PerDir = 100
	}
}

// Entry is one line of the manifest: a file, relative to the corpus folder
// with forward slashes, and the violations planted in it (none for a
// compliant file).
type Entry struct {
	File       string
	Violations []string
}

// Summary says what Write wrote.
type Summary struct {
	Files      int
	Bytes      int64
	Violators  int            // files with at least one violation
	ByFormat   map[string]int // files per extension
	Manifest   []Entry        // in file order
	ManifestAt string         // path of the manifest file
}

// ManifestPath returns where Write puts the manifest of a corpus written
// to dir: beside it, so that a walk of dir does not read it.
func ManifestPath(dir string) string {
	return filepath.Clean(dir) + ".manifest.tsv"
}

// Write replaces dir with a new corpus and writes its manifest, one line
// per file ("FILE\tKIND,KIND" or "FILE\t-"), last: a corpus whose manifest
// exists is complete.
func Write(dir string, opts Options) (Summary, error) {
	opts.defaults()
	if opts.Files < 0 || opts.PerDir < 0 || opts.ViolationRate < 0 || opts.ViolationRate > 1 {
		return Summary{}, fmt.Errorf("generate corpus: invalid options %+v", opts)
	}
	dir = filepath.Clean(dir)
	manifest := ManifestPath(dir)
	if err := os.Remove(manifest); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Summary{}, fmt.Errorf("remove old manifest: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return Summary{}, fmt.Errorf("remove old corpus: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("make corpus folder: %w", err)
	}
	g := &gen{r: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))}
	n := opts.Files
	violators := g.sample(n, int(float64(n)*opts.ViolationRate+0.5))
	sum := Summary{ByFormat: map[string]int{}, ManifestAt: manifest}
	var tsv strings.Builder
	for i := 0; i < n; i++ {
		f := g.format()
		var viol set
		if violators[i] {
			viol = viol.add(g.pick(Violations))
			if g.r.Float64() < 0.15 {
				viol = viol.add(g.pick(Violations))
			}
		}
		prod := g.r.Float64() < 0.45 || viol.has(SSLDisabledInProd)
		text := f.render(g, i, viol, prod)
		sub := fmt.Sprintf("team-%03d", i/opts.PerDir)
		rel := fmt.Sprintf("%s/svc-%05d.%s", sub, i, f.ext)
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return Summary{}, fmt.Errorf("make corpus folder: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(text), 0o644); err != nil {
			return Summary{}, fmt.Errorf("write corpus file: %w", err)
		}
		sum.Files++
		sum.Bytes += int64(len(text))
		sum.ByFormat[f.ext]++
		if len(viol) > 0 {
			sum.Violators++
		}
		kinds := viol.sorted()
		sum.Manifest = append(sum.Manifest, Entry{File: rel, Violations: kinds})
		list := strings.Join(kinds, ",")
		if list == "" {
			list = "-"
		}
		tsv.WriteString(rel + "\t" + list + "\n")
	}
	if err := os.WriteFile(manifest, []byte(tsv.String()), 0o644); err != nil {
		return Summary{}, fmt.Errorf("write manifest: %w", err)
	}
	return sum, nil
}

// ReadManifest reads the manifest of the corpus in dir.
func ReadManifest(dir string) ([]Entry, error) {
	b, err := os.ReadFile(ManifestPath(dir))
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var out []Entry
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		file, list, ok := strings.Cut(line, "\t")
		if !ok || file == "" {
			return nil, fmt.Errorf("read manifest: line %d: want FILE<TAB>KINDS, got %q", i+1, line)
		}
		e := Entry{File: file}
		if list != "-" {
			e.Violations = strings.Split(list, ",")
		}
		out = append(out, e)
	}
	return out, nil
}

// set is a small set of violation kinds.
type set []string

func (s set) has(k string) bool {
	for _, x := range s {
		if x == k {
			return true
		}
	}
	return false
}

func (s set) add(k string) set {
	if s.has(k) {
		return s
	}
	return append(s, k)
}

func (s set) sorted() []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// format is one kind of file the corpus holds, with its weight.
type format struct {
	weight int
	ext    string
	render func(g *gen, i int, viol set, prod bool) string
}

var formats = []format{
	{40, "yaml", (*gen).renderYAML},
	{20, "json", (*gen).renderJSON},
	{15, "toml", (*gen).renderTOML},
	{15, "env", (*gen).renderEnv},
	{10, "properties", (*gen).renderProperties},
}

// ---------------------------------------------------------------- model

var (
	words    = []string{"orders", "billing", "users", "catalog", "search", "payments", "ledger", "inventory", "shipping", "auth", "notify", "reports", "audit", "profile", "pricing", "cart", "media", "events", "gateway", "scheduler"}
	suffixes = []string{"api", "svc", "worker", "service", "backend", "jobs"}
	regions  = []string{"eu-west-1", "us-east-1", "us-west-2", "ap-south-1", "eu-central-1"}
	envsProd = []string{"prod", "production"}
	envsElse = []string{"dev", "development", "staging", "test", "qa"}
)

type gen struct{ r *rand.Rand }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) pickInt(xs ...int) int   { return xs[g.r.IntN(len(xs))] }
func (g *gen) between(lo, hi int) int  { return lo + g.r.IntN(hi-lo+1) }

// sample draws k distinct indexes of n.
func (g *gen) sample(n, k int) map[int]bool {
	perm := g.r.Perm(n)
	out := make(map[int]bool, k)
	for _, i := range perm[:k] {
		out[i] = true
	}
	return out
}

func (g *gen) format() format {
	total := 0
	for _, f := range formats {
		total += f.weight
	}
	x := g.r.IntN(total)
	for _, f := range formats {
		if x < f.weight {
			return f
		}
		x -= f.weight
	}
	return formats[len(formats)-1]
}

func (g *gen) secret() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, g.between(12, 20))
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *gen) service(i int) string {
	return fmt.Sprintf("%s-%s-%05d", g.pick(words), g.pick(suffixes), i)
}

func word(svc string) string { w, _, _ := strings.Cut(svc, "-"); return w }

func (g *gen) host(engine, svc, env string) string {
	w := word(svc)
	eng := "mysql"
	if engine == "postgres" {
		eng = "pg"
	}
	switch k := g.r.Float64(); {
	case k < 0.45:
		return fmt.Sprintf("%s-%s-%02d.%s.internal", eng, w, g.between(1, 9), env)
	case k < 0.75:
		return fmt.Sprintf("%s-%s.%s.rds.amazonaws.com", w, eng, g.pick(regions))
	case k < 0.9:
		return fmt.Sprintf("%s-%s.db.svc.cluster.local", eng, w)
	default:
		return fmt.Sprintf("10.%d.%d.%d", g.between(0, 255), g.between(0, 255), g.between(1, 254))
	}
}

// db holds the abstract settings of one connection.
type db struct {
	engine, host, user, dbname, ssl string
	port, maxOpen, maxIdle          int
	connectTimeout                  int    // 0: none
	password                        string // a literal password (a violation), or ""
	passwordRef                     string // "ref", "file" or "none"
}

func (g *gen) db(svc string, viol set, prod bool) db {
	d := db{engine: "mysql", port: 3306}
	if g.r.Float64() < 0.7 {
		d.engine, d.port = "postgres", 5432
	}
	env := "prod"
	if !prod {
		env = g.pick([]string{"dev", "staging", "test"})
	}
	d.host = g.host(d.engine, svc, env)
	d.user = word(svc) + "_app"
	d.dbname = word(svc)
	d.maxOpen = g.pickInt(5, 10, 16, 20, 25, 32, 40, 50, 64, 80, 100)
	d.connectTimeout = g.pickInt(3, 5, 10, 15, 30)
	d.passwordRef = g.pick([]string{"ref", "file", "none"})
	d.maxIdle = max(1, d.maxOpen/g.pickInt(2, 4, 5))
	if prod {
		d.ssl = g.pick([]string{"require", "verify-full", "verify-ca"})
	} else {
		d.ssl = g.pick([]string{"disable", "disable", "prefer", "require"})
	}
	if viol.has(SSLDisabledInProd) {
		d.ssl = "disable"
	}
	if viol.has(NoConnectTimeout) {
		d.connectTimeout = 0
	}
	if viol.has(PoolTooLarge) {
		d.maxOpen = g.pickInt(128, 150, 200, 256, 500, 1000)
	}
	if viol.has(PlaintextPassword) {
		d.password = g.secret()
	}
	if viol.has(PortOutOfRange) {
		d.port = g.pickInt(0, -1, 65536, 70000, 99999, 543210)
	}
	return d
}

const passwordRef = "${DB_PASSWORD}"

// userinfo is the user of a DSN with the password part it carries.
func (d db) userinfo(ref string) string {
	switch {
	case d.password != "":
		return d.user + ":" + d.password
	case d.passwordRef == "ref" && ref != "":
		return d.user + ":" + ref
	}
	return d.user
}

func (g *gen) shuffle(xs []string) {
	g.r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
}

func (g *gen) pgURL(d db, ref string) string {
	q := []string{"sslmode=" + d.ssl}
	if d.connectTimeout != 0 {
		q = append(q, "connect_timeout="+strconv.Itoa(d.connectTimeout))
	}
	if g.r.Float64() < 0.3 {
		q = append(q, "application_name="+d.user)
	}
	g.shuffle(q)
	scheme := g.pick([]string{"postgres", "postgresql"})
	return fmt.Sprintf("%s://%s@%s:%d/%s?%s", scheme, d.userinfo(ref), d.host, d.port, d.dbname, strings.Join(q, "&"))
}

func (g *gen) mysqlDSN(d db, ref string) string {
	tls := "true"
	switch d.ssl {
	case "disable":
		tls = "false"
	case "prefer":
		tls = "preferred"
	}
	q := []string{"tls=" + tls, "parseTime=true"}
	if d.connectTimeout != 0 {
		q = append(q, fmt.Sprintf("timeout=%ds", d.connectTimeout))
	}
	if g.r.Float64() < 0.4 {
		q = append(q, "charset=utf8mb4")
	}
	g.shuffle(q)
	return fmt.Sprintf("%s@tcp(%s:%d)/%s?%s", d.userinfo(ref), d.host, d.port, d.dbname, strings.Join(q, "&"))
}

func (g *gen) dsn(d db, ref string) string {
	if d.engine == "postgres" {
		return g.pgURL(d, ref)
	}
	return g.mysqlDSN(d, ref)
}

func (g *gen) jdbc(d db) string {
	if d.engine == "postgres" {
		q := []string{"sslmode=" + d.ssl}
		if d.connectTimeout != 0 {
			q = append(q, "connectTimeout="+strconv.Itoa(d.connectTimeout))
		}
		return fmt.Sprintf("jdbc:postgresql://%s:%d/%s?%s", d.host, d.port, d.dbname, strings.Join(q, "&"))
	}
	useSSL := "true"
	if d.ssl == "disable" {
		useSSL = "false"
	}
	q := []string{"useSSL=" + useSSL, "serverTimezone=UTC"}
	if d.connectTimeout != 0 {
		q = append(q, "connectTimeout="+strconv.Itoa(d.connectTimeout*1000))
	}
	return fmt.Sprintf("jdbc:mysql://%s:%d/%s?%s", d.host, d.port, d.dbname, strings.Join(q, "&"))
}

// block is a structured database block: separate fields, or a DSN.
func (g *gen) block(d db, fields bool) obj {
	var b obj
	if fields {
		b = obj{{"driver", d.engine}, {"host", d.host}, {"port", d.port}, {"user", d.user}}
		switch {
		case d.password != "":
			b = append(b, kv{"password", d.password})
		case d.passwordRef == "ref":
			b = append(b, kv{"password", passwordRef})
		case d.passwordRef == "file":
			b = append(b, kv{"password_file", "/run/secrets/db_password"})
		}
		b = append(b, kv{"dbname", d.dbname}, kv{"sslmode", d.ssl})
		if d.connectTimeout != 0 {
			b = append(b, kv{"connect_timeout", d.connectTimeout})
		}
	} else {
		key := "dsn"
		if d.engine == "postgres" {
			key = "url"
		}
		b = obj{{"driver", d.engine}, {key, g.dsn(d, passwordRef)}}
	}
	return append(b, kv{"pool", obj{
		{"max_open", d.maxOpen}, {"max_idle", d.maxIdle},
		{"conn_max_lifetime", g.pick([]string{"5m", "15m", "30m", "1h"})},
	}})
}

func (g *gen) appDoc(i int, viol set, prod bool) obj {
	svc := g.service(i)
	env := g.pick(envsElse)
	if prod {
		env = g.pick(envsProd)
	}
	doc := obj{
		{"app", obj{{"name", svc}, {"environment", env},
			{"version", fmt.Sprintf("%d.%d.%d", g.between(0, 9), g.between(0, 40), g.between(0, 20))}}},
		{"server", obj{{"host", "0.0.0.0"}, {"port", g.pickInt(8080, 8000, 9000, 3000)},
			{"read_timeout", g.pick([]string{"5s", "15s", "30s"})},
			{"write_timeout", g.pick([]string{"5s", "15s", "30s"})}}},
		{"logging", obj{{"level", g.pick([]string{"debug", "info", "warn"})},
			{"format", g.pick([]string{"json", "text"})}}},
	}
	shape := g.r.Float64()
	if shape < 0.12 {
		// A primary and a replica; the violations land on one of them.
		vi := g.r.IntN(2)
		var dbs list
		for k, role := range []string{"primary", "replica"} {
			v := set(nil)
			if k == vi {
				v = viol
			}
			d := g.db(svc, v, prod)
			dbs = append(dbs, append(obj{{"name", role}}, g.block(d, g.r.IntN(2) == 0)...))
		}
		doc = append(doc, kv{"databases", dbs})
	} else {
		d := g.db(svc, viol, prod)
		doc = append(doc, kv{"database", g.block(d, shape < 0.7)})
	}
	if g.r.Float64() < 0.6 {
		doc = append(doc, kv{"cache", obj{{"redis", obj{
			{"addr", fmt.Sprintf("redis-%s:6379", word(svc))},
			{"db", g.between(0, 15)}, {"pool_size", g.pickInt(10, 20, 50)}}}}})
	}
	if g.r.Float64() < 0.5 {
		doc = append(doc, kv{"metrics", obj{{"enabled", true}, {"path", "/metrics"}, {"port", g.pickInt(9090, 9100, 9464)}}})
	}
	if g.r.Float64() < 0.5 {
		var fs list
		for n := g.between(1, 5); n > 0; n-- {
			fs = append(fs, obj{{"name", fmt.Sprintf("flag-%d", g.between(1, 300))}, {"enabled", g.r.Float64() < 0.5}})
		}
		doc = append(doc, kv{"features", fs})
	}
	return doc
}

type pair struct{ k, v string }

func (g *gen) envPairs(i int, viol set, prod bool) (string, []pair) {
	svc := g.service(i)
	d := g.db(svc, viol, prod)
	env := g.pick(envsElse)
	if prod {
		env = g.pick(envsProd)
	}
	p := []pair{{"APP_NAME", svc}, {"APP_ENV", env},
		{"HTTP_PORT", strconv.Itoa(g.pickInt(8080, 8000, 9000))},
		{"LOG_LEVEL", g.pick([]string{"debug", "info", "warn"})}}
	if g.r.Float64() < 0.35 {
		p = append(p, pair{"DATABASE_URL", g.dsn(d, "")})
		if d.passwordRef == "file" && d.password == "" {
			p = append(p, pair{"DB_PASSWORD_FILE", "/run/secrets/db_password"})
		}
	} else {
		p = append(p, pair{"DB_DRIVER", d.engine}, pair{"DB_HOST", d.host},
			pair{"DB_PORT", strconv.Itoa(d.port)}, pair{"DB_USER", d.user})
		switch {
		case d.password != "":
			p = append(p, pair{"DB_PASSWORD", d.password})
		case d.passwordRef != "none":
			p = append(p, pair{"DB_PASSWORD_FILE", "/run/secrets/db_password"})
		}
		p = append(p, pair{"DB_NAME", d.dbname}, pair{"DB_SSLMODE", d.ssl})
		if d.connectTimeout != 0 {
			p = append(p, pair{"DB_CONNECT_TIMEOUT", strconv.Itoa(d.connectTimeout)})
		}
	}
	p = append(p, pair{"DB_MAX_OPEN_CONNS", strconv.Itoa(d.maxOpen)}, pair{"DB_MAX_IDLE_CONNS", strconv.Itoa(d.maxIdle)})
	if g.r.Float64() < 0.5 {
		p = append(p, pair{"REDIS_URL", fmt.Sprintf("redis://redis-%s:6379/%d", word(svc), g.between(0, 15))})
	}
	if g.r.Float64() < 0.4 {
		p = append(p, pair{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4317"})
	}
	return svc, p
}

func (g *gen) renderYAML(i int, viol set, prod bool) string {
	var doc obj
	var head string
	if g.r.Float64() < 0.12 {
		svc, pairs := g.envPairs(i, viol, prod)
		data := make(obj, len(pairs))
		for j, p := range pairs {
			data[j] = kv{p.k, p.v}
		}
		doc = obj{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
			{"metadata", obj{{"name", svc + "-config"},
				{"namespace", g.pick([]string{"default", "apps", word(svc)})},
				{"labels", obj{{"app", svc}}}}},
			{"data", data}}
		head = "# ConfigMap for " + svc + "\n"
	} else {
		doc = g.appDoc(i, viol, prod)
		head = "# " + doc[0].v.(obj)[0].v.(string) + " configuration\n"
	}
	var b strings.Builder
	b.WriteString(head)
	writeYAML(&b, doc, 0)
	return b.String()
}

func (g *gen) renderJSON(i int, viol set, prod bool) string {
	var b strings.Builder
	writeJSON(&b, g.appDoc(i, viol, prod), 0)
	b.WriteString("\n")
	return b.String()
}

func (g *gen) renderTOML(i int, viol set, prod bool) string {
	doc := g.appDoc(i, viol, prod)
	var b strings.Builder
	writeTOML(&b, doc, "")
	return "# " + doc[0].v.(obj)[0].v.(string) + " configuration\n" + strings.TrimLeft(b.String(), "\n")
}

func (g *gen) renderEnv(i int, viol set, prod bool) string {
	svc, pairs := g.envPairs(i, viol, prod)
	var b strings.Builder
	b.WriteString("# " + svc + " environment\n")
	for _, p := range pairs {
		b.WriteString(p.k + "=" + p.v + "\n")
	}
	return b.String()
}

func (g *gen) renderProperties(i int, viol set, prod bool) string {
	svc := g.service(i)
	d := g.db(svc, viol, prod)
	profile := "prod"
	if !prod {
		profile = g.pick([]string{"dev", "staging", "test"})
	}
	lines := []string{"# " + svc, "spring.application.name=" + svc,
		"spring.profiles.active=" + profile,
		fmt.Sprintf("server.port=%d", g.pickInt(8080, 8081, 9000)),
		"spring.datasource.url=" + g.jdbc(d),
		"spring.datasource.username=" + d.user}
	if d.password != "" {
		lines = append(lines, "spring.datasource.password="+d.password)
	}
	lines = append(lines,
		fmt.Sprintf("spring.datasource.hikari.maximum-pool-size=%d", d.maxOpen),
		fmt.Sprintf("spring.datasource.hikari.minimum-idle=%d", d.maxIdle),
		"spring.jpa.open-in-view=false",
		"logging.level.root="+g.pick([]string{"INFO", "WARN", "DEBUG"}))
	if g.r.Float64() < 0.5 {
		lines = append(lines, "management.endpoints.web.exposure.include=health,info,prometheus")
	}
	return strings.Join(lines, "\n") + "\n"
}

// ---------------------------------------------------------------- emitters

// obj is an ordered map, list a sequence; values are string, int, bool,
// obj or list.
type (
	kv struct {
		k string
		v any
	}
	obj  []kv
	list []any
)

var plainYAML = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9_./-]*$`)

var yamlReserved = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "null": true, "~": true, "y": true, "n": true}

// quote writes s as a JSON string, which is also a YAML and TOML basic
// string for the printable ASCII the corpus holds.
func quote(s string) string { return strconv.Quote(s) }

func scalar(v any) string {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case string:
		return quote(v)
	}
	panic(fmt.Sprintf("gencorpus: no scalar form for %T", v))
}

func yamlScalar(v any) string {
	if s, ok := v.(string); ok && plainYAML.MatchString(s) && !yamlReserved[strings.ToLower(s)] {
		return s
	}
	return scalar(v)
}

func writeYAML(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch v := v.(type) {
	case obj:
		for _, e := range v {
			switch c := e.v.(type) {
			case obj:
				b.WriteString(pad + e.k + ":\n")
				writeYAML(b, c, indent+1)
			case list:
				b.WriteString(pad + e.k + ":\n")
				writeYAML(b, c, indent+1)
			default:
				b.WriteString(pad + e.k + ": " + yamlScalar(c) + "\n")
			}
		}
	case list:
		for _, item := range v {
			if o, ok := item.(obj); ok {
				var sub strings.Builder
				writeYAML(&sub, o, indent+1)
				s := sub.String()
				b.WriteString(pad + "- " + strings.TrimLeft(s, " "))
			} else {
				b.WriteString(pad + "- " + yamlScalar(item) + "\n")
			}
		}
	}
}

func writeJSON(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat("  ", indent+1)
	end := strings.Repeat("  ", indent)
	switch v := v.(type) {
	case obj:
		b.WriteString("{\n")
		for i, e := range v {
			b.WriteString(pad + quote(e.k) + ": ")
			writeJSON(b, e.v, indent+1)
			if i < len(v)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(end + "}")
	case list:
		b.WriteString("[\n")
		for i, item := range v {
			b.WriteString(pad)
			writeJSON(b, item, indent+1)
			if i < len(v)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(end + "]")
	default:
		b.WriteString(scalar(v))
	}
}

// writeTOML writes the scalars of o, then each table and array of tables
// under its dotted name.
func writeTOML(b *strings.Builder, o obj, prefix string) {
	tables := func(v any) bool {
		switch v := v.(type) {
		case obj:
			return true
		case list:
			if len(v) > 0 {
				_, ok := v[0].(obj)
				return ok
			}
		}
		return false
	}
	for _, e := range o {
		if !tables(e.v) {
			if l, ok := e.v.(list); ok {
				parts := make([]string, len(l))
				for i, x := range l {
					parts[i] = scalar(x)
				}
				b.WriteString(e.k + " = [" + strings.Join(parts, ", ") + "]\n")
				continue
			}
			b.WriteString(e.k + " = " + scalar(e.v) + "\n")
		}
	}
	for _, e := range o {
		name := e.k
		if prefix != "" {
			name = prefix + "." + e.k
		}
		switch v := e.v.(type) {
		case obj:
			b.WriteString("\n[" + name + "]\n")
			writeTOML(b, v, name)
		case list:
			if !tables(v) {
				continue
			}
			for _, item := range v {
				b.WriteString("\n[[" + name + "]]\n")
				writeTOML(b, item.(obj), name)
			}
		}
	}
}
