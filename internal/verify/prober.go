package verify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/profile"
)

// Resolver looks up the addresses of a host name. *net.Resolver satisfies
// it; tests pass one that asks a DNS server of their own on loopback.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configure a Prober. Zero values mean the documented defaults.
type Options struct {
	// Drivers by profile driver name.
	Drivers map[string]Driver
	// Resolver for the dns stage (default net.DefaultResolver).
	Resolver Resolver
	// StageTimeout bounds each stage and each address's TCP connect
	// (default 5s). The query stage also sets it as the server-side
	// statement timeout where the protocol allows.
	StageTimeout time.Duration
	// Query replaces SELECT 1.
	Query string
	// WriteCheck names a table to insert into inside a rolled-back
	// transaction; empty means read-only probing.
	WriteCheck string
	// ExpiryWarning is how close to its expiry a server certificate
	// makes the tls stage warn (default 14 days).
	ExpiryWarning time.Duration
	// SkipCapacity leaves the capacity stage out (status skip): the
	// benchmark compares the prober with a driver doing connect, SELECT 1
	// and close, and the watch daemon reads capacity less often.
	SkipCapacity bool
	// LastStage ends every attempt successfully after this stage (dns,
	// tcp, query or capacity; default capacity, the whole ladder): watch's
	// TCP-only probes (stages: [dns, tcp]) open no session at all. The
	// stages after it are skipped with the note "not requested".
	LastStage Stage
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Dial opens every TCP connection a probe makes (default a
	// net.Dialer's DialContext without TCP keep-alive: a probe's
	// connection lives a few stage timeouts at most, less than the first
	// keep-alive probe, and its four setsockopt calls were a tenth of a
	// TCP-only probe's CPU), as pgx's DialFunc: tests and drills
	// route connections through it (a proxy that drops or delays) without
	// touching the profile.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
}

// Prober runs staged probes. It holds no connections between probes and is
// safe for concurrent use.
type Prober struct {
	o     Options
	files tlsFiles
	// lean is set when Options.Dial is the default: a probe that stops at
	// the tcp stage then connects with reach, never making a net.Conn.
	lean bool
}

// NewProber returns a prober with o's defaults filled in.
func NewProber(o Options) *Prober {
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	o.StageTimeout = durationOr(o.StageTimeout, 5*time.Second)
	o.ExpiryWarning = durationOr(o.ExpiryWarning, 14*24*time.Hour)
	if o.Now == nil {
		o.Now = time.Now
	}
	lean := o.Dial == nil
	if lean {
		o.Dial = (&net.Dialer{KeepAlive: -1}).DialContext
	}
	return &Prober{o: o, lean: lean}
}

// Probe verifies one profile: config first, then each host in order as the
// driver would try them, stopping at the first host that passes.
func (p *Prober) Probe(ctx context.Context, prof *profile.Profile, ro ResolveOptions) Result {
	start := p.o.Now()
	res := Result{Profile: prof.ID, Key: prof.ID, Name: prof.Name, Environment: prof.Environment, File: prof.File, Tries: 1, Start: start}
	res.Driver, _ = prof.Driver.Effective()
	t, err := TargetFrom(prof, p.o.Drivers, ro)
	cfgDur := p.o.Now().Sub(start)
	if err != nil {
		a := Attempt{Stage: StageConfig, Class: ClassConfigInvalid, Code: "config", Detail: scrub(err.Error(), t.Password)}
		a.Host, a.Port = writtenHost(prof)
		a.Stages = ladder(StageResult{Stage: StageConfig, Status: StatusFail, Duration: cfgDur})
		res.Attempts = []Attempt{a}
		res.Duration = p.o.Now().Sub(start)
		return res
	}
	res.Driver = t.Driver
	res.Attempts = p.ProbeTarget(ctx, t)
	res.Decided = decide(res.Attempts)
	for i := range res.Attempts {
		res.Attempts[i].Stages[0].Duration = cfgDur
	}
	res.Duration = p.o.Now().Sub(start)
	return res
}

// writtenHost is the profile's first host and port as written, for a
// result that reached no host.
func writtenHost(prof *profile.Profile) (host string, port int) {
	if h := prof.FirstHost(); h.Host.Set {
		host, _ = h.Host.Effective()
		port, _ = h.Port.Int()
	}
	return host, port
}

// decide picks the first successful attempt, or the last.
func decide(as []Attempt) int {
	for i, a := range as {
		if a.OK {
			return i
		}
	}
	return len(as) - 1
}

// ProbeTarget probes a resolved target, one attempt per host tried.
func (p *Prober) ProbeTarget(ctx context.Context, t Target) []Attempt {
	drv := p.o.Drivers[t.Driver]
	out := make([]Attempt, 0, len(t.Hosts))
	for _, hp := range t.Hosts {
		out = append(out, Attempt{})
		a := &out[len(out)-1] // filled in place: an attempt is not small
		p.attempt(ctx, drv, t, hp, a)
		if a.OK || !tryNextHost(*a) || ctx.Err() != nil {
			break
		}
	}
	return out
}

// tryNextHost follows libpq: the next host is tried when this one could not
// be reached or is not acceptable (read-only, shutting down, full), not when
// it rejected the credentials or the database. It is the same judgement as
// a fleet run's retries (Retryable).
func tryNextHost(a Attempt) bool { return Retryable(a.Stage, a.Class) }

// ladder starts a stage list with config, leaving every other stage
// "skip" until it runs.
func ladder(config StageResult) []StageResult {
	out := make([]StageResult, 0, 8)
	for _, s := range Stages() {
		if s == StageConfig {
			out = append(out, config)
			continue
		}
		out = append(out, StageResult{Stage: s, Status: StatusSkip})
	}
	return out
}

// run is one attempt in progress.
type run struct {
	p    *Prober
	drv  Driver
	t    Target
	a    *Attempt
	seen peerCert
	// ctx is the probe's context; dctx, the one drivers get, is never
	// canceled (see link).
	ctx, dctx context.Context
}

func (r *run) set(s Stage, st Status, d time.Duration, note string) {
	for i := range r.a.Stages {
		if r.a.Stages[i].Stage == s {
			r.a.Stages[i].Status, r.a.Stages[i].Duration, r.a.Stages[i].Note = st, d, note
		}
	}
}

// fail records err, seen while stage was running, as the attempt's failure.
// Once the probe's context is done the error says nothing about the
// server (the link turned the run's end into a deadline on the
// connection): the attempt is not verified, whatever err looks like.
func (r *run) fail(stage Stage, d time.Duration, err error) {
	if r.ended(stage, d) {
		return
	}
	s, c, code := classify(stage, err)
	r.failClass(stage, s, d, c, code, err.Error())
}

// ended records the attempt as not verified at stage when the probe's
// context is done, and reports whether it was.
func (r *run) ended(stage Stage, d time.Duration) bool {
	if !runEnded(r.ctx) {
		return false
	}
	code, why := endedBy(r.ctx)
	r.failClass(stage, stage, d, ClassNotVerified, code, "the run ended while this stage was running: "+why)
	r.set(stage, StatusUnknown, d, "cut short: the run ended before the stage did")
	return true
}

// runEnded reports whether ctx, the probe's context, is done or its
// deadline has passed. The second matters: a dial bounded by that deadline
// fails on the poller's clock a moment before the context's timer marks it
// done, and the failure would read as the network's timeout. Past the
// deadline it waits for the timer, so that the cause is set.
func runEnded(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		<-ctx.Done()
		return true
	}
	return false
}

// endedBy names why ctx is done: code "deadline" or "canceled", and the
// cause the caller gave (context.WithTimeoutCause, signal.NotifyContext).
func endedBy(ctx context.Context) (code, why string) {
	code, why = "canceled", "the run ended"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		code = "deadline"
	}
	if cause := context.Cause(ctx); cause != nil {
		why = cause.Error()
	}
	return code, why
}

func (r *run) failClass(running, stage Stage, d time.Duration, c Class, code, detail string) {
	r.a.OK, r.a.Stage, r.a.Class, r.a.Code = false, stage, c, code
	r.a.Detail = scrub(detail, r.t.Password)
	if running != stage {
		// One driver call covered several stages: those before the
		// failing one passed within it.
		for _, s := range Stages() {
			if s == stage {
				break
			}
			if stageIndex(s) >= stageIndex(running) {
				r.set(s, StatusOK, 0, "passed within the same exchange")
			}
		}
	}
	r.set(stage, StatusFail, d, "")
}

func stageIndex(s Stage) int {
	for i, x := range Stages() {
		if x == s {
			return i
		}
	}
	return -1
}

func (p *Prober) stageCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, p.o.StageTimeout)
}

// link is one TCP connection of a probe and its bound. Each stage bounds
// the connection with a deadline, and drivers are handed a context that is
// never canceled; one context.AfterFunc per connection turns the probe's
// cancellation (Ctrl-C, the run's deadline) into a deadline in the past,
// which ends any read or write at once. A cancelable context would make
// Go's TLS handshake start a goroutine and go-sql-driver wake its watcher
// goroutine on every call: on a busy machine those hand-offs cost more than
// the probe's own work against a pooler or MariaDB (bench/README.md).
type link struct {
	ctx  context.Context
	conn net.Conn // the TCP connection, under any TLS or replay wrapper
	stop func() bool
}

// longAgo is a deadline that has passed.
func longAgo() time.Time { return time.Unix(1, 0) }

func newLink(ctx context.Context, conn net.Conn) *link {
	l := &link{ctx: ctx}
	l.watch(conn)
	return l
}

func (l *link) watch(conn net.Conn) {
	l.conn = conn
	l.stop = context.AfterFunc(l.ctx, func() { _ = conn.SetDeadline(longAgo()) })
}

// bound gives the connection d from now. Once the probe's context is done
// the deadline stays in the past, whichever of bound and the AfterFunc
// runs last.
func (l *link) bound(d time.Duration) {
	_ = l.conn.SetDeadline(time.Now().Add(d))
	if l.ctx.Err() != nil {
		_ = l.conn.SetDeadline(longAgo())
	}
}

// replace closes the connection and watches conn instead.
func (l *link) replace(conn net.Conn) {
	l.release()
	l.watch(conn)
}

// release closes the connection and stops watching the context. Closing
// twice is harmless: a session's Close may have closed it already.
func (l *link) release() {
	l.stop()
	_ = l.conn.Close()
}

// attempt runs the stages against one host, into *a.
func (p *Prober) attempt(ctx context.Context, drv Driver, t Target, hp HostPort, a *Attempt) {
	*a = Attempt{Host: hp.Host, Port: hp.Port, Stages: ladder(StageResult{Stage: StageConfig, Status: StatusOK})}
	// r stays on the stack through dns and tcp: a probe that stops at tcp
	// (watch's reachability probes, thousands a minute) allocates no run
	// and no copy of the target. session makes the heap one the drivers'
	// stages need.
	r := &run{p: p, drv: drv, t: Target{Password: t.Password}, a: a, ctx: ctx} // the password to scrub from details

	// dns
	begin := p.o.Now()
	ips, err := p.lookup(ctx, hp.Host)
	if err != nil {
		r.fail(StageDNS, p.o.Now().Sub(begin), err)
		return
	}
	dnsNote := ""
	if net.ParseIP(hp.Host) != nil {
		dnsNote = "address literal: nothing to resolve"
	} else {
		dnsNote = fmt.Sprintf("%d address(es)", len(ips))
	}
	r.set(StageDNS, StatusOK, p.o.Now().Sub(begin), dnsNote)
	if p.o.LastStage == StageDNS {
		r.stopped(StageDNS)
		return
	}

	// tcp: each address in order, each with its own timeout, until one
	// accepts.
	begin = p.o.Now()
	keep := p.o.LastStage != StageTCP
	conn, ip, tcpWarn, err := p.dialAny(ctx, ips, hp.Port, keep)
	if err != nil {
		r.fail(StageTCP, p.o.Now().Sub(begin), err)
		if tcpWarn != "" && a.Class != ClassNotVerified {
			r.a.Detail = scrub(tcpWarn, t.Password)
		}
		return
	}
	a.Address = addr(ip, hp.Port)
	if tcpWarn != "" {
		r.set(StageTCP, StatusWarn, p.o.Now().Sub(begin), tcpWarn)
		a.Warnings = append(a.Warnings, tcpWarn)
	} else {
		r.set(StageTCP, StatusOK, p.o.Now().Sub(begin), "")
	}
	if !keep {
		r.stopped(StageTCP)
		return
	}
	p.session(ctx, drv, t, a, conn, ip)
}

// session runs the stages after tcp on conn: tls, auth and database
// (login), query and capacity, continuing attempt's *a.
func (p *Prober) session(ctx context.Context, drv Driver, t Target, a *Attempt, conn net.Conn, ip net.IP) {
	r := &run{p: p, drv: drv, t: t, a: a, ctx: ctx, dctx: context.WithoutCancel(ctx)}
	l := newLink(ctx, conn)
	defer l.release()
	sess, usedTLS, ok := r.login(l, ip)
	if !ok {
		return
	}
	defer func() {
		l.bound(time.Second)
		_ = sess.Close(r.dctx)
	}()

	// query
	begin := p.o.Now()
	l.bound(p.o.StageTimeout + p.o.StageTimeout/2)
	info, err := sess.Query(r.dctx, p.o.Query, p.o.StageTimeout)
	if err == nil && (t.NeedWriter || p.o.WriteCheck != "") {
		var ro bool
		ro, err = sess.ReadOnly(r.dctx)
		if err == nil && ro {
			r.failClass(StageQuery, StageQuery, p.o.Now().Sub(begin), ClassReadOnlyServer, "read_only",
				"the session is read-only (a standby, or default_transaction_read_only) and the profile needs a writer")
			return
		}
	}
	if err == nil && p.o.WriteCheck != "" {
		err = sess.WriteCheck(r.dctx, p.o.WriteCheck, p.o.StageTimeout)
	}
	if err != nil {
		r.fail(StageQuery, p.o.Now().Sub(begin), err)
		return
	}
	a.Pooler = info.Pooler
	qnote := "SELECT 1, read-only"
	if p.o.Query != "" {
		qnote = "configured query, read-only"
	}
	if p.o.WriteCheck != "" {
		qnote += "; insert into " + p.o.WriteCheck + " rolled back"
	}
	r.set(StageQuery, StatusOK, p.o.Now().Sub(begin), qnote)

	// capacity
	begin = p.o.Now()
	if p.o.SkipCapacity || p.o.LastStage == StageQuery {
		r.set(StageCapacity, StatusSkip, 0, "not requested")
	} else {
		l.bound(p.o.StageTimeout)
		r.capacity(sess, ip, usedTLS, begin)
	}
	if a.Stage == "" {
		a.OK = true
	}
}

// stopped ends an attempt that passed every stage up to last, the
// Options.LastStage asked for.
func (r *run) stopped(last Stage) {
	for _, s := range Stages() {
		if stageIndex(s) > stageIndex(last) {
			r.set(s, StatusSkip, 0, "not requested")
		}
	}
	r.a.OK = true
}

// login runs the tls, auth and database stages on l's connection. On
// failure the caller's release of l closes what is left.
func (r *run) login(l *link, ip net.IP) (Session, bool, bool) {
	p, t, dctx := r.p, r.t, r.dctx
	l.bound(p.o.StageTimeout)
	conn := l.conn
	begin := p.o.Now()
	usedTLS, inHandshake := false, false
	var driverTLS *tls.Config
	switch {
	case t.TLS == TLSDisable:
		r.set(StageTLS, StatusSkip, 0, "TLS disabled by the profile")
	case t.TLS == TLSAllow:
		r.set(StageTLS, StatusSkip, 0, "allow: plaintext first, TLS only if the server insists")
	default:
		cfg, err := p.clientTLS(t, t.serverName(), false, &r.seen)
		if err != nil {
			r.failClass(StageTLS, StageConfig, 0, ClassConfigInvalid, "tls_files", err.Error())
			r.set(StageTLS, StatusSkip, 0, "")
			return nil, false, false
		}
		offer, err := r.drv.NegotiateTLS(dctx, conn)
		if err != nil {
			r.fail(StageTLS, p.o.Now().Sub(begin), err)
			return nil, false, false
		}
		if offer.Conn != nil {
			conn = offer.Conn
		}
		switch {
		case !offer.Offered && t.TLS.requires():
			r.failClass(StageTLS, StageTLS, p.o.Now().Sub(begin), ClassTLSNotSupportedByServer, "tls_not_offered",
				fmt.Sprintf("the profile requires TLS (%s) and the server declined it in the %s protocol", t.TLS, r.drv.Name()))
			return nil, false, false
		case !offer.Offered:
			r.set(StageTLS, StatusWarn, p.o.Now().Sub(begin), fmt.Sprintf("server does not offer TLS; %s continues in plaintext", t.TLS))
		case offer.InHandshake:
			driverTLS, inHandshake, usedTLS = cfg, true, true
		default:
			tc := tls.Client(conn, cfg)
			err := tc.HandshakeContext(dctx)
			if err == nil {
				conn, usedTLS = tc, true
				r.tlsDone(p.o.Now().Sub(begin), tc.ConnectionState().Version, "")
				break
			}
			if t.TLS != TLSPrefer || r.ctx.Err() != nil {
				r.fail(StageTLS, p.o.Now().Sub(begin), err)
				return nil, false, false
			}
			// prefer: libpq drops the connection and tries again
			// without TLS; so does the probe, and says so.
			_, c, code := classify(StageTLS, err)
			plain, derr := p.redial(r.ctx, ip, r.a.Port)
			if derr != nil {
				r.fail(StageTCP, p.o.Now().Sub(begin), derr)
				return nil, false, false
			}
			l.replace(plain)
			l.bound(p.o.StageTimeout)
			conn = plain
			w := fmt.Sprintf("TLS handshake failed (%s %s); prefer fell back to plaintext on a new connection, as libpq does", c, code)
			r.a.Warnings = append(r.a.Warnings, w)
			r.set(StageTLS, StatusWarn, p.o.Now().Sub(begin), w)
		}
	}

	// auth and database: one login exchange
	begin = p.o.Now()
	sess, err := r.drv.Connect(dctx, conn, ConnectRequest{Database: t.Database, User: t.User, Password: t.Password, TLS: driverTLS})
	d := p.o.Now().Sub(begin)
	if err != nil {
		running := StageAuth
		if inHandshake {
			running = StageTLS
		}
		if r.ended(running, d) {
			return nil, false, false
		}
		s, c, code := classify(running, err)
		if inHandshake && s == StageTLS {
			r.failClass(StageTLS, StageTLS, d, c, code, err.Error())
			return nil, false, false
		}
		if s == StageTLS {
			s = StageAuth
		}
		if inHandshake {
			r.tlsDone(0, 0, "negotiated inside the "+r.drv.Name()+" handshake: its time is part of auth")
		}
		var se *ServerError
		if c == ClassProtocolError && errors.As(err, &se) && se.Code == "08P01" {
			if p.databaseMissing(r.ctx, r.drv, t, ip, usedTLS) {
				r.failClass(StageAuth, StageDatabase, d, ClassDatabaseNotFound, code,
					"the pooler relayed the server's refusal; the database is not in the server's catalog (second attempt): "+err.Error())
				return nil, false, false
			}
			if r.ended(running, d) { // the second attempt was cut short: no answer
				return nil, false, false
			}
		}
		if !usedTLS && (c == ClassAccessRejected || c == ClassAuthFailed) {
			if p.acceptsOverTLS(r.ctx, r.drv, t, ip) {
				r.failClass(StageAuth, StageTLS, d, ClassTLSRequiredByServer, code,
					"refused in plaintext; the same credentials succeeded over TLS (second attempt)")
				return nil, false, false
			}
			if r.ended(running, d) {
				return nil, false, false
			}
		}
		r.failClass(StageAuth, s, d, c, code, err.Error())
		return nil, false, false
	}
	if inHandshake {
		r.tlsDone(0, 0, "negotiated inside the "+r.drv.Name()+" handshake: its time is part of auth")
	}
	r.set(StageAuth, StatusOK, d, "")
	r.set(StageDatabase, StatusOK, 0, "opened by the same login exchange")
	return sess, usedTLS, true
}

// tlsDone records a successful TLS stage, warning on a certificate close
// to expiry.
func (r *run) tlsDone(d time.Duration, version uint16, note string) {
	if note == "" && version != 0 {
		note = tls.VersionName(version)
	}
	if leaf := r.seen.get(); leaf != nil {
		r.a.CertNotAfter = leaf.NotAfter
	}
	if w := expiryWarning(r.seen.get(), r.p.o.Now(), r.p.o.ExpiryWarning); w != "" {
		r.a.Warnings = append(r.a.Warnings, w)
		r.set(StageTLS, StatusWarn, d, note+"; "+w)
		return
	}
	r.set(StageTLS, StatusOK, d, note)
}

// serverName is the name TLS verifies: the first host as written.
func (t Target) serverName() string {
	if len(t.Hosts) == 0 {
		return ""
	}
	return t.Hosts[0].Host
}

// acceptsOverTLS is the second attempt that decides an ambiguous refusal:
// 28000 or MySQL's 1045 in plaintext mean "TLS required" only if the same
// credentials succeed over TLS.
func (p *Prober) acceptsOverTLS(ctx context.Context, drv Driver, t Target, ip net.IP) bool {
	t.TLS = TLSRequire
	s, err := p.open(ctx, drv, t, ip, t.Hosts[0].Port, true, ConnectRequest{Database: t.Database, User: t.User, Password: t.Password}, nil)
	if err != nil {
		return false
	}
	s.close()
	return true
}

// databaseMissing is the second attempt behind a pooler's 08P01: log in to
// the postgres database with the same credentials and look the database up.
func (p *Prober) databaseMissing(ctx context.Context, drv Driver, t Target, ip net.IP, usedTLS bool) bool {
	if usedTLS && t.TLS == TLSPrefer {
		t.TLS = TLSRequire
	}
	s, err := p.open(ctx, drv, t, ip, t.Hosts[0].Port, false, ConnectRequest{Database: "postgres", User: t.User, Password: t.Password}, nil)
	if err != nil {
		return false
	}
	defer s.close()
	cat, ok := s.Session.(Catalog)
	if !ok {
		return false
	}
	s.l.bound(p.o.StageTimeout)
	exists, err := cat.DatabaseExists(s.dctx, t.Database)
	return err == nil && !exists
}

// extra is a session opened outside the stage ladder, with its link.
type extra struct {
	Session
	l    *link
	dctx context.Context
}

// close ends the session politely, within a second, and releases it.
func (s extra) close() {
	s.l.bound(time.Second)
	_ = s.Session.Close(s.dctx)
	s.l.release()
}

// open makes an extra connection without recording stages: for the second
// attempt, the pooler's admin console and audit's inspection. seen, when
// not nil, records the server's certificate.
func (p *Prober) open(ctx context.Context, drv Driver, t Target, ip net.IP, port int, insecure bool, req ConnectRequest, seen *peerCert) (extra, error) {
	sctx, cancel := p.stageCtx(ctx)
	conn, err := p.o.Dial(sctx, "tcp", addr(ip, port))
	cancel()
	if err != nil {
		return extra{}, err
	}
	l := newLink(ctx, conn)
	dctx := context.WithoutCancel(ctx)
	l.bound(p.o.StageTimeout)
	fail := func(err error) (extra, error) {
		l.release()
		return extra{}, err
	}
	if t.TLS != TLSDisable && t.TLS != TLSAllow {
		cfg, err := p.clientTLS(t, t.serverName(), insecure, seen)
		if err != nil {
			return fail(err)
		}
		offer, err := drv.NegotiateTLS(dctx, conn)
		if err != nil {
			return fail(err)
		}
		if offer.Conn != nil {
			conn = offer.Conn
		}
		switch {
		case !offer.Offered && t.TLS.requires():
			return fail(ErrTLSNotOffered)
		case !offer.Offered:
		case offer.InHandshake:
			req.TLS = cfg
		default:
			tc := tls.Client(conn, cfg)
			err := tc.HandshakeContext(dctx)
			if err == nil {
				conn = tc
				break
			}
			if t.TLS != TLSPrefer || ctx.Err() != nil {
				return fail(err)
			}
			plain, derr := p.redial(ctx, ip, port)
			if derr != nil {
				return fail(derr)
			}
			l.replace(plain)
			l.bound(p.o.StageTimeout)
			conn = plain
		}
	}
	sess, err := drv.Connect(dctx, conn, req)
	if err != nil {
		return fail(err)
	}
	return extra{Session: sess, l: l, dctx: dctx}, nil
}

// redial opens a new TCP connection for the plaintext retry of
// sslmode=prefer.
func (p *Prober) redial(ctx context.Context, ip net.IP, port int) (net.Conn, error) {
	sctx, cancel := p.stageCtx(ctx)
	defer cancel()
	return p.o.Dial(sctx, "tcp", addr(ip, port))
}

// capacity runs the capacity stage. A failure to read the numbers, or an
// unknown pool size or replica count, is "unknown", never a failure: only
// numbers that prove the pool cannot fit fail it.
func (r *run) capacity(sess Session, ip net.IP, usedTLS bool, begin time.Time) {
	p, t := r.p, r.t
	var c Capacity
	var err error
	if r.a.Pooler {
		tt := t
		if usedTLS && tt.TLS == TLSPrefer {
			tt.TLS = TLSRequire
		}
		var console extra
		console, err = p.open(r.ctx, r.drv, tt, ip, r.a.Port, false, ConnectRequest{Database: "pgbouncer", User: t.User, Password: t.Password, Console: true}, nil)
		if err == nil {
			console.l.bound(p.o.StageTimeout)
			c, err = console.Capacity(console.dctx)
			console.close()
		}
	} else {
		c, err = sess.Capacity(r.dctx)
	}
	d := p.o.Now().Sub(begin)
	if err != nil && runEnded(r.ctx) {
		_, why := endedBy(r.ctx)
		r.set(StageCapacity, StatusUnknown, d, "limits not read: the run ended first ("+why+")")
		return
	}
	if err != nil {
		_, cl, code := classify(StageCapacity, err)
		r.set(StageCapacity, StatusUnknown, d, fmt.Sprintf("limits not readable (%s %s)", cl, code))
		return
	}
	r.a.Capacity = &c
	have := capacityText(c)
	if t.PoolMax == 0 || t.Replicas == 0 {
		missing := "pool max"
		switch {
		case t.PoolMax == 0 && t.Replicas == 0:
			missing = "pool max and replica count"
		case t.Replicas == 0:
			missing = "replica count"
		}
		r.set(StageCapacity, StatusUnknown, d, missing+" unknown; "+have)
		return
	}
	peak := t.Peak
	if !peak.Known {
		peak = capacity.Peak{Replicas: t.Replicas, Known: true}
	}
	b := capacity.Budget{Limit: capacity.Live(net.JoinHostPort(r.a.Host, strconv.Itoa(r.a.Port)), c.Free(), have),
		Demands: []capacity.Demand{{Client: "this profile", Pool: t.PoolMax, Peak: peak}}}
	if b.Over() {
		r.failClass(StageCapacity, StageCapacity, d, ClassPoolCapacityExceeded, strconv.Itoa(b.Total())+">"+strconv.Itoa(b.Limit.Available),
			b.Explain(0))
		return
	}
	r.set(StageCapacity, StatusOK, d, b.Explain(0))
}

func capacityText(c Capacity) string {
	s := fmt.Sprintf("%s: %d free (max %d, reserved %d, in use %d", c.Source, c.Free(), c.Max, c.Reserved, c.Current)
	if c.UserLimit >= 0 {
		s += fmt.Sprintf(", user limit %d with %d in use", c.UserLimit, c.UserCurrent)
	}
	if c.PoolSize > 0 {
		s += fmt.Sprintf(", server pool size %d", c.PoolSize)
	}
	return s + ")"
}

// lookup resolves host, every address; an IP literal is its own address.
func (p *Prober) lookup(ctx context.Context, host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	sctx, cancel := p.stageCtx(ctx)
	defer cancel()
	addrs, err := p.o.Resolver.LookupIPAddr(sctx, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, nil
}

// dialAny connects to the first address that accepts, each address with
// its own timeout. warn lists the addresses that failed before it. Unless
// keep, the connection is closed at once and conn is nil.
func (p *Prober) dialAny(ctx context.Context, ips []net.IP, port int, keep bool) (net.Conn, net.IP, string, error) {
	var firstErr error
	warn := ""
	for _, ip := range ips {
		conn, err := p.connect(ctx, ip, port, keep)
		if err == nil {
			return conn, ip, warn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		_, c, code := classify(StageTCP, err)
		if warn != "" {
			warn += "; "
		}
		warn += fmt.Sprintf("%s: %s (%s)", addr(ip, port), c, code)
		if ctx.Err() != nil {
			break
		}
	}
	if len(ips) == 1 {
		warn = ""
	}
	if firstErr == nil {
		firstErr = errors.New("no address to dial")
	}
	return nil, nil, warn, firstErr
}

// connect opens one TCP connection with the stage timeout; unless keep it
// closes it at once and returns no conn, with reach when the dialer is the
// default one.
func (p *Prober) connect(ctx context.Context, ip net.IP, port int, keep bool) (net.Conn, error) {
	if !keep && p.lean {
		return nil, reach(ctx, ip, port, p.o.StageTimeout)
	}
	sctx, cancel := p.stageCtx(ctx)
	defer cancel()
	conn, err := p.o.Dial(sctx, "tcp", addr(ip, port))
	if err != nil || keep {
		return conn, err
	}
	_ = conn.Close()
	return nil, nil
}
