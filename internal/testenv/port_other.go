//go:build !unix

package testenv

import "net"

// reservePort finds a free loopback port and releases it: without a way
// to hold a port unbound to a listener, another process may take it
// before the test dials it.
func reservePort() (int, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port, func() {}, nil
}
