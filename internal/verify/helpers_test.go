package verify_test

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/verify/mysql"
	"github.com/dbguard/dbguard/internal/verify/postgres"
)

// conn is what a test profile says.
type conn struct {
	driver, host string
	port         int
	db, user, pw string
	tls, ca      string
	params       map[string]string
	pool, reps   int
}

func (c conn) profile() *profile.Profile {
	loc := profile.Location{File: "test.yaml", Line: 1, Column: 1}
	p := &profile.Profile{ID: "test.yaml#db", File: "test.yaml", Name: "db", Environment: profile.Test}
	p.Driver = profile.V(c.driver, loc)
	p.Hosts = []profile.Host{{Host: profile.V(c.host, loc), Port: profile.V(strconv.Itoa(c.port), loc)}}
	if c.db != "" {
		p.Database = profile.V(c.db, loc)
	}
	p.User = profile.V(c.user, loc)
	p.Password = profile.Password{Secret: profile.NewSecret(c.pw), Set: true, Known: true, Source: "literal"}
	if c.tls != "" {
		p.TLS.Mode = profile.V(c.tls, loc)
	}
	if c.ca != "" {
		p.TLS.CA = profile.V(c.ca, loc)
	}
	for k, v := range c.params {
		p.SetParam(k, profile.V(v, loc))
	}
	if c.pool > 0 {
		p.Pool.MaxOpen = profile.V(strconv.Itoa(c.pool), loc)
	}
	if c.reps > 0 {
		p.Replicas.Count = profile.V(strconv.Itoa(c.reps), loc)
	}
	return p
}

// fromURL reads a libpq URL of the test environment.
func fromURL(t testing.TB, raw string) conn {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse test URL: %v", err)
	}
	pw, _ := u.User.Password()
	port, _ := strconv.Atoi(u.Port())
	c := conn{driver: "postgres", host: u.Hostname(), port: port, db: strings.TrimPrefix(u.Path, "/"),
		user: u.User.Username(), pw: pw, tls: u.Query().Get("sslmode"), ca: u.Query().Get("sslrootcert")}
	return c
}

// fromMySQL reads a go-sql-driver DSN of the test environment.
func fromMySQL(t testing.TB, dsn string) conn {
	t.Helper()
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("parse test DSN: %v", err)
	}
	host, ps, _ := net.SplitHostPort(cfg.Addr)
	port, _ := strconv.Atoi(ps)
	return conn{driver: "mysql", host: host, port: port, db: cfg.DBName, user: cfg.User, pw: cfg.Passwd}
}

func drivers() map[string]verify.Driver {
	return map[string]verify.Driver{"postgres": postgres.New(), "mysql": mysql.New()}
}

func newProber(o verify.Options) *verify.Prober {
	o.Drivers = drivers()
	if o.StageTimeout == 0 {
		o.StageTimeout = 3 * time.Second
	}
	if o.Resolver == nil {
		o.Resolver = noResolver{}
	}
	return verify.NewProber(o)
}

// noResolver refuses every lookup: tests never ask the machine's resolver.
type noResolver struct{}

func (noResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return nil, &net.DNSError{Err: "tests use their own DNS server", Name: host, IsNotFound: true}
}

func probe(t *testing.T, o verify.Options, c conn) verify.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return newProber(o).Probe(ctx, c.profile(), verify.ResolveOptions{})
}

// expect checks a result's verdict and logs its ladder.
func expect(t *testing.T, r verify.Result, ok bool, class verify.Class, stage verify.Stage) {
	t.Helper()
	a := r.Final()
	if a == nil {
		t.Fatalf("no attempt in result")
	}
	for _, s := range a.Stages {
		t.Logf("  %-9s %-7s %8s %s", s.Stage, s.Status, s.Duration.Round(time.Microsecond), s.Note)
	}
	t.Logf("  => ok=%v stage=%s class=%s code=%s detail=%s", a.OK, a.Stage, a.Class, a.Code, a.Detail)
	if a.OK != ok || a.Class != class || (stage != "" && a.Stage != stage) {
		t.Fatalf("got ok=%v class=%q stage=%q code=%q (%s); want ok=%v class=%q stage=%q",
			a.OK, a.Class, a.Stage, a.Code, a.Detail, ok, class, stage)
	}
}
