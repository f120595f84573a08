// Package verifytest is the conformance suite every verify.Driver must
// pass, run by each driver's own tests against a real server. It checks the
// contract the core relies on: server errors arrive as *verify.ServerError,
// foreign bytes as verify.ErrProtocol, a silent server is bounded by the
// context, and a session can query, report capacity and close.
package verifytest

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// Server is a real server the suite logs in to, without TLS.
type Server struct {
	Addr     string // host:port
	Database string
	User     string
	Password string
	// TLS reports whether the server offers TLS.
	TLS bool
}

// Run runs the suite against drv.
func Run(t *testing.T, drv verify.Driver, srv Server) {
	t.Helper()
	dial := func(t *testing.T, addr string) net.Conn {
		t.Helper()
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			t.Fatalf("dial %s: %v", addr, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	req := verify.ConnectRequest{Database: srv.Database, User: srv.User, Password: profile.NewSecret(srv.Password)}
	ctx := func(t *testing.T, d time.Duration) context.Context {
		c, cancel := context.WithTimeout(context.Background(), d)
		t.Cleanup(cancel)
		return c
	}

	t.Run("name and port", func(t *testing.T) {
		if drv.Name() == "" || drv.DefaultPort() <= 0 {
			t.Fatalf("Name %q DefaultPort %d", drv.Name(), drv.DefaultPort())
		}
	})
	t.Run("negotiate TLS reports the offer", func(t *testing.T) {
		offer, err := drv.NegotiateTLS(ctx(t, 5*time.Second), dial(t, srv.Addr))
		if err != nil {
			t.Fatalf("NegotiateTLS: %v", err)
		}
		if offer.Offered != srv.TLS {
			t.Fatalf("Offered = %v, want %v", offer.Offered, srv.TLS)
		}
	})
	t.Run("connect, query, capacity, close", func(t *testing.T) {
		c := ctx(t, 10*time.Second)
		s, err := drv.Connect(c, dial(t, srv.Addr), req)
		if err != nil {
			t.Fatalf("Connect: %v", err)
		}
		if _, err := s.Query(c, "", time.Second); err != nil {
			t.Fatalf("Query: %v", err)
		}
		if ro, err := s.ReadOnly(c); err != nil || ro {
			t.Fatalf("ReadOnly = %v, %v; want false, nil", ro, err)
		}
		cp, err := s.Capacity(c)
		if err != nil || cp.Max <= 0 || cp.Current <= 0 {
			t.Fatalf("Capacity = %+v, %v", cp, err)
		}
		if err := s.Close(c); err != nil {
			t.Fatalf("Close: %v", err)
		}
	})
	t.Run("a failing query is a ServerError", func(t *testing.T) {
		c := ctx(t, 10*time.Second)
		s, err := drv.Connect(c, dial(t, srv.Addr), req)
		if err != nil {
			t.Fatalf("Connect: %v", err)
		}
		defer s.Close(c)
		_, err = s.Query(c, "SELECT * FROM dbguard_conformance_no_such_table", time.Second)
		var se *verify.ServerError
		if !errors.As(err, &se) || se.Code == "" {
			t.Fatalf("Query error = %v (%T), want *verify.ServerError with a code", err, err)
		}
	})
	t.Run("a wrong password is a ServerError", func(t *testing.T) {
		bad := req
		bad.Password = profile.NewSecret("wrong-" + srv.Password)
		_, err := drv.Connect(ctx(t, 10*time.Second), dial(t, srv.Addr), bad)
		var se *verify.ServerError
		if !errors.As(err, &se) || se.Code == "" {
			t.Fatalf("Connect error = %v (%T), want *verify.ServerError with a code", err, err)
		}
	})
	t.Run("foreign bytes are ErrProtocol", func(t *testing.T) {
		addr := testenv.Serve(t, func(c net.Conn) { _, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) }).String()
		_, err := drv.Connect(ctx(t, 5*time.Second), dial(t, addr), req)
		if !errors.Is(err, verify.ErrProtocol) {
			t.Fatalf("Connect error = %v, want verify.ErrProtocol", err)
		}
	})
	t.Run("a silent server is bounded by the context", func(t *testing.T) {
		addr := testenv.SilentListener(t).String()
		conn := dial(t, addr)
		c := ctx(t, 300*time.Millisecond)
		dl, _ := c.Deadline()
		_ = conn.SetDeadline(dl) // as the core does before every stage
		start := time.Now()
		_, err := drv.Connect(c, conn, req)
		if err == nil || time.Since(start) > 2*time.Second {
			t.Fatalf("Connect = %v after %v, want an error within the deadline", err, time.Since(start))
		}
		var ne net.Error
		if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
			t.Fatalf("Connect error = %v (%T), want a timeout the core can recognise", err, err)
		}
	})
}
