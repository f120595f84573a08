package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestVerifyGolden holds verify's text, JSON and JUnit outputs, --diff-base
// included, against golden files, so that what verify prints changes only
// where a change means it to (go test ./internal/cli -run VerifyGolden
// -update, then review the diff). The profiles point at the real test
// PostgreSQL and MariaDB: a good login, a refused port, a wrong password,
// a missing database, a profile that cannot form a connection. What varies
// from run to run (durations, ports, the server's count of connections in
// use, revisions) is normalised before comparing.
func TestVerifyGolden(t *testing.T) {
	pg := testPG(t)
	pgPW, _ := pg.User.Password()
	my := testenv.MySQLConfig(t)
	myHost, myPort, _ := net.SplitHostPort(my.Addr)
	myPW := my.Passwd
	t.Setenv("DBG_GOLDEN_PG_PW", pgPW)
	t.Setenv("DBG_GOLDEN_MY_PW", myPW)
	t.Setenv("DBG_GOLDEN_WRONG_PW", "wrong-password")
	closed := closedPort(t)
	host, port := pg.Hostname(), pg.Port()
	goldenDir, err := filepath.Abs(filepath.Join("testdata", "verify"))
	if err != nil {
		t.Fatal(err)
	}

	pgBlock := func(key, port, db, pwVar string) string {
		return fmt.Sprintf("%s:\n  driver: postgres\n  host: %s\n  port: %s\n  user: dbguard\n  dbname: %s\n  password: ${%s}\n  sslmode: disable\n  connect_timeout: 5\n",
			key, host, port, db, pwVar)
	}
	r := newDiffRepo(t)
	base := r.commit("base", map[string]string{
		"config/app.yaml": "environment: production\n" +
			pgBlock("database", port, "dbguard", "DBG_GOLDEN_PG_PW") +
			pgBlock("replica", closed, "dbguard", "DBG_GOLDEN_PG_PW") +
			pgBlock("reports", port, "dbguard", "DBG_GOLDEN_WRONG_PW") +
			pgBlock("archive", port, "no_such_database", "DBG_GOLDEN_PG_PW"),
		"config/broken.yaml": "environment: staging\nbroken:\n  driver: postgres\n  host: " + host + "\n  port: 70000\n  user: app\n  sslmode: disable\n",
		"mysql/app.yaml": fmt.Sprintf("environment: production\nmysql:\n  driver: mysql\n  host: %s\n  port: %s\n  user: dbguard\n  dbname: dbguard\n  password: ${DBG_GOLDEN_MY_PW}\n  tls: false\n  timeout: 5s\n",
			myHost, myPort),
	})
	// The working tree breaks the good PostgreSQL profile's port and fixes
	// the wrong password: one regression and one fix for --diff-base.
	r.write(map[string]string{"config/app.yaml": "environment: production\n" +
		pgBlock("database", closed, "dbguard", "DBG_GOLDEN_PG_PW") +
		pgBlock("replica", closed, "dbguard", "DBG_GOLDEN_PG_PW") +
		pgBlock("reports", port, "dbguard", "DBG_GOLDEN_PG_PW") +
		pgBlock("archive", port, "no_such_database", "DBG_GOLDEN_PG_PW")})
	t.Chdir(r.dir)

	normalise := goldenNormaliser(base, "BASEREV", base[:12], "BASEREV", port, "PGPORT", myPort, "MYPORT", closed, "CLOSEDPORT")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"fleet", []string{"--workers", "1", "."}, ExitFindings},
		{"diff-base", []string{"--workers", "1", "--diff-base", base}, ExitFindings},
	}
	for _, tt := range tests {
		for _, format := range []string{"text", "json", "junit"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				args := append([]string{"verify", "--no-config", "--stage-timeout", "5s", "--format", format}, tt.args...)
				code, stdout, stderr := runCLI(t, "", args...)
				if code != tt.code {
					t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, stdout, stderr)
				}
				for _, pw := range []string{pgPW, myPW} {
					if strings.Contains(stdout+stderr, pw) {
						t.Fatal("the output shows a password")
					}
				}
				ext := map[string]string{"text": "txt", "json": "json", "junit": "xml"}[format]
				golden := filepath.Join(goldenDir, tt.name+".golden."+ext)
				got := normalise(stdout)
				if *updateGolden {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("read golden file (run with -update to create it): %v", err)
				}
				if got != string(want) {
					t.Errorf("verify %s differs from %s (go test ./internal/cli -run VerifyGolden -update, then review the diff)\n%s",
						strings.Join(tt.args, " "), golden, testenv.FirstDiff(string(want), got))
				}
			})
		}
	}
}

// goldenNormaliser returns a function that replaces what varies between
// runs of verify: durations in every format, the capacity note's live
// counts, and the given literal strings (ports, revisions), old and new in
// pairs, the longer of two that start alike first.
func goldenNormaliser(oldnew ...string) func(string) string {
	type rule struct {
		re   *regexp.Regexp
		with string
	}
	rules := []rule{
		{regexp.MustCompile(`[ ]+[0-9]+\.[0-9]+ ms`), " D ms"},                // text stages
		{regexp.MustCompile(`[0-9]+\.[0-9]+ms`), "Dms"},                       // junit system-out
		{regexp.MustCompile(`"duration_ms": [0-9.e+-]+`), `"duration_ms": D`}, // json
		{regexp.MustCompile(`time="[0-9.]+"`), `time="D"`},                    // junit
		{regexp.MustCompile(`[0-9]+ free \(max ([0-9]+), reserved ([0-9]+), in use [0-9]+\)`), "N free (max $1, reserved $2, in use N)"},
		{regexp.MustCompile(`in [0-9.]+(ms|s|µs)\b`), "in D"},
	}
	rep := strings.NewReplacer(oldnew...)
	return func(s string) string {
		for _, r := range rules {
			s = r.re.ReplaceAllString(s, r.with)
		}
		return rep.Replace(s)
	}
}
