package cli

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestCanaryDocs plants canary passwords in every shape scan reads (the
// canary tree of every format, issue 12's shapes: a base64 Secret pulled
// into a URL, a PgBouncer value, a .env expansion, a subchart, StackExchange
// strings, Prisma; and malformed connection strings of every dialect with
// the password cut in the wrong place), with a review policy, a baseline
// and a store holding their revisions, and asserts that no page docs
// writes, no JSON it prints and nothing on stdout or stderr holds any of
// them: in clear, base64, percent-encoded, or any encoding the canary
// detector knows (runs of 6 characters of the canary, 4 of the others).
func TestCanaryDocs(t *testing.T) {
	_, repo := canaryRepo(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(testenv.ClosedPort(t)))
	host, port, _ := net.SplitHostPort(addr)
	const dsnPW, dsnTail = "Wd4Rk8Nq2T", "Jm6Vb"
	dsnFiles, dsnSecrets := dsnCanaryFiles(dsnCanaryCases(host, port, dsnPW, dsnTail))
	files := canaryFiles(addr)
	for name, text := range shapeCanaryFiles(canary) {
		files["shapes/"+name] = text
	}
	for name, text := range dsnFiles {
		files["dsn/"+name] = text
	}
	files["dbguard.yaml"] = canaryPolicy
	if err := canaryWriteTree(repo, files); err != nil {
		t.Fatal(err)
	}
	baseline := filepath.Join(repo, "baseline.json")
	if code, stdout, stderr := runCLI(t, "", "check", "--write-baseline", baseline, repo); code != ExitOK {
		t.Fatalf("check --write-baseline: exit %d\n%s%s", code, stdout, stderr)
	}
	// Give every entry a reason and an owner, as people do.
	data, err := os.ReadFile(baseline)
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	entries, _ := b["findings"].([]any)
	for _, e := range entries {
		e.(map[string]any)["reason"], e.(map[string]any)["owner"] = "accepted until the migration", "team-db"
	}
	if data, err = json.Marshal(b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(baseline, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCLI(t, "", "record", repo); code == ExitUsage {
		t.Fatalf("record: exit 2\n%s%s", stdout, stderr)
	}

	out := filepath.Join(t.TempDir(), "reference")
	var all strings.Builder
	run := func(args ...string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", args...)
		if code == ExitUsage {
			t.Fatalf("dbguard %s: exit 2\n%s%s", strings.Join(args, " "), stdout, stderr)
		}
		all.WriteString(stdout + stderr)
	}
	common := []string{"--baseline", baseline, "--store", filepath.Join(repo, ".dbguard", "state.db")}
	run(append([]string{"docs", "--out", out, "--timestamp"}, append(common, repo)...)...)
	run(append([]string{"docs", "--check", "--out", out}, append(common, repo)...)...)
	run(append([]string{"docs", "--format", "json"}, append(common, repo)...)...)
	run(append([]string{"docs", "--format", "json", "--out", out}, append(common, repo)...)...)
	run("docs", "--no-config", "--out", filepath.Join(t.TempDir(), "plain"), repo)

	pages := treeOf(t, out)
	var written strings.Builder
	for _, p := range pages {
		written.WriteString(p)
	}
	// Not vacuous: the pages describe the planted connections, their
	// literal passwords among them, the policy, the baseline and the store.
	for _, want := range []string{"written in the file", "dba (alice, bob)", "accepted until the migration", "team-db",
		"none recorded", "shapes/", "dsn/", "secret `"} {
		if !strings.Contains(written.String(), want) {
			t.Errorf("the reference does not mention %q: the canary was not reached", want)
		}
	}
	if len(pages) < 30 {
		t.Errorf("only %d files written", len(pages))
	}
	secrets := append([]string{dsnPW, dsnPW + dsnTail}, dsnSecrets...)
	for name, text := range map[string]string{"output": all.String(), "the pages": written.String()} {
		for _, l := range canaryLeaks([]byte(text)) {
			t.Errorf("%s leak the canary: %s\n%s", name, l, canaryExcerpt(text, l))
		}
		for _, l := range dsnLeaks([]byte(text), secrets) {
			t.Errorf("%s leak a malformed string's password: %s\n%s", name, l, canaryExcerpt(text, l))
		}
	}
}
