package cli

import (
	"runtime/debug"
	"testing"
)

// The daemon's collector target is watchGCPercent unless GOGC says
// otherwise.
func TestSetWatchGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	prev, ok := setWatchGC(func(string) string { return "" })
	if !ok || prev != 100 {
		t.Fatalf("GOGC unset: set %v, previous %d; want set, previous 100", ok, prev)
	}
	if got := debug.SetGCPercent(100); got != watchGCPercent {
		t.Fatalf("GOGC unset: the collector's target is %d, want %d", got, watchGCPercent)
	}
	env := map[string]string{"GOGC": "200"}
	if _, ok := setWatchGC(func(k string) string { return env[k] }); ok {
		t.Fatal("GOGC=200 in the environment: watch replaced it")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC set: the collector's target is %d, want it left at 100", got)
	}
}
