package verify_test

import (
	"crypto/tls"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

// fullBacklogPort returns a loopback port whose listen queue is full: the
// kernel drops further SYNs, so a dial times out — a tcp_timeout produced
// on loopback without touching any other host.
func fullBacklogPort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatalf("listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	// Fill the queue: connections complete in the kernel and are never
	// accepted, until one does not complete.
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err != nil {
			return port
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatalf("the listen queue of port %d never filled", port)
	return 0
}

// serve starts a loopback listener that hands each connection to fn and
// returns its port.
func serve(t *testing.T, fn func(net.Conn)) int { return testenv.Serve(t, fn).Port }

// garbagePort answers every connection with an HTTP error page.
func garbagePort(t *testing.T) int {
	return serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	})
}

// tls13OnlyPort speaks PostgreSQL's SSLRequest ('S') and then a TLS server
// that accepts only TLS 1.3, with the test servers' certificate.
func tls13OnlyPort(t *testing.T) int {
	t.Helper()
	cert := selfSignedServer(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	return serve(t, func(c net.Conn) {
		var req [8]byte
		if _, err := c.Read(req[:]); err != nil {
			return
		}
		_, _ = c.Write([]byte{'S'})
		tc := tls.Server(c, cfg)
		_ = tc.Handshake()
	})
}
