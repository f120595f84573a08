// Package sqlite is the default store backend: one SQLite file through
// modernc.org/sqlite (pure Go, no cgo), in WAL mode with a busy timeout, so
// that several dbguard processes share it, created 0600.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers database/sql driver "sqlite"

	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are this backend's numbered schema migrations.
func Migrations() sqlstore.Migrations {
	return sqlstore.Migrations{Dialect: goose.DialectSQLite3, FS: migrationFiles, Dir: "migrations"}
}

// BusyTimeoutMS is how long a writer waits for another process's
// transaction before giving up: appends are short, so waiting long means a
// stuck process.
const BusyTimeoutMS = 15000

// dialect: BEGIN IMMEDIATE (_txlock=immediate) takes SQLite's write lock
// when the transaction starts, so reading the head already excludes every
// other appender.
var dialect = sqlstore.Dialect{LockHead: `SELECT seq, mac FROM dbguard_head WHERE id = 1`}

// Options tune Open.
type Options = sqlstore.Options

// Open opens (creating it 0600 where missing) the store file at path and
// brings its schema up to date. Concurrent first opens by several
// processes are serialised by a lock on the file itself.
func Open(ctx context.Context, path string, o ...Options) (*sqlstore.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if strings.ContainsAny(abs, "?#") {
		return nil, fmt.Errorf("open store %s: a store path may not hold ? or #", path)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// The lock is held only while migrating; SQLite locks with fcntl,
	// which flock does not disturb.
	if err := store.LockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	defer f.Close()
	dsn := abs + fmt.Sprintf("?_txlock=immediate&_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)", BusyTimeoutMS)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	m := Migrations()
	if err := m.UpFor(ctx, db, o...); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	return sqlstore.New(db, dialect, abs), nil
}
