package testenv_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

func TestClosedPortRefuses(t *testing.T) {
	t.Parallel()
	_, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", testenv.ClosedPort(t)), 2*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial a closed port: %v, want ECONNREFUSED", err)
	}
}

// A closed port stays refused for the whole test: no listener can take it
// meanwhile, as one could when the port was found free and released.
func TestClosedPortCannotBeTaken(t *testing.T) {
	t.Parallel()
	port := testenv.ClosedPort(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err == nil {
		l.Close()
		t.Fatalf("listen on the closed port %d succeeded: another process could answer the test's dial", port)
	}
	_, err = net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 2*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial the closed port after a refused listen: %v, want ECONNREFUSED", err)
	}
}

// A served connection says what fn wrote, then stays open and silent
// until the test ends.
func TestServeHoldsTheConnection(t *testing.T) {
	t.Parallel()
	addr := testenv.Serve(t, func(c net.Conn) { _, _ = c.Write([]byte("hello")) })
	if !addr.IP.IsLoopback() {
		t.Fatalf("Serve listens on %v, want loopback", addr)
	}
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	got := make([]byte, 5)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "hello" {
		t.Fatalf("read %q, %v; want hello", got, err)
	}
	var ne net.Error
	if _, err := c.Read(got); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read after fn returned: %v, want a timeout (the connection held open)", err)
	}
}

func TestSilentListenerNeverAnswers(t *testing.T) {
	t.Parallel()
	c, err := net.Dial("tcp", testenv.SilentListener(t).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	var ne net.Error
	if _, err := c.Read(make([]byte, 1)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read: %v, want a timeout", err)
	}
}

// AcceptAndClose's listener takes a connection and ends it: the client
// reads end of file.
func TestAcceptAndCloseEndsEachConnection(t *testing.T) {
	port := testenv.AcceptAndClose(t, "127.0.0.1")
	for range 3 {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("read from an accepted-and-closed connection: %d bytes, %v; want end of file", n, err)
		}
		c.Close()
	}
}
