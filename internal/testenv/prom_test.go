package testenv_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestAlertmanager proves the test Alertmanager answers on loopback and
// runs without clustering (its status reports no cluster peers).
func TestAlertmanager(t *testing.T) {
	t.Parallel()
	base := testenv.Alertmanager(t)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("%s = %q, want a loopback URL", testenv.EnvAlertmanager, base)
	}
	get := func(path string) []byte {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s, %v", path, resp.Status, err)
		}
		return body
	}
	get("/-/ready")
	var status struct {
		Cluster struct {
			Status string `json:"status"`
		} `json:"cluster"`
	}
	if err := json.Unmarshal(get("/api/v2/status"), &status); err != nil {
		t.Fatalf("decode /api/v2/status: %v", err)
	}
	if status.Cluster.Status != "disabled" {
		t.Errorf("cluster status = %q, want disabled (--cluster.listen-address= empty)", status.Cluster.Status)
	}
}

func TestPromtool(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(context.Background(), testenv.Promtool(t), "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool --version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "promtool, version 2.") {
		t.Errorf("promtool --version = %q", out)
	}
}
