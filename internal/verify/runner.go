package verify

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
)

// Retryable reports whether another try may succeed after a failure of
// class c at stage s: the host could not be reached, or was not acceptable
// for now (starting or stopping, read-only, full, answering garbage). It is
// one table for both kinds of "another try": the next host of a profile
// (libpq's rule) and a fleet run's retries of a whole profile
// (RunOptions.Retries). A rejected login, a missing database or role, a
// refused permission and an invalid profile are never retried: the same
// settings get the same answer, and a deploy gate that retried them would
// only report them later.
func Retryable(s Stage, c Class) bool {
	switch c {
	case ClassTLSRequiredByServer, ClassConfigInvalid, ClassNotVerified:
		return false
	case ClassProtocolTimeout, ClassProtocolError, ClassServerStartingOrStopping, ClassReadOnlyServer,
		ClassTooManyConnections, ClassUpstreamUnavailable:
		return true
	}
	switch s {
	case StageDNS, StageTCP, StageTLS:
		return true
	}
	return false
}

// RunOptions tune a fleet run. Zero values mean the documented defaults.
type RunOptions struct {
	// Workers bounds the probes in flight (default 8).
	Workers int
	// Retries is how many more times a profile whose failure is
	// Retryable is probed, Backoff apart.
	Retries int
	Backoff time.Duration
	// Resolve says how a profile's references are resolved (environment,
	// secret files, relative paths).
	Resolve ResolveOptions
	// OnStart, when set, is called once with the number of targets before
	// any probe begins.
	OnStart func(targets int)
	// OnResult, when set, is called once per target as its result is
	// final, with the target's index: a progress bar, a metric, a store
	// write. Calls are serialised; a slow callback slows the run.
	OnResult func(i int, r Result)
	// Stream, with OnResult set, hands each result to OnResult only: Run
	// keeps no slice of them and returns nil with its error. watch's
	// rounds of thousands of probes read them one by one.
	Stream bool
}

// RunEndedError says that the run's context ended (its deadline, a signal)
// before every target had an answer. The results of those targets are in
// Run's slice as not verified (ClassNotVerified), never left out.
type RunEndedError struct {
	NotVerified int   // targets without an answer
	Total       int   // targets of the run
	Cause       error // context.Cause of the run's context
}

func (e *RunEndedError) Error() string {
	return fmt.Sprintf("%d of %d profiles not verified: %v", e.NotVerified, e.Total, e.Cause)
}

// Unwrap returns the cause, so that errors.Is(err, context.Canceled) and a
// caller's own cause can be tested.
func (e *RunEndedError) Unwrap() error { return e.Cause }

// Run verifies targets with a bounded pool of workers and returns one
// result per target, in the targets' order. When ctx ends no probe begins
// and the probes in flight stop at once; every target without an answer
// gets a not-verified result, and the error is a *RunEndedError.
func (p *Prober) Run(ctx context.Context, targets []*profile.Profile, o RunOptions) ([]Result, error) {
	workers := o.Workers
	if workers <= 0 {
		workers = 8
	}
	if o.OnStart != nil {
		o.OnStart(len(targets))
	}
	// Workers take the next target from a shared counter and write its
	// result in place; the caller's goroutine is one of them. No
	// dispatching or collecting goroutine: each hand-off between
	// goroutines cost a thread wake-up, several a probe, and for watch's
	// TCP-only probes those wake-ups were a larger share of the CPU than
	// the dial (bench/README.md, watch).
	var results []Result
	if !o.Stream || o.OnResult == nil {
		results = make([]Result, len(targets))
	}
	seen := make([]bool, len(targets))
	var unanswered atomic.Int64 // results not verified, when not kept
	var next atomic.Int64
	var mu sync.Mutex // serialises OnResult
	work := func() {
		for ctx.Err() == nil {
			i := int(next.Add(1)) - 1
			if i >= len(targets) {
				return
			}
			r := p.probeWithRetries(ctx, targets[i], o)
			seen[i] = true
			if results != nil {
				results[i] = r
			} else if !r.Verified() {
				unanswered.Add(1)
			}
			if o.OnResult != nil {
				mu.Lock()
				o.OnResult(i, r)
				mu.Unlock()
			}
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < min(workers, len(targets)); w++ {
		wg.Go(work)
	}
	work()
	wg.Wait()
	unverified := int(unanswered.Load())
	for i, ok := range seen {
		switch {
		case !ok: // never begun: the run ended first
			r := NotProbed(ctx, targets[i])
			if results != nil {
				results[i] = r
			}
			if o.OnResult != nil {
				o.OnResult(i, r)
			}
			unverified++
		case results != nil && !results[i].Verified():
			unverified++
		}
	}
	if unverified > 0 {
		return results, &RunEndedError{NotVerified: unverified, Total: len(targets), Cause: context.Cause(ctx)}
	}
	return results, nil
}

// probeWithRetries probes prof up to 1+o.Retries times while its failure
// is Retryable. A try that the run's end cut short is no answer: the try
// before it, a real failure, stands (a retry storm against a refused port
// ends tcp_refused, not as whatever the deadline made of the last dial).
func (p *Prober) probeWithRetries(ctx context.Context, prof *profile.Profile, o RunOptions) Result {
	var r Result
	for try := 0; try <= o.Retries; try++ {
		if try > 0 && !sleep(ctx, o.Backoff) {
			return r
		}
		next := p.Probe(ctx, prof, o.Resolve)
		if try > 0 && !next.Verified() {
			return r
		}
		r = next
		r.Tries = try + 1
		if a := r.Final(); r.OK() || a == nil || !Retryable(a.Stage, a.Class) {
			break
		}
	}
	return r
}

// sleep waits d, and reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
