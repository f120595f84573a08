package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/testenv"
)

// storeRepo makes a git work tree with one connection file and isolated
// HOME/XDG folders, and runs from it.
func storeRepo(t *testing.T) (repo, home string) {
	root := t.TempDir()
	canaryStoreEnv(t, root)
	repo = filepath.Join(root, "repo")
	if err := os.MkdirAll(filepath.Join(repo, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	writeApp(t, repo, "5432", "s3cret-one")
	t.Chdir(repo)
	return repo, filepath.Join(root, "home")
}

func writeApp(t *testing.T, repo, port, pw string) {
	t.Helper()
	text := "environment: production\ndatabase:\n  driver: postgres\n  host: db.internal\n  port: " + port + "\n  user: app\n  password: " + pw + "\n  sslmode: require\n"
	if err := os.WriteFile(filepath.Join(repo, "deploy", "app.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, want int, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCLI(t, "", args...)
	if code != want {
		t.Fatalf("dbguard %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout + stderr
}

// TestRecordStableIdentity: a file recorded through . and through its
// folder is one file, keyed from the repository root; an unchanged file
// writes nothing; a change is an event against the previous revision.
func TestRecordStableIdentity(t *testing.T) {
	repo, home := storeRepo(t)
	out := mustRun(t, 0, "record", ".")
	if !strings.Contains(out, "baseline   deploy/app.yaml") {
		t.Fatalf("first record:\n%s", out)
	}
	out = mustRun(t, 0, "record", "deploy")
	if !strings.Contains(out, "unchanged  deploy/app.yaml") {
		t.Fatalf("record deploy/ did not meet record .:\n%s", out)
	}
	writeApp(t, repo, "6432", "s3cret-two")
	out = mustRun(t, 0, "record", "--actor", "alice", filepath.Join(repo, "deploy", "app.yaml"))
	if !strings.Contains(out, "changed    deploy/app.yaml") || !strings.Contains(out, "port: 5432 → 6432") || !strings.Contains(out, "as alice (flag)") {
		t.Fatalf("record after an edit:\n%s", out)
	}
	if strings.Contains(out, "s3cret") {
		t.Fatalf("record printed the password:\n%s", out)
	}
	if ign, err := os.ReadFile(filepath.Join(repo, ".dbguard", ".gitignore")); err != nil || string(ign) != "*\n" {
		t.Fatalf(".dbguard/.gitignore = %q, %v", ign, err)
	}
	for _, p := range []string{filepath.Join(repo, ".dbguard", "state.db"), filepath.Join(home, ".config", "dbguard", "store.key")} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, %v; want mode 0600", p, st, err)
		}
	}
	mustRun(t, 0, "store", "check")
}

// TestStoreCheckExitCodes: tampering is 1 and named; no key, another key
// and a key inside the repository are 2.
func TestStoreCheckExitCodes(t *testing.T) {
	repo, home := storeRepo(t)
	mustRun(t, 0, "record", ".")
	writeApp(t, repo, "6432", "s3cret-two")
	mustRun(t, 0, "record", ".")
	db, err := sql.Open("sqlite", filepath.Join(repo, ".dbguard", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE dbguard_events SET body = replace(body, '6432', '7432') WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := mustRun(t, 1, "store", "check")
	if !strings.Contains(out, "event 2") || !strings.Contains(out, "forged") && !strings.Contains(out, "altered") {
		t.Fatalf("store check after tampering:\n%s", out)
	}

	keyFile := filepath.Join(home, ".config", "dbguard", "store.key")
	other := filepath.Join(home, "other.key")
	if _, err := store.CreateKeyFile(other); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, 2, "store", "check", "--store-key", other)
	if !strings.Contains(out, "written under key") {
		t.Fatalf("another key:\n%s", out)
	}
	os.Rename(keyFile, keyFile+".away")
	out = mustRun(t, 2, "record", ".")
	if !strings.Contains(out, "holds data under key") {
		t.Fatalf("a new key for a store under another:\n%s", out)
	}
	mustRun(t, 2, "store", "check")
	inside := filepath.Join(repo, "store.key")
	os.Rename(keyFile+".away", inside)
	out = mustRun(t, 2, "store", "check", "--store-key", inside)
	if !strings.Contains(out, "inside the repository") {
		t.Fatalf("a key inside the repository:\n%s", out)
	}
}

// TestHistoryTimeline: history shows the changes with their field diffs,
// every time in the zone named, filters by profile as scan names it, and
// times a verification and a rollback from the change before them.
func TestHistoryTimeline(t *testing.T) {
	repo, _ := storeRepo(t)
	mustRun(t, 0, "record", ".")
	writeApp(t, repo, "6432", "s3cret-two")
	mustRun(t, 0, "record", ".")
	ctx := context.Background()
	st, err := app.OpenStore(ctx, app.StoreRequest{Dir: ".", Getenv: os.Getenv}, true)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.Events(ctx, store.Query{})
	if err != nil || len(evs) != 2 {
		t.Fatalf("events: %d, %v", len(evs), err)
	}
	changed := evs[1].Time
	key := evs[1].Profiles
	follow := func(kind store.Kind, after time.Duration, body string) {
		if _, err := st.Append(ctx, store.Event{Kind: kind, Time: changed.Add(after), Actor: store.Actor{Name: "test", Origin: "flag"}, Profiles: key, Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
	}
	follow(store.KindVerification, 90*time.Second, `{"schema_version":1,"ok":false,"stage":"auth","class":"auth_failed","revision":"r2"}`)
	follow(store.KindRollback, 10*time.Minute, `{"schema_version":1,"file":"deploy/app.yaml","to":"r1"}`)
	follow(store.KindVerification, 11*time.Minute, `{"schema_version":1,"ok":true,"revision":"r1"}`)
	st.Close()

	os.Chdir(filepath.Join(repo, "deploy"))
	out := mustRun(t, 0, "history", "--profile", "app.yaml#database", "--tz", "Africa/Lagos")
	for _, want := range []string{
		"times in Africa/Lagos",
		changed.In(mustZone(t, "Africa/Lagos")).Format("2006-01-02 15:04:05.000") + "  #2",
		"port: 5432 → 6432",
		"failed at stage auth: auth_failed",
		"1m30s after the change (event 2)",
		"8m30s after the failed verification (event 3)",
		"1m0s after the rollback (event 4)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Fatalf("history printed the password:\n%s", out)
	}
	out = mustRun(t, 0, "history", "--kind", "rollback", "--format", "json")
	var doc struct {
		Zone   string `json:"zone"`
		Events []struct {
			Seq  int64  `json:"seq"`
			Kind string `json:"kind"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Zone != "UTC" || len(doc.Events) != 1 || doc.Events[0].Seq != 4 {
		t.Fatalf("history --kind rollback --format json = %+v, %v\n%s", doc, err, out)
	}
	mustRun(t, 2, "history", "--tz", "Mars/Olympus")
	mustRun(t, 2, "history", "--since", "yesterday")
}

func mustZone(t *testing.T, name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestApprove: an approval names the recorded change by its fingerprint,
// concerns its profiles (history --profile shows it), and is labelled
// unverified.
func TestApprove(t *testing.T) {
	repo, _ := storeRepo(t)
	mustRun(t, 0, "record", ".")
	writeApp(t, repo, "6432", "s3cret-two")
	var rec struct {
		Files []struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, 0, "record", "--format", "json", ".")), &rec); err != nil || len(rec.Files) != 1 || rec.Files[0].Fingerprint == "" {
		t.Fatalf("record json: %+v, %v", rec, err)
	}
	fp := rec.Files[0].Fingerprint
	out := mustRun(t, 0, "approve", fp, "--by", "alice", "--note", "checked")
	if !strings.Contains(out, "unverified") || !strings.Contains(out, "1 recorded change(s)") {
		t.Fatalf("approve:\n%s", out)
	}
	out = mustRun(t, 0, "history", "--profile", "deploy/app.yaml#database", "--kind", "approval")
	if !strings.Contains(out, "approval of "+fp+" by alice (unverified)") {
		t.Fatalf("history of the approval:\n%s", out)
	}
	mustRun(t, 2, "approve", "v1:nothex", "--by", "alice")
	mustRun(t, 2, "approve", fp)
}

// TestVerifyRecordVerifiedGood is the case a user runs, up to rollback:
// record, verify --record passes against the test PostgreSQL, the password
// is edited and recorded, verify --record fails with auth_failed; the
// first revision stays the verified-good one and history tells the story.
func TestVerifyRecordVerifiedGood(t *testing.T) {
	good := testenv.PG(t)
	u, err := url.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := *u
	bad.User = url.UserPassword(u.User.Username(), "not-the-password")
	repo, _ := storeRepo(t)
	env := filepath.Join(repo, "deploy", ".env")
	if err := os.WriteFile(env, []byte("DATABASE_URL="+good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(repo, "deploy", "app.yaml"))
	mustRun(t, 0, "record", ".")
	out := mustRun(t, 0, "verify", "--record", "deploy")
	if !strings.Contains(out, "recorded 1 verification(s)") {
		t.Fatalf("verify --record:\n%s", out)
	}
	if err := os.WriteFile(env, []byte("DATABASE_URL="+bad.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "record", ".")
	mustRun(t, 1, "verify", "--record", "deploy")

	ctx := context.Background()
	st, err := app.OpenStore(ctx, app.StoreRequest{Dir: ".", Getenv: os.Getenv}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	revs, err := st.Revisions(ctx, "deploy/.env")
	if err != nil || len(revs) != 2 {
		t.Fatalf("revisions: %d, %v", len(revs), err)
	}
	rev, _, ok, err := st.VerifiedGood(ctx, store.ProfileKey{File: "deploy/.env", KeyPath: "DATABASE_URL"})
	if err != nil || !ok || rev != revs[0].ID {
		t.Fatalf("verified-good = %q, %v, %v; want the first revision %s", rev, ok, err, revs[0].ID)
	}
	out = mustRun(t, 0, "history", "--profile", "deploy/.env#DATABASE_URL")
	for _, want := range []string{"verified ok (revision " + revs[0].ID[:12], "failed at stage auth: auth_failed (revision " + revs[1].ID[:12], "after the change (event 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}
	real, _ := u.User.Password()
	for _, pw := range []string{real, "not-the-password"} {
		if strings.Contains(out, pw) {
			t.Fatalf("history printed a password:\n%s", out)
		}
	}
	st.Close()

	// Roll back: a dry run changes nothing; then the file is restored
	// byte for byte, mode kept, and verify passes again.
	if err := os.Chmod(env, 0o640); err != nil {
		t.Fatal(err)
	}
	broken, _ := os.ReadFile(env)
	out = mustRun(t, 0, "rollback", "--dry-run", "deploy/.env#DATABASE_URL")
	if now, _ := os.ReadFile(env); !bytes.Equal(now, broken) || !strings.Contains(out, "would restore") || !strings.Contains(out, "password: set → changed") {
		t.Fatalf("rollback --dry-run changed the file or said:\n%s", out)
	}
	out = mustRun(t, 0, "rollback", "deploy/.env#DATABASE_URL")
	for _, want := range []string{"restored revision " + revs[0].ID[:12], "git -C", "prove it: dbguard verify --record"} {
		if !strings.Contains(out, want) {
			t.Errorf("rollback lacks %q:\n%s", want, out)
		}
	}
	for _, pw := range []string{real, "not-the-password"} {
		if strings.Contains(out, pw) {
			t.Fatalf("rollback printed a password:\n%s", out)
		}
	}
	if now, _ := os.ReadFile(env); string(now) != "DATABASE_URL="+good+"\n" {
		t.Fatalf("restored content differs")
	}
	if st, _ := os.Stat(env); st.Mode().Perm() != 0o640 {
		t.Fatalf("restored mode %v, want 0640", st.Mode().Perm())
	}
	mustRun(t, 0, "verify", "--record", "deploy")
	mustRun(t, 0, "store", "check")
	out = mustRun(t, 0, "history", "--profile", "deploy/.env#DATABASE_URL", "--kind", "rollback", "--kind", "verification")
	if !strings.Contains(out, "after the rollback") || !strings.Contains(out, "rolled back to revision") {
		t.Fatalf("history after the rollback:\n%s", out)
	}
	mustRun(t, 0, "rollback", "deploy/.env") // already there: nothing to do
}

// TestRollbackRefusesUnrecordedEdit: a file edited since its last record
// is not overwritten unless --force, which keeps its content first; a
// store without a verified-good revision has nothing to restore; --commit
// commits the restored file on the current branch.
func TestRollbackRefusesUnrecordedEdit(t *testing.T) {
	repo, _ := storeRepo(t)
	app := filepath.Join(repo, "deploy", "app.yaml")
	mustRun(t, 0, "record", ".")
	first, _ := os.ReadFile(app)
	mustRun(t, 1, "rollback", "deploy/app.yaml") // nothing verified good yet
	writeApp(t, repo, "6432", "s3cret-two")
	mustRun(t, 0, "record", ".")
	writeApp(t, repo, "7432", "s3cret-three") // not recorded
	edited, _ := os.ReadFile(app)
	revs := mustRevisions(t, "deploy/app.yaml")
	out := mustRun(t, 1, "rollback", "deploy/app.yaml", "--to", revs[0][:8])
	if !strings.Contains(out, "differs from every recorded revision") {
		t.Fatalf("rollback over an unrecorded edit:\n%s", out)
	}
	if now, _ := os.ReadFile(app); !bytes.Equal(now, edited) {
		t.Fatal("a refused rollback changed the file")
	}
	for _, args := range [][]string{{"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "edit"}} {
		if out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	t.Setenv("GIT_AUTHOR_NAME", "t")
	t.Setenv("GIT_AUTHOR_EMAIL", "t@example.invalid")
	t.Setenv("GIT_COMMITTER_NAME", "t")
	t.Setenv("GIT_COMMITTER_EMAIL", "t@example.invalid")
	out = mustRun(t, 0, "rollback", "deploy/app.yaml", "--to", revs[0][:8], "--force", "--commit")
	if !strings.Contains(out, "kept as revision") || !strings.Contains(out, "committed on the current branch") {
		t.Fatalf("rollback --force --commit:\n%s", out)
	}
	if now, _ := os.ReadFile(app); !bytes.Equal(now, first) {
		t.Fatal("rollback --to did not restore the first revision byte for byte")
	}
	log, err := exec.Command("git", "-C", repo, "log", "-1", "--format=%s").Output()
	if err != nil || !strings.Contains(string(log), "dbguard rollback: deploy/app.yaml") {
		t.Fatalf("git log: %s, %v", log, err)
	}
	if len(mustRevisions(t, "deploy/app.yaml")) != 3 {
		t.Fatal("--force did not keep the replaced content as a revision")
	}
}

func mustRevisions(t *testing.T, file string) []string {
	t.Helper()
	ctx := context.Background()
	st, err := app.OpenStore(ctx, app.StoreRequest{Dir: ".", Getenv: os.Getenv}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	revs, err := st.Revisions(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range revs {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestStoreCompact: dbguard.yaml's retention removes old events of its
// kinds behind a checkpoint, and the store still checks.
func TestStoreCompact(t *testing.T) {
	repo, _ := storeRepo(t)
	if err := os.WriteFile(filepath.Join(repo, "dbguard.yaml"), []byte("version: 1\nstore:\n  retention:\n    probe_summary: 1d\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "record", ".")
	ctx := context.Background()
	st, err := app.OpenStore(ctx, app.StoreRequest{Dir: ".", Getenv: os.Getenv}, true)
	if err != nil {
		t.Fatal(err)
	}
	var evs []store.Event
	for i := range 10 {
		evs = append(evs, store.Event{Kind: "probe_summary", Time: time.Now().Add(-time.Duration(48-i) * time.Hour),
			Actor: store.Actor{Name: "watch", Origin: "flag"}, Body: []byte(`{"schema_version":1}`)})
	}
	if _, err := st.Append(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out := mustRun(t, 0, "store", "compact")
	if !strings.Contains(out, "probe_summary") || !strings.Contains(out, "9 removed behind checkpoint event 12") {
		t.Fatalf("store compact:\n%s", out)
	}
	mustRun(t, 0, "store", "check")
	if out := mustRun(t, 0, "history", "--kind", "checkpoint"); !strings.Contains(out, "compaction removed 9 probe_summary event(s)") {
		t.Fatalf("history of the checkpoint:\n%s", out)
	}
}
