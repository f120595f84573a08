package watch

import (
	"testing"
	"time"
)

func TestDueQueueTakesWhatIsDueSoonestFirst(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var q dueQueue
	states := make([]*tstate, 5)
	for i := range states {
		states[i] = &tstate{next: t0.Add(time.Duration(5-i) * time.Second), slot: -1}
		q.queue(states[i])
	}
	// states[4] is due at t0+1s, states[0] at t0+5s.
	q.drop(states[3]) // t0+2s: no longer queued
	q.drop(states[3]) // dropping twice is harmless
	states[0].next = t0
	q.queue(states[0]) // moved to the front
	got := q.takeDue(t0.Add(3 * time.Second))
	want := []*tstate{states[0], states[4], states[2]}
	if len(got) != len(want) {
		t.Fatalf("took %d targets, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("target %d taken out of order: next %v", i, got[i].next)
		}
		if got[i].slot != -1 {
			t.Fatalf("a taken target keeps slot %d", got[i].slot)
		}
	}
	if rest := q.takeDue(t0.Add(time.Hour)); len(rest) != 1 || rest[0] != states[1] {
		t.Fatalf("left in the queue: %d targets, want states[1] alone", len(rest))
	}
	if states[3].slot != -1 {
		t.Fatalf("a dropped target keeps slot %d", states[3].slot)
	}
}
