package cli

import (
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestDocsJSONMatchesSchema validates docs --format json against
// docs/schema/docs.schema.json: over the examples, and over a tree with a
// review policy, a baseline with reason and owner, a suppression comment
// and an unreadable file, so that every optional part is present.
func TestDocsJSONMatchesSchema(t *testing.T) {
	tmp := t.TempDir()
	tree := filepath.Join(tmp, "tree")
	writeTree(t, tree, map[string][]byte{
		"dbguard.yaml": []byte(canaryPolicy),
		"config/app.yaml": []byte("environment: production\ndatabase:\n  driver: postgres\n  host: db.prod.internal\n  user: app\n" +
			"  # dbguard:ignore password-literal rotated by the vault job\n  password: hunter2-not-a-secret\n"),
		"deploy/pgbouncer.ini": []byte("[databases]\napp = host=db.prod.internal port=5432 dbname=app\n[pgbouncer]\nlisten_port = 6432\n"),
	})
	baseline := filepath.Join(tmp, "baseline.json")
	if code, _, stderr := runCLI(t, "", "check", "--config", filepath.Join(tree, "dbguard.yaml"), "--write-baseline", baseline, tree); code != ExitOK {
		t.Fatalf("check --write-baseline: exit %d\n%s", code, stderr)
	}
	// Unreadable after the baseline was written, so that it is not accepted.
	writeTree(t, tree, map[string][]byte{"bin.yaml": []byte("\x00\x01\x02")})
	checkSchemaCases(t, "docs.schema.json", []schemaCase{
		{name: "examples", args: []string{"docs", "--no-config", "--format", "json", "--timestamp", filepath.Join(testenv.ModuleRoot(t), "examples")},
			codes: []int{ExitOK}, want: []string{`"generated"`, `"role": "pooler"`, `"secret": "secret:orders-db/password"`}},
		{name: "policy, baseline, comment, unreadable", args: []string{"docs", "--config", filepath.Join(tree, "dbguard.yaml"), "--baseline", baseline, "--format", "json", tree},
			codes: []int{ExitFindings}, want: []string{`"members": [`, `"by": "baseline"`, `"by": "comment"`, `"unreadable": [` + "\n"}},
	})
}
