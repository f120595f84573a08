// Package postgres is the store backend for teams and for several
// watchers: the event log in a PostgreSQL database through pgx. Appenders
// are serialised by a row lock on the one head row (SELECT ... FOR UPDATE),
// migrations by goose's advisory session lock.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/dbguard/dbguard/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// lockID is goose's advisory lock key for dbguard's migrations (a number
// of dbguard's own, so that an application's goose lock is not shared).
const lockID = 0x64626775617264 // "dbguard"

// Migrations are this backend's numbered schema migrations.
func Migrations() (sqlstore.Migrations, error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 120))
	if err != nil {
		return sqlstore.Migrations{}, fmt.Errorf("make the migration lock: %w", err)
	}
	return sqlstore.Migrations{Dialect: goose.DialectPostgres, FS: migrationFiles, Dir: "migrations",
		Options: []goose.ProviderOption{goose.WithSessionLocker(locker)}}, nil
}

var dialect = sqlstore.Dialect{Dollar: true, LockHead: `SELECT seq, mac FROM dbguard_head WHERE id = 1 FOR UPDATE`}

// Options tune Open.
type Options = sqlstore.Options

// Open connects to the PostgreSQL store at url (a libpq URL or key=value
// string) and brings its schema up to date. Errors never repeat the URL,
// which may hold a password.
func Open(ctx context.Context, url string, o ...Options) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's parse errors redact the password; they still quote the
		// rest of the string, so say only that it did not parse.
		return nil, fmt.Errorf("open store: the PostgreSQL URL does not parse")
	}
	location := fmt.Sprintf("postgres://%s/%s", net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)), cfg.Database)
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", location, err)
	}
	m, err := Migrations()
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := m.UpFor(ctx, db, o...); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", location, err)
	}
	return sqlstore.New(db, dialect, location), nil
}

// DB opens url as a plain *sql.DB, for tests that tamper with the tables.
func DB(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open: the PostgreSQL URL does not parse")
	}
	return stdlib.OpenDB(*cfg), nil
}
