package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

// canaryFixedFlags are flags TestCanaryNeverLeaks gives a command on
// every run: watch is a daemon, so the generic runs use its --once round
// (TestCanaryWatchDaemon covers the daemon's logs, metrics and store).
func canaryFixedFlags() map[string][]string {
	return map[string][]string{"watch": {"--once"}}
}

// canaryWatchSetup lets watch --once resolve the canary through mounted
// secrets and the environment, as verify does.
func canaryWatchSetup(t *testing.T, ci canaryInputs) ([]canaryRun, string) {
	return canaryVerifySetup(t, ci)
}

// TestCanaryWatchDaemon runs the watch daemon over the canary tree (every
// probe fails, so alerts fire), reads its /metrics and /readyz, lets a
// file change be recorded, stops it and looks for the canary in its log,
// its metrics, its --check-config output and every file it wrote,
// including the store.
func TestCanaryWatchDaemon(t *testing.T) {
	root := t.TempDir()
	canaryStoreEnv(t, root)
	in := filepath.Join(root, "in")
	addr := "127.0.0.1:" + closedPort(t)
	if err := canaryWriteTree(in, canaryFiles(addr)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"DB_PASSWORD", "DB_PASS", "DATABASE_PASSWORD", "PGPASSWORD", "MYSQL_PWD"} {
		t.Setenv(name, canary)
	}
	// The alerts go to a real receiver, through a webhook URL whose path is
	// the token: --check-config must mask it, no payload may carry it.
	var payloads testenv.Buffer
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = payloads.Write(append(b, '\n'))
	}))
	defer receiver.Close()
	t.Setenv("DBGUARD_WEBHOOK_URL", receiver.URL+"/hook/"+url.PathEscape(canary))
	metricsAddr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	cfg := filepath.Join(root, "dbguard.yaml")
	if err := os.WriteFile(cfg, []byte(`version: 1
watch:
  interval: 300ms
  timeout: 1s
  sources:
    - paths: [in/]
  alerts:
    target_down: {failures: 1}
  notifiers:
    - {name: default, type: webhook, url_env: DBGUARD_WEBHOOK_URL}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	code, stdout, stderr := runCLI(t, "", "watch", "--config", cfg, "--check-config")
	if code != ExitOK || !strings.Contains(stdout, "url_env: DBGUARD_WEBHOOK_URL (set)") {
		t.Fatalf("--check-config: exit %d\n%s%s", code, stdout, stderr)
	}
	all.WriteString(stdout + stderr)

	store := filepath.Join(root, "state.db")
	ctx, cancel := context.WithCancel(context.Background())
	var out, logs testenv.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"watch", "--config", cfg, "--store", store, "--metrics-listen", metricsAddr, "--listen", "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))},
			strings.NewReader(""), &out, &logs)
	}()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + metricsAddr + path)
		if err != nil {
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, _ := get("/readyz"); c == http.StatusOK && strings.Contains(payloads.String(), `"schema_version"`) {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("watch not ready with an alert delivered after 20s; log:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A change: the password rotated in one file.
	app := filepath.Join(in, "config", "app.yaml")
	before, _ := os.ReadFile(app)
	if err := os.WriteFile(app, bytes.ReplaceAll(before, []byte(canary), []byte(canaryRotated)), 0o644); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(logs.String(), `"msg":"change recorded"`) {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the change was not recorded; log:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, page := get("/metrics")
	if !strings.Contains(page, "dbguard_probes_total") || !strings.Contains(page, "dbguard_alerts") {
		t.Errorf("/metrics lacks watch's metrics:\n%.2000s", page)
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("watch after its context ended: exit %d\n%s", code, logs.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch did not stop within 5s of its context's end")
	}
	all.WriteString(out.String() + logs.String() + page + payloads.String())
	for _, leak := range canaryLeaks([]byte(all.String())) {
		t.Errorf("the canary leaked (%s) into watch's output, log or metrics:\n%s", leak, canaryExcerpt(all.String(), leak))
	}
	for name, data := range canarySnapshot(t, root) {
		rel, _ := filepath.Rel(root, name)
		if strings.HasPrefix(filepath.ToSlash(rel), "in/") {
			continue // the inputs themselves
		}
		for _, leak := range canaryLeaks(data) {
			t.Errorf("the canary leaked (%s) into %s", leak, name)
		}
	}
}
