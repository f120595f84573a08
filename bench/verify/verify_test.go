// Package verify_bench measures one staged probe against the floor: the raw
// driver doing the same work (connect with the same TLS mode, authenticate,
// SELECT 1, close). Run with scripts/test.sh --exec (see bench/README.md).
package verify_bench

import (
	"context"
	"database/sql"
	"net"
	"net/url"
	"strings"
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

func pgProfile(b *testing.B, raw string) *profile.Profile {
	u, err := url.Parse(raw)
	if err != nil {
		b.Fatal(err)
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

func myProfile(b *testing.B, dsn string, tlsMode, ca string) *profile.Profile {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		b.Fatal(err)
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

func prober() *verify.Prober {
	return verify.NewProber(verify.Options{
		Drivers:      map[string]verify.Driver{"postgres": postgres.New(), "mysql": mysql.New()},
		StageTimeout: 5 * time.Second,
		SkipCapacity: true,
	})
}

func benchProber(b *testing.B, p *profile.Profile) {
	pr := prober()
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		r := pr.Probe(ctx, p, verify.ResolveOptions{})
		if !r.OK() {
			b.Fatalf("probe failed: %+v", r.Final())
		}
	}
}

func benchPgx(b *testing.B, raw string) {
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		b.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	b.ResetTimer()
	for b.Loop() {
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		var one int
		if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			b.Fatal(err)
		}
		c.Close(ctx)
	}
}

func benchMySQL(b *testing.B, dsn string) {
	ctx := context.Background()
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	db.SetMaxIdleConns(0)
	b.ResetTimer()
	for b.Loop() {
		c, err := db.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var one int
		if err := c.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			b.Fatal(err)
		}
		c.Raw(func(any) error { return nil })
		c.Close()
	}
}

func BenchmarkPostgresPlain(b *testing.B) {
	raw := testenv.PG(b)
	b.Run("prober", func(b *testing.B) { benchProber(b, pgProfile(b, raw)) })
	b.Run("pgx", func(b *testing.B) { benchPgx(b, raw) })
}

func BenchmarkPostgresTLS(b *testing.B) {
	raw := testenv.PGTLS(b)
	b.Run("prober", func(b *testing.B) { benchProber(b, pgProfile(b, raw)) })
	b.Run("pgx", func(b *testing.B) { benchPgx(b, raw) })
}

func BenchmarkPgBouncerPlain(b *testing.B) {
	raw := testenv.PgBouncer(b)
	b.Run("prober", func(b *testing.B) { benchProber(b, pgProfile(b, raw)) })
	b.Run("pgx", func(b *testing.B) { benchPgx(b, raw) })
}

func BenchmarkMariaDBPlain(b *testing.B) {
	dsn := testenv.MySQL(b)
	b.Run("prober", func(b *testing.B) { benchProber(b, myProfile(b, dsn, "", "")) })
	b.Run("go-sql-driver", func(b *testing.B) { benchMySQL(b, dsn) })
}

func BenchmarkMariaDBTLS(b *testing.B) {
	dsn := testenv.MySQLTLS(b)
	b.Run("prober", func(b *testing.B) { benchProber(b, myProfile(b, dsn, "verify-full", testenv.CA(b))) })
	b.Run("go-sql-driver", func(b *testing.B) { benchMySQL(b, dsn) })
}
