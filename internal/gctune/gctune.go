// Package gctune paces dbguard's garbage collector for a command-line run:
// a fixed headroom over the live heap instead of the runtime's default of
// doubling it.
//
// With GOGC=100 the runtime lets the heap grow to twice the live data
// before it collects, and on a small heap its 4 MB minimum makes it
// collect dozens of times. check holds a few MB of findings while it
// allocates ten times that in garbage of files already judged. The tuner instead sets a soft memory limit of
// the live heap plus a headroom (Headroom, at least Floor in all), raised
// after every collection as the live heap grows, with GOGC off: the
// collector runs when the headroom is used up, and never lets the heap
// outgrow its live data by more than the headroom or by its double,
// whichever is larger — so a large run behaves as GOGC=100 would.
//
// GOGC or GOMEMLIMIT in the environment turn the tuner off: the user's
// settings win.
package gctune

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Floor is the smallest limit the tuner sets, and Headroom the least room
// it leaves above the live heap. Both count all of the runtime's memory
// (heap, stacks, metadata), as debug.SetMemoryLimit does. Measured on
// check over 10,000 files (bench/README.md, "check"): 18 MB and 6 MB
// against 20 MB and 8 MB cost 5% more CPU for 2 MB less peak memory.
const (
	Floor    = 18 << 20
	Headroom = 6 << 20
)

// Tuner adjusts the memory limit after each collection until Stop.
type Tuner struct {
	mu      sync.Mutex
	stopped bool
	samples []metrics.Sample
	// prevGOGC and prevLimit are restored by Stop.
	prevGOGC  int
	prevLimit int64
}

// Start starts the tuner, unless GOGC or GOMEMLIMIT is set, in which case
// it returns nil (Stop on nil does nothing).
func Start() *Tuner {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	t := &Tuner{samples: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}}
	t.prevLimit = debug.SetMemoryLimit(Floor)
	t.prevGOGC = debug.SetGCPercent(-1)
	t.adjust()
	t.arm()
	return t
}

// Stop restores the runtime's settings as they were before Start.
func (t *Tuner) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	debug.SetGCPercent(t.prevGOGC)
	debug.SetMemoryLimit(t.prevLimit)
}

// sentinel is collected by every cycle; its finalizer runs the tuner and
// makes the next one. It is larger than 16 bytes so that the allocator
// does not combine it with others (a tiny object's finalizer may not run).
type sentinel struct{ _ [32]byte }

func (t *Tuner) arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		t.mu.Lock()
		stopped := t.stopped
		t.mu.Unlock()
		if stopped {
			return
		}
		t.adjust()
		t.arm()
	})
}

// adjust sets the limit from the live heap of the last collection.
func (t *Tuner) adjust() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	metrics.Read(t.samples)
	live := t.samples[0].Value.Uint64()
	// What the runtime holds besides heap objects (stacks, metadata,
	// free heap not yet returned) counts against the limit too.
	total := t.samples[1].Value.Uint64()
	released := t.samples[2].Value.Uint64()
	free := t.samples[3].Value.Uint64()
	unused := t.samples[4].Value.Uint64()
	objects := t.samples[5].Value.Uint64()
	overhead := total - released - free - unused - objects
	limit := Limit(live, overhead)
	debug.SetMemoryLimit(limit)
}

// Limit is the memory limit for a live heap of live bytes and overhead
// bytes of other runtime memory: room for Headroom or for the live heap
// again, whichever is more, and never under Floor.
func Limit(live, overhead uint64) int64 {
	const most = math.MaxInt64
	room := max(live, Headroom)
	if live > most || room > most-live || overhead > most-live-room {
		return most
	}
	return max(int64(live+room+overhead), Floor)
}
