package scan_test

import (
	"context"
	"testing"

	"github.com/dbguard/dbguard/internal/scan"
)

// TestEnvFromAcrossFiles checks that a ConfigMap read through envFrom by a
// Deployment in another file takes the Deployment's replicas, raised by its
// autoscaler.
func TestEnvFromAcrossFiles(t *testing.T) {
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{"testdata/envfrom"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Profiles) != 1 {
		t.Fatalf("got %d profiles, want the ConfigMap's one", len(res.Profiles))
	}
	p := res.Profiles[0]
	if n, ok := p.Replicas.Count.Int(); !ok || n != 9 || p.Replicas.Source != "hpa" {
		t.Errorf("replicas = %q from %q, want 9 from hpa", p.Replicas.Count.Text, p.Replicas.Source)
	}
	if w := p.Params["workload"].Text; w != "Deployment/ledger" {
		t.Errorf("workload = %q", w)
	}
	if a := p.Params["app"].Text; a != "ledger" {
		t.Errorf("app = %q", a)
	}
}
