package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// dsnCanaryCase is one malformed connection string: a stray ';', quote,
// brace or '#', or a missing '=', around its password. secret is the
// password as its author meant it, stray parts included: no run of 4
// characters of it may be printed.
type dsnCanaryCase struct {
	file, key, dsn, secret string
}

// dsnCanaryCases writes every dialect the dsn package reads with its
// password pw cut in the wrong place. tail is glued after the password:
// the text a stray character makes look like something else. host and
// port are a loopback address where nothing listens.
func dsnCanaryCases(host, port, pw, tail string) []dsnCanaryCase {
	addr := net.JoinHostPort(host, port)
	c := func(file, key, dsn, secret string) dsnCanaryCase {
		return dsnCanaryCase{file: file, key: key, dsn: dsn, secret: secret}
	}
	return []dsnCanaryCase{
		// libpq URL
		c("url-semicolon.yaml", "url", "postgres://app@"+addr+"/app;password="+pw, pw),
		c("url-fragment.yaml", "url", "postgres://app@"+addr+"/app#password="+pw, pw),
		c("url-no-host.yaml", "url", "postgres://app:"+pw+"/app", pw),
		c("url-user.yaml", "url", "postgres://app;password="+pw+"@"+addr+"/app", pw),
		c("url-param.yaml", "url", "postgres://app@"+addr+"/app?sslmode=require;password="+pw, pw),
		c("url-quoted.yaml", "url", "postgres://app@"+addr+`/app?password="`+pw+`"`+tail+"&sslmode=require", pw+`"`+tail),
		// Short password keys, which scan once copied as parameters.
		c("url-psw.yaml", "url", "postgres://app@"+addr+"/app?sslmode=require&psw="+pw, pw),
		c("url-pw.yaml", "url", "postgres://app@"+addr+"/app?pw="+pw+"&sslmode=require", pw),
		c("url-missing-eq.yaml", "url", "postgres://app@"+addr+"/app?sslmode=require&password "+pw, pw),
		// libpq key/value
		c("kv-quote-tail.yaml", "dsn", "host="+host+" port="+port+" dbname=app user=app password='"+pw+"'"+tail, pw+"'"+tail),
		c("kv-missing-eq.yaml", "dsn", "host="+host+" port="+port+" dbname=app password "+pw, pw),
		c("kv-unterminated.yaml", "dsn", "host="+host+" port="+port+" password='"+pw+" dbname=app", pw),
		c("kv-space.yaml", "dsn", "host="+host+" port="+port+" dbname=app password="+pw+" "+tail+" sslmode=require", pw+" "+tail),
		c("kv-brace.yaml", "dsn", "host="+host+" port="+port+" dbname=app password={"+pw+"}"+tail, pw+"}"+tail),
		// go-sql-driver DSN, and the mysql:// hybrid
		c("mysql-semicolon.yaml", "dsn", "app@tcp("+addr+")/app;password="+pw, pw),
		c("mysql-missing-eq.yaml", "dsn", "app@tcp("+addr+")/app?tls=true&password "+pw, pw),
		c("mysql-hybrid-hash.yaml", "url", "mysql://app@tcp("+addr+")/app#password="+pw, pw),
		c("mysql-url-semicolon.yaml", "url", "mysql://app@"+addr+"/app;password="+pw, pw),
		// JDBC
		c("jdbc-pg-semicolons.yaml", "url", "jdbc:postgresql://"+addr+"/app;user=app;password="+pw, pw),
		c("jdbc-pg-hash.yaml", "url", "jdbc:postgresql://"+addr+"/app#password="+pw, pw),
		c("jdbc-mysql-semicolon.yaml", "url", "jdbc:mysql://"+addr+"/app;password="+pw+"&useSSL=true", pw),
		c("jdbc-mysql-missing-eq.yaml", "url", "jdbc:mysql://"+addr+"/app?user=app&password "+pw, pw),
		c("jdbc-mssql-brace-tail.yaml", "url", "jdbc:sqlserver://"+addr+";user=sa;password={"+pw+"}"+tail+";encrypt=true", pw+"}"+tail),
		c("jdbc-mssql-semicolon.yaml", "url", "jdbc:sqlserver://"+addr+";user=sa;password="+pw+";"+tail, pw+";"+tail),
		c("jdbc-mssql-unterminated.yaml", "url", "jdbc:sqlserver://"+addr+";user=sa;password={"+pw+";databaseName=app", pw),
		c("jdbc-h2-semicolon.yaml", "url", "jdbc:h2:tcp://"+addr+"/app;USER=sa;PASSWORD="+pw+";"+tail, pw+";"+tail),
		c("jdbc-oracle-unbalanced.yaml", "url", "jdbc:oracle:thin:app/"+pw+"@(DESCRIPTION=(ADDRESS=(HOST="+host+")(PORT="+port+"))", pw),
		// ADO.NET / SQL Server, Npgsql, ODBC
		c("ado-semicolon.yaml", "connection_string", "Server="+host+","+port+";Database=app;User Id=sa;Password="+pw+";"+tail+";", pw+";"+tail),
		c("ado-double-quote.yaml", "connection_string", "Server="+host+","+port+`;Database=app;Password="`+pw+`"`+tail+";", pw+`"`+tail),
		c("ado-single-quote.yaml", "connection_string", "Server="+host+","+port+";Database=app;Password='"+pw+"'"+tail+";", pw+"'"+tail),
		c("ado-brace.yaml", "connection_string", "Driver={ODBC Driver 18 for SQL Server};Server="+host+","+port+";Pwd={"+pw+"}"+tail+";Uid=sa", pw+"}"+tail),
		c("ado-missing-eq.yaml", "connection_string", "Server="+host+","+port+";Database=app;Password "+pw+";Encrypt=true", pw),
		c("ado-unterminated.yaml", "connection_string", "Server="+host+","+port+`;Password="`+pw+";Database=app", pw),
		c("ado-npgsql-value.yaml", "connection_string", "Host="+host+";Port="+port+";Username=app;Database=app pwd "+pw, pw),
		// Other URL schemes the dsn package reads
		c("mongodb-semicolon.yaml", "url", "mongodb://app@"+addr+"/app;password="+pw, pw),
		c("redis-hash.yaml", "url", "redis://"+addr+"/0#password="+pw, pw),
		c("sqlserver-url-param.yaml", "url", "sqlserver://sa@"+addr+"?database=app;password="+pw, pw),
	}
}

// dsnCanaryFiles writes each case as a YAML file whose database block holds
// the string under its key, JSON-quoted (a valid YAML double-quoted
// scalar), and returns the files and the secrets they hold.
func dsnCanaryFiles(cases []dsnCanaryCase) (map[string]string, []string) {
	files := map[string]string{}
	var secrets []string
	for _, c := range cases {
		q, _ := json.Marshal(c.dsn)
		files[c.file] = "database:\n  driver: postgres\n  " + c.key + ": " + string(q) + "\n"
		secrets = append(secrets, c.secret)
	}
	return files, secrets
}

// dsnLeaks reports every run of 4 characters of each secret found in data,
// as is or in each character-wise encoding the canary test knows.
func dsnLeaks(data []byte, secrets []string) []string {
	text := string(data)
	lower := strings.ToLower(text)
	encs := canaryEncoders()
	names := make([]string, 0, len(encs))
	for n := range encs {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	var out []string
	for _, s := range secrets {
		for _, run := range canaryRuns(s, 4) {
			for _, n := range names {
				e := encs[n](run)
				if strings.Contains(text, e) || strings.HasPrefix(n, "url.") && strings.Contains(lower, strings.ToLower(e)) {
					if msg := fmt.Sprintf("4-character run %q of a password, %s: %q", run, n, e); !seen[msg] {
						seen[msg] = true
						out = append(out, msg)
					}
				}
			}
		}
	}
	return out
}

// TestCanaryMalformedDSN runs scan, check, diff and verify, in every
// output format each offers, over connection strings of every dialect
// whose password a stray character cuts in the wrong place, and fails if
// any output, or any file a command writes, holds a run of 4 characters
// of a password.
func TestCanaryMalformedDSN(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close() // nothing listens: verify fails at once, on this machine

	const pw, tail = "Kq7Zj9Wv3J", "Tq8Rw"
	const pwNew, tailNew = "Hx4Pm8Qs2Y", "Bn5Lc"
	files, secrets := dsnCanaryFiles(dsnCanaryCases(host, port, pw, tail))
	changedFiles, changedSecrets := dsnCanaryFiles(dsnCanaryCases(host, port, pwNew, tailNew))
	secrets = append(secrets, changedSecrets...)

	root := t.TempDir()
	in, changed, empty, work := filepath.Join(root, "in"), filepath.Join(root, "changed"), filepath.Join(root, "empty"), filepath.Join(root, "work")
	for _, d := range []string{empty, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := canaryWriteTree(in, files); err != nil {
		t.Fatal(err)
	}
	if err := canaryWriteTree(changed, changedFiles); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "home", ".config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(root, "home", ".cache"))
	dsnCanaryReached(t, in, files)
	inputs := canarySnapshot(t, root)

	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	runs := map[string][][]string{
		"scan":   {{in}},
		"check":  {{in}},
		"verify": {{"--timeout", "2s", in}},
		"diff":   {{empty, in}, {in, empty}, {in, changed}},
	}
	for _, name := range names {
		p := filepath.Join(in, name)
		runs["scan"] = append(runs["scan"], []string{p})
		runs["check"] = append(runs["check"], []string{p})
		runs["diff"] = append(runs["diff"], []string{p, filepath.Join(changed, name)})
	}

	ran := canaryRunCommands(t, runs, secrets)
	for p, data := range canarySnapshot(t, root) {
		if old, ok := inputs[p]; ok && bytes.Equal(old, data) {
			continue
		}
		for _, l := range dsnLeaks(data, secrets) {
			t.Errorf("LEAK in file %s written by a command: %s", p, l)
		}
	}
	t.Logf("%d invocations over %d malformed connection strings", ran, len(files))
}

// canaryRunCommands runs each command that runs names, by its path in the
// command tree, in every output format it has, over each of its argument
// sets, and fails the test on a usage error (only the usage path would then
// have been checked), on any leak dsnLeaks finds of secrets on stdout or
// stderr, and on a command the tree lacks. It returns how many invocations
// ran.
func canaryRunCommands(t *testing.T, runs map[string][][]string, secrets []string) int {
	t.Helper()
	runs = maps.Clone(runs)
	tree := NewRootCommand(&env{ctx: context.Background()})
	ran := 0
	for _, c := range canaryRunnable(tree) {
		path := strings.TrimSpace(strings.TrimPrefix(c.CommandPath(), tree.Name()))
		argsets, ok := runs[path]
		if !ok {
			continue
		}
		delete(runs, path)
		for _, format := range canaryFormatsOf(t, c) {
			for _, a := range argsets {
				args := append(append([]string{path, "--no-config"}, format...), a...)
				var stdout, stderr bytes.Buffer
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				code := Run(ctx, args, strings.NewReader(""), &stdout, &stderr)
				cancel()
				ran++
				what := fmt.Sprintf("dbguard %s (exit %d)", strings.Join(args, " "), code)
				if code == ExitUsage {
					t.Errorf("%s: usage error, so only the usage path was checked: %s", what, canaryFirstLine(stderr.String()))
				}
				for _, l := range dsnLeaks(stdout.Bytes(), secrets) {
					t.Errorf("LEAK on stdout of %s: %s\n%s", what, l, canaryExcerpt(stdout.String(), l))
				}
				for _, l := range dsnLeaks(stderr.Bytes(), secrets) {
					t.Errorf("LEAK on stderr of %s: %s\n%s", what, l, canaryExcerpt(stderr.String(), l))
				}
			}
		}
	}
	for path := range runs {
		t.Errorf("no command %q in the command tree", path)
	}
	return ran
}

// dsnCanaryReached makes sure the test is not vacuous: scan must read a
// connection string in every file, as a URL it parsed or one it reports
// as malformed.
func dsnCanaryReached(t *testing.T, in string, files map[string]string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"scan", "--no-config", "--format", "json", in}, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
		t.Fatalf("scan of the malformed strings: exit %d: %s", code, stderr.String())
	}
	var doc struct {
		Profiles []struct {
			File   string            `json:"file"`
			Params map[string]string `json:"params"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode scan's JSON: %v", err)
	}
	read := map[string]bool{}
	for _, p := range doc.Profiles {
		if p.Params["url"] != "" || p.Params["raw"] != "" {
			read[p.File] = true
		}
	}
	for name := range files {
		if !read[name] {
			t.Errorf("scan reads no connection string in %s: its case tests nothing", name)
		}
	}
}
