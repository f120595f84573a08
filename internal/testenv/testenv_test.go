package testenv_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// stopTB is a testing.TB whose Skip and Fatal record their message and end
// the goroutine, as the real ones do, so that the skip-or-fail rule can be
// observed without skipping or failing the real test.
type stopTB struct {
	testing.TB
	skipped string
	failed  string
}

func (s *stopTB) Helper()      {}
func (s *stopTB) Name() string { return "TestFake" }
func (s *stopTB) Skip(args ...any) {
	s.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (s *stopTB) Fatal(args ...any) {
	s.failed = fmt.Sprint(args...)
	runtime.Goexit()
}
func (s *stopTB) Fatalf(format string, args ...any) {
	s.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs f on a fresh stopTB in its own goroutine and returns what f
// returned and how the stopTB ended.
func call(t *testing.T, f func(testing.TB) string) (got string, tb *stopTB) {
	tb = &stopTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = f(tb)
	}()
	<-done
	return got, tb
}

func TestAccessorSkipsOrFails(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		require  string
		wantSkip bool
		wantFail bool
	}{
		{name: "set", value: "postgres://x@127.0.0.1/db"},
		{name: "set and required", value: "postgres://x@127.0.0.1/db", require: "1"},
		{name: "unset skips", wantSkip: true},
		{name: "unset and required fails", require: "1", wantFail: true},
		{name: "require other than 1 skips", require: "yes", wantSkip: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(testenv.EnvLedger, filepath.Join(t.TempDir(), "ledger.tsv"))
			t.Setenv(testenv.EnvPG, tt.value)
			t.Setenv(testenv.EnvRequire, tt.require)
			got, tb := call(t, testenv.PG)
			if (tb.skipped != "") != tt.wantSkip {
				t.Errorf("skipped = %q, want skip %v", tb.skipped, tt.wantSkip)
			}
			if (tb.failed != "") != tt.wantFail {
				t.Errorf("failed = %q, want fail %v", tb.failed, tt.wantFail)
			}
			if !tt.wantSkip && !tt.wantFail && got != tt.value {
				t.Errorf("PG = %q, want %q", got, tt.value)
			}
			for _, msg := range []string{tb.skipped, tb.failed} {
				if msg != "" && !strings.Contains(msg, "./scripts/test.sh") {
					t.Errorf("message %q does not say how to start the servers", msg)
				}
			}
		})
	}
}

func TestLedgerRecordsEachServer(t *testing.T) {
	ledger := filepath.Join(t.TempDir(), "ledger.tsv")
	t.Setenv(testenv.EnvLedger, ledger)
	t.Setenv(testenv.EnvRequire, "")
	accessors := []struct {
		env    string
		f      func(testing.TB) string
		server string // "" when no server is recorded
	}{
		{testenv.EnvPG, testenv.PG, "postgres"},
		{testenv.EnvPGTLS, testenv.PGTLS, "postgres"},
		{testenv.EnvPGSuper, testenv.PGSuper, "postgres"},
		{testenv.EnvPGBin, testenv.PGBin, "postgres"},
		{testenv.EnvMySQL, testenv.MySQL, "mariadb"},
		{testenv.EnvPgBouncer, testenv.PgBouncer, "pgbouncer"},
		{testenv.EnvCA, testenv.CA, ""},
	}
	var want strings.Builder
	for _, a := range accessors {
		t.Setenv(a.env, "value-of-"+a.env)
		got, tb := call(t, a.f)
		if tb.skipped != "" || tb.failed != "" {
			t.Fatalf("%s: skipped %q, failed %q", a.env, tb.skipped, tb.failed)
		}
		if got != "value-of-"+a.env {
			t.Errorf("%s: got %q", a.env, got)
		}
		if a.server != "" {
			want.WriteString(a.server + "\tTestFake\tinternal/testenv\n")
		}
	}
	b, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want.String() {
		t.Errorf("ledger:\n%s\nwant:\n%s", b, want.String())
	}
}

func TestModuleRootHoldsGoMod(t *testing.T) {
	root := testenv.ModuleRoot(t)
	if !filepath.IsAbs(root) {
		t.Errorf("ModuleRoot = %q, not absolute", root)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("no go.mod in ModuleRoot: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testenv", "testenv.go")); err != nil {
		t.Errorf("ModuleRoot %q is not this module: %v", root, err)
	}
}

func TestSharedDir(t *testing.T) {
	dir := testenv.SharedDir(t)
	if filepath.Dir(dir) != filepath.Dir(testenv.ModuleRoot(t)) {
		t.Errorf("SharedDir = %q, not beside the module root", dir)
	}
	if filepath.Base(dir) != "shared" {
		t.Errorf("SharedDir = %q, not named shared", dir)
	}
}

// Without ../shared, SharedDir skips and writes the skip to the ledger;
// DBGUARD_REQUIRE_SHARED=1 fails instead, and DBGUARD_REQUIRE_SERVICES=1
// has no say in it. The test runs in a module of its own with nothing
// beside it, as a user's clone is.
func TestSharedDirMissing(t *testing.T) {
	clone := filepath.Join(t.TempDir(), "clone")
	if err := os.MkdirAll(clone, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(clone, "go.mod"), []byte("module example.com/clone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, requireShared, requireServices string
		wantFail                             bool
	}{
		{name: "skips", requireServices: "1"},
		{name: "required fails", requireShared: "1", wantFail: true},
		{name: "required other than 1 skips", requireShared: "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(clone)
			ledger := filepath.Join(t.TempDir(), "ledger.tsv")
			t.Setenv(testenv.EnvLedger, ledger)
			t.Setenv(testenv.EnvRequireShared, tt.requireShared)
			t.Setenv(testenv.EnvRequire, tt.requireServices)
			_, tb := call(t, testenv.SharedDir)
			if tt.wantFail {
				if tb.failed == "" || tb.skipped != "" {
					t.Fatalf("failed %q, skipped %q; want a failure", tb.failed, tb.skipped)
				}
				return
			}
			if tb.skipped == "" || tb.failed != "" {
				t.Fatalf("failed %q, skipped %q; want a skip", tb.failed, tb.skipped)
			}
			if strings.Contains(tb.skipped, "\n") || !strings.Contains(tb.skipped, "../shared") {
				t.Errorf("skip message %q is not one line naming ../shared", tb.skipped)
			}
			b, err := os.ReadFile(ledger)
			if err != nil {
				t.Fatal(err)
			}
			if want := testenv.SharedMissing + "\tTestFake\t.\n"; string(b) != want {
				t.Errorf("ledger %q, want %q", b, want)
			}
		})
	}
}
