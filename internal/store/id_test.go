package store

import (
	"testing"
	"time"
)

// Event ids grow with time, so that they land at the end of their index,
// and differ within one millisecond; revision ids share no prefix by time,
// since users name revisions by a prefix.
func TestIDs(t *testing.T) {
	at := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	a, b := newEventID(at), newEventID(at)
	later := newEventID(at.Add(time.Millisecond))
	if len(a) != 32 || a == b || a[:12] != b[:12] || !(a < later && b < later) {
		t.Fatalf("event ids %s %s then %s: want 32 hex digits, a shared time prefix, growing with time", a, b, later)
	}
	seen := map[string]bool{}
	for range 64 {
		seen[newID()[:4]] = true
	}
	if len(seen) < 32 {
		t.Fatalf("64 revision ids have only %d distinct 4-digit prefixes: not random", len(seen))
	}
}
