//go:build linux

package verify

import (
	"context"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// reach opens a TCP connection to ip:port and closes it at once: the tcp
// stage of a probe that stops there (Options.LastStage), which is what
// watch's reachability probes do thousands of times a minute. A
// net.Dialer would make a net.Conn for the connection — a context and its
// timer, registering with the poller, a goroutine parked until the
// handshake ends, getsockname, getpeername and TCP_NODELAY — and the
// probe would close it unused: at 1,000 targets that was as much CPU as
// the kernel's own connect and close (bench/README.md, watch).
//
// Here the socket is non-blocking and connect is called twice: on
// loopback and on the same host the handshake has run by the time the
// first call returns (EINPROGRESS), and the second says so (0 or
// EISCONN) or gives the failure (ECONNREFUSED). Only a handshake still
// under way (EALREADY: a remote host, a full backlog) waits, in Go's
// poller, until it ends, timeout passes or ctx ends. The errors are the
// ones a net.Dialer gives (a *net.OpError around the errno, a timeout,
// the context's error), so that classify reads both alike.
func reach(ctx context.Context, ip net.IP, port int, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return reachError(ip, port, err)
	}
	var sa sockaddr
	family := sa.set(ip, port)
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_TCP)
	if err != nil {
		return reachError(ip, port, os.NewSyscallError("socket", err))
	}
	err = sa.connect(fd)
	if pending(err) {
		err = sa.connect(fd)
	}
	switch {
	case err == nil || err == syscall.EISCONN:
		rawClose(fd)
		return nil
	case pending(err):
		return await(ctx, fd, &sa, ip, port, timeout)
	}
	rawClose(fd)
	return reachError(ip, port, os.NewSyscallError("connect", err))
}

// pending reports whether connect's answer means the handshake is under
// way.
func pending(err error) bool {
	return err == syscall.EINPROGRESS || err == syscall.EALREADY || err == syscall.EINTR
}

// await waits in Go's poller for the handshake on fd to end, asks connect
// again how it ended, and closes fd.
func await(ctx context.Context, fd int, sa *sockaddr, ip net.IP, port int, timeout time.Duration) error {
	f := os.NewFile(uintptr(fd), "tcp")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return reachError(ip, port, err)
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := f.SetWriteDeadline(deadline); err != nil {
		return reachError(ip, port, err) // not in the poller: no bound
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(longAgo()) })
	defer stop()
	var cerr error
	werr := rc.Write(func(fd uintptr) bool {
		cerr = sa.connect(int(fd))
		return !pending(cerr)
	})
	switch {
	case werr != nil && ctx.Err() != nil:
		return reachError(ip, port, ctx.Err())
	case werr != nil:
		return reachError(ip, port, werr) // the deadline: a timeout
	case cerr == nil || cerr == syscall.EISCONN:
		return nil
	}
	return reachError(ip, port, os.NewSyscallError("connect", cerr))
}

// sockaddr is the kernel's sockaddr_in or sockaddr_in6 for one address.
type sockaddr struct {
	in4 syscall.RawSockaddrInet4
	in6 syscall.RawSockaddrInet6
	v6  bool
}

// set fills sa with ip:port and returns the address family.
func (sa *sockaddr) set(ip net.IP, port int) int {
	be := [2]byte{byte(port >> 8), byte(port)} // sin_port is big-endian
	if ip4 := ip.To4(); ip4 != nil {
		sa.in4 = syscall.RawSockaddrInet4{Family: syscall.AF_INET, Port: *(*uint16)(unsafe.Pointer(&be))}
		copy(sa.in4.Addr[:], ip4)
		return syscall.AF_INET
	}
	sa.in6 = syscall.RawSockaddrInet6{Family: syscall.AF_INET6, Port: *(*uint16)(unsafe.Pointer(&be))}
	copy(sa.in6.Addr[:], ip.To16())
	sa.v6 = true
	return syscall.AF_INET6
}

// connect calls connect(2) without telling the Go scheduler, as rawClose
// calls close(2): on a non-blocking socket neither waits (a close without
// SO_LINGER returns at once, and the kernel sends the FIN), so the
// goroutine keeps its P. Through syscall.Syscall, a connect that spent
// the loopback handshake's tens of µs in the kernel let the runtime's
// sysmon hand the P to another thread and wake it (bench/README.md,
// watch).
func (sa *sockaddr) connect(fd int) error {
	var e syscall.Errno
	if sa.v6 {
		_, _, e = syscall.RawSyscall(syscall.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa.in6)), syscall.SizeofSockaddrInet6)
	} else {
		_, _, e = syscall.RawSyscall(syscall.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa.in4)), syscall.SizeofSockaddrInet4)
	}
	if e != 0 {
		return e
	}
	return nil
}

func rawClose(fd int) {
	_, _, _ = syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0)
}

func reachError(ip net.IP, port int, err error) error {
	return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: ip, Port: port}, Err: err}
}
