package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// RowReader is an optional Session capability: the rows of one read-only
// statement, as text (NULL as ""). Audit reads a server's settings with
// it; the driver runs q in a read-only transaction bounded by timeout on
// the server, or on a pooler's admin console as it is (the console
// accepts SHOW only and has no transactions).
type RowReader interface {
	Rows(ctx context.Context, q string, timeout time.Duration) (columns []string, rows [][]string, err error)
}

// Inspection is a session opened, outside the stage ladder, to read what a
// server is set to. The caller reads through Rows and must Close it.
type Inspection struct {
	// Host and Port are the target's first host as written; Address the
	// address connected to.
	Host    string
	Port    int
	Address string
	// TLS reports that the session runs over TLS; Cert is then the
	// server's leaf certificate.
	TLS  bool
	Cert *x509.Certificate
	// Pooler reports that a pooler (PgBouncer) answered in front of the
	// server.
	Pooler bool
	ip     net.IP
	s      extra
	p      *Prober
	drv    Driver
	t      Target
}

// ErrNoRows is returned by Inspection.Rows for a driver without the
// RowReader capability.
var ErrNoRows = errors.New("the driver cannot read rows")

// Inspect logs in to t's first host the way a probe does (its TLS mode,
// files and credentials) and learns whether a pooler answered. Errors are
// what the stages would classify; the caller names them with the
// taxonomy's words.
func (p *Prober) Inspect(ctx context.Context, t Target) (*Inspection, error) {
	drv, ok := p.o.Drivers[t.Driver]
	if !ok || len(t.Hosts) == 0 {
		return nil, fmt.Errorf("inspect: no driver %q or no host", t.Driver)
	}
	hp := t.Hosts[0]
	ips, err := p.lookup(ctx, hp.Host)
	if err != nil {
		return nil, err
	}
	// Each address in turn, as the tcp stage tries them.
	var (
		seen peerCert
		s    extra
		ip   net.IP
	)
	for _, ip = range ips {
		if s, err = p.open(ctx, drv, t, ip, hp.Port, false, ConnectRequest{Database: t.Database, User: t.User, Password: t.Password}, &seen); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	in := &Inspection{Host: hp.Host, Port: hp.Port, Address: addr(ip, hp.Port), Cert: seen.get(), ip: ip, s: s, p: p, drv: drv, t: t}
	in.TLS = in.Cert != nil // a TLS server always presents one
	s.l.bound(p.o.StageTimeout + p.o.StageTimeout/2)
	info, err := s.Query(s.dctx, "", p.o.StageTimeout)
	if err != nil {
		in.Close()
		return nil, err
	}
	in.Pooler = info.Pooler
	return in, nil
}

// Console opens the pooler's admin console on the inspected address with
// the same credentials, as the capacity stage does.
func (in *Inspection) Console(ctx context.Context) (*Inspection, error) {
	t := in.t
	if in.TLS && t.TLS == TLSPrefer {
		t.TLS = TLSRequire
	}
	s, err := in.p.open(ctx, in.drv, t, in.ip, in.Port, false, ConnectRequest{Database: "pgbouncer", User: t.User, Password: t.Password, Console: true}, nil)
	if err != nil {
		return nil, err
	}
	return &Inspection{Host: in.Host, Port: in.Port, Address: in.Address, TLS: in.TLS, ip: in.ip, s: s, p: in.p, drv: in.drv, t: t}, nil
}

// Rows runs q read-only within the prober's stage timeout.
func (in *Inspection) Rows(ctx context.Context, q string) ([]string, [][]string, error) {
	rr, ok := in.s.Session.(RowReader)
	if !ok {
		return nil, nil, ErrNoRows
	}
	in.s.l.bound(in.p.o.StageTimeout + in.p.o.StageTimeout/2)
	return rr.Rows(in.s.dctx, q, in.p.o.StageTimeout)
}

// Capacity is the session's Capacity (the pooler's on a console).
func (in *Inspection) Capacity(ctx context.Context) (Capacity, error) {
	in.s.l.bound(in.p.o.StageTimeout)
	return in.s.Capacity(in.s.dctx)
}

// Close ends the session.
func (in *Inspection) Close() { in.s.close() }

// Scrub is scrub for other packages: a message about t's connection made
// safe to print, log or store.
func Scrub(msg string, t Target) string { return scrub(msg, t.Password) }
