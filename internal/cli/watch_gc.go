package cli

import "runtime/debug"

// watchGCPercent is the garbage collector's target for the watch daemon
// when GOGC does not set one: the heap may grow by half its live size
// between collections, not by all of it (Go's default, 100).
//
// watch's live heap is long-lived state (each target's profile, series
// and history) and its garbage is the probes', so with the default the
// heap, and the resident memory with it, sat at about twice the state.
// Measured at 10,000 TCP-only targets six minutes in (bench/README.md,
// watch), GOGC 100 → 50: peak RSS 140.4 → 116.7 MiB, CPU per probe 34.7
// → 39.5 µs, the collector running twice as often. Memory is what a
// sidecar is limited by, so the daemon takes the smaller heap; GOGC in
// the environment still decides, as for any Go program.
const watchGCPercent = 50

// setWatchGC applies watchGCPercent unless GOGC is set, and returns the
// setting it replaced.
func setWatchGC(getenv func(string) string) (previous int, set bool) {
	if getenv("GOGC") != "" {
		return 0, false
	}
	return debug.SetGCPercent(watchGCPercent), true
}
