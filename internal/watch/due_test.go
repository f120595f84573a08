package watch

import (
	"math/rand/v2"
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

// Under random queueing, moving, dropping and taking, the queue gives
// back exactly the queued states due by then, soonest first, and every
// state's slot says where it is.
func TestDueQueueAgreesWithSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Unix(1000, 0)
	var q dueQueue
	states := make([]*tstate, 300)
	for i := range states {
		states[i] = &tstate{slot: -1}
	}
	queued := map[*tstate]bool{}
	now := t0
	for round := range 2000 {
		s := states[rng.IntN(len(states))]
		switch rng.IntN(4) {
		case 0, 1: // queue or move
			s.next = now.Add(time.Duration(rng.IntN(10_000)) * time.Millisecond)
			q.queue(s)
			queued[s] = true
		case 2:
			q.drop(s)
			delete(queued, s)
		case 3:
			now = now.Add(time.Duration(rng.IntN(2_000)) * time.Millisecond)
			got := q.takeDue(now)
			var want []*tstate
			for x := range queued {
				if !x.next.After(now) {
					want = append(want, x)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("round %d: took %d, want %d", round, len(got), len(want))
			}
			for i, x := range got {
				if !queued[x] || x.next.After(now) || i > 0 && x.next.Before(got[i-1].next) || x.slot != -1 {
					t.Fatalf("round %d: taken state %d out of order or not due", round, i)
				}
				delete(queued, x)
			}
		}
		for i, it := range q.items {
			if it.s.slot != i || it.key != int64(it.s.next.Sub(q.epoch)) {
				t.Fatalf("round %d: item %d has slot %d", round, i, it.s.slot)
			}
		}
		if len(q.items) != len(queued) {
			t.Fatalf("round %d: %d queued, want %d", round, len(q.items), len(queued))
		}
	}
}
