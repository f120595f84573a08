package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// PGExec runs statements on the test PostgreSQL as its superuser
// (PGSuper): creating throwaway roles, rotating a password behind a
// watched profile's back.
func PGExec(t testing.TB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, PGSuper(t))
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	defer c.Close(ctx)
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s).ReadAll(); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
