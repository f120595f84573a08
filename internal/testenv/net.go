package testenv

import (
	"net"
	"testing"
)

// The servers below stand in for a database that misbehaves, without
// leaving loopback: tests never reach any other address, not even an
// unroutable one.

// ClosedPort returns a loopback port with nothing listening: a dial to it
// is refused at once. The port stays reserved until the test ends (see
// reservePort), so that no other process on the machine can start
// listening on it between the call and the dial.
func ClosedPort(t testing.TB) int {
	t.Helper()
	port, release, err := reservePort()
	if err != nil {
		t.Fatalf("reserve a closed loopback port: %v", err)
	}
	t.Cleanup(release)
	return port
}

// FreePort returns a loopback port that was free a moment ago, for a
// server the test starts itself to listen on. Unlike ClosedPort it holds
// nothing: the server must bind it soon, and a failure to bind is the
// server's error to report.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// Serve starts a loopback listener that hands each connection to fn, in a
// goroutine of its own, and holds the connection open after fn returns,
// until the test ends: a server that says what fn says and then nothing
// more, as a stalled database does. The listener and every connection are
// closed when the test ends.
func Serve(t testing.TB, fn func(net.Conn)) *net.TCPAddr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
			go fn(c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr)
}

// SilentListener accepts connections on loopback and never answers: a
// probe against it waits until its stage deadline or the run's end.
func SilentListener(t testing.TB) *net.TCPAddr {
	t.Helper()
	return Serve(t, func(net.Conn) {})
}

// AcceptAndClose starts a listener on host (a loopback address) that
// accepts each connection and closes it at once, keeping nothing of it,
// as a server does to a client that only checks it can connect: over
// thousands of connections the descriptors and memory measured stay the
// client's. It returns the port; the listener closes when the test ends.
func AcceptAndClose(t testing.TB, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}
