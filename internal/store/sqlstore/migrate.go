package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/dbguard/dbguard/internal/store"
)

// VersionTable is where goose keeps the applied schema versions; a name of
// dbguard's own, so that a PostgreSQL database shared with an application
// that uses goose itself keeps the two apart.
const VersionTable = "dbguard_schema_version"

// Options tune a backend's Open.
type Options struct {
	// SchemaVersion stops migrations at this version (0: the newest); for
	// the upgrade tests only.
	SchemaVersion int64
}

// target is the version to migrate to, -1 for the newest.
func target(o []Options) int64 {
	if len(o) > 0 && o[0].SchemaVersion > 0 {
		return o[0].SchemaVersion
	}
	return -1
}

// UpFor brings db to the version o asks for (the newest by default).
func (m Migrations) UpFor(ctx context.Context, db *sql.DB, o ...Options) error {
	return m.UpTo(ctx, db, target(o))
}

// Migrations are the numbered migrations of one backend, embedded in the
// binary, and how goose runs them there.
type Migrations struct {
	Dialect goose.Dialect
	FS      fs.FS
	Dir     string // the folder of FS that holds the .sql files
	// Options add goose options (PostgreSQL's session locker).
	Options []goose.ProviderOption
}

func (m Migrations) files() (fs.FS, error) {
	sub, err := fs.Sub(m.FS, m.Dir)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return sub, nil
}

func (m Migrations) provider(db *sql.DB) (*goose.Provider, error) {
	files, err := m.files()
	if err != nil {
		return nil, err
	}
	opts := append([]goose.ProviderOption{
		goose.WithTableName(VersionTable),
		goose.WithDisableGlobalRegistry(true),
	}, m.Options...)
	p, err := goose.NewProvider(m.Dialect, db, files, opts...)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// Latest is the newest schema version the binary carries.
func (m Migrations) Latest() (int64, error) {
	files, err := m.files()
	if err != nil {
		return 0, err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return 0, fmt.Errorf("list migrations: %w", err)
	}
	var latest int64
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return 0, fmt.Errorf("list migrations: %w", err)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// Up brings db to the newest schema. A database whose schema is newer than
// the binary's is refused with *store.SchemaNewerError before anything is
// changed. Goose runs each migration in a transaction.
func (m Migrations) Up(ctx context.Context, db *sql.DB) error {
	return m.UpTo(ctx, db, -1)
}

// UpTo brings db to schema version v (-1: the newest), for the upgrade
// tests that start a store at every earlier version.
func (m Migrations) UpTo(ctx context.Context, db *sql.DB, v int64) error {
	p, err := m.provider(db)
	if err != nil {
		return err
	}
	latest, err := m.Latest()
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if cur > latest {
		return &store.SchemaNewerError{Store: cur, Binary: latest}
	}
	if v < 0 {
		v = latest
	}
	if cur >= v {
		return nil
	}
	if _, err := p.UpTo(ctx, v); err != nil {
		return fmt.Errorf("migrate the schema to version %d: %w", v, err)
	}
	return nil
}
