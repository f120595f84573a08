//go:build !linux

package verify

import (
	"context"
	"net"
	"time"
)

// reach opens a TCP connection to ip:port and closes it at once. On Linux
// it skips the net.Conn (reach_linux.go); elsewhere it is a net.Dialer's.
func reach(ctx context.Context, ip net.IP, port int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{KeepAlive: -1}).DialContext(ctx, "tcp", addr(ip, port))
	if err != nil {
		return err
	}
	return conn.Close()
}
