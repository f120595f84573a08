package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// storePolicy is a review policy for the store tests, with the service
// that deploy/app.yaml belongs to; accept says accept_store_approvals.
func storePolicy(accept bool) string {
	return fmt.Sprintf(`version: 1
services:
  - name: orders
    paths: ["deploy/app.yaml"]
review:
  accept_store_approvals: %v
  require:
    - risk: high
      approvals: 1
`, accept)
}

// writeLoopbackApp writes deploy/app.yaml pointing at a closed loopback
// port, so that verify fails at once without leaving the machine.
func writeLoopbackApp(t *testing.T, repo string, port int, pw string) {
	t.Helper()
	text := fmt.Sprintf("environment: production\ndatabase:\n  driver: postgres\n  host: 127.0.0.1\n  port: %d\n  user: app\n  password: %s\n  sslmode: disable\n  connect_timeout: 2\n", port, pw)
	if err := os.WriteFile(filepath.Join(repo, "deploy", "app.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

type reviewDoc struct {
	Fingerprint string `json:"fingerprint"`
	Approvals   []struct {
		User     string `json:"user"`
		Source   string `json:"source"`
		Verified bool   `json:"verified"`
		Label    string `json:"label"`
	} `json:"approvals"`
	Missing []struct {
		Missing int `json:"missing"`
	} `json:"approvals_missing"`
}

func reviewJSON(t *testing.T, want int, args ...string) reviewDoc {
	t.Helper()
	code, stdout, stderr := runCLI(t, "", append([]string{"review", "--base", "HEAD", "--format", "json"}, args...)...)
	if code != want {
		t.Fatalf("review %v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
	}
	var d reviewDoc
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("review json: %v\n%s", err, stdout)
	}
	return d
}

// TestReviewStoreApprovals: an approval recorded with dbguard approve
// does not count while the base's policy leaves accept_store_approvals
// false; set true, it counts and every format labels it unverified
// (store). review --record keeps the fingerprint, the risk and the
// approvals that counted, and history finds the review by the service of
// the profiles it concerns.
func TestReviewStoreApprovals(t *testing.T) {
	noForge(t)
	repo, _ := storeRepo(t)
	port := testenv.ClosedPort(t)
	writeLoopbackApp(t, repo, port, "s3cret-one")
	for name, text := range map[string]string{"dbguard.yaml": storePolicy(false), "trusting.yaml": storePolicy(true)} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	writeLoopbackApp(t, repo, port+1, "s3cret-two")

	before := reviewJSON(t, 1)
	if before.Fingerprint == "" || len(before.Approvals) != 0 || len(before.Missing) != 1 {
		t.Fatalf("review before any approval: %+v", before)
	}
	fp := before.Fingerprint
	mustRun(t, 0, "approve", fp, "--by", "alice")

	off := reviewJSON(t, 1)
	if len(off.Approvals) != 0 || len(off.Missing) != 1 {
		t.Fatalf("accept_store_approvals false: the store approval counted: %+v", off)
	}
	on := reviewJSON(t, 0, "--config", "trusting.yaml")
	if on.Fingerprint != fp || len(on.Missing) != 0 || len(on.Approvals) != 1 {
		t.Fatalf("accept_store_approvals true: %+v", on)
	}
	if a := on.Approvals[0]; a.User != "alice" || a.Source != "store" || a.Verified || a.Label != "unverified (store)" {
		t.Fatalf("store approval as printed: %+v", a)
	}
	for format, want := range map[string]string{"text": "approved by alice — unverified (store)", "markdown": "@alice — unverified (store)"} {
		out := mustRun(t, 0, "review", "--base", "HEAD", "--config", "trusting.yaml", "--format", format)
		if !strings.Contains(out, want) {
			t.Errorf("review --format %s lacks %q:\n%s", format, want, out)
		}
	}
	// A name given on the command line counts alongside, labelled so.
	both := reviewJSON(t, 0, "--config", "trusting.yaml", "--approved-by", "carol")
	labels := map[string]string{}
	for _, a := range both.Approvals {
		labels[a.User] = a.Label
	}
	if labels["alice"] != "unverified (store)" || labels["carol"] != "unverified (command line)" {
		t.Fatalf("labels: %v", labels)
	}

	out := mustRun(t, 0, "review", "--base", "HEAD", "--config", "trusting.yaml", "--record", "--actor", "bob")
	if !strings.Contains(out, "recorded review event") {
		t.Fatalf("review --record:\n%s", out)
	}
	var hist struct {
		Events []struct {
			Kind     string `json:"kind"`
			Summary  string `json:"summary"`
			Profiles []struct {
				File    string `json:"file"`
				KeyPath string `json:"key_path"`
				Service string `json:"service"`
				Env     string `json:"env"`
			} `json:"profiles"`
			Body struct {
				Fingerprint string `json:"fingerprint"`
				Risk        string `json:"risk"`
				Missing     int    `json:"missing"`
				Approvals   []struct {
					User     string `json:"user"`
					Source   string `json:"source"`
					Verified bool   `json:"verified"`
				} `json:"approvals"`
			} `json:"body"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, 0, "history", "--kind", "review", "--format", "json")), &hist); err != nil || len(hist.Events) != 1 {
		t.Fatalf("history --kind review: %+v, %v", hist, err)
	}
	ev := hist.Events[0]
	if b := ev.Body; b.Fingerprint != fp || b.Risk == "" || b.Missing != 0 || len(b.Approvals) != 1 || b.Approvals[0].User != "alice" || b.Approvals[0].Source != "store" || b.Approvals[0].Verified {
		t.Fatalf("review event body: %+v", b)
	}
	if len(ev.Profiles) != 1 || ev.Profiles[0].File != "deploy/app.yaml" || ev.Profiles[0].KeyPath != "database" || ev.Profiles[0].Service != "orders" || ev.Profiles[0].Env != "production" {
		t.Fatalf("review event profiles: %+v", ev.Profiles)
	}
	if !strings.Contains(ev.Summary, "alice — unverified (store)") {
		t.Fatalf("review summary: %s", ev.Summary)
	}
}

// TestEventsCarryService: record, verify --record, approve, review
// --record and rollback each name the profile with the service scan gives
// it (here from dbguard.yaml's services section), so that history
// --service finds every one of them and no other service's.
func TestEventsCarryService(t *testing.T) {
	noForge(t)
	repo, _ := storeRepo(t)
	port := testenv.ClosedPort(t)
	writeLoopbackApp(t, repo, port, "s3cret-one")
	if err := os.WriteFile(filepath.Join(repo, "dbguard.yaml"), []byte(storePolicy(false)), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	mustRun(t, 0, "record", ".")
	first := mustRevisions(t, "deploy/app.yaml")[0]
	writeLoopbackApp(t, repo, port, "s3cret-two")
	var rec struct {
		Files []struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, 0, "record", "--format", "json", ".")), &rec); err != nil || len(rec.Files) != 1 {
		t.Fatalf("record json: %+v, %v", rec, err)
	}
	mustRun(t, 1, "verify", "--record", "deploy")
	mustRun(t, 0, "approve", rec.Files[0].Fingerprint, "--by", "alice")
	mustRun(t, 1, "review", "--base", "HEAD", "--record")
	mustRun(t, 0, "rollback", "--to", first[:12], "deploy/app.yaml")

	var hist struct {
		Events []struct {
			Kind     string `json:"kind"`
			Profiles []struct {
				Service string `json:"service"`
			} `json:"profiles"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, 0, "history", "--service", "orders", "--format", "json")), &hist); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range hist.Events {
		if len(e.Profiles) == 0 || e.Profiles[0].Service != "orders" {
			t.Errorf("a %s event without the service: %+v", e.Kind, e.Profiles)
		}
		if !slices.Contains(kinds, e.Kind) {
			kinds = append(kinds, e.Kind)
		}
	}
	slices.Sort(kinds)
	if got := strings.Join(kinds, ","); got != "approval,change,review,rollback,verification" {
		t.Fatalf("history --service orders has kinds %s, want every kind", got)
	}
	if err := json.Unmarshal([]byte(mustRun(t, 0, "history", "--service", "billing", "--format", "json")), &hist); err != nil || len(hist.Events) != 0 {
		t.Fatalf("history --service billing: %+v, %v", hist, err)
	}
}
