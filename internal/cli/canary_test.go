package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// canary is the password planted in every input of TestCanaryNeverLeaks. It
// holds the characters that break naive quoting, splitting and encoding
// (@ : / % " \) and a non-ASCII letter, and every 6-character run of it is
// unlikely in any honest output, so that the test can look for each run.
const canary = `Cn@ry:p/ss%w"rd\ÿ-7Q`

// canaryRotated is the canary after a password rotation: diff and review
// compare trees holding one with trees holding the other, so both the old
// and the new secret must stay hidden. It differs from canary only at the
// end, and has no run of plain alphanumerics either.
const canaryRotated = `Cn@ry:p/ss%w"rd\ÿ-8R~`

// canaries are the secrets the detector looks for.
func canaries() []string { return []string{canary, canaryRotated} }

// canaryForms are the ways a leaked secret could be written: as is, and in
// each encoding an output might apply to it on the way out.
func canaryForms(canary string) map[string]string {
	forms := map[string]string{
		"raw":                    canary,
		"url.QueryEscape":        url.QueryEscape(canary),
		"url.PathEscape":         url.PathEscape(canary),
		"url userinfo":           strings.TrimPrefix(url.UserPassword("u", canary).String(), "u:"),
		"json":                   canaryJSON(canary, false),
		"json \\u escapes":       canaryJSON(canary, true),
		"go %q":                  strings.Trim(strconv.Quote(canary), `"`),
		"go %+q":                 strings.Trim(strconv.QuoteToASCII(canary), `"`),
		"latin-1 bytes":          canaryLatin1(canary),
		"base64 std":             base64.StdEncoding.EncodeToString([]byte(canary)),
		"base64 url":             base64.URLEncoding.EncodeToString([]byte(canary)),
		"base64 raw std":         base64.RawStdEncoding.EncodeToString([]byte(canary)),
		"base64 raw url":         base64.RawURLEncoding.EncodeToString([]byte(canary)),
		"url.QueryEscape (hex)":  strings.ToLower(url.QueryEscape(canary)),
		"url.PathEscape (hex)":   strings.ToLower(url.PathEscape(canary)),
		"libpq quoted":           strings.ReplaceAll(canary, `\`, `\\`),
		"properties escaped":     strings.ReplaceAll(strings.ReplaceAll(canary, `\`, `\\`), ":", `\:`),
		"yaml double-quoted":     strings.ReplaceAll(strings.ReplaceAll(canary, `\`, `\\`), `"`, `\"`),
		"json html-escaped \\u":  strings.ReplaceAll(canaryJSON(canary, false), "%", `\u0025`),
		"ascii-only json escape": canaryASCIIJSON(canary),
	}
	// Base64 of a longer text that holds the canary encodes it differently
	// at each of the three byte alignments: keep the part of each that does
	// not depend on the neighbouring bytes.
	for shift := 1; shift <= 2; shift++ {
		for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "url": base64.URLEncoding} {
			s := enc.EncodeToString([]byte(strings.Repeat("x", shift) + canary))
			forms[fmt.Sprintf("base64 %s at offset %d", name, shift)] = s[4 : len(s)-4]
		}
	}
	return forms
}

func canaryJSON(s string, escapeAll bool) string {
	if !escapeAll {
		b, _ := json.Marshal(s)
		return strings.Trim(string(b), `"`)
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && r != '"' && r != '\\' && r != '%' && r != '/' && r != '@' && r != ':' {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// asciiJSON escapes only what is outside ASCII, as some encoders do.
func canaryASCIIJSON(s string) string {
	var b strings.Builder
	for _, r := range canaryJSON(s, false) {
		if r >= 0x80 {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func canaryLatin1(s string) string {
	var b []byte
	for _, r := range s {
		if r < 0x100 {
			b = append(b, byte(r))
		}
	}
	return string(b)
}

// canaryEncoders are the encodings that work character by character, so
// that a 6-character run of the canary has a run of its own in the output.
func canaryEncoders() map[string]func(string) string {
	return map[string]func(string) string{
		"raw":              func(s string) string { return s },
		"url.QueryEscape":  url.QueryEscape,
		"url.PathEscape":   url.PathEscape,
		"json":             func(s string) string { return canaryJSON(s, false) },
		"json \\u escapes": func(s string) string { return canaryJSON(s, true) },
		"go %+q":           func(s string) string { return strings.Trim(strconv.QuoteToASCII(s), `"`) },
		"latin-1 bytes":    canaryLatin1,
		"backslash-escaped": func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`)
		},
	}
}

// canaryLeaks reports every form and every 6-character run of each canary
// (as is and in each character-wise encoding) found in data, described for
// a failure message.
func canaryLeaks(data []byte) []string { return canaryLeaksOf(data, 6, canaries()...) }

// canaryLeaksOf is canaryLeaks for other secrets, with runs of n
// characters.
func canaryLeaksOf(data []byte, n int, secrets ...string) []string {
	var out []string
	text := string(data)
	lower := strings.ToLower(text)
	encs := canaryEncoders()
	var encNames []string
	for n := range encs {
		encNames = append(encNames, n)
	}
	sort.Strings(encNames)
	seen := map[string]bool{}
	add := func(msg string) {
		if !seen[msg] {
			seen[msg] = true
			out = append(out, msg)
		}
	}
	for i, c := range secrets {
		which := "the canary"
		if i > 0 {
			which = "the rotated canary"
		}
		if c != canary && c != canaryRotated {
			which = "secret " + strconv.Quote(c)
		}
		forms := canaryForms(c)
		for _, name := range canaryFormNames() {
			f := forms[name]
			if strings.Contains(text, f) || strings.HasSuffix(name, "(hex)") && strings.Contains(lower, f) {
				add(fmt.Sprintf("%s of %s %q", name, which, f))
			}
		}
		for _, sub := range canaryRuns(c, n) {
			for _, name := range encNames {
				e := encs[name](sub)
				if strings.Contains(text, e) || strings.HasPrefix(name, "url.") && strings.Contains(lower, strings.ToLower(e)) {
					add(fmt.Sprintf("%d-character run %q of %s, %s: %q", n, sub, which, name, e))
				}
			}
		}
	}
	return out
}

func canaryFormNames() []string {
	var names []string
	for n := range canaryForms(canary) {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// runs returns every n-character (rune) substring of s.
func canaryRuns(s string, n int) []string {
	rs := []rune(s)
	var out []string
	for i := 0; i+n <= len(rs); i++ {
		out = append(out, string(rs[i:i+n]))
	}
	return out
}

// TestCanaryDetector proves the detector can fail: every planted form is
// found, and ordinary output is not mistaken for a leak.
func TestCanaryDetector(t *testing.T) {
	if canary == canaryRotated {
		t.Fatal("the rotated canary must differ from the canary")
	}
	for ci, c := range canaries() {
		forms := canaryForms(c)
		for _, name := range canaryFormNames() {
			t.Run(fmt.Sprintf("canary %d %s", ci, name), func(t *testing.T) {
				planted := "profile prod db password=" + forms[name] + " (literal)\n"
				if got := canaryLeaks([]byte(planted)); len(got) == 0 {
					t.Errorf("planted %s form %q not detected", name, forms[name])
				}
			})
		}
		for i, sub := range canaryRuns(c, 6) {
			planted := []byte("host: 127.0.0.1\npassword: x" + sub + "x\n")
			if got := canaryLeaks(planted); len(got) == 0 {
				t.Errorf("planted run %d %q of canary %d not detected", i, sub, ci)
			}
		}
		for name, enc := range canaryEncoders() {
			sub := canaryRuns(c, 6)[7]
			if got := canaryLeaks([]byte("x=" + enc(sub) + ";")); len(got) == 0 {
				t.Errorf("planted run %q encoded as %s (%q) not detected", sub, name, enc(sub))
			}
		}
	}
	// The canary's encodings must not be found in what the commands print
	// for a clean input.
	clean := "LOCATION NAME ENV DRIVER HOST:PORT DATABASE USER PASSWORD TLS\n" +
		`{"password_set": true, "password_source": "literal", "password_expr": "${DB_PASSWORD:-*****}"}` + "\n" +
		"postgres://app:*****@127.0.0.1:5432/app?sslmode=require\n"
	if got := canaryLeaks([]byte(clean)); len(got) > 0 {
		t.Errorf("clean output reported as leaking: %v", got)
	}
	// Every 6-character run must be unusual: none may be made only of
	// letters and digits, which honest output could hold by chance.
	for _, c := range canaries() {
		for _, sub := range canaryRuns(c, 6) {
			if regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(sub) {
				t.Errorf("canary run %q is plain alphanumerics: choose a canary without such runs", sub)
			}
		}
	}
}

// canaryFiles are the inputs: the canary as a password in every format and
// convention dbguard reads. addr is a loopback host:port where nothing
// listens, so that a command that connects fails at once, on this machine.
func canaryFiles(addr string) map[string]string { return canaryFilesWith(addr, canary) }

// canaryFilesWith writes the same inputs around another password, each
// encoding computed afresh (base64 in the Secret, percent-encoding in URLs).
func canaryFilesWith(addr, canary string) map[string]string {
	host, port, _ := net.SplitHostPort(addr)
	b64 := base64.StdEncoding.EncodeToString([]byte(canary))
	userinfo := url.UserPassword("app", canary).String() // percent-encoded
	pq := strings.ReplaceAll(canary, `\`, `\\`)          // libpq quoting: \ and ' escaped
	js := canaryJSON(canary, false)
	prop := strings.ReplaceAll(canary, `\`, `\\`) // .properties escapes
	return map[string]string{
		"config/app.yaml": `database:
  driver: postgres
  host: ` + host + `
  port: ` + port + `
  name: app
  user: app
  password: '` + canary + `'
`,
		"docker-compose.yml": `services:
  api:
    image: example/api:1.0
    environment:
      DB_HOST: ` + host + `
      DB_PORT: "` + port + `"
      DB_USER: app
      DB_PASSWORD: '` + canary + `'
      DATABASE_URL: 'postgres://` + userinfo + `@` + addr + `/app?sslmode=disable'
  worker:
    image: example/worker:1.0
    environment:
      - DB_PASSWORD=` + canary + `
      - DB_HOST=` + host + `
  db:
    image: postgres:15
    environment:
      POSTGRES_PASSWORD: '` + canary + `'
      POSTGRES_USER: app
`,
		"k8s/secret.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: production
type: Opaque
data:
  DB_PASSWORD: ` + b64 + `
  DATABASE_URL: ` + base64.StdEncoding.EncodeToString([]byte("postgres://"+userinfo+"@"+addr+"/app")) + `
stringData:
  DB_HOST: ` + host + `
  DB_USER: app
  DB_PASS: '` + canary + `'
`,
		"k8s/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: production
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.0
          env:
            - name: DB_HOST
              value: ` + host + `
            - name: DB_PORT
              value: "` + port + `"
            - name: DB_PASSWORD
              value: '` + canary + `'
            - name: DATABASE_URL
              value: postgres://app:$(DB_PASSWORD)@` + addr + `/app
`,
		"appsettings.Production.json": `{
  "ConnectionStrings": {
    "Default": "Server=` + host + `,` + port + `;Database=app;User Id=app;Password=` + js + `;Encrypt=True"
  }
}
`,
		"knexfile.json": `{
  "production": {
    "client": "pg",
    "connection": {
      "host": "` + host + `",
      "port": ` + port + `,
      "database": "app",
      "user": "app",
      "password": "` + js + `"
    },
    "pool": {"min": 2, "max": 10}
  }
}
`,
		"config.toml": `[database]
driver = "postgres"
host = "` + host + `"
port = ` + port + `
user = "app"
password = '` + canary + `'
`,
		".env": `DB_HOST=` + host + `
DB_PORT=` + port + `
DB_USER=app
DB_PASSWORD='` + canary + `'
DATABASE_URL=postgres://` + userinfo + `@` + addr + `/app
`,
		".env.staging": `export DB_HOST=` + host + `
DB_PASSWORD=${DB_PASSWORD:-'` + canary + `'}
`,
		"application.properties": `spring.datasource.url=jdbc:postgresql://` + addr + `/app?user=app&password=` + url.QueryEscape(canary) + `
spring.datasource.username=app
spring.datasource.password=` + prop + `
spring.datasource.hikari.maximum-pool-size=10
`,
		"application-prod.properties": `spring.datasource.url=jdbc:postgresql://` + addr + `/app
spring.datasource.username=app
spring.datasource.password=` + prop + `
`,
		"pgbouncer.ini": `[databases]
app = host=` + host + ` port=` + port + ` dbname=app user=app password='` + pq + `'

[pgbouncer]
listen_port = 6432
`,
		"my.cnf": `[client]
host = ` + host + `
port = ` + port + `
user = app
password = ` + canary + `
`,
		"config/database.yml": `default: &default
  adapter: postgresql
  host: ` + host + `
  port: ` + port + `

production:
  <<: *default
  database: app
  username: app
  password: '` + canary + `'

development:
  <<: *default
  url: postgres://` + userinfo + `@` + addr + `/app_dev
`,
		"config/urls.yaml": `primary:
  url: postgres://` + userinfo + `@` + addr + `/app?sslmode=verify-full
libpq:
  dsn: "host=` + host + ` port=` + port + ` dbname=app user=app password='` + strings.ReplaceAll(pq, `"`, `\"`) + `'"
mysql:
  dsn: 'app:` + canary + `@tcp(` + addr + `)/app?tls=true'
interpolated:
  database:
    host: ` + host + `
    user: app
    password: ${DB_PASSWORD:-` + canary + `}
`,
	}
}

// canaryStdin is what the commands read from "-": rendered manifests, as
// helm template prints them.
func canaryStdin(files map[string]string) string {
	return files["k8s/secret.yaml"] + "---\n" + files["k8s/deployment.yaml"] + "---\n" + files["config/database.yml"]
}

// formatsOf returns the output formats a command offers, read from its
// --format flag's help ("output format: table, json or sarif"), plus a
// --json switch when it has one. "" stands for the default.
func canaryFormatsOf(t *testing.T, c *cobra.Command) [][]string {
	out := [][]string{nil}
	if f := c.Flags().Lookup("format"); f != nil {
		usage := f.Usage
		if i := strings.Index(usage, ":"); i >= 0 {
			usage = usage[i+1:]
		}
		var names []string
		for _, w := range regexp.MustCompile(`[A-Za-z][A-Za-z0-9_-]*`).FindAllString(usage, -1) {
			switch strings.ToLower(w) {
			case "or", "and", "default", "one", "of":
				continue
			}
			names = append(names, w)
		}
		if len(names) == 0 {
			t.Errorf("%s: cannot tell the output formats from --format's help %q: write them as \"output format: a, b or c\"", c.CommandPath(), f.Usage)
		}
		for _, n := range names {
			out = append(out, []string{"--format", n})
		}
	}
	if f := c.Flags().Lookup("json"); f != nil && f.Value.Type() == "bool" {
		out = append(out, []string{"--json"})
	}
	return out
}

// acceptsArgs reports whether a command takes positional arguments.
func canaryAcceptsArgs(c *cobra.Command, args []string) bool {
	if c.Args == nil {
		return !strings.Contains(c.Use, " ") || strings.ContainsAny(c.Use, "[<") || canaryUpperArg(c.Use)
	}
	return c.Args(c, args) == nil
}

func canaryUpperArg(use string) bool {
	for _, w := range strings.Fields(use)[1:] {
		if strings.ToUpper(w) == w {
			return true
		}
	}
	return false
}

// canaryRun is one invocation a set-up adds: the arguments after the
// command path and the format flags, the folder to run in ("" for the
// test's work folder), and a text its output must hold in every format, to
// prove the run reached the secret rather than stopping early.
type canaryRun struct {
	args []string
	dir  string
	want string
}

// canaryInputs is what a set-up may build on: the test's root folder, the
// canary tree inside it, and the loopback address where nothing listens.
type canaryInputs struct {
	root, in, addr string
}

// canarySetup adds what one command needs beyond paths, for commands that
// cannot run on paths alone. It returns extra runs, each made in every
// output format, or a reason to run nothing more. A run it adds must get
// past usage checks (exit 0 or 1): one that ends in a usage error checked
// only the usage path, and fails the test.
type canarySetup func(t *testing.T, ci canaryInputs) (runs []canaryRun, skip string)

// canarySetups is keyed by command path without the root ("review",
// "policy test"). A command absent from it is run over the canary
// directory and stdin.
func canarySetups() map[string]canarySetup {
	return map[string]canarySetup{
		"diff":   canaryDiffSetup,
		"review": canaryReviewSetup,
		"verify": canaryVerifySetup,
		"docs":   canaryDocsSetup,
		"watch":  canaryWatchSetup,
	}
}

// canaryDocsSetup gives docs the folder its Markdown pages need; the
// pages land under the test's root, where every file written is read for
// the canary.
func canaryDocsSetup(t *testing.T, ci canaryInputs) ([]canaryRun, string) {
	out := filepath.Join(ci.root, "reference")
	return []canaryRun{{args: []string{"--out", out, ci.in}, want: "wrote the reference"}, {args: []string{"--check", "--out", out, ci.in}}}, ""
}

// canaryVerifySetup gives verify the canary through the two outside
// sources it resolves: Kubernetes secrets mounted as NAME/KEY files
// (--secrets-dir) and environment variables (set by the test).
func canaryVerifySetup(t *testing.T, ci canaryInputs) ([]canaryRun, string) {
	secrets := filepath.Join(ci.root, "secrets")
	for _, name := range []string{"db-credentials/password", "db-credentials/DB_PASSWORD", "orders-db/password"} {
		p := filepath.Join(secrets, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err.Error()
		}
		if err := os.WriteFile(p, []byte(canary), 0o600); err != nil {
			return nil, err.Error()
		}
	}
	return []canaryRun{{args: []string{"--secrets-dir", secrets, ci.in}}}, ""
}

// canaryChangedFiles is the canary tree after a change: every password
// rotated to canaryRotated (in every encoding), a profile added that holds
// the canary, and one file removed, so that a diff has changed, added and
// removed profiles whose secrets it must not show.
func canaryChangedFiles(addr string) map[string]string {
	files := canaryFilesWith(addr, canaryRotated)
	host, port, _ := net.SplitHostPort(addr)
	files["config/added.yaml"] = `orders:
  driver: postgres
  host: ` + host + `
  port: ` + port + `
  name: orders
  user: orders
  password: '` + canary + `'
  max_open_conns: 500
`
	delete(files, "my.cnf")
	return files
}

// canaryPolicy is a dbguard.yaml whose review policy every change of the
// canary trees triggers, so that the approvals part of diff's and review's
// outputs is exercised too.
const canaryPolicy = `version: 1
inventory:
  servers:
    - name: local
      hosts: ["127.0.0.1"]
      kind: postgres
      max_connections: 100
      reserved_connections: 3
review:
  groups:
    dba: [alice, bob]
  require:
    - risk: low
      approvals: 2
      groups: [dba]
`

func canaryWriteTree(dir string, files map[string]string) error {
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// canaryDiffSetup compares the canary tree with its changed copy, both
// ways (each password is once the old value and once the new), as trees
// and file by file, with and without a review policy.
func canaryDiffSetup(t *testing.T, ci canaryInputs) ([]canaryRun, string) {
	changed := filepath.Join(ci.root, "changed")
	if err := canaryWriteTree(changed, canaryChangedFiles(ci.addr)); err != nil {
		return nil, err.Error()
	}
	policy := filepath.Join(ci.root, "policy", "dbguard.yaml")
	if err := canaryWriteTree(filepath.Dir(policy), map[string]string{"dbguard.yaml": canaryPolicy}); err != nil {
		return nil, err.Error()
	}
	runs := []canaryRun{
		{args: []string{ci.in, changed}, want: "password"},
		{args: []string{changed, ci.in}, want: "password"},
		{args: []string{"--config", policy, "--approved-by", "alice", ci.in, changed}, want: "password"},
	}
	for _, name := range []string{"config/app.yaml", ".env", "pgbouncer.ini", "k8s/secret.yaml", "config/urls.yaml", "application.properties"} {
		f := filepath.FromSlash(name)
		runs = append(runs, canaryRun{args: []string{filepath.Join(ci.in, f), filepath.Join(changed, f)}, want: "password"})
	}
	return runs, ""
}

// canaryReviewSetup makes a git repository of the canary tree (with a
// review policy), commits the changed tree on top, and leaves one more
// change uncommitted, so that review compares two commits, a commit and
// the working tree, and the working tree alone.
func canaryReviewSetup(t *testing.T, ci canaryInputs) ([]canaryRun, string) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, "git is not installed"
	}
	repo := filepath.Join(ci.root, "repo")
	git := func(args ...string) error {
		if out, err := gitCmd(repo, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("git %v: %v: %s", args, err, out)
		}
		return nil
	}
	base := canaryFiles(ci.addr)
	base["dbguard.yaml"] = canaryPolicy
	head := canaryChangedFiles(ci.addr)
	head["dbguard.yaml"] = canaryPolicy
	// The uncommitted change: one password back to the canary, and an
	// untracked file holding the rotated one.
	host, _, _ := net.SplitHostPort(ci.addr)
	wip := map[string]string{
		"config/app.yaml": canaryFiles(ci.addr)["config/app.yaml"],
		"config/wip.yaml": "db:\n  driver: postgres\n  host: " + host + "\n  password: '" + canaryRotated + "'\n",
	}
	steps := []func() error{
		func() error { return os.MkdirAll(repo, 0o755) },
		func() error { return git("init", "-q", "-b", "main") },
		func() error { return canaryWriteTree(repo, base) },
		func() error { return git("add", "-A") },
		func() error { return git("commit", "-q", "-m", "base") },
		func() error { return os.Remove(filepath.Join(repo, "my.cnf")) },
		func() error { return canaryWriteTree(repo, head) },
		func() error { return git("add", "-A") },
		func() error { return git("commit", "-q", "-m", "rotate the password, add a profile, remove one") },
		func() error { return canaryWriteTree(repo, wip) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err.Error()
		}
	}
	return []canaryRun{
		{dir: repo, args: []string{"--base", "HEAD~1", "--head", "HEAD"}, want: "password"},
		{dir: repo, args: []string{"--base", "HEAD~1"}, want: "wip.yaml"},
		{dir: repo, args: []string{"--base", "HEAD"}, want: "password"},
		{dir: repo, args: []string{"--base", "HEAD", "--head", "HEAD~1"}, want: "password"},
		{dir: repo, args: []string{"--base", "HEAD~1", "--approved-by", "alice", "config"}, want: "password"},
		{dir: repo, args: []string{"--base", "HEAD~1", "--head", "HEAD", "--no-config", "k8s", ".env"}, want: "password"},
	}, ""
}

// runnable returns every command of the tree that does something, by its
// path under the root, walking subcommands so that a new command is covered
// without editing this test.
func canaryRunnable(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	if c.Runnable() && !c.Hidden && c.Name() != "help" {
		out = append(out, c)
	}
	for _, sub := range c.Commands() {
		out = append(out, canaryRunnable(sub)...)
	}
	return out
}

// TestCanaryNeverLeaks runs every command over files holding a canary
// password, in every output format, and fails if the canary, an encoding of
// it or any 6-character run of it appears in stdout, stderr or any file
// written under the test's directory.
func TestCanaryNeverLeaks(t *testing.T) {
	// A loopback port where nothing listens: verify fails fast, on this
	// machine only.
	addr := "127.0.0.1:" + closedPort(t)

	root := t.TempDir()
	in := filepath.Join(root, "in")
	files := canaryFiles(addr)
	if err := canaryWriteTree(in, files); err != nil {
		t.Fatal(err)
	}
	// Commands run from the test's directory, with HOME and the XDG
	// folders inside it, so that whatever they write is checked below.
	work := filepath.Join(root, "work")
	home := filepath.Join(root, "home")
	for _, d := range []string{work, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(work)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("TMPDIR", filepath.Join(root, "tmp"))
	// Commands that resolve env:NAME references (verify) find the canary.
	for _, name := range []string{"DB_PASSWORD", "DB_PASS", "DATABASE_PASSWORD", "PGPASSWORD", "MYSQL_PWD"} {
		t.Setenv(name, canary)
	}
	t.Setenv("DATABASE_URL", "postgres://"+url.UserPassword("app", canary).String()+"@"+addr+"/app")
	// review asks a forge for approvals only with a token and a CI job's
	// environment: none of either, so that nothing leaves this machine.
	noForge(t)
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	stdin := canaryStdin(files)
	tree := NewRootCommand(&env{ctx: context.Background()})
	type invocation struct {
		args  []string
		stdin string
		// dir is where the command runs ("" for work); fromSetup marks
		// the runs a set-up asked for, which must not end in a usage error.
		dir       string
		fromSetup bool
		want      string
	}
	type plan struct {
		path string
		invs []invocation
	}
	// Plan every run first: a command's set-up may change the inputs
	// (review commits a change), and the snapshot below must hold them.
	var plans []plan
	for _, c := range canaryRunnable(tree) {
		path := strings.TrimSpace(strings.TrimPrefix(c.CommandPath(), tree.Name()))
		base := append(strings.Fields(path), canaryFixedFlags()[path]...)
		invs := []invocation{{args: append(append([]string{}, base...), "--help")}}
		var inputArgs [][]string
		if canaryAcceptsArgs(c, []string{in}) {
			inputArgs = append(inputArgs, []string{in})
			for _, name := range []string{"config/app.yaml", "my.cnf", ".env", "pgbouncer.ini"} {
				p := filepath.Join(in, filepath.FromSlash(name))
				if canaryAcceptsArgs(c, []string{p}) {
					inputArgs = append(inputArgs, []string{p})
				}
			}
		} else {
			t.Logf("%s: takes no path argument; run without one", path)
			inputArgs = append(inputArgs, nil)
		}
		var extra []canaryRun
		if setup, ok := canarySetups()[path]; ok {
			var skip string
			extra, skip = setup(t, canaryInputs{root: root, in: in, addr: addr})
			if skip != "" {
				t.Logf("%s: not run beyond --help and paths: %s", path, skip)
			}
		}
		for _, format := range canaryFormatsOf(t, c) {
			for _, a := range inputArgs {
				args := append(append(append([]string{}, base...), format...), a...)
				invs = append(invs, invocation{args: args})
			}
			for _, r := range extra {
				args := append(append(append([]string{}, base...), format...), r.args...)
				invs = append(invs, invocation{args: args, dir: r.dir, fromSetup: true, want: r.want})
			}
			if canaryAcceptsArgs(c, []string{"-"}) {
				invs = append(invs, invocation{args: append(append(append([]string{}, base...), format...), "-"), stdin: stdin})
			}
		}
		plans = append(plans, plan{path: path, invs: invs})
	}
	canaryInputsRead(t, in, files)
	inputs := canarySnapshot(t, root)

	ran := 0
	for _, pl := range plans {
		usageOnly := true
		for _, inv := range pl.invs {
			var stdout, stderr bytes.Buffer
			if inv.dir != "" {
				if err := os.Chdir(inv.dir); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			code := Run(ctx, inv.args, strings.NewReader(inv.stdin), &stdout, &stderr)
			cancel()
			if err := os.Chdir(work); err != nil {
				t.Fatal(err)
			}
			ran++
			help := canaryHas(inv.args, "--help")
			if code != ExitUsage && !help {
				usageOnly = false
			}
			what := fmt.Sprintf("dbguard %s (exit %d)", strings.Join(inv.args, " "), code)
			if inv.stdin != "" {
				what += " with the canary on stdin"
			}
			if inv.dir != "" {
				what += " in " + inv.dir
			}
			if inv.fromSetup && code == ExitUsage {
				t.Errorf("%s: a run its set-up prepared ended in a usage error, so it checked only the usage path: %s", what, canaryFirstLine(stderr.String()))
			}
			if inv.want != "" && !strings.Contains(stdout.String(), inv.want) {
				t.Errorf("%s: the output does not mention %q, so the secret's change was not reached", what, inv.want)
			}
			for _, l := range canaryLeaks(stdout.Bytes()) {
				t.Errorf("LEAK on stdout of %s: %s\n%s", what, l, canaryExcerpt(stdout.String(), l))
			}
			for _, l := range canaryLeaks(stderr.Bytes()) {
				t.Errorf("LEAK on stderr of %s: %s\n%s", what, l, canaryExcerpt(stderr.String(), l))
			}
			if code == ExitUsage && !help {
				t.Logf("%s: usage error: %s", what, canaryFirstLine(stderr.String()))
			}
			if testing.Verbose() {
				t.Logf("ran %s: %d bytes out, %d bytes err", what, stdout.Len(), stderr.Len())
			}
		}
		if usageOnly && len(pl.invs) > 1 {
			t.Logf("%s: every run over the canary ended in a usage error; only its usage path was checked", pl.path)
		}
	}
	if ran == 0 {
		t.Fatal("no command was run")
	}
	// Files the commands wrote or changed.
	after := canarySnapshot(t, root)
	for p, data := range after {
		if old, ok := inputs[p]; ok && bytes.Equal(old, data) {
			continue
		}
		for _, l := range canaryLeaks(data) {
			t.Errorf("LEAK in file %s written by a command: %s", p, l)
		}
	}
	t.Logf("%d invocations checked", ran)
}

func canaryHas(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func canaryFirstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// excerpt shows the line that holds a leak, to make the failure actionable.
func canaryExcerpt(out, leak string) string {
	m := regexp.MustCompile(`"(.*)"`).FindStringSubmatch(leak)
	var needle string
	if len(m) == 2 {
		if s, err := strconv.Unquote(`"` + m[1] + `"`); err == nil {
			needle = s
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if needle != "" && strings.Contains(line, needle) {
			if utf8.RuneCountInString(line) > 300 {
				line = string([]rune(line)[:300]) + "..."
			}
			return "    > " + line
		}
	}
	return ""
}

// snapshot reads every regular file under dir (.git excluded).
func canarySnapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = data
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return out
}

// canaryInputsRead makes sure the test is not vacuous: scan must find a set
// password in every canary file, so the canary did reach the Secret type
// and every later stage that could leak it.
func canaryInputsRead(t *testing.T, in string, files map[string]string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"scan", "--no-config", "--format", "json", in}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitOK {
		t.Fatalf("scan of the canary files: exit %d: %s", code, stderr.String())
	}
	var doc struct {
		Profiles []struct {
			File        string `json:"file"`
			PasswordSet *bool  `json:"password_set"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode scan's JSON: %v", err)
	}
	withPassword := map[string]bool{}
	for _, p := range doc.Profiles {
		if p.PasswordSet != nil && *p.PasswordSet {
			withPassword[p.File] = true
		}
	}
	for name := range files {
		if !withPassword[name] {
			t.Errorf("scan finds no password in canary file %s: the canary there tests nothing", name)
		}
	}
}
