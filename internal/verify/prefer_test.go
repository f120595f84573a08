package verify_test

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// tlsBrokenProxy stands in front of a real PostgreSQL at target. It
// answers the SSLRequest with 'S' and then fails the TLS handshake (a TLS
// server with no certificate sends an internal_error alert); a connection
// that starts with a startup message instead is relayed to the server.
func tlsBrokenProxy(t *testing.T, target string) int {
	t.Helper()
	return serve(t, func(c net.Conn) {
		var first [8]byte
		if _, err := io.ReadFull(c, first[:]); err != nil {
			return
		}
		if binary.BigEndian.Uint32(first[4:8]) == 80877103 { // SSLRequest
			_, _ = c.Write([]byte{'S'})
			_ = tls.Server(c, &tls.Config{}).Handshake()
			return
		}
		// The whole startup message goes in one write: PgBouncer 1.18
		// refuses one that arrives in pieces ("partial pkt").
		n := binary.BigEndian.Uint32(first[0:4])
		if n < 8 || n > 1<<16 {
			return
		}
		startup := make([]byte, n)
		copy(startup, first[:])
		if _, err := io.ReadFull(c, startup[8:]); err != nil {
			return
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer up.Close()
		if _, err := up.Write(startup); err != nil {
			return
		}
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		_, _ = io.Copy(c, up)
	})
}

// TestPreferFallsBackToPlaintext: under sslmode=prefer a failed TLS
// handshake is followed, as in libpq, by a plaintext login on a new
// connection; the probe passes and the tls stage warns. Under require the
// same handshake failure fails the probe.
func TestPreferFallsBackToPlaintext(t *testing.T) {
	pg := fromURL(t, testenv.PG(t))
	port := tlsBrokenProxy(t, net.JoinHostPort(pg.host, strconv.Itoa(pg.port)))
	prefer := pg
	prefer.port, prefer.tls = port, "prefer"
	require := prefer
	require.tls = "require"

	t.Run("prefer", func(t *testing.T) {
		r := probe(t, verify.Options{}, prefer)
		expect(t, r, true, verify.ClassNone, "")
		a := r.Final()
		var tlsStage verify.StageResult
		for _, s := range a.Stages {
			if s.Stage == verify.StageTLS {
				tlsStage = s
			}
		}
		if tlsStage.Status != verify.StatusWarn || !strings.Contains(tlsStage.Note, "fell back to plaintext") ||
			!strings.Contains(tlsStage.Note, string(verify.ClassTLSHandshakeFailed)) {
			t.Errorf("tls stage %+v, want a warning that names the handshake failure and the fallback", tlsStage)
		}
		if len(a.Warnings) != 1 || a.Warnings[0] != tlsStage.Note {
			t.Errorf("warnings %q, want the tls stage's note", a.Warnings)
		}
	})
	t.Run("require", func(t *testing.T) {
		expect(t, probe(t, verify.Options{}, require), false, verify.ClassTLSHandshakeFailed, verify.StageTLS)
	})
	t.Run("prefer, then a refusal on the plaintext connection", func(t *testing.T) {
		c := prefer
		c.db = "dbguard_no_such_db"
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassDatabaseNotFound, verify.StageDatabase)
	})

	// Extra connections fall back too: PgBouncer's admin console for
	// the capacity stage, and the second attempt behind its 08P01.
	bouncer := fromURL(t, testenv.PgBouncer(t))
	viaProxy := bouncer
	viaProxy.port, viaProxy.tls = tlsBrokenProxy(t, net.JoinHostPort(bouncer.host, strconv.Itoa(bouncer.port))), "prefer"
	t.Run("pgbouncer capacity over the fallback", func(t *testing.T) {
		c := viaProxy
		c.pool, c.reps = 2, 2
		r := probe(t, verify.Options{}, c)
		expect(t, r, true, verify.ClassNone, "")
		for _, s := range r.Final().Stages {
			if s.Stage == verify.StageCapacity && (s.Status != verify.StatusOK || !strings.Contains(s.Note, "pgbouncer")) {
				t.Errorf("capacity %+v, want ok from PgBouncer's console", s)
			}
		}
	})
	t.Run("pgbouncer unknown database over the fallback", func(t *testing.T) {
		// A name of this run's own: after a failed server login
		// PgBouncer holds clients of that pool for server_login_retry,
		// which would meet another test's (or run's) unknown database.
		c := viaProxy
		c.db = fmt.Sprintf("dbguard_no_such_db_%d", time.Now().UnixNano())
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassDatabaseNotFound, verify.StageDatabase)
	})
}
