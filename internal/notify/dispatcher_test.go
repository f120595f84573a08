package notify_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
	"github.com/dbguard/dbguard/internal/testenv"
)

// outcome is one OnDelivery call.
type outcome struct {
	notifier string
	attempt  int
	err      error
	at       time.Time
}

// recorder collects OnDelivery calls.
type recorder struct {
	mu  sync.Mutex
	got []outcome
}

func (r *recorder) hooks() notify.Hooks {
	return notify.Hooks{OnDelivery: func(n string, attempt int, err error) {
		r.mu.Lock()
		r.got = append(r.got, outcome{n, attempt, err, time.Now()})
		r.mu.Unlock()
	}}
}

func (r *recorder) outcomes(notifier string) []outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []outcome
	for _, o := range r.got {
		if o.notifier == notifier {
			out = append(out, o)
		}
	}
	return out
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newDispatcher(t *testing.T, rec *recorder, specs ...notify.Spec) *notify.Dispatcher {
	t.Helper()
	d, err := notify.NewDispatcher(specs, rec.hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Bounded: a test may leave alerts queued for a hung receiver.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		d.Close(ctx)
	})
	return d
}

func TestDispatcherRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.setAnswer(func(n int) (int, string) {
		if n <= 2 {
			return http.StatusServiceUnavailable, "busy"
		}
		return http.StatusOK, ""
	})
	rec := &recorder{}
	d := newDispatcher(t, rec, notify.Spec{Name: "hook", Type: "webhook", URL: rcv.URL, Backoff: 50 * time.Millisecond})
	if q := d.Send([]string{"hook"}, sampleAlert(alert.StateFiring)); q != 1 {
		t.Fatalf("Send queued %d, want 1", q)
	}
	waitFor(t, 5*time.Second, "three attempts", func() bool { return len(rec.outcomes("hook")) == 3 })
	got := rec.outcomes("hook")
	for i, o := range got {
		if o.attempt != i+1 {
			t.Errorf("outcome %d: attempt %d", i, o.attempt)
		}
	}
	if got[0].err == nil || got[1].err == nil || got[2].err != nil {
		t.Fatalf("errors = %v, %v, %v; want fail, fail, delivered", got[0].err, got[1].err, got[2].err)
	}
	// Waits of 50ms, then 100ms (doubled).
	if w := got[1].at.Sub(got[0].at); w < 50*time.Millisecond {
		t.Errorf("first backoff %v, want >= 50ms", w)
	}
	if w := got[2].at.Sub(got[1].at); w < 100*time.Millisecond {
		t.Errorf("second backoff %v, want >= 100ms", w)
	}
}

func TestDispatcherGivesUp(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.setAnswer(func(n int) (int, string) { return http.StatusBadGateway, "" })
	perm := newReceiver(t)
	perm.setAnswer(func(n int) (int, string) { return http.StatusForbidden, "invalid_token" })
	rec := &recorder{}
	d := newDispatcher(t, rec,
		notify.Spec{Name: "flaky", Type: "webhook", URL: rcv.URL, Retries: 2, Backoff: time.Millisecond},
		notify.Spec{Name: "refused", Type: "webhook", URL: perm.URL, Retries: 5, Backoff: time.Millisecond},
		notify.Spec{Name: "once", Type: "webhook", URL: rcv.URL + "/once", Retries: -1})
	d.Send([]string{"flaky", "refused", "once"}, sampleAlert(alert.StateFiring))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for name, want := range map[string]int{"flaky": 3, "refused": 1, "once": 1} {
		got := rec.outcomes(name)
		if len(got) != want {
			t.Errorf("%s: %d attempts, want %d", name, len(got), want)
		}
		for _, o := range got {
			if o.err == nil {
				t.Errorf("%s: attempt %d delivered", name, o.attempt)
			}
		}
	}
}

// TestDispatcherHungReceiver: a receiver that accepts and never answers
// costs its notifier's worker until the timeout, never the caller nor
// another notifier, and alerts piling up for it do not pile up goroutines.
//
// Not parallel: it counts the process's goroutines, and a sequential test
// runs alone (parallel tests wait for the sequential ones).
func TestDispatcherHungReceiver(t *testing.T) {
	hung := testenv.SilentListener(t)
	fast := newReceiver(t)
	rec := &recorder{}
	// Long enough that the fast notifier's 50 deliveries finish first even
	// on a loaded machine under -race.
	const timeout = 1500 * time.Millisecond
	d := newDispatcher(t, rec,
		notify.Spec{Name: "hung", Type: "webhook", URL: "http://" + hung.String() + "/in", Timeout: timeout, Retries: -1},
		notify.Spec{Name: "fast", Type: "webhook", URL: fast.URL})
	before := runtime.NumGoroutine()
	start := time.Now()
	for range 50 {
		d.Send([]string{"hung", "fast"}, sampleAlert(alert.StateFiring))
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("50 Sends took %v; Send must not block", took)
	}
	waitFor(t, timeout, "the fast notifier delivers all 50", func() bool { return len(fast.requests()) == 50 })
	if took := time.Since(start); took >= timeout {
		t.Errorf("fast notifier finished after %v, delayed by the hung one (timeout %v)", took, timeout)
	}
	if got := rec.outcomes("hung"); len(got) != 0 {
		t.Errorf("hung notifier reported %d outcomes before its timeout", len(got))
	}
	// One in-flight request to the hung receiver: its worker and the
	// transport's connection goroutines; the 49 queued alerts cost none,
	// nor do 150 more.
	if extra := runtime.NumGoroutine() - before; extra > 8 {
		t.Errorf("%d more goroutines with 50 alerts queued for a hung receiver", extra)
	}
	with50 := runtime.NumGoroutine()
	for range 150 {
		d.Send([]string{"hung"}, sampleAlert(alert.StateFiring))
	}
	if extra := runtime.NumGoroutine() - with50; extra > 1 {
		t.Errorf("150 more alerts for a hung receiver cost %d goroutines", extra)
	}
	waitFor(t, timeout+3*time.Second, "the first hung attempt times out", func() bool { return len(rec.outcomes("hung")) >= 1 })
	o := rec.outcomes("hung")[0]
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Errorf("hung attempt err = %v, want context.DeadlineExceeded", o.err)
	}
	if took := o.at.Sub(start); took < timeout || took > timeout+3*time.Second {
		t.Errorf("hung attempt ended after %v, want about %v", took, timeout)
	}
}

func TestDispatcherQueueFullAndClose(t *testing.T) {
	t.Parallel()
	hung := testenv.SilentListener(t)
	rec := &recorder{}
	d, err := notify.NewDispatcher([]notify.Spec{
		{Name: "hung", Type: "webhook", URL: "http://" + hung.String(), Timeout: time.Minute},
	}, rec.hooks())
	if err != nil {
		t.Fatal(err)
	}
	extra := 10
	queued := 0
	start := time.Now()
	for range notify.QueueSize + 1 + extra {
		queued += d.Send([]string{"hung"}, sampleAlert(alert.StateFiring))
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Sends to a full queue took %v", took)
	}
	full := 0
	for _, o := range rec.outcomes("hung") {
		if o.attempt == 0 && errors.Is(o.err, notify.ErrQueueFull) {
			full++
		}
	}
	// The worker may or may not have taken the first alert off the queue yet.
	if queued < notify.QueueSize || queued > notify.QueueSize+1 || full != notify.QueueSize+1+extra-queued {
		t.Errorf("queued %d, dropped %d as full; queue size %d", queued, full, notify.QueueSize)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = d.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v with a 100ms context", took)
	}
	closed := 0
	for _, o := range rec.outcomes("hung") {
		if errors.Is(o.err, notify.ErrClosed) {
			closed++
		}
	}
	if closed < queued-1 {
		t.Errorf("%d alerts reported ErrClosed after Close, want >= %d", closed, queued-1)
	}
	if q := d.Send([]string{"hung"}, sampleAlert(alert.StateFiring)); q != 0 {
		t.Errorf("Send after Close queued %d", q)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestDispatcherCloseDrains(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rec := &recorder{}
	d, err := notify.NewDispatcher([]notify.Spec{{Name: "hook", Type: "webhook", URL: rcv.URL}}, rec.hooks())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		d.Send([]string{"hook", "nobody"}, sampleAlert(alert.StateFiring))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := len(rcv.requests()); n != 20 {
		t.Errorf("receiver got %d alerts after Close, want all 20", n)
	}
	unknown := rec.outcomes("nobody")
	if len(unknown) != 20 || !errors.Is(unknown[0].err, notify.ErrUnknownNotifier) {
		t.Errorf("unknown notifier outcomes = %d (%v)", len(unknown), unknown)
	}
}

func TestNewDispatcherRefusesBadSpecs(t *testing.T) {
	t.Parallel()
	_, err := notify.NewDispatcher([]notify.Spec{
		{Name: "a", Type: "webhook", URL: "http://127.0.0.1:1/x"},
		{Name: "a", Type: "webhook", URL: "http://127.0.0.1:1/y"},
		{Name: "b", Type: "webhook"},
	}, notify.Hooks{})
	var fe *notify.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want FieldErrors", err)
	}
	for _, want := range []string{`notifier "a": name: used by two notifiers`, `notifier "b": url: missing`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

// TestDispatcherCloseClosesConnections: after Close no kept-alive
// connection to a receiver stays open (nor its goroutines).
func TestDispatcherCloseClosesConnections(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	open := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			open++
		case http.StateClosed, http.StateHijacked:
			open--
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	d, err := notify.NewDispatcher([]notify.Spec{{Name: "hook", Type: "webhook", URL: srv.URL}}, notify.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	d.Send([]string{"hook"}, sampleAlert(alert.StateFiring))
	d.Send([]string{"hook"}, sampleAlert(alert.StateFiring))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the kept-alive connection closes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return open == 0
	})
}
