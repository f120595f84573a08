package postgres_test

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify/postgres"
	"github.com/dbguard/dbguard/internal/verify/verifytest"
)

func server(t *testing.T, raw string, offersTLS bool) verifytest.Server {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	return verifytest.Server{Addr: net.JoinHostPort(u.Hostname(), u.Port()), Database: strings.TrimPrefix(u.Path, "/"),
		User: u.User.Username(), Password: pw, TLS: offersTLS}
}

func TestConformancePostgreSQL(t *testing.T) {
	verifytest.Run(t, postgres.New(), server(t, testenv.PG(t), true))
}

func TestConformancePgBouncer(t *testing.T) {
	verifytest.Run(t, postgres.New(), server(t, testenv.PgBouncer(t), true))
}
