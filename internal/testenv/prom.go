package testenv

import (
	"os"
	"testing"
)

// Variables for the Prometheus tools scripts/test.sh provides beside the
// databases: Alertmanager (the notify package's alerts go to it) and
// promtool (deploy/'s rules are unit-tested with it).
const (
	EnvAlertmanager = "DBGUARD_TEST_ALERTMANAGER"
	EnvPromtool     = "DBGUARD_TEST_PROMTOOL"
)

// Ledger names of the tools above, as test.sh counts them.
const (
	ServerAlertmanager = "alertmanager"
	ServerPromtool     = "promtool"
)

// Alertmanager returns the base URL (http://127.0.0.1:PORT, no trailing
// slash) of the test Alertmanager (Debian's prometheus-alertmanager),
// clustering off, its one receiver discarding. Its API v2 is under
// /api/v2; tests read what it holds with GET /api/v2/alerts. It is shared
// by every test of the run: a test tells its alerts apart by a label of
// its own.
func Alertmanager(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvAlertmanager, ServerAlertmanager)
}

// Promtool returns the path of promtool (Debian's prometheus package), for
// `promtool check rules` and `promtool test rules` on deploy/'s rules. The
// path is checked to be an executable file.
func Promtool(t testing.TB) string {
	t.Helper()
	p := lookup(t, EnvPromtool, ServerPromtool)
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		t.Fatalf("%s=%s: not an executable file (%v)", EnvPromtool, p, err)
	}
	return p
}
