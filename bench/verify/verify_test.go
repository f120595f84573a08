// Package verify_bench measures one staged probe against the floor: the raw
// driver doing the same work (connect with the same TLS mode, authenticate,
// SELECT 1, close), and a fleet of 1,000 profiles verified with 64 workers.
// Run with bench/verify/run.sh, which starts the test servers, interleaves
// prober and floor in rounds and compares them with benchstat (see
// bench/README.md).
package verify_bench

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/verify/mysql"
	"github.com/dbguard/dbguard/internal/verify/postgres"
)

func pgProfile(tb testing.TB, raw string) *profile.Profile {
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	pw, _ := u.User.Password()
	loc := profile.Location{File: "bench"}
	p := &profile.Profile{ID: "bench"}
	p.Driver = profile.V("postgres", loc)
	p.Hosts = []profile.Host{{Host: profile.V(u.Hostname(), loc), Port: profile.V(u.Port(), loc)}}
	p.Database = profile.V(strings.TrimPrefix(u.Path, "/"), loc)
	p.User = profile.V(u.User.Username(), loc)
	p.Password = profile.Password{Secret: profile.NewSecret(pw), Set: true, Source: "literal"}
	p.TLS.Mode = profile.V(u.Query().Get("sslmode"), loc)
	if ca := u.Query().Get("sslrootcert"); ca != "" {
		p.TLS.CA = profile.V(ca, loc)
	}
	return p
}

func myProfile(tb testing.TB, dsn string, tlsMode, ca string) *profile.Profile {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	loc := profile.Location{File: "bench"}
	p := &profile.Profile{ID: "bench"}
	p.Driver = profile.V("mysql", loc)
	p.Hosts = []profile.Host{{Host: profile.V(host, loc), Port: profile.V(port, loc)}}
	p.Database = profile.V(cfg.DBName, loc)
	p.User = profile.V(cfg.User, loc)
	p.Password = profile.Password{Secret: profile.NewSecret(cfg.Passwd), Set: true, Source: "literal"}
	if tlsMode != "" {
		p.TLS.Mode = profile.V(tlsMode, loc)
		p.TLS.CA = profile.V(ca, loc)
	}
	return p
}

// withTLS turns a test PostgreSQL URL into one that verifies the server
// with the test CA.
func withTLS(tb testing.TB, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("sslmode", "verify-full")
	q.Set("sslrootcert", testenv.CA(tb))
	u.RawQuery = q.Encode()
	return u.String()
}

func benchProber() *verify.Prober {
	return verify.NewProber(verify.Options{
		Drivers:      map[string]verify.Driver{"postgres": postgres.New(), "mysql": mysql.New()},
		StageTimeout: 5 * time.Second,
		// The floor reads no limits: the comparison leaves the
		// capacity stage out on both sides.
		SkipCapacity: true,
	})
}

// timed runs one probe per iteration, after one untimed warm-up probe, and
// reports the median probe next to the mean (sec/op) so that a burst of
// load from other processes on the machine moves one figure less, and the
// CPU time this process spent per probe (the client's own work, which the
// load of other processes hardly moves).
func timed(b *testing.B, warm func() error, one func() error) {
	if err := warm(); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	var ds []time.Duration
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if err := one(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	slices.Sort(ds)
	b.ReportMetric(ds[len(ds)/2].Seconds(), "p50-sec/op")
	b.ReportMetric(cpu.Seconds()/float64(len(ds)), "cpu-sec/op")
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func probeOnce(pr *verify.Prober, p *profile.Profile) func() error {
	ctx := context.Background()
	return func() error {
		r := pr.Probe(ctx, p, verify.ResolveOptions{})
		if !r.OK() {
			a := r.Final()
			return errors.New("probe failed: " + string(a.Stage) + " " + string(a.Class) + " " + a.Detail)
		}
		return nil
	}
}

func benchProbe(b *testing.B, p *profile.Profile) {
	pr := benchProber()
	timed(b, probeOnce(pr, p), probeOnce(pr, p))
}

// pgxOnce is the PostgreSQL floor: pgx connects (SSLRequest and handshake
// as the URL's sslmode says), authenticates, runs SELECT 1 with the simple
// protocol (one round trip, as the prober's query is) and closes.
func pgxOnce(b *testing.B, raw string) func() error {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		b.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	ctx := context.Background()
	return func() error {
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		var one int
		if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			c.Close(ctx)
			return err
		}
		return c.Close(ctx)
	}
}

// mysqlOnce is the MySQL floor: go-sql-driver's connector (no
// database/sql pool in between), SELECT 1, close.
func mysqlOnce(b *testing.B, dsn string) func() error {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	return func() error {
		c, err := conn.Connect(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		rows, err := c.(driver.QueryerContext).QueryContext(ctx, "SELECT 1", nil)
		if err != nil {
			return err
		}
		dest := make([]driver.Value, 1)
		if err := rows.Next(dest); err != nil {
			return err
		}
		if err := rows.Next(dest); !errors.Is(err, io.EOF) {
			return errors.New("SELECT 1 returned more than one row")
		}
		return rows.Close()
	}
}

// BenchmarkProbe compares prober and floor per target. Sub-benchmark names
// are key=value so that `benchstat -col /impl` sets them side by side.
func BenchmarkProbe(b *testing.B) {
	type target struct {
		name   string
		prober func(testing.TB) *profile.Profile
		floor  func(*testing.B) func() error
	}
	targets := []target{
		{"postgres",
			func(tb testing.TB) *profile.Profile { return pgProfile(tb, testenv.PG(tb)) },
			func(b *testing.B) func() error { return pgxOnce(b, testenv.PG(b)) }},
		{"postgres-tls",
			func(tb testing.TB) *profile.Profile { return pgProfile(tb, testenv.PGTLS(tb)) },
			func(b *testing.B) func() error { return pgxOnce(b, testenv.PGTLS(b)) }},
		{"pgbouncer",
			func(tb testing.TB) *profile.Profile { return pgProfile(tb, testenv.PgBouncer(tb)) },
			func(b *testing.B) func() error { return pgxOnce(b, testenv.PgBouncer(b)) }},
		{"pgbouncer-tls",
			func(tb testing.TB) *profile.Profile { return pgProfile(tb, withTLS(tb, testenv.PgBouncer(tb))) },
			func(b *testing.B) func() error { return pgxOnce(b, withTLS(b, testenv.PgBouncer(b))) }},
		{"mariadb",
			func(tb testing.TB) *profile.Profile { return myProfile(tb, testenv.MySQL(tb), "", "") },
			func(b *testing.B) func() error { return mysqlOnce(b, testenv.MySQL(b)) }},
		{"mariadb-tls",
			func(tb testing.TB) *profile.Profile {
				return myProfile(tb, testenv.MySQLTLS(tb), "verify-full", testenv.CA(tb))
			},
			func(b *testing.B) func() error { return mysqlOnce(b, testenv.MySQLTLS(b)) }},
	}
	// run.sh alternates which side goes first from round to round, so
	// that neither always follows the other's leftovers (PostgreSQL
	// backends still exiting, sockets in TIME_WAIT).
	floorFirst := os.Getenv("BENCH_FLOOR_FIRST") == "1"
	for _, tg := range targets {
		prober := func(b *testing.B) { benchProbe(b, tg.prober(b)) }
		floor := func(b *testing.B) {
			one := tg.floor(b)
			timed(b, one, one)
		}
		if floorFirst {
			b.Run("target="+tg.name+"/impl=floor", floor)
			b.Run("target="+tg.name+"/impl=prober", prober)
		} else {
			b.Run("target="+tg.name+"/impl=prober", prober)
			b.Run("target="+tg.name+"/impl=floor", floor)
		}
	}
}
