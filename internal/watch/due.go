package watch

import "time"

// dueQueue orders the targets waiting for their next probe by when they
// are due, so that each look for due targets (once a round) costs what
// is due, not a walk over every target: at 1,000 targets the walk was a fifth of
// watch's CPU (bench/README.md, watch). A target is queued while it is
// watched, probeable and not in flight; launch takes it out, handle puts
// it back with its next time.
type dueQueue struct {
	items []dueItem
	// epoch is the first time queued; an item's key is its due time
	// after it (monotonic, as time.Time's own comparisons are).
	epoch time.Time
}

// dueItem keeps its state's due time beside the pointer, so that the
// heap's comparisons read one array rather than a state each: at 10,000
// targets the pointer chasing was most of the queue's CPU.
type dueItem struct {
	key int64
	s   *tstate
}

func (q *dueQueue) key(t time.Time) int64 {
	if q.epoch.IsZero() {
		q.epoch = t
	}
	return int64(t.Sub(q.epoch))
}

// queue puts s in the queue at s.next, or moves it there when it is
// queued already (s.next changed).
func (q *dueQueue) queue(s *tstate) {
	k := q.key(s.next)
	if s.slot >= 0 {
		q.items[s.slot].key = k
		q.fix(s.slot)
		return
	}
	q.items = append(q.items, dueItem{k, s})
	s.slot = len(q.items) - 1
	q.up(s.slot)
}

// drop takes s out of the queue, if it is in it.
func (q *dueQueue) drop(s *tstate) {
	if s.slot >= 0 {
		q.remove(s.slot)
	}
}

// remove takes out the item at i and returns its state.
func (q *dueQueue) remove(i int) *tstate {
	s := q.items[i].s
	last := len(q.items) - 1
	if i != last {
		q.swap(i, last)
	}
	q.items[last] = dueItem{}
	q.items = q.items[:last]
	if i != last {
		q.fix(i)
	}
	s.slot = -1
	return s
}

// The binary min-heap of container/heap, on dueItem without an interface.

func (q *dueQueue) swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].s.slot, q.items[j].s.slot = i, j
}

func (q *dueQueue) fix(i int) {
	if !q.down(i) {
		q.up(i)
	}
}

func (q *dueQueue) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if q.items[i].key <= q.items[j].key {
			return
		}
		q.swap(i, j)
		j = i
	}
}

// down moves the item at i toward the leaves and reports whether it moved.
func (q *dueQueue) down(i0 int) bool {
	i, n := i0, len(q.items)
	for {
		l := 2*i + 1
		if l >= n || l < 0 {
			break
		}
		j := l
		if r := l + 1; r < n && q.items[r].key < q.items[l].key {
			j = r
		}
		if q.items[j].key >= q.items[i].key {
			break
		}
		q.swap(i, j)
		i = j
	}
	return i > i0
}

// takeDue removes and returns the targets due at now, soonest first.
func (q *dueQueue) takeDue(now time.Time) []*tstate {
	var out []*tstate
	k := q.key(now)
	for len(q.items) > 0 && q.items[0].key <= k {
		out = append(out, q.remove(0))
	}
	return out
}
