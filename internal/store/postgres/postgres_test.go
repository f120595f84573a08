package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/postgres"
	"github.com/dbguard/dbguard/internal/store/storetest"
	"github.com/dbguard/dbguard/internal/testenv"
)

// fresh creates a throwaway database on the test PostgreSQL, dropped when
// the test ends, and returns its URL.
func fresh(t testing.TB) string {
	super := testenv.PGSuper(t)
	var b [6]byte
	rand.Read(b[:])
	name := "dbguard_store_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, super)
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name).ReadAll(); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgconn.Connect(ctx, super)
		if err != nil {
			t.Errorf("drop database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)").ReadAll(); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	u, err := url.Parse(super)
	if err != nil {
		t.Fatalf("parse the superuser URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func harness() storetest.Harness {
	m, _ := postgres.Migrations()
	// The migrations are embedded: listing them fails only on a broken
	// build, which the upgrade test then shows.
	latest, _ := m.Latest()
	return storetest.Harness{
		Name:  "postgres",
		Fresh: fresh,
		Open: func(ctx context.Context, addr string, v int64) (store.Backend, error) {
			return postgres.Open(ctx, addr, postgres.Options{SchemaVersion: v})
		},
		Raw: func(t testing.TB, addr string) *sql.DB {
			db, err := postgres.DB(addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		Dollar: true,
		Latest: latest,
	}
}

func TestMain(m *testing.M) {
	storetest.Child(harness())
	os.Exit(m.Run())
}

func TestConformance(t *testing.T) { storetest.Run(t, harness()) }

func TestCrash(t *testing.T) { storetest.RunCrash(t, harness()) }

// TestOpenErrorsHoldNoPassword: a store URL that cannot be reached or
// parsed is reported without its password.
func TestOpenErrorsHoldNoPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range []string{
		"postgres://u:storetest-canary@127.0.0.1:1/db?connect_timeout=2",
		"postgres://u:storetest-canary@127.0.0.1:bad/db",
	} {
		_, err := postgres.Open(ctx, u)
		if err == nil {
			t.Fatalf("Open(%q) succeeded", u)
		}
		if s := err.Error(); strings.Contains(s, "storetest-canary") {
			t.Fatalf("error holds the password: %s", s)
		}
	}
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, harness()) }
