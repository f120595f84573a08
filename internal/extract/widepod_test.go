package extract_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
)

// widePod is a Deployment whose pod runs n containers, each with its own
// database URL in env.
func widePod(n int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wide\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n")
	for i := range n {
		fmt.Fprintf(&b, "        - name: c%d\n          image: app:%d\n          env:\n            - name: DATABASE_URL\n              value: postgres://app@db%d:5432/app\n", i, i, i)
	}
	return []byte(b.String())
}

// TestWidePodSidecarsBounded holds the "sidecars" parameter of a
// container to a bounded list: listing every other container for each of
// a pod's containers cost time and output quadratic in the pod's size (a
// 20,000-container manifest took 75 s).
func TestWidePodSidecarsBounded(t *testing.T) {
	const n = 200
	ps := extract.File("deploy/wide.yaml", widePod(n)).Profiles
	if len(ps) != n {
		t.Fatalf("got %d profiles, want %d", len(ps), n)
	}
	v, ok := ps[0].Params["sidecars"]
	if !ok {
		t.Fatalf("first profile has no sidecars parameter: %v", ps[0].Params)
	}
	parts := strings.Split(v.Text, ",")
	if len(parts) != 33 || parts[0] != "c1=app:1" || parts[32] != fmt.Sprintf("+%d more", n-1-32) {
		t.Errorf("sidecars = %d entries, first %q, last %q; want 32 containers and %q", len(parts), parts[0], parts[len(parts)-1], fmt.Sprintf("+%d more", n-1-32))
	}
	// A small pod lists every other container.
	small := extract.File("deploy/small.yaml", widePod(3)).Profiles
	if got := small[1].Params["sidecars"].Text; got != "c0=app:0,c2=app:2" {
		t.Errorf("sidecars of the middle container = %q, want c0=app:0,c2=app:2", got)
	}
}

// BenchmarkWidePod extracts one Deployment of 20,000 containers: the cost
// must grow linearly with the pod's size.
func BenchmarkWidePod(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		data := widePod(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				extract.File("deploy/wide.yaml", data)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/container")
		})
	}
}
