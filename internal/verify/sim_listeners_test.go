package verify_test

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

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
