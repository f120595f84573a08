package verify_test

import (
	"context"
	"encoding/binary"
	"net"
	"strings"
	"testing"
)

// dnsServer is a tiny authoritative DNS server on loopback UDP, written by
// hand: it answers A queries for the names in addrs, NXDOMAIN for others,
// SERVFAIL for names under "servfail." and never answers names under
// "silent.".
type dnsServer struct {
	pc    net.PacketConn
	addrs map[string]net.IP
}

func startDNS(t *testing.T, addrs map[string]net.IP) *dnsServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	s := &dnsServer{pc: pc, addrs: addrs}
	t.Cleanup(func() { pc.Close() })
	go s.serve()
	return s
}

// resolver returns a Go resolver that asks only this server.
func (s *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.pc.LocalAddr().String())
	}}
}

func (s *dnsServer) serve() {
	buf := make([]byte, 512)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := s.answer(buf[:n]); resp != nil {
			_, _ = s.pc.WriteTo(resp, from)
		}
	}
}

// answer builds the reply to one query, or nil to stay silent.
func (s *dnsServer) answer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	// The question: labels up to a zero byte, then type and class.
	i, labels := 12, []string{}
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qend := i + 5
	name := strings.ToLower(strings.Join(labels, "."))
	qtype := binary.BigEndian.Uint16(q[i+1 : i+3])
	if strings.HasPrefix(name, "silent.") {
		return nil
	}
	resp := make([]byte, 0, 128)
	resp = append(resp, q[0], q[1]) // id
	ip, known := s.addrs[name]
	rcode := byte(0)
	switch {
	case strings.HasPrefix(name, "servfail."):
		rcode, known = 2, false // SERVFAIL
	case !known:
		rcode = 3 // NXDOMAIN
	}
	resp = append(resp, 0x84|(q[2]&0x01), 0x80|rcode) // QR, AA, RD copied; RA
	an := 0
	if known && qtype == 1 && ip.To4() != nil {
		an = 1
	}
	resp = append(resp, 0, 1, 0, byte(an), 0, 0, 0, 0)
	resp = append(resp, q[12:qend]...)
	if an == 1 {
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4)
		resp = append(resp, ip.To4()...)
	}
	return resp
}

// closedDNSResolver returns a Go resolver that asks a loopback UDP port
// where nothing listens: the kernel answers each query with a port
// unreachable, which Go reads as "connection refused".
func closedDNSResolver(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}
