//go:build unix

package testenv

import (
	"fmt"
	"syscall"
)

// reservePort binds a TCP socket to a free loopback port and never
// listens on it: a connection to the port is refused (nothing listens),
// and no other socket can bind the port while this one holds it. A port
// found free and then released, as net.Listen and Close would leave it,
// can be taken by a concurrent process before the test dials it, which
// turned "refused" into whatever that process answered.
func reservePort() (int, func(), error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, nil, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return 0, nil, fmt.Errorf("bind: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return 0, nil, fmt.Errorf("getsockname: %w", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		syscall.Close(fd)
		return 0, nil, fmt.Errorf("getsockname: not an IPv4 address")
	}
	return in4.Port, func() { syscall.Close(fd) }, nil
}
