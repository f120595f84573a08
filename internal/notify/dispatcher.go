package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

// Hooks report the Dispatcher's outcomes; this package does not log.
// OnDelivery is called once per attempt (attempt 1, 2, ...; err nil when
// delivered, the last attempt's error when given up), and with attempt 0
// for an alert dropped before any attempt (ErrQueueFull,
// ErrUnknownNotifier, ErrClosed). It is called from the notifier's worker
// and, for drops, from Send itself: it must not block, and may be nil.
type Hooks struct {
	OnDelivery func(notifier string, attempt int, err error)
}

func (h Hooks) delivery(notifier string, attempt int, err error) {
	if h.OnDelivery != nil {
		h.OnDelivery(notifier, attempt, err)
	}
}

// Dispatcher delivers alerts without ever blocking the caller: one bounded
// queue and worker per notifier, each attempt bounded by the spec's
// timeout, retries with backoff; results reported through Hooks.
type Dispatcher struct {
	hooks   Hooks
	workers map[string]*worker
	wg      sync.WaitGroup
	// stop cancels in-flight attempts and backoff waits when Close's
	// context ends before the queues are drained.
	stop   context.Context
	cancel context.CancelFunc

	mu     sync.RWMutex // guards closed and sends on the queues
	closed bool
}

type worker struct {
	spec  Spec
	n     alert.Notifier
	queue chan alert.Alert
}

// NewDispatcher validates every spec (all problems joined), builds the
// notifiers and starts one worker each. Names must be unique.
func NewDispatcher(specs []Spec, h Hooks) (*Dispatcher, error) {
	var errs []error
	workers := make(map[string]*worker, len(specs))
	for _, s := range specs {
		if _, dup := workers[s.Name]; dup {
			errs = append(errs, &FieldError{Notifier: s.Name, Field: "name", Problem: "used by two notifiers"})
			continue
		}
		n, err := New(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		workers[s.Name] = &worker{spec: s.withDefaults(), n: n, queue: make(chan alert.Alert, QueueSize)}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("build notifiers: %w", errors.Join(errs...))
	}
	d := &Dispatcher{hooks: h, workers: workers}
	d.stop, d.cancel = context.WithCancel(context.Background())
	for _, w := range workers {
		d.wg.Add(1)
		go d.run(w)
	}
	return d, nil
}

// Send queues a for each named notifier and returns how many queues took
// it. It never blocks: an alert that does not fit a full queue, or names
// an unknown notifier, or comes after Close, is dropped and reported
// through OnDelivery (attempt 0).
func (d *Dispatcher) Send(notifiers []string, a alert.Alert) (queued int) {
	type drop struct {
		name string
		err  error
	}
	var drops []drop
	d.mu.RLock()
	for _, name := range notifiers {
		w, ok := d.workers[name]
		switch {
		case !ok:
			drops = append(drops, drop{name, ErrUnknownNotifier})
		case d.closed:
			drops = append(drops, drop{name, ErrClosed})
		default:
			select {
			case w.queue <- a:
				queued++
			default:
				drops = append(drops, drop{name, ErrQueueFull})
			}
		}
	}
	d.mu.RUnlock()
	// Hooks run outside the lock: one that calls Send cannot deadlock.
	for _, dr := range drops {
		d.hooks.delivery(dr.name, 0, dr.err)
	}
	return queued
}

// Close stops taking alerts and delivers the queued ones, retries
// included, until ctx ends; then it cancels what is in flight, reports
// what is left as ErrClosed and returns ctx's error. It returns once every
// worker has stopped. Calling it twice is harmless.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		for _, w := range d.workers {
			close(w.queue)
		}
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		d.cancel()
		<-done
		err = fmt.Errorf("drain notifier queues: %w", ctx.Err())
	}
	d.cancel()
	for _, w := range d.workers {
		if c, ok := w.n.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
	return err
}

// run is one notifier's worker: it delivers its queue in order until the
// queue is closed and empty, or the dispatcher is stopped.
func (d *Dispatcher) run(w *worker) {
	defer d.wg.Done()
	for a := range w.queue {
		if d.stop.Err() != nil {
			d.hooks.delivery(w.spec.Name, 0, ErrClosed)
			continue
		}
		d.deliver(w, a)
	}
}

// deliver tries a up to 1 + Retries times, each attempt bounded by the
// notifier's timeout (Notify applies it), waiting Backoff, 2×Backoff, ...
// between attempts; a permanent error ends the tries at once.
func (d *Dispatcher) deliver(w *worker, a alert.Alert) {
	wait := w.spec.Backoff
	for attempt := 1; ; attempt++ {
		err := w.n.Notify(d.stop, a)
		d.hooks.delivery(w.spec.Name, attempt, err)
		if err == nil || Permanent(err) || attempt > w.spec.Retries || d.stop.Err() != nil {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-d.stop.Done():
			t.Stop()
			return
		}
		wait *= 2
	}
}
