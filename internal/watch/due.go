package watch

import (
	"container/heap"
	"time"
)

// dueQueue orders the targets waiting for their next probe by when they
// are due, so that each look for due targets (every 100 ms) costs what is due, not
// a walk over every target: at 1,000 targets the walk was a fifth of
// watch's CPU (bench/README.md, watch). A target is queued while it is
// watched, probeable and not in flight; launch takes it out, handle puts
// it back with its next time.
type dueQueue []*tstate

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].next.Before(q[j].next) }
func (q dueQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].slot, q[j].slot = i, j
}

func (q *dueQueue) Push(x any) {
	s := x.(*tstate)
	s.slot = len(*q)
	*q = append(*q, s)
}

func (q *dueQueue) Pop() any {
	old := *q
	s := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	s.slot = -1
	return s
}

// queue puts s in the queue at s.next, or moves it there when it is
// queued already (s.next changed).
func (q *dueQueue) queue(s *tstate) {
	if s.slot >= 0 {
		heap.Fix(q, s.slot)
		return
	}
	heap.Push(q, s)
}

// drop takes s out of the queue, if it is in it.
func (q *dueQueue) drop(s *tstate) {
	if s.slot >= 0 {
		heap.Remove(q, s.slot)
	}
}

// takeDue removes and returns the targets due at now, soonest first.
func (q *dueQueue) takeDue(now time.Time) []*tstate {
	var out []*tstate
	for len(*q) > 0 && !(*q)[0].next.After(now) {
		out = append(out, heap.Pop(q).(*tstate))
	}
	return out
}
