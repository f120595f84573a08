package watch_bench

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

var pgbouncer = flag.String("pgbouncer", "", "comma-separated numbers of targets: measure dbguard watch's full PostgreSQL probes through the test PgBouncer (bench/watch/run.sh pgbouncer)")

// TestPgBouncerProbes measures what the Gatus comparison measures — CPU
// per probe, peak RSS per target, the rate reached — for full probes
// (dns, tcp, tls, auth, database, query, capacity) of PostgreSQL through
// the test command's PgBouncer, at the same 10 s interval and
// concurrency: what a probe costs when it logs in, beside the TCP-only
// floor. Every target is the same PgBouncer database, one profile per
// file, as a fleet of services sharing one pooler would be.
func TestPgBouncerProbes(t *testing.T) {
	if *pgbouncer == "" {
		t.Skip("a benchmark: bench/watch/run.sh pgbouncer")
	}
	raiseFileLimit(t)
	u := testenv.PgBouncer(t)
	bin := buildDbguard(t, t.TempDir())
	for _, s := range strings.Split(*pgbouncer, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			t.Fatalf("-pgbouncer: %q is not a positive number", s)
		}
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			dir := t.TempDir()
			files := filepath.Join(dir, "targets", "production")
			if err := os.MkdirAll(files, 0o755); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				line := "DATABASE_URL=" + u + "\n"
				if err := os.WriteFile(filepath.Join(files, fmt.Sprintf("t%05d.env", i)), []byte(line), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			listen := freePorts(t, 2)
			writeWatchConfig(t, dir, listen, 5*time.Second, "")
			c := start(t, "dbguard", dir, watchCommand(bin, dir))
			f := measure(t, c, "dbguard (PgBouncer, full probes)", fmt.Sprintf("http://127.0.0.1:%d/metrics", listen[1]), "dbguard_probes_total", n, *warmup)
			fmt.Println(f)
		})
	}
}
