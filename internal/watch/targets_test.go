package watch

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/verify"
)

// The profiles the daemon keeps lose their connection-string copies and
// nothing the prober reads: verify builds the same target from the trimmed
// profile as from the whole one, for URLs with parameters, key-value
// strings, references left to the environment and YAML blocks.
func TestForProbingKeepsWhatTheProberReads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"plain.env":  "DATABASE_URL=postgres://app@127.0.0.1:5432/orders\n",
		"params.env": "DATABASE_URL=postgres://app:s3cret@db1:5432,db2:5433/orders?sslmode=verify-full&sslrootcert=/etc/ca.pem&target_session_attrs=read-write&connect_timeout=5&application_name=orders&ssl_min_protocol_version=TLSv1.2\n",
		"ref.env":    "DATABASE_URL=${ORDERS_URL}\n",
		"kv.env":     "DATABASE_URL=host=db port=6432 dbname=orders user=app sslmode=require\n",
		"mysql.env":  "DATABASE_URL=mysql://app@tcp(db:3306)/orders?tls=true&timeout=5s\n",
		"app.yaml": `production:
  database:
    url: postgres://app@db:5432/orders?sslmode=require
    pool: {max_open: 20}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &config.Config{}
	ro := verify.ResolveOptions{Env: func(string) (string, bool) { return "", false }}
	snap, err := scanSources(context.Background(), dir, cfg, []source{{Arg: dir}}, app.Drivers(), ro)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Targets) < len(files) {
		t.Fatalf("%d targets from %d files", len(snap.Targets), len(files))
	}
	trimmed := 0
	for _, tg := range snap.Targets {
		before, errBefore := verify.TargetFrom(tg.Prof, app.Drivers(), ro)
		_, hadURL := tg.Prof.Param("url")
		_, hadRaw := tg.Prof.Param("raw")
		forProbing(tg.Prof)
		after, errAfter := verify.TargetFrom(tg.Prof, app.Drivers(), ro)
		if !reflect.DeepEqual(before, after) || (errBefore == nil) != (errAfter == nil) {
			t.Errorf("%s: the prober's target changed:\n before %+v (%v)\n after  %+v (%v)", tg.ID, before, errBefore, after, errAfter)
		}
		if _, ok := tg.Prof.Param("url"); ok {
			t.Errorf("%s: still holds its url parameter", tg.ID)
		}
		if _, ok := tg.Prof.Param("raw"); ok {
			t.Errorf("%s: still holds its raw parameter", tg.ID)
		}
		if hadURL || hadRaw {
			trimmed++
		}
	}
	if trimmed == 0 {
		t.Fatal("no profile had a connection-string copy to drop: the test proves nothing")
	}
}
