package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
)

// Sender delivers alerts to the named notifiers without blocking the
// caller; internal/notify's Dispatcher is one.
type Sender interface {
	Send(notifiers []string, a alert.Alert) (queued int)
	Close(ctx context.Context) error
}

// Options configure a Watcher. Config is dbguard.yaml as loaded (nil:
// defaults); ConfigPath is where it was read, for reloads ("" when there
// is none). Paths, when given, replace watch.sources.
type Options struct {
	ConfigPath string
	Config     *config.Config
	// Base is the folder sources are relative to (default: ConfigPath's
	// folder, else the working folder).
	Base  string
	Paths []string
	// Interval, when positive, replaces watch.interval (--interval).
	Interval time.Duration
	// Webhook, when set, adds a webhook notifier named "webhook" with
	// this URL (--webhook), for quick use without a watch section.
	Webhook string
	// Store is the event store; NoStore runs without one (no revisions,
	// no correlation, no alert events).
	Store   app.StoreRequest
	NoStore bool
	// NewSender builds the alert sender for a watch section; it is
	// called at start and on each successful reload. Nil: alerts are
	// logged and stored only.
	NewSender func(w *config.WatchConfig) (Sender, error)
	Logger    *slog.Logger
	Metrics   *metrics.Metrics
	// Resolve says how profiles' references are resolved (environment,
	// secret files); Probe carries a test's Resolver and Dial.
	Resolve verify.ResolveOptions
	Probe   app.ProbeSettings
	// Reload delivers SIGHUP.
	Reload <-chan struct{}
	// RetryBackoff is the wait before the quick retry of a failed probe
	// (default 200ms); Debounce how long file events settle before a
	// rescan (default 50ms); ShutdownGrace bounds the wait for probes and
	// deliveries in flight at shutdown (default 10s).
	RetryBackoff, Debounce, ShutdownGrace time.Duration
}

// Watcher is one running watch. Its state is owned by the goroutine that
// runs Run; Ready may be called from any goroutine.
type Watcher struct {
	o      Options
	log    *slog.Logger
	m      *metrics.Metrics
	cfg    *config.Config
	w      *config.WatchConfig
	base   string
	srcs   []source
	st     *app.OpenedStore
	sender Sender

	states  map[string]*tstate // by stable key
	due     dueQueue           // the states waiting for their next probe
	alerts  map[string]*alertState
	noProbe map[string]string // targets listed as not probeable, with why
	probers map[probeSettings]*verify.Prober
	// gen counts the configurations applied (settingsFor's cache key);
	// grain is how often due targets are launched (launchGrain).
	gen      int
	grain    time.Duration
	results  chan probeResult
	sem      chan struct{}
	inflight sync.WaitGroup
	ready    atomic.Bool
	// unprobed counts the probeable targets without an answer yet, until
	// the first round is done; toVerify are targets whose revision was
	// just seen working.
	unprobed int
	toVerify []*tstate
	// failing counts the targets whose last probe failed: with none, and
	// no alert open, the one-second tick has nothing to judge.
	failing int
	// aud is the scheduled audit (audit.go).
	aud auditSched
}

// probeSettings is what a probe is run with; targets that share them are
// probed in one fleet run.
type probeSettings struct {
	timeout time.Duration
	retries int
	last    verify.Stage
}

type probeResult struct {
	s *tstate
	r verify.Result
}

// New prepares a watch: it resolves the sources but neither scans nor
// probes until Run or Once.
func New(o Options) (*Watcher, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		return nil, errors.New("watch needs metrics")
	}
	o.RetryBackoff = durationOr(o.RetryBackoff, 200*time.Millisecond)
	o.Debounce = durationOr(o.Debounce, 50*time.Millisecond)
	o.ShutdownGrace = durationOr(o.ShutdownGrace, 10*time.Second)
	w := &Watcher{o: o, log: o.Logger, m: o.Metrics, states: map[string]*tstate{}, alerts: map[string]*alertState{},
		noProbe: map[string]string{}, probers: map[probeSettings]*verify.Prober{}, results: make(chan probeResult, 1024), aud: newAuditSched()}
	w.base = o.Base
	if w.base == "" {
		w.base = "."
		if o.ConfigPath != "" {
			w.base = filepath.Dir(o.ConfigPath)
		}
	}
	abs, err := filepath.Abs(w.base)
	if err != nil {
		return nil, err
	}
	w.base = abs
	if err := w.apply(o.Config); err != nil {
		return nil, err
	}
	return w, nil
}

// apply makes cfg the running configuration.
func (w *Watcher) apply(cfg *config.Config) error {
	ws := cfg.WatchSettings()
	if w.o.Interval > 0 || w.o.Webhook != "" {
		c := *ws // a copy: the loaded configuration is never written to
		if w.o.Interval > 0 {
			c.Interval = w.o.Interval
		}
		if w.o.Webhook != "" {
			c.Notifiers = append(slices.Clone(ws.Notifiers), config.WatchNotifier{Name: "webhook", Type: "webhook", URL: w.o.Webhook, SendResolved: true})
		}
		ws = &c
	}
	srcs, err := sources(w.base, ws, w.o.Paths)
	if err != nil {
		return err
	}
	w.cfg, w.w, w.srcs = cfg, ws, srcs
	w.sem = make(chan struct{}, ws.Concurrency)
	clear(w.probers)
	w.gen++
	w.grain = launchGrain(ws)
	return nil
}

// launchGrain is how often watch takes the due targets out of the due
// queue: a tenth of the shortest probe interval, between 100 ms and 1 s.
// Each take launches the targets due within half a grain either side, so
// a probe starts at most half a grain early or late — within its ±10%
// jitter — and the mean interval stays the configured one. Coarser rounds
// are cheaper for the machine, not only for watch: the kernel's TCP
// connect and close cost 2 to 6 times less per connection when
// connections come a hundred at a time than ten or one at a time
// (bench/README.md, watch), and each round is a wake-up of the loop and
// the probing goroutines.
func launchGrain(ws *config.WatchConfig) time.Duration {
	shortest := ws.Interval
	for _, p := range ws.Profiles {
		if p.Interval > 0 && p.Interval < shortest {
			shortest = p.Interval
		}
	}
	return min(max(shortest/10, 100*time.Millisecond), time.Second)
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Ready reports whether the first probe round has finished.
func (w *Watcher) Ready() bool { return w.ready.Load() }

// settingsOf are the probe settings of a target: the section's, with the
// first matching per-profile override.
func (w *Watcher) settingsOf(t *target) (probeSettings, time.Duration) {
	ps := probeSettings{timeout: w.w.Timeout, retries: w.w.Retries}
	interval := w.w.Interval
	if o, ok := w.w.ProfileOverride(t.ID, t.Prof.Name); ok {
		if o.Interval > 0 {
			interval = o.Interval
		}
		if o.Timeout > 0 {
			ps.timeout = o.Timeout
		}
		if o.RetriesSet {
			ps.retries = o.Retries
		}
		ps.last = verify.Stage(o.LastStage())
	}
	return ps, interval
}

// settingsFor is settingsOf for a watched target, kept in its state until
// the configuration changes: matching every override's glob at every
// probe was a visible share of watch's CPU at 1,000 targets.
func (w *Watcher) settingsFor(s *tstate) (probeSettings, time.Duration) {
	if s.settingsGen != w.gen {
		s.ps, s.interval = w.settingsOf(s.t)
		s.settingsGen = w.gen
	}
	return s.ps, s.interval
}

func (w *Watcher) prober(ps probeSettings) *verify.Prober {
	if p, ok := w.probers[ps]; ok {
		return p
	}
	s := w.o.Probe
	s.StageTimeout, s.LastStage = ps.timeout, ps.last
	p := app.NewProber(s)
	w.probers[ps] = p
	return p
}

// jitter spreads a target's next probe over ±10% of its interval, so that
// targets found together do not stay in lock step.
func jitter(d time.Duration) time.Duration {
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}

// Once scans the sources and probes every profile once with verify's
// fleet runner, as verify does: for cron jobs and tests (watch --once).
func (w *Watcher) Once(ctx context.Context) (*app.VerifyResult, error) {
	snap, err := scanSources(ctx, w.base, w.cfg, w.srcs, app.Drivers(), w.o.Resolve)
	if err != nil {
		return nil, err
	}
	out := &app.VerifyResult{}
	byPS := map[probeSettings][]int{}
	var order []probeSettings
	for i, t := range snap.Targets {
		out.Targets = append(out.Targets, t.Prof)
		ps, _ := w.settingsOf(t)
		if _, ok := byPS[ps]; !ok {
			order = append(order, ps)
		}
		byPS[ps] = append(byPS[ps], i)
	}
	out.Results = make([]verify.Result, len(snap.Targets))
	var runErr error
	for _, ps := range order {
		idx := byPS[ps]
		profs := make([]*profile.Profile, 0, len(idx))
		for _, i := range idx {
			profs = append(profs, snap.Targets[i].Prof)
		}
		res, err := w.prober(ps).Run(ctx, profs, verify.RunOptions{Workers: w.w.Concurrency, Retries: ps.retries, Backoff: w.o.RetryBackoff, Resolve: w.o.Resolve})
		for k, i := range idx {
			out.Results[i] = res[k]
		}
		if err != nil && runErr == nil {
			runErr = err
		}
	}
	return out, runErr
}

// Run watches until ctx ends: it scans, records the files' revisions,
// probes every target at once and then at its interval, reacts to file
// changes and reloads, and keeps the alerts. It returns nil after a
// clean shutdown.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.o.NoStore {
		st, err := app.OpenStore(ctx, w.storeRequest(), true)
		if err != nil {
			return fmt.Errorf("open the store: %w", err)
		}
		w.st = st
		defer st.Close()
	}
	if err := w.newSender(); err != nil {
		return err
	}
	fw, err := newFileWatcher(w.log)
	if err != nil {
		return err
	}
	defer fw.close()
	if err := w.rescan(ctx, nil, true); err != nil {
		return err
	}
	w.watchFiles(fw)
	w.log.Info("watch started", "targets", len(w.states), "sources", len(w.srcs), "interval", w.w.Interval.String(),
		"concurrency", w.w.Concurrency, "store", w.storeWhere())

	loopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Due targets are taken from the due queue once a round (launchGrain)
	// into one fleet run per probe settings; a change or a reload
	// launches at once, not at the next round.
	grain := w.grain
	due := time.NewTicker(grain)
	defer due.Stop()
	w.launch(loopCtx)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	w.scheduleAudit(time.Now())
	defer w.aud.timer.Stop()
	settle := time.NewTimer(time.Hour)
	settle.Stop()
	changed := map[string]bool{}
	reload := false
	for {
		select {
		case <-ctx.Done():
			return w.shutdown(cancel)
		case r := <-w.results:
			news := w.handle(r)
			news = w.drainResults() || news
			w.afterResults(ctx, news)
		case <-due.C:
			w.launch(loopCtx)
			if w.grain != grain { // a reload changed the intervals
				grain = w.grain
				due.Reset(grain)
			}
		case <-w.aud.timer.C:
			w.startAudit(loopCtx)
		case r := <-w.aud.done:
			w.finishAudit(ctx, r)
		case <-tick.C:
			if w.failing > 0 || len(w.alerts) > 0 {
				w.reconcileAll(ctx)
			}
		case ev := <-fw.events:
			switch {
			case w.o.ConfigPath != "" && sameFile(ev, w.o.ConfigPath):
				reload = true
			case !w.watched(ev):
				continue // the store's own files, an editor's swap file elsewhere
			}
			changed[ev] = true
			settle.Reset(w.o.Debounce)
		case err := <-fw.errors:
			w.log.Warn("file watching", "error", err.Error())
		case <-w.o.Reload:
			reload = true
			settle.Reset(0)
		case <-settle.C:
			reloaded := reload
			if reload {
				w.reload(ctx)
				reload = false
			}
			if len(changed) > 0 || reloaded {
				paths := changed
				changed = map[string]bool{}
				if err := w.rescan(ctx, paths, false); err != nil {
					w.log.Error("rescan after a file change", "error", err.Error())
				}
				w.watchFiles(fw)
			}
			w.launch(loopCtx)
		}
	}
}

func (w *Watcher) storeRequest() app.StoreRequest {
	r := w.o.Store
	r.Config = w.cfg
	return r
}

func (w *Watcher) storeWhere() string {
	if w.st == nil {
		return "none"
	}
	return w.st.Where
}

// newSender replaces the sender with one for the running configuration.
func (w *Watcher) newSender() error {
	if w.o.NewSender == nil {
		return nil
	}
	s, err := w.o.NewSender(w.w)
	if err != nil {
		return fmt.Errorf("set up the notifiers: %w", err)
	}
	old := w.sender
	w.sender = s
	if old != nil {
		ctx, cancel := context.WithTimeout(context.Background(), w.o.ShutdownGrace)
		defer cancel()
		if err := old.Close(ctx); err != nil {
			w.log.Warn("close the previous notifiers", "error", err.Error())
		}
	}
	return nil
}

// reload reads dbguard.yaml again; an invalid file leaves the running
// configuration in force, says so in the log and in
// config_last_reload_successful.
func (w *Watcher) reload(ctx context.Context) {
	if w.o.ConfigPath == "" {
		return
	}
	cfg, err := config.Load(w.o.ConfigPath)
	if err == nil {
		prevCfg, prevW, prevSrcs, prevSem := w.cfg, w.w, w.srcs, w.sem
		if err = w.apply(cfg); err == nil {
			err = w.newSender()
		}
		if err != nil {
			w.cfg, w.w, w.srcs, w.sem = prevCfg, prevW, prevSrcs, prevSem
		}
	}
	if err != nil {
		w.m.ConfigReloads.WithLabelValues("invalid").Inc()
		w.m.ConfigLastReload.Set(0)
		w.log.Error("config reload failed; keeping the running configuration", "config", w.o.ConfigPath, "error", err.Error())
		return
	}
	w.m.ConfigReloads.WithLabelValues("ok").Inc()
	w.m.ConfigLastReload.Set(1)
	w.log.Info("config reloaded", "config", w.o.ConfigPath)
	w.scheduleAudit(time.Now())
	for _, s := range w.states {
		_, iv := w.settingsFor(s)
		if next := time.Now().Add(jitter(iv)); next.Before(s.next) {
			s.next = next
			if s.slot >= 0 {
				w.due.queue(s)
			}
		}
	}
}

// launch starts a fleet run for the targets that are due, one per probe
// settings. With every probe slot taken (blackholed targets hold theirs
// until the stage timeout) it starts nothing: the due targets wait as
// due, not as goroutines queued for a slot.
func (w *Watcher) launch(ctx context.Context) {
	if len(w.sem) >= cap(w.sem) {
		return
	}
	now := time.Now()
	batches := map[probeSettings][]*tstate{}
	for _, s := range w.due.takeDue(now.Add(w.grain / 2)) {
		ps, iv := w.settingsFor(s)
		s.inFlight = true
		s.next = now.Add(jitter(iv))
		batches[ps] = append(batches[ps], s)
	}
	for ps, ss := range batches {
		w.inflight.Add(1)
		profs := make([]*profile.Profile, len(ss))
		for i, s := range ss {
			profs[i] = s.t.Prof
		}
		go w.runBatch(ctx, w.prober(ps), w.sem, ps, ss, profs)
	}
}

// runBatch probes ss with verify's fleet runner, never more than the
// section's concurrency across every batch: it runs with as many workers
// as it could take tokens for (at least one, waiting for it).
func (w *Watcher) runBatch(ctx context.Context, p *verify.Prober, sem chan struct{}, ps probeSettings, ss []*tstate, profs []*profile.Profile) {
	defer w.inflight.Done()
	tokens := 0
	select {
	case sem <- struct{}{}:
		tokens = 1
	case <-ctx.Done():
	}
more:
	for tokens > 0 && tokens < len(ss) {
		select {
		case sem <- struct{}{}:
			tokens++
		default:
			break more
		}
	}
	defer func() {
		for range tokens {
			<-sem
		}
	}()
	_, _ = p.Run(ctx, profs, verify.RunOptions{Workers: max(tokens, 1), Retries: ps.retries, Backoff: w.o.RetryBackoff,
		Resolve: w.o.Resolve, Stream: true, OnResult: func(i int, r verify.Result) {
			select {
			case w.results <- probeResult{ss[i], r}:
			case <-ctx.Done():
			}
		}})
}

// drainResults handles the results already waiting, so that a round's
// results are judged together.
func (w *Watcher) drainResults() (news bool) {
	for {
		select {
		case r := <-w.results:
			news = w.handle(r) || news
		default:
			return news
		}
	}
}

// handle takes one probe result into the target's state and the metrics,
// and reports whether it is news for the alerts: a failure, a recovery,
// the first answer, or capacity and certificate figures to judge.
func (w *Watcher) handle(pr probeResult) bool {
	s, r := pr.s, pr.r
	s.inFlight = false
	cur, ok := w.states[s.t.Key]
	if !ok || cur != s {
		return false // no longer watched
	}
	if s.t.Problem == "" {
		w.due.queue(s)
	}
	if !r.Verified() {
		return false // cut short by shutdown or a reload: no answer
	}
	now := time.Now()
	wasFailing, first := s.failing(), !s.probed
	if first {
		w.unprobed--
	}
	s.observe(r, now, w.w.Alerts.FailureRatio.Window)
	a := r.Final()
	lbl := w.labels(s.t)
	if s.series == nil || s.series.Labels() != lbl {
		s.series = w.m.Series(lbl)
	}
	for _, st := range a.Stages {
		if st.Status == verify.StatusOK || st.Status == verify.StatusWarn || st.Status == verify.StatusFail {
			s.series.ObserveStage(string(st.Stage), st.Duration)
		}
	}
	stage := ""
	if !a.OK {
		stage = string(a.Stage)
	}
	s.series.ObserveResult(stage, string(a.Class), now)
	if c := a.Capacity; c != nil {
		w.m.ServerConnections.WithLabelValues(lbl.Profile, lbl.Service, lbl.Environment).Set(float64(c.Current))
		w.m.ServerMaxConnections.WithLabelValues(lbl.Profile, lbl.Service, lbl.Environment).Set(float64(c.Max))
	}
	if !a.CertNotAfter.IsZero() {
		w.m.CertNotAfter.WithLabelValues(lbl.Profile, lbl.Service, lbl.Environment).Set(float64(a.CertNotAfter.Unix()))
	}
	switch {
	case !a.OK && !wasFailing:
		w.log.Warn("target failing", "profile", s.t.ID, "service", lbl.Service, "environment", lbl.Environment,
			"stage", string(a.Stage), "class", string(a.Class), "code", a.Code)
	case a.OK && wasFailing:
		w.log.Info("target recovered", "profile", s.t.ID, "service", lbl.Service, "environment", lbl.Environment)
	}
	if a.OK && s.revision != "" && s.revision != s.verified {
		w.toVerify = append(w.toVerify, s)
	}
	al := w.w.Alerts
	nearFull := a.Capacity != nil && a.Capacity.Max > 0 && float64(a.Capacity.Current) >= al.Capacity.Share*float64(a.Capacity.Max)
	expiring := !a.CertNotAfter.IsZero() && a.CertNotAfter.Sub(now) < al.CertExpiring.Within
	switch {
	case !a.OK && !wasFailing:
		w.failing++
	case a.OK && wasFailing:
		w.failing--
	}
	return first || !a.OK || wasFailing || nearFull || expiring
}

func (w *Watcher) labels(t *target) metrics.TargetLabels {
	return metrics.TargetLabels{Profile: t.ID, Service: t.Prof.Service, Environment: string(t.Prof.Environment)}
}

// afterResults records verified-good revisions and, when the results hold
// news, judges the alerts at once; otherwise the one-second tick does
// (hold times, repeats), which keeps a large quiet fleet cheap.
func (w *Watcher) afterResults(ctx context.Context, news bool) {
	w.recordVerified(ctx)
	if !w.ready.Load() && w.unprobed <= 0 {
		w.ready.Store(true)
	}
	if news {
		w.reconcileAll(ctx)
	}
}

// recordVerified makes each newly seen-working revision verified good,
// with app.RecordVerification, so that a later alert's rollback restores
// settings that were seen working.
func (w *Watcher) recordVerified(ctx context.Context) {
	if w.st == nil || len(w.toVerify) == 0 {
		return
	}
	res := &app.VerifyResult{}
	var paths []string
	var done []*tstate
	pending := w.toVerify
	w.toVerify = nil
	for _, s := range pending {
		if cur := w.states[s.t.Key]; cur != s || s.failures > 0 || s.revision == "" || s.revision == s.verified || s.last == nil || slices.Contains(done, s) {
			continue
		}
		res.Targets = append(res.Targets, s.t.Prof)
		res.Results = append(res.Results, verify.Result{Profile: s.t.Prof.ID, Key: s.t.Prof.ID, Attempts: []verify.Attempt{*s.last}, Tries: 1, Start: time.Now()})
		if !slices.Contains(paths, s.t.Src.Arg) {
			paths = append(paths, s.t.Src.Arg)
		}
		done = append(done, s)
	}
	if len(done) == 0 {
		return
	}
	if _, err := app.RecordVerification(ctx, app.RecordVerificationRequest{Store: w.storeRequest(), Paths: paths, Config: w.cfg,
		Actor: "dbguard watch", Result: res}); err != nil {
		w.log.Error("record verified-good revisions", "error", err.Error())
		return
	}
	for _, s := range done {
		s.verified = s.revision
	}
}

// shutdown stops probing, waits a bounded time for the probes and the
// deliveries in flight, and leaves the store closed by Run's defer.
func (w *Watcher) shutdown(cancel context.CancelFunc) error {
	cancel()
	done := make(chan struct{})
	go func() { w.inflight.Wait(); close(done) }()
	timer := time.NewTimer(w.o.ShutdownGrace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		w.log.Warn("shutdown: probes still in flight after the grace period")
	}
	if w.sender != nil {
		ctx, c := context.WithTimeout(context.Background(), w.o.ShutdownGrace)
		defer c()
		if err := w.sender.Close(ctx); err != nil {
			w.log.Warn("shutdown: notifications not delivered", "error", err.Error())
		}
	}
	w.log.Info("watch stopped")
	return nil
}

// watched reports whether a file event concerns a source: a path under a
// source folder, or in the folder of a source file. The store's own files
// (a SQLite store beside dbguard.yaml, its -wal and -shm) are not, or
// every alert written would set off a rescan.
func (w *Watcher) watched(ev string) bool {
	abs, err := filepath.Abs(ev)
	if err != nil {
		return false
	}
	if loc := w.o.Store.Location; loc != "" && !strings.Contains(loc, "://") {
		if st, err := filepath.Abs(loc); err == nil && strings.HasPrefix(abs, st) {
			return false
		}
	}
	if strings.Contains(filepath.ToSlash(abs), "/.dbguard/") {
		return false
	}
	for _, s := range w.srcs {
		src, err := filepath.Abs(s.Arg)
		if err != nil {
			continue
		}
		if abs == src || strings.HasPrefix(abs, src+string(filepath.Separator)) {
			return true
		}
		// A source file's folder: its rename-write (a temporary file
		// renamed over it) and its ..data swap happen beside it.
		if fi, err := os.Stat(src); (err != nil || !fi.IsDir()) && filepath.Dir(abs) == filepath.Dir(src) {
			return true
		}
	}
	return false
}

func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if aa == bb {
		return true
	}
	// A ConfigMap's ..data swap touches the folder, not the file.
	return filepath.Dir(aa) == filepath.Dir(bb) && filepath.Base(aa) == "..data"
}

// rescan scans the sources again. changed are the paths file events
// named (nil at start: every file is recorded). Files whose content
// differs from their last recorded revision are recorded with record's
// code, with a change event; their changed profiles are probed at once.
func (w *Watcher) rescan(ctx context.Context, changed map[string]bool, initial bool) error {
	snap, err := scanSources(ctx, w.base, w.cfg, w.srcs, app.Drivers(), w.o.Resolve)
	if err != nil {
		return err
	}
	for _, u := range snap.Unreadable {
		w.log.Warn("file not readable", "problem", u)
	}
	now := time.Now()
	seen := map[string]bool{}
	for _, t := range snap.Targets {
		forProbing(t.Prof)
		seen[t.Key] = true
		s, ok := w.states[t.Key]
		if !ok {
			s = &tstate{next: now, slot: -1}
			w.states[t.Key] = s
			if t.Problem == "" {
				w.unprobed++
			}
		}
		s.t = t
		switch {
		case t.Problem != "":
			w.due.drop(s)
		case !s.inFlight:
			w.due.queue(s)
		}
		if t.Problem != "" && w.noProbe[t.Key] != t.Problem {
			w.noProbe[t.Key] = t.Problem
			w.log.Warn("profile not probed", "profile", t.ID, "reason", t.Problem)
		}
	}
	for k, s := range w.states {
		if !seen[k] {
			if !s.probed && s.t.Problem == "" {
				w.unprobed--
			}
			if s.failing() {
				w.failing--
			}
			w.m.ForgetTarget(w.labels(s.t))
			w.due.drop(s)
			delete(w.states, k)
			delete(w.noProbe, k)
		}
	}
	w.countTargets()
	if w.st == nil {
		return nil
	}
	var files []string
	for f := range snap.Files {
		if initial || touched(changed, f) {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil
	}
	rec, err := app.Record(ctx, app.RecordRequest{Paths: files, Config: w.cfg, Store: w.storeRequest(), Actor: "dbguard watch"})
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	for _, rf := range rec.Files {
		changedKeys := map[string]bool{}
		for _, c := range rf.Changes {
			changedKeys[c.KeyPath] = true
		}
		for _, s := range w.states {
			if s.t.FileKey != rf.File {
				continue
			}
			s.revision = rf.Revision
			if initial || rf.Unchanged || rf.Baseline || !changedKeys[s.t.Prof.KeyPath] {
				continue
			}
			s.changed = true
			s.next = now // probe at once
			if s.slot >= 0 {
				w.due.queue(s)
			}
			w.m.ConfigChanges.WithLabelValues(s.t.Prof.Service, string(s.t.Prof.Environment)).Inc()
		}
		if !initial && !rf.Unchanged {
			fields := []string{}
			for _, c := range rf.Changes {
				if !slices.Contains(fields, c.Field) {
					fields = append(fields, c.Field)
				}
			}
			w.log.Info("change recorded", "file", rf.File, "revision", rf.Revision, "risk", rf.Risk, "fields", fields)
		}
	}
	return nil
}

// touched reports whether a file event names f, or its folder (an editor's
// rename, a ConfigMap's ..data swap).
func touched(changed map[string]bool, f string) bool {
	if changed[f] {
		return true
	}
	for p := range changed {
		if abs, err := filepath.Abs(p); err == nil && (abs == f || abs == filepath.Dir(f) || filepath.Dir(abs) == filepath.Dir(f)) {
			return true
		}
	}
	return false
}

// countTargets sets the targets gauge.
func (w *Watcher) countTargets() {
	w.m.Targets.Reset()
	for _, s := range w.states {
		probeable := "true"
		if s.t.Problem != "" {
			probeable = "false"
		}
		w.m.Targets.WithLabelValues(string(s.t.Prof.Environment), probeable).Inc()
	}
}

// writable reports whether watch could restore f itself: not a read-only
// mount such as a Kubernetes ConfigMap or Secret volume, whose files are
// symbolic links into a ..data folder.
func writable(f string) bool {
	if _, err := os.Lstat(filepath.Join(filepath.Dir(f), "..data")); err == nil {
		return false
	}
	fi, err := os.Stat(f)
	return err == nil && fi.Mode().Perm()&0o200 != 0
}
