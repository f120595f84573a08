package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/sqlite"
	"github.com/dbguard/dbguard/internal/store/storetest"
)

func harness() storetest.Harness {
	// The migrations are embedded: listing them cannot fail but on a
	// broken build, which TestConformance's upgrade test then shows.
	latest, _ := sqlite.Migrations().Latest()
	return storetest.Harness{
		Name: "sqlite",
		Fresh: func(t testing.TB) string {
			return filepath.Join(t.TempDir(), "state.db")
		},
		Open: func(ctx context.Context, addr string, v int64) (store.Backend, error) {
			return sqlite.Open(ctx, addr, sqlite.Options{SchemaVersion: v})
		},
		Raw: func(t testing.TB, addr string) *sql.DB {
			db, err := sql.Open("sqlite", addr+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		Latest: latest,
	}
}

func TestMain(m *testing.M) {
	storetest.Child(harness())
	os.Exit(m.Run())
}

func TestConformance(t *testing.T) { storetest.Run(t, harness()) }

func TestCrash(t *testing.T) { storetest.RunCrash(t, harness()) }

func TestFileModes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	b, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.New(context.Background(), b, store.Options{Key: storetest.Key(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(context.Background(), storetest.Event(store.KindChange, "a", "b", "", "", "x")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"state.db", "state.db-wal", "state.db-shm"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, st.Mode().Perm())
		}
	}
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, harness()) }
