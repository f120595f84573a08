package cli

import "runtime/debug"

// watchGCPercent is the garbage collector's target for the watch daemon
// when GOGC does not set one: the heap may grow by half its live size
// between collections, not by all of it (Go's default, 100).
//
// watch's live heap is long-lived state (each target's profile, series
// and history) and its garbage is the probes', so with the default the
// heap, and the resident memory with it, sat at about twice the state:
// at 10,000 TCP-only targets, 56 MB live and a 102 MB heap. At 50 the
// peak RSS there fell from 153.9 to 135.9 MiB, with CPU per probe within
// the run-to-run noise (79.5 and 74.6 µs; a collection's cost follows the
// live heap, their number the allocation rate over the headroom, so at
// most twice the collector's few per cent of watch's CPU). Figures and
// commands: bench/README.md, watch, "Memory per target, after the wmem
// work". GOGC in the environment still decides, as for any Go program.
const watchGCPercent = 50

// setWatchGC applies watchGCPercent unless GOGC is set, and returns the
// setting it replaced.
func setWatchGC(getenv func(string) string) (previous int, set bool) {
	if getenv("GOGC") != "" {
		return 0, false
	}
	return debug.SetGCPercent(watchGCPercent), true
}
