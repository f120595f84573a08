package verify_bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/dbguard/dbguard/internal/cli"
	"github.com/dbguard/dbguard/internal/testenv"
)

// Fleet size and workers of the published fleet figure (bench/README.md,
// "verify").
const (
	fleetProfiles = 1000
	fleetWorkers  = 64
)

// fleetDir writes fleetProfiles connection strings, one .env per folder,
// against the test servers: PostgreSQL directly and through PgBouncer,
// each in plaintext and with TLS verify-full, and MariaDB.
func fleetDir(tb testing.TB) string {
	tb.Helper()
	ca := testenv.CA(tb)
	pgTLS := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			tb.Fatal(err)
		}
		q := u.Query()
		q.Set("sslmode", "verify-full")
		q.Set("sslrootcert", ca)
		u.RawQuery = q.Encode()
		return u.String()
	}
	mysqlURL := func(dsn, query string) string {
		cfg, err := gomysql.ParseDSN(dsn)
		if err != nil {
			tb.Fatal(err)
		}
		u := url.URL{Scheme: "mysql", User: url.UserPassword(cfg.User, cfg.Passwd), Host: cfg.Addr, Path: "/" + cfg.DBName, RawQuery: query}
		return u.String()
	}
	kinds := []struct {
		name string
		url  string
		n    int
	}{
		{"pg", testenv.PG(tb), 300},
		{"pg-tls", testenv.PGTLS(tb), 100},
		{"pgbouncer", testenv.PgBouncer(tb), 300},
		{"pgbouncer-tls", pgTLS(testenv.PgBouncer(tb)), 100},
		{"mariadb", mysqlURL(testenv.MySQL(tb), ""), 150},
		{"mariadb-tls", mysqlURL(testenv.MySQLTLS(tb), "tls=verify-full&ssl-ca="+url.QueryEscape(ca)), 50},
	}
	dir := tb.TempDir()
	total := 0
	for _, k := range kinds {
		for i := 0; i < k.n; i++ {
			sub := filepath.Join(dir, fmt.Sprintf("%s-%03d", k.name, i))
			if err := os.Mkdir(sub, 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub, ".env"), []byte("DATABASE_URL="+k.url+"\n"), 0o600); err != nil {
				tb.Fatal(err)
			}
			total++
		}
	}
	if total != fleetProfiles {
		tb.Fatalf("fleet has %d profiles, want %d", total, fleetProfiles)
	}
	return dir
}

// verifyFleet runs `dbguard verify` in process, as a user would, and
// checks that every profile passed.
func verifyFleet(tb testing.TB, dir string) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	// A generous stage deadline: the test is about what the run leaves
	// behind, and on a loaded 2-core machine (-race, other packages'
	// tests) 64 SCRAM logins at once can take longer than the default 5 s
	// each, which would fail it for a reason that is not its own.
	args := []string{"verify", "--no-config", "--workers", fmt.Sprint(fleetWorkers), "--stage-timeout", "60s", "--format", "json", dir}
	if code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		var doc struct {
			Results []struct {
				Profile, Stage, Class, Detail string
				OK                            bool
			} `json:"results"`
		}
		_ = json.Unmarshal(stdout.Bytes(), &doc)
		var failed []string
		for _, r := range doc.Results {
			if !r.OK && len(failed) < 10 {
				failed = append(failed, fmt.Sprintf("%s: %s at %s: %s", r.Profile, r.Class, r.Stage, r.Detail))
			}
		}
		tb.Fatalf("verify exited %d\n%s\nfirst failures:\n%s", code, stderr.String(), strings.Join(failed, "\n"))
	}
	var doc struct {
		Summary struct{ Profiles, Verified, OK, Failed int } `json:"summary"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		tb.Fatalf("verify output: %v", err)
	}
	if s := doc.Summary; s.Profiles != fleetProfiles || s.OK != fleetProfiles {
		tb.Fatalf("summary %+v, want %d profiles all ok", s, fleetProfiles)
	}
}

// openFDs counts this process's open file descriptors.
func openFDs(tb testing.TB) int {
	tb.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		tb.Skipf("count file descriptors: %v (needs Linux /proc)", err)
	}
	return len(ents)
}

// settled waits until the goroutine and descriptor counts equal want (a
// negative want never matches: it only lets the process settle for the
// whole period), or returns the last counts after the deadline. A worker
// that has just returned may still be exiting.
func settled(tb testing.TB, wantG, wantFD int, within time.Duration) (int, int) {
	deadline := time.Now().Add(within)
	for {
		runtime.GC()
		g, fd := runtime.NumGoroutine(), openFDs(tb)
		if (g == wantG && fd == wantFD) || time.Now().After(deadline) {
			return g, fd
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFleetLeavesNothingBehind verifies 1,000 profiles with 64 workers
// and requires that afterwards the process holds exactly the goroutines
// and file descriptors it held before. It is not timed (BenchmarkFleet is).
func TestFleetLeavesNothingBehind(t *testing.T) {
	dir := fleetDir(t)
	// One small run first, so that what the process keeps for its whole
	// life (the runtime's poller, lazily started runtime goroutines) is
	// counted in the baseline, not as a leak.
	warm := filepath.Join(t.TempDir(), "warm")
	if err := os.CopyFS(warm, os.DirFS(filepath.Join(dir, "pg-tls-000"))); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_ = cli.Run(context.Background(), []string{"verify", "--no-config", warm}, strings.NewReader(""), &out, &out)

	g0, fd0 := settled(t, -1, -1, 500*time.Millisecond)
	start := time.Now()
	verifyFleet(t, dir)
	took := time.Since(start)
	g1, fd1 := settled(t, g0, fd0, 10*time.Second)
	t.Logf("%d profiles, %d workers: %v; goroutines %d before, %d after; file descriptors %d before, %d after",
		fleetProfiles, fleetWorkers, took.Round(time.Millisecond), g0, g1, fd0, fd1)
	if g1 != g0 || fd1 != fd0 {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("left behind: %d goroutines, %d file descriptors\n%s", g1-g0, fd1-fd0, buf[:n])
	}
}

// BenchmarkFleet is the wall time of `dbguard verify --workers 64` over
// the 1,000 profiles, scan included; one op is the whole fleet.
func BenchmarkFleet(b *testing.B) {
	dir := fleetDir(b)
	for b.Loop() {
		verifyFleet(b, dir)
	}
	b.ReportMetric(float64(fleetProfiles*b.N)/b.Elapsed().Seconds(), "profiles/s")
}
