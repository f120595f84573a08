package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		name           string
		live, overhead uint64
		want           int64
	}{
		{"small heap: the floor", 1 * mb, 2 * mb, Floor},
		{"headroom over a few MB", Headroom - mb, Floor, Headroom - mb + Headroom + Floor},
		{"large heap: doubled, as GOGC=100", 200 * mb, 10 * mb, 410 * mb},
		{"no overflow", math.MaxUint64 / 2, math.MaxUint64 / 2, math.MaxInt64},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Limit(c.live, c.overhead); got != c.want {
				t.Errorf("Limit(%d, %d) = %d, want %d", c.live, c.overhead, got, c.want)
			}
		})
	}
}

// TestTunerFollowsLiveHeap: with 64 MB live, the limit set after a
// collection leaves room for the live heap again, and Stop restores the
// runtime's settings.
func TestTunerFollowsLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	tu := Start()
	if tu == nil {
		t.Fatal("Start returned nil with GOGC and GOMEMLIMIT unset")
	}
	if got := debug.SetMemoryLimit(-1); got < Floor {
		t.Errorf("limit after Start = %d, want at least %d", got, Floor)
	}
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	var limit int64
	for range 50 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
		if limit = debug.SetMemoryLimit(-1); limit >= 128<<20 {
			break
		}
	}
	runtime.KeepAlive(live)
	if limit < 128<<20 {
		t.Errorf("limit with 64 MB live = %d MB, want at least 128 MB", limit>>20)
	}
	tu.Stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit after Stop = %d, want %d as before Start", got, before)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC after Stop = %d, want 100", got)
	}
}

func TestUserSettingsWin(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "200")
			if tu := Start(); tu != nil {
				tu.Stop()
				t.Errorf("Start with %s set returned a tuner", env)
			}
		})
	}
	var tu *Tuner
	tu.Stop() // a nil tuner's Stop does nothing
}
