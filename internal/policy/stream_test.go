package policy_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// TestStreamEqualsEvaluate: a streamed run (scan.Walk into policy.Stream,
// the way check runs) gives the very report that Evaluate gives over
// scan.Run's profiles, on real trees, with one worker and with several,
// with environment-scoped and re-severitied rules, and with several path
// arguments (whose file names may repeat).
//
// Files another file may change (Kubernetes manifests, workloads) are
// judged at once and read again in Finish when one does (extract.LinkKeys),
// or kept whole until Finish when the stream cannot read again; the fleet
// rule's records are made in Finish from files read again, or kept from
// the start: every way is compared. The "linked" tree has each kind of
// change across files; "fleet" copies of one service in several folders.
func TestStreamEqualsEvaluate(t *testing.T) {
	trees := map[string][]string{
		"cli-golden-tree": {filepath.Join("..", "cli", "testdata", "scan")},
		"rule-examples":   {ruleExampleTree(t)},
		"real-world":      {filepath.Join("..", "..", "..", "shared", "corpus", "real-world")},
		"linked":          {filepath.Join("testdata", "linked")},
		"fleet":           {filepath.Join("testdata", "fleet")},
		"two-args":        {filepath.Join("..", "cli", "testdata", "scan"), filepath.Join("..", "cli", "testdata", "scan")},
	}
	scoped := policy.DefaultSettings()
	scoped.Rules = map[string]policy.RuleSetting{
		policy.StatementTimeoutMissing: {Disabled: true},
		policy.PasswordLiteral:         {Environments: []profile.Environment{profile.Production}},
		policy.DuplicateKey:            {Severity: policy.Info, Environments: []profile.Environment{profile.Development}},
		policy.FleetInconsistent:       {Severity: policy.Warning},
	}
	settings := map[string]*policy.Settings{"defaults": policy.DefaultSettings(), "scoped": scoped}
	for name, paths := range trees {
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				t.Skipf("%s: %v", name, err)
			}
		}
		for sname, s := range settings {
			for _, run := range streamRuns {
				workers, linkKeys := run.workers, run.linkKeys
				t.Run(name+"/"+sname+"/"+run.name, func(t *testing.T) {
					t.Parallel()
					ctx := context.Background()
					res, err := scan.Run(ctx, scan.Options{Paths: paths})
					if err != nil {
						t.Fatal(err)
					}
					in := policy.Input{Profiles: res.Profiles, Files: res.Files}
					for _, pr := range res.Problems {
						in.Problems = append(in.Problems, profile.Problem{Loc: pr.Loc, Msg: pr.Msg})
					}
					want := policy.Evaluate(in, policy.Builtins(), s)

					opts := policy.StreamOptions{UniqueNames: len(paths) == 1, LinkKeys: linkKeys}
					if run.reread {
						opts.Reread = func(arg int, rel string) ([]*profile.Profile, bool) {
							return scan.Reread(scan.Options{Paths: paths}, arg, rel, nil)
						}
					}
					st := policy.NewStream(policy.Builtins(), s, opts)
					var links scan.Linker
					sum, err := scan.Walk(ctx, scan.Options{Paths: paths, Workers: workers}, func(fr scan.FileResult) {
						fi := policy.FileInput{Index: fr.Index, Profiles: fr.Profiles, Arg: fr.Arg, Rel: fr.Rel}
						for _, pr := range fr.Problems {
							fi.Problems = append(fi.Problems, profile.Problem{Loc: pr.Loc, Msg: pr.Msg})
						}
						kept := st.File(fi)
						links.Add(fr)
						if !kept {
							// As check does: a stream that still pointed
							// at a released profile would see it reused.
							extract.Release(fr.Profiles)
						}
					})
					if err != nil {
						t.Fatal(err)
					}
					got := st.Finish(sum.Files, policy.Links{Targeted: links.Targeted, Link: links.Link})
					if sum.Files != res.Files || sum.Readable != res.Readable || sum.Bytes != res.Bytes {
						t.Errorf("Walk counted %+v, Run %d files, %d readable, %d bytes", sum, res.Files, res.Readable, res.Bytes)
					}
					t.Logf("%d findings: %v", len(want.Findings), want.CountByRule())
					if len(want.Findings) == 0 {
						t.Fatalf("no findings at all: the comparison proves nothing")
					}
					if !reflect.DeepEqual(got, want) {
						for i := range min(len(got.Findings), len(want.Findings)) {
							if !reflect.DeepEqual(got.Findings[i], want.Findings[i]) {
								t.Fatalf("finding %d differs:\nstream   %+v\nevaluate %+v", i, got.Findings[i], want.Findings[i])
							}
						}
						t.Fatalf("reports differ: stream %d findings, %d profiles, %d rules; evaluate %d findings, %d profiles, %d rules",
							len(got.Findings), got.Profiles, len(got.Rules), len(want.Findings), want.Profiles, len(want.Rules))
					}
				})
			}
		}
	}
}

// TestIndexSuppressionsEqualsSources: suppressions indexed from a file's
// bytes act exactly as those read through Sources.
func TestIndexSuppressionsEqualsSources(t *testing.T) {
	text := "a: 1\r\n# dbguard:ignore port-invalid old port, migrating\nport: 70000\n# dbguard:ignore password-literal\npassword: x\n"
	mk := func() *policy.Report {
		return &policy.Report{Findings: []policy.Finding{
			{Rule: policy.PortInvalid, Loc: profile.Location{File: "a.yaml", Line: 3, Column: 7}},
			{Rule: policy.PasswordLiteral, Loc: profile.Location{File: "a.yaml", Line: 5, Column: 11}},
			{Rule: policy.PasswordLiteral, Loc: profile.Location{File: "b.yaml", Line: 1, Column: 1}},
		}}
	}
	a, b := mk(), mk()
	policy.ApplySuppressions(a, func(file string) ([]byte, bool) { return []byte(text), file == "a.yaml" }, policy.Warning)
	idx := policy.IndexSuppressions([]byte(text))
	policy.ApplySuppressionIndex(b, func(file string) *policy.SuppressionIndex {
		if file == "a.yaml" {
			return idx
		}
		return nil
	}, policy.Warning)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("index differs from sources:\n%+v\n%+v", b, a)
	}
	if len(a.Suppressed) != 1 || len(a.Findings) != 3 {
		t.Fatalf("want 1 suppressed and 3 findings (one suppression-without-reason), got %+v", a)
	}
	if policy.IndexSuppressions([]byte("a: 1\n")) != nil {
		t.Error("a file without directives has a non-nil index")
	}
}

// ruleExampleTree writes every built-in rule's bad and good example as a
// file, a fleet whose copies disagree across region folders, and a
// Kubernetes folder where an autoscaler, a workload and a database server
// sit in separate manifests.
func ruleExampleTree(t *testing.T) string {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range policy.Builtins() {
		for kind, ex := range map[string][2]string{"bad": {r.BadName, r.Bad}, "good": {r.GoodName, r.Good}} {
			if ex[0] == "" || strings.ContainsAny(ex[0], "{} +") {
				continue
			}
			write(r.ID+"/"+kind+"/"+ex[0], ex[1])
		}
	}
	for region, port := range map[string]string{"eu": "5432", "us": "5432", "ap": "5433"} {
		write("fleet/"+region+"/orders.yaml", "environment: production\ndatabase:\n  host: orders-db\n  port: "+port+"\n")
	}
	write("k8s/a-hpa.yaml", "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: orders}\n  maxReplicas: 10\n")
	write("k8s/b-deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  labels: {environment: production}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: app
          image: example/orders:1
          env:
            - name: DATABASE_URL
              value: postgres://orders@orders-db:5432/orders?sslmode=disable
            - name: DB_MAX_OPEN_CONNS
              value: "40"
`)
	write("k8s/c-db.yaml", `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: orders-db
spec:
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:16
          args: ["-c", "max_connections=100", "-c", "port=5433"]
          env:
            - name: POSTGRES_DB
              value: order
`)
	return dir
}

// streamRuns are the ways TestStreamEqualsEvaluate streams each tree.
// Without Reread the stream keeps linked files whole and every client's
// fleet record; with it, it reads files again in Finish.
var streamRuns = []struct {
	name     string
	workers  int
	linkKeys func(*profile.Profile) []string
	reread   bool
}{
	{"workers=1", 1, extract.LinkKeys, true},
	{"workers=4", 4, extract.LinkKeys, true},
	{"workers=4/kept-whole", 4, nil, false},
	{"workers=4/no-reread", 4, extract.LinkKeys, false},
}
