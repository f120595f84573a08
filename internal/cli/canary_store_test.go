package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "modernc.org/sqlite"

	"github.com/dbguard/dbguard/internal/store/postgres"
	"github.com/dbguard/dbguard/internal/testenv"
)

// canaryStoreEnv isolates HOME and the XDG folders under root, so that
// the store key and its witness are made there.
func canaryStoreEnv(t *testing.T, root string) {
	home := filepath.Join(root, "home")
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	for _, name := range []string{"DBGUARD_STORE_KEY", "DBGUARD_ACTOR", "GITHUB_ACTIONS", "GITLAB_CI", "CI"} {
		t.Setenv(name, "")
	}
}

// canaryStoreRuns records the canary tree, rotates every password, records
// again and checks the store, in every format; it returns all they wrote.
func canaryStoreRuns(t *testing.T, repo string, storeArgs ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if err := canaryWriteTree(repo, canaryFiles(addr)); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	run := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append(args, storeArgs...)...)
		if code != want {
			t.Fatalf("dbguard %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		all.WriteString(stdout + stderr)
		return stdout
	}
	var first struct {
		Files []struct{ File, Revision string } `json:"files"`
	}
	for _, format := range []string{"text", "json"} {
		out := run(0, "record", "--format", format, repo)
		if format == "json" {
			if err := json.Unmarshal([]byte(out), &first); err != nil {
				t.Fatal(err)
			}
		}
		run(0, "store", "check", "--format", format)
	}
	if err := canaryWriteTree(repo, canaryChangedFiles(addr)); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "text"} {
		run(0, "record", "--format", format, repo)
		run(0, "store", "check", "--format", format)
		run(0, "history", "--format", format)
		run(0, "history", "--format", format, "--kind", "change", "--tz", "Africa/Lagos")
		// What a rollback to the first revisions would undo: every
		// password changed back, which must show only as changed.
		for _, f := range first.Files {
			path := filepath.FromSlash(f.File)
			if !filepath.IsAbs(path) {
				path = filepath.Join(repo, path)
			}
			run(0, "rollback", "--dry-run", "--format", format, "--to", f.Revision, path)
		}
	}
	if len(first.Files) == 0 {
		t.Fatal("record --format json listed no file")
	}
	if !strings.Contains(all.String(), "changed") || !strings.Contains(all.String(), "baseline") {
		t.Fatalf("record wrote neither a baseline nor a change:\n%s", all.String())
	}
	return all.String()
}

// canaryDumpRows writes every row of every dbguard table, bytes as they
// are stored.
func canaryDumpRows(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"dbguard_meta", "dbguard_head", "dbguard_events", "dbguard_event_profiles", "dbguard_revisions"} {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					b.Write(bs)
				} else {
					fmt.Fprint(&b, v)
				}
				b.WriteByte('\t')
			}
			b.WriteByte('\n')
			n++
		}
		rows.Close()
		if table == "dbguard_revisions" && n == 0 {
			t.Fatal("no revision was stored: the dump proves nothing")
		}
	}
	return b.String()
}

// TestCanaryStoreSQLite: record, store check, and the raw SQLite file (and
// every row of it) hold no canary in clear, base64 or percent-encoded.
func TestCanaryStoreSQLite(t *testing.T) {
	_, repo := canaryRepo(t)
	out := canaryStoreRuns(t, repo)
	dbFile := filepath.Join(repo, ".dbguard", "state.db")
	var raw []byte
	for _, f := range []string{dbFile, dbFile + "-wal"} {
		if data, err := os.ReadFile(f); err == nil {
			raw = append(raw, data...)
		}
	}
	if len(raw) == 0 {
		t.Fatalf("no store at %s", dbFile)
	}
	db, err := sql.Open("sqlite", dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dump := canaryDumpRows(t, db)
	for name, data := range map[string]string{"output": out, "the SQLite file": string(raw), "the rows": dump} {
		if leaks := canaryLeaks([]byte(data)); len(leaks) > 0 {
			t.Errorf("%s leaks the canary:\n  %s", name, strings.Join(leaks, "\n  "))
		}
	}
}

// TestCanaryStorePostgres: the same against a throwaway database on the
// test PostgreSQL, dumping its tables.
func TestCanaryStorePostgres(t *testing.T) {
	super := testenv.PGSuper(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgconn.Connect(ctx, super)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	name := fmt.Sprintf("dbguard_canary_%d", time.Now().UnixNano())
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name).ReadAll(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)").ReadAll() })
	cfg, err := pgconn.ParseConfig(super)
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("postgres://%s:%s@%s/%s", cfg.User, cfg.Password, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)), name)
	root := t.TempDir()
	canaryStoreEnv(t, root)
	repo := filepath.Join(root, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	out := canaryStoreRuns(t, repo, "--store", u, "--store-key", filepath.Join(root, "pg.key"))
	db, err := postgres.DB(u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dump := canaryDumpRows(t, db)
	for name, data := range map[string]string{"output": out, "the rows": dump} {
		if leaks := canaryLeaks([]byte(data)); len(leaks) > 0 {
			t.Errorf("%s leaks the canary:\n  %s", name, strings.Join(leaks, "\n  "))
		}
	}
}
