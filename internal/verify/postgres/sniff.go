package postgres

import (
	"bytes"
	"encoding/binary"
	"net"
	"sync"
)

// sniffConn watches the server's side of the startup exchange without
// altering it. pgconn reports an authentication method it cannot perform
// and a reply that is not the protocol only as plain text; the protocol
// itself says both exactly, so the driver reads them here.
type sniffConn struct {
	net.Conn
	mu        sync.Mutex
	done      bool   // ReadyForQuery seen: stop watching
	hdr       []byte // partial message header
	need      int    // body bytes still to skip or collect
	typ       byte
	body      []byte
	authCode  int32 // last AuthenticationRequest code, -1 none
	mechs     []string
	violation string // why the bytes are not the protocol
}

func newSniffConn(c net.Conn) *sniffConn { return &sniffConn{Conn: c, authCode: -1} }

func (s *sniffConn) Read(p []byte) (int, error) {
	n, err := s.Conn.Read(p)
	if n > 0 {
		s.mu.Lock()
		s.feed(p[:n])
		s.mu.Unlock()
	}
	return n, err
}

// startupTypes are the backend messages allowed before ReadyForQuery.
const startupTypes = "REKSNvZ"

func (s *sniffConn) feed(b []byte) {
	for len(b) > 0 && !s.done && s.violation == "" {
		if s.need == 0 && len(s.hdr) < 5 {
			k := min(5-len(s.hdr), len(b))
			s.hdr = append(s.hdr, b[:k]...)
			b = b[k:]
			if len(s.hdr) < 5 {
				return
			}
			s.typ = s.hdr[0]
			l := int(binary.BigEndian.Uint32(s.hdr[1:5]))
			if bytes.IndexByte([]byte(startupTypes), s.typ) < 0 {
				s.violation = "message type " + quoteByte(s.typ)
				return
			}
			if l < 4 || l > 1<<20 {
				s.violation = "message length out of range"
				return
			}
			s.need, s.body = l-4, s.body[:0]
			if s.need == 0 {
				s.message()
			}
			continue
		}
		k := min(s.need, len(b))
		if s.typ == 'R' && len(s.body) < 4096 {
			s.body = append(s.body, b[:min(k, 4096-len(s.body))]...)
		}
		s.need -= k
		b = b[k:]
		if s.need == 0 {
			s.message()
		}
	}
}

// message handles a complete message.
func (s *sniffConn) message() {
	switch s.typ {
	case 'R':
		if len(s.body) >= 4 {
			s.authCode = int32(binary.BigEndian.Uint32(s.body[:4]))
			if s.authCode == 10 { // AuthenticationSASL: a list of mechanisms
				s.mechs = s.mechs[:0]
				for _, m := range bytes.Split(s.body[4:], []byte{0}) {
					if len(m) > 0 {
						s.mechs = append(s.mechs, string(m))
					}
				}
			}
		}
	case 'Z':
		s.done = true
	}
	s.hdr = s.hdr[:0]
}

// unsupported names the method the server asked for when pgconn cannot
// perform it (pgconn does cleartext, MD5 and SCRAM-SHA-256 with or
// without channel binding; GSSAPI only with a provider dbguard does not
// register).
func (s *sniffConn) unsupported() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.authCode {
	case 2:
		return "kerberos-v5"
	case 6:
		return "scm-credential"
	case 7:
		return "gss"
	case 9:
		return "sspi"
	case 10:
		for _, m := range s.mechs {
			if m == "SCRAM-SHA-256" || m == "SCRAM-SHA-256-PLUS" {
				return ""
			}
		}
		if len(s.mechs) > 0 {
			return "sasl:" + s.mechs[0]
		}
	}
	return ""
}

func (s *sniffConn) protocolViolation() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violation
}

func quoteByte(b byte) string {
	if b >= 0x20 && b < 0x7f {
		return "'" + string(b) + "'"
	}
	const hex = "0123456789abcdef"
	return "0x" + string([]byte{hex[b>>4], hex[b&15]})
}
