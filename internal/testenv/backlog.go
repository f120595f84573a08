package testenv

import (
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// FullBacklogPort returns a loopback port whose listen queue is full: the
// kernel drops further SYNs, so a dial times out — a tcp_timeout (a
// blackholed target) produced on loopback without touching any other
// host. The socket and the connections that fill it are closed when the
// test ends.
func FullBacklogPort(t testing.TB) int {
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
	for range 8 {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err != nil {
			return port
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatalf("the listen queue of port %d never filled", port)
	return 0
}
