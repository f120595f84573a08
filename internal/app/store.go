package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/postgres"
	"github.com/dbguard/dbguard/internal/store/sqlite"
)

// StoreRequest says which event store to open and with which key. Getenv
// reads the environment (DBGUARD_STORE_KEY, XDG_*, a url_env variable):
// the front end passes os.Getenv, tests a map.
type StoreRequest struct {
	// Location is --store: a SQLite file path or a postgres:// URL.
	Location string
	// KeyFile is --store-key.
	KeyFile string
	Config  *config.Config
	// Dir is the folder the command runs in, where the repository root
	// is looked for.
	Dir    string
	Getenv func(string) string
}

// EnvStoreKey holds the store key itself, base64 or hex.
const EnvStoreKey = "DBGUARD_STORE_KEY"

// OpenedStore is an open store and where it came from.
type OpenedStore struct {
	*store.Store
	// Where names the store for people: the file, or the PostgreSQL
	// server and database (never a credential).
	Where string
	// Root is the repository root ("" outside a repository): recorded
	// files are keyed by their path relative to it.
	Root string
	// KeyFrom says where the key came from: the environment, a key file,
	// or "" when the store was opened without one.
	KeyFrom string
}

// StoreError is a store that cannot be opened as asked: no key where one
// is needed, a key that cannot be created, a location that cannot be read.
type StoreError struct{ Err error }

func (e *StoreError) Error() string { return e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }

func storeErrorf(format string, args ...any) error {
	return &StoreError{Err: fmt.Errorf(format, args...)}
}

// OpenStore opens the event store: --store, else dbguard.yaml's store
// section, else .dbguard/state.db at the repository root (the folder made
// with a .gitignore of *), else $XDG_STATE_HOME/dbguard/state.db. The key
// is DBGUARD_STORE_KEY, else --store-key, else
// $XDG_CONFIG_HOME/dbguard/store.key, created on first use for a SQLite
// store that holds nothing under another key. With needKey false, a store
// without a key opens for reading only.
func OpenStore(ctx context.Context, req StoreRequest, needKey bool) (*OpenedStore, error) {
	getenv := req.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	dir := req.Dir
	if dir == "" {
		dir = "."
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, storeErrorf("find the store: %w", err)
	}
	root := RepoRoot(absDir)
	loc, err := storeLocation(req, root, getenv)
	if err != nil {
		return nil, err
	}
	var b store.Backend
	pg := isPostgresURL(loc)
	if pg {
		b, err = postgres.Open(ctx, loc)
	} else {
		b, err = sqlite.Open(ctx, loc)
	}
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	key, keyFile, from, err := storeKey(ctx, req, b, root, pg, needKey, getenv)
	if err != nil {
		b.Close()
		return nil, err
	}
	opts := store.Options{Key: key}
	if key != nil {
		opts.WitnessDir = filepath.Join(filepath.Dir(keyFile), "heads")
	}
	s, err := store.New(ctx, b, opts)
	if err != nil {
		b.Close()
		return nil, &StoreError{Err: err}
	}
	return &OpenedStore{Store: s, Where: b.Location(), Root: root, KeyFrom: from}, nil
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// RepoRoot is the nearest folder at or above dir holding .git (a folder,
// or a file in a worktree), "" when there is none.
func RepoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		d = up
	}
}

func storeLocation(req StoreRequest, root string, getenv func(string) string) (string, error) {
	if req.Location != "" {
		return req.Location, nil
	}
	if sc := req.Config.StoreSettings(); sc != nil {
		base := "."
		if req.Config.File != "" {
			base = filepath.Dir(req.Config.File)
		}
		switch {
		case sc.Path != "":
			return filepath.Join(base, sc.Path), nil
		case sc.URLEnv != "":
			u := strings.TrimSpace(getenv(sc.URLEnv))
			if u == "" {
				return "", storeErrorf("%s: store.url_env names %s, which is not set", sc.URLEnvPos, sc.URLEnv)
			}
			return u, nil
		case sc.URLFile != "":
			data, err := os.ReadFile(filepath.Join(base, sc.URLFile))
			if err != nil {
				return "", storeErrorf("%s: read store.url_file: %w", sc.URLFilePos, err)
			}
			return strings.TrimSpace(string(data)), nil
		}
	}
	if root != "" {
		dir := filepath.Join(root, ".dbguard")
		if err := ensureStoreDir(dir); err != nil {
			return "", err
		}
		return filepath.Join(dir, "state.db"), nil
	}
	state := getenv("XDG_STATE_HOME")
	if state == "" {
		home := getenv("HOME")
		if home == "" {
			return "", storeErrorf("find the store: no repository here, and neither XDG_STATE_HOME nor HOME is set (give --store)")
		}
		state = filepath.Join(home, ".local", "state")
	}
	dir := filepath.Join(state, "dbguard")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", storeErrorf("make the store folder: %w", err)
	}
	return filepath.Join(dir, "state.db"), nil
}

// ensureStoreDir makes .dbguard/ with a .gitignore of *, so that the store
// is never committed.
func ensureStoreDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return storeErrorf("make the store folder: %w", err)
	}
	ign := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ign); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(ign, []byte("*\n"), 0o644); err != nil {
			return storeErrorf("write %s: %w", ign, err)
		}
	}
	return nil
}

// storeKey finds the key and the file it is (or would be) kept in, beside
// which the witness lives.
func storeKey(ctx context.Context, req StoreRequest, b store.Backend, root string, pg, needKey bool, getenv func(string) string) (*store.Key, string, string, error) {
	cfgHome := getenv("XDG_CONFIG_HOME")
	if cfgHome == "" {
		if home := getenv("HOME"); home != "" {
			cfgHome = filepath.Join(home, ".config")
		}
	}
	def := ""
	if cfgHome != "" {
		def = filepath.Join(cfgHome, "dbguard", "store.key")
	}
	if text := getenv(EnvStoreKey); text != "" {
		k, err := store.ParseKey([]byte(text))
		if err != nil {
			return nil, "", "", storeErrorf("%s: %w", EnvStoreKey, err)
		}
		if def == "" {
			return nil, "", "", storeErrorf("the store key is in %s, but neither XDG_CONFIG_HOME nor HOME is set to keep its witness beside", EnvStoreKey)
		}
		return k, def, "environment (" + EnvStoreKey + ")", nil
	}
	path, explicit := req.KeyFile, req.KeyFile != ""
	if !explicit {
		path = def
	}
	if path == "" {
		return nil, "", "", storeErrorf("no store key: set %s or give --store-key (neither XDG_CONFIG_HOME nor HOME is set)", EnvStoreKey)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", "", storeErrorf("store key %s: %w", path, err)
	}
	if root != "" && within(root, abs) {
		return nil, "", "", storeErrorf("the store key %s is inside the repository %s: keep it out of anything that is committed", abs, root)
	}
	k, err := store.ReadKeyFile(abs)
	if err == nil {
		return k, abs, "file " + abs, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", "", &StoreError{Err: err}
	}
	if !needKey {
		return nil, abs, "", nil
	}
	if pg && !explicit {
		return nil, "", "", storeErrorf("a PostgreSQL store needs an explicit key: set %s or give --store-key FILE", EnvStoreKey)
	}
	if id, ok, err := b.Meta(ctx, "key_id"); err != nil {
		return nil, "", "", &StoreError{Err: err}
	} else if ok {
		return nil, "", "", storeErrorf("no store key at %s, and the store holds data under key %s: give that key (%s or --store-key); a new key would not read it", abs, id, EnvStoreKey)
	}
	k, err = store.CreateKeyFile(abs)
	if err != nil {
		return nil, "", "", &StoreError{Err: err}
	}
	return k, abs, "file " + abs + " (created)", nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// StoreCheckResult is what store check found.
type StoreCheckResult struct {
	Where   string
	KeyFrom string
	Report  *store.CheckReport
}

// StoreCheck recomputes the store's whole MAC chain and authenticates
// every revision. It needs the key. Errors: *StoreError.
func StoreCheck(ctx context.Context, req StoreRequest) (*StoreCheckResult, error) {
	st, err := OpenStore(ctx, req, false)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if st.KeyFrom == "" {
		return nil, storeErrorf("store check needs the store key: set %s or give --store-key", EnvStoreKey)
	}
	rep, err := st.Check(ctx)
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	return &StoreCheckResult{Where: st.Where, KeyFrom: st.KeyFrom, Report: rep}, nil
}

// Compacted is what store compact removed, per kind.
type Compacted struct {
	Where string
	Kinds []CompactedKind
}

// CompactedKind is one retention applied.
type CompactedKind struct {
	Kind       string
	Keep       time.Duration
	Removed    int
	Checkpoint int64 // the checkpoint event, 0 when nothing was removed
}

// StoreCompact applies dbguard.yaml's store retention (or its default):
// the events of each kind older than its retention are removed behind a
// checkpoint event that keeps the chain checkable. Errors: *StoreError.
func StoreCompact(ctx context.Context, req StoreRequest, now time.Time) (*Compacted, error) {
	req.Config = configOrDefault(req.Config)
	st, err := OpenStore(ctx, req, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := &Compacted{Where: st.Where}
	for _, r := range req.Config.StoreRetention() {
		c, err := st.Compact(ctx, []store.Kind{store.Kind(r.Kind)}, now.Add(-r.Keep))
		if err != nil {
			return out, &StoreError{Err: err}
		}
		out.Kinds = append(out.Kinds, CompactedKind{Kind: r.Kind, Keep: r.Keep, Removed: c.Removed, Checkpoint: c.Checkpoint.Seq})
	}
	return out, nil
}
