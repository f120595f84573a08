package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// diffRepo is a throwaway git repository for verify --diff-base.
type diffRepo struct {
	t   *testing.T
	dir string
}

func newDiffRepo(t *testing.T) *diffRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &diffRepo{t: t, dir: filepath.Join(t.TempDir(), "repo")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *diffRepo) git(args ...string) string {
	r.t.Helper()
	out, err := gitCmd(r.dir, args...).CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (an empty text removes the file) and commits them.
func (r *diffRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.write(files)
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func (r *diffRepo) write(files map[string]string) {
	r.t.Helper()
	for name, text := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if text == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// countingListener accepts on loopback and counts connections: a profile
// pointing at it that must not be probed leaves the count at zero.
func countingListener(t *testing.T) (addr string, count func() int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return l.Addr().String(), n.Load
}

// closedPort is a loopback port where nothing listens, as profiles spell it.
func closedPort(t *testing.T) string { return strconv.Itoa(testenv.ClosedPort(t)) }

// pgProfile is a YAML profile for the test PostgreSQL whose password is an
// environment reference, never the password itself.
func pgProfile(env, key, host, port, user, db, pwVar string) string {
	return fmt.Sprintf("environment: %s\n%s:\n  driver: postgres\n  host: %s\n  port: %s\n  user: %s\n  dbname: %s\n  password: ${%s}\n  sslmode: disable\n",
		env, key, host, port, user, db, pwVar)
}

// verifyDiffDoc is the part of the JSON document the tests read.
type verifyDiffDoc struct {
	Results []struct {
		Profile string
		OK      bool
	} `json:"results"`
	Diff struct {
		Base, Head string
		Verdicts   map[string]int `json:"verdicts"`
	} `json:"diff"`
	Pairs []struct {
		Profile string
		Change  string
		Fields  []string
		Verdict string
		Summary string
		Old     *struct {
			OK    bool
			Class string
		}
		New *struct {
			OK    bool
			Class string
		}
	} `json:"pairs"`
}

// TestVerifyDiffBase runs verify --diff-base over a real repository whose
// commits break and fix a profile of the real test PostgreSQL: a wrong
// password reference, then a wrong port, with an unchanged profile beside
// it that must never be probed and a removed one that must only be listed.
func TestVerifyDiffBase(t *testing.T) {
	pg := testPG(t)
	pw, _ := pg.User.Password()
	host, port := pg.Hostname(), pg.Port()
	user, db := pg.User.Username(), strings.TrimPrefix(pg.Path, "/")
	t.Setenv("DBG_TEST_PW", pw)
	t.Setenv("DBG_TEST_PW_WRONG", "wrong-"+fmt.Sprint(os.Getpid()))
	quiet, quietCount := countingListener(t)
	qHost, qPort, _ := net.SplitHostPort(quiet)
	closed := closedPort(t)

	good := pgProfile("production", "database", host, port, user, db, "DBG_TEST_PW")
	r := newDiffRepo(t)
	c0 := r.commit("good", map[string]string{
		"config/app.yaml":   good,
		"config/quiet.yaml": pgProfile("production", "quiet", qHost, qPort, "quiet", "quiet", "DBG_TEST_PW"),
		// Removed by the next commit: listed, never probed (it points at
		// the counting listener), its literal password never shown.
		"config/gone.yaml": "environment: production\ngone:\n  driver: postgres\n  host: " + qHost + "\n  port: " + qPort +
			"\n  user: gone\n  password: '" + strings.ReplaceAll(canary, "'", "''") + "'\n  sslmode: disable\n",
	})
	c1 := r.commit("wrong password reference", map[string]string{
		"config/app.yaml":   pgProfile("production", "database", host, port, user, db, "DBG_TEST_PW_WRONG"),
		"config/gone.yaml":  "",
		"config/added.yaml": pgProfile("staging", "added", host, port, user, db, "DBG_TEST_PW"),
	})
	c2 := r.commit("fix the password", map[string]string{"config/app.yaml": good})
	c3 := r.commit("wrong port", map[string]string{"config/app.yaml": pgProfile("production", "database", host, closed, user, db, "DBG_TEST_PW")})
	// The working tree fixes the port again, uncommitted.
	r.write(map[string]string{"config/app.yaml": good})
	schema := compileSchema(t, "verify.schema.json")
	t.Chdir(r.dir)

	type pairWant struct{ profile, verdict, newClass, summary string }
	tests := []struct {
		name  string
		args  []string
		code  int
		pairs []pairWant
	}{
		{"password reference broken", []string{"--diff-base", c0, "--head", c1}, ExitFindings, []pairWant{
			{"config/added.yaml#added", "new_ok", "", "old: not in the base revision; new: ok"},
			{"config/app.yaml#database", "regression", "auth_failed", "old: ok; new: auth_failed (credentials were rejected"},
			{"config/gone.yaml#gone", "removed", "", "old: not probed; new: removed"},
		}},
		{"password fixed", []string{"--diff-base", c1, "--head", c2}, ExitOK, []pairWant{
			{"config/app.yaml#database", "fixed", "", "old: auth_failed (credentials were rejected"},
		}},
		{"port broken", []string{"--diff-base", c2, "--head", c3}, ExitFindings, []pairWant{
			{"config/app.yaml#database", "regression", "tcp_refused", "old: ok; new: tcp_refused ("},
		}},
		{"working tree fixes the port", []string{"--diff-base", "HEAD"}, ExitOK, []pairWant{
			{"config/app.yaml#database", "fixed", "", "old: tcp_refused"},
		}},
		{"only staging", []string{"--diff-base", c0, "--head", c1, "--env", "staging"}, ExitOK, []pairWant{
			{"config/added.yaml#added", "new_ok", "", "new: ok"},
		}},
		{"path limit", []string{"--diff-base", c0, "--head", c1, "config/app.yaml"}, ExitFindings, []pairWant{
			{"config/app.yaml#database", "regression", "auth_failed", "old: ok; new: auth_failed"},
		}},
		{"no change", []string{"--diff-base", c2, "--head", c2}, ExitOK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range []string{"json", "text", "junit"} {
				args := append([]string{"verify", "--stage-timeout", "5s", "--format", format}, tt.args...)
				code, stdout, stderr := runCLI(t, "", args...)
				if code != tt.code {
					t.Fatalf("dbguard %s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), code, tt.code, stdout, stderr)
				}
				for _, out := range []string{stdout, stderr} {
					if strings.Contains(out, pw) || strings.Contains(out, url.QueryEscape(pw)) {
						t.Fatalf("%s output shows the password", format)
					}
					if leaks := canaryLeaks([]byte(out)); len(leaks) > 0 {
						t.Fatalf("%s output leaks the canary (%v):\n%s", format, leaks, out)
					}
				}
				switch format {
				case "json":
					if err := testenv.MatchSchema(t, schema, []byte(stdout)); err != nil {
						t.Errorf("output does not match docs/schema/verify.schema.json:\n%v\n%s", err, stdout)
					}
					var doc verifyDiffDoc
					if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
						t.Fatal(err)
					}
					if len(doc.Pairs) != len(tt.pairs) {
						t.Fatalf("%d pairs, want %d:\n%s", len(doc.Pairs), len(tt.pairs), stdout)
					}
					for i, w := range tt.pairs {
						p := doc.Pairs[i]
						if p.Profile != w.profile || p.Verdict != w.verdict || !strings.Contains(p.Summary, w.summary) {
							t.Errorf("pair %d: %s %s %q, want %s %s %q", i, p.Profile, p.Verdict, p.Summary, w.profile, w.verdict, w.summary)
						}
						if w.newClass != "" && (p.New == nil || p.New.Class != w.newClass) {
							t.Errorf("pair %d: new side %+v, want class %s", i, p.New, w.newClass)
						}
						if w.verdict == "removed" && (p.Old != nil || p.New != nil) {
							t.Errorf("pair %d: a removed profile was probed: %+v %+v", i, p.Old, p.New)
						}
					}
				case "text":
					for _, w := range tt.pairs {
						if !strings.Contains(stdout, strings.ToUpper(w.verdict)+" ") || !strings.Contains(stdout, w.summary) {
							t.Errorf("text lacks %s / %q:\n%s", strings.ToUpper(w.verdict), w.summary, stdout)
						}
					}
					if len(tt.pairs) == 0 && !strings.Contains(stderr, "no profile to verify changed") {
						t.Errorf("no change, but stderr says:\n%s", stderr)
					}
				case "junit":
					var doc struct {
						Suites []struct {
							Tests    int `xml:"tests,attr"`
							Failures int `xml:"failures,attr"`
							Skipped  int `xml:"skipped,attr"`
							Cases    []struct {
								Name    string `xml:"name,attr"`
								Failure *struct {
									Type string `xml:"type,attr"`
								} `xml:"failure"`
							} `xml:"testcase"`
						} `xml:"testsuite"`
					}
					if err := xml.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Suites) != 1 {
						t.Fatalf("junit: %v\n%s", err, stdout)
					}
					s := doc.Suites[0]
					fails, skipped := 0, 0
					for _, w := range tt.pairs {
						switch w.verdict {
						case "regression":
							fails++
						case "removed":
							skipped++
						}
					}
					if s.Tests != len(tt.pairs) || s.Failures != fails || s.Skipped != skipped {
						t.Errorf("junit: %d tests, %d failures, %d skipped; want %d, %d, %d\n%s", s.Tests, s.Failures, s.Skipped, len(tt.pairs), fails, skipped, stdout)
					}
				}
			}
		})
	}
	if n := quietCount(); n != 0 {
		t.Errorf("the unchanged and the removed profiles were probed: %d connections to their listener", n)
	}
}

// TestVerifyDiffBaseUsage: what --diff-base refuses with exit 2, and the
// shallow-clone advice review gives for a revision the clone lacks.
func TestVerifyDiffBaseUsage(t *testing.T) {
	r := newDiffRepo(t)
	r.commit("one", map[string]string{"config/app.yaml": pgProfile("production", "database", "127.0.0.1", closedPort(t), "app", "app", "DBG_UNSET")})
	r.commit("two", map[string]string{"config/app.yaml": pgProfile("production", "database", "127.0.0.1", closedPort(t), "app", "app2", "DBG_UNSET")})
	shallow := filepath.Join(t.TempDir(), "shallow")
	r.git("clone", "-q", "--depth", "1", "file://"+r.dir, shallow)
	notRepo := t.TempDir()

	tests := []struct {
		name string
		dir  string
		args []string
		want string
	}{
		{"unknown revision", r.dir, []string{"--diff-base", "no-such-rev"}, "unknown revision"},
		{"unknown head", r.dir, []string{"--diff-base", "HEAD", "--head", "no-such-rev"}, "unknown revision"},
		{"shallow clone", shallow, []string{"--diff-base", "HEAD~1"}, "git fetch --deepen"},
		{"not a repository", notRepo, []string{"--diff-base", "HEAD"}, "not a git repository"},
		{"head alone", r.dir, []string{"--head", "HEAD", "config"}, "--head needs --diff-base"},
		{"exclude", r.dir, []string{"--diff-base", "HEAD~1", "--exclude", "x/**"}, "--exclude cannot be combined"},
		{"stdin", r.dir, []string{"--diff-base", "HEAD~1", "-"}, "standard input"},
		{"env typo", r.dir, []string{"--diff-base", "HEAD~1", "--env", "prodution"}, "unknown --env"},
		{"env without profiles", r.dir, []string{"--diff-base", "HEAD~1", "--env", "staging"}, "found environments production"},
		{"profile typo", r.dir, []string{"--diff-base", "HEAD~1", "--profile", "config/app.yaml#databse"}, "config/app.yaml#database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.dir)
			code, stdout, stderr := runCLI(t, "", append([]string{"verify"}, tt.args...)...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitUsage, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr)
			}
		})
	}
}

// TestVerifyDiffBaseBrokenFile: a change that makes a file unparseable
// would only show its profiles as removed, which is not probed; the
// unreadable file of the head fails the run instead.
func TestVerifyDiffBaseBrokenFile(t *testing.T) {
	quiet, count := countingListener(t)
	host, port, _ := net.SplitHostPort(quiet)
	r := newDiffRepo(t)
	r.commit("good", map[string]string{"config/app.yaml": pgProfile("production", "database", host, port, "app", "app", "DBG_UNSET")})
	r.write(map[string]string{"config/app.yaml": "database:\n  host: [\n"})
	t.Chdir(r.dir)
	code, stdout, stderr := runCLI(t, "", "verify", "--diff-base", "HEAD")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitFindings, stdout, stderr)
	}
	if !strings.Contains(stderr, "input-unreadable (head)") || !strings.Contains(stdout, "REMOVED") {
		t.Errorf("want the unreadable head file on stderr and the profile listed as removed:\n%s\n%s", stdout, stderr)
	}
	if n := count(); n != 0 {
		t.Errorf("a removed profile was probed: %d connections", n)
	}
}
