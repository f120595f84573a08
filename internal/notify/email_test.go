package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
	"github.com/dbguard/dbguard/internal/testenv"
)

// mailServer is a real SMTP server (emersion/go-smtp) on loopback that
// keeps what it receives, with AUTH PLAIN against one user, STARTTLS or
// implicit TLS with a throwaway CA.
type mailServer struct {
	addr     string
	roots    *x509.CertPool
	user     string
	password string

	mu   sync.Mutex
	msgs []mailMsg
}

type mailMsg struct {
	from   string
	to     []string
	data   []byte
	authed string // the user who authenticated, if any
	tls    bool
}

type mailOptions struct {
	tls          bool // offer STARTTLS (or, with implicit, speak TLS at once)
	implicit     bool
	insecureAuth bool // offer AUTH without TLS
}

func newMailServer(t *testing.T, o mailOptions) *mailServer {
	t.Helper()
	m := &mailServer{user: "alerts", password: "s3cret-smtp-password"}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &mailSession{srv: m, msg: mailMsg{tls: isTLS}}, nil
	})
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = o.insecureAuth
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.tls || o.implicit {
		cert, roots := testCert(t)
		m.roots = roots
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if o.implicit {
			l = tls.NewListener(l, cfg)
		} else {
			s.TLSConfig = cfg
		}
	}
	m.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return m
}

func (m *mailServer) received() []mailMsg {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMsg(nil), m.msgs...)
}

type mailSession struct {
	srv *mailServer
	msg mailMsg
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.user || pass != s.srv.password {
			return smtp.ErrAuthFailed
		}
		s.msg.authed = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error { s.msg.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.msg
	m.data = data
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, m)
	s.srv.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        { s.msg = mailMsg{authed: s.msg.authed, tls: s.msg.tls} }
func (s *mailSession) Logout() error { return nil }

// testCert makes a throwaway CA and a certificate for 127.0.0.1 and
// localhost signed by it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "notify test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, roots
}

func emailSpec(m *mailServer, mode string) notify.Spec {
	return notify.Spec{Name: "mail", Type: notify.TypeEmail, SendResolved: true, Timeout: 5 * time.Second,
		SMTP: notify.SMTP{Addr: m.addr, From: "dbguard <dbguard@example.org>",
			To:  []string{"oncall@example.org", "DBA team <dba@example.org>"},
			TLS: mode, RootCAs: m.roots}}
}

// readMail parses a received message: its header and decoded body.
func readMail(t *testing.T, data []byte) (*mail.Message, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("read the message: %v\n%s", err, data)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", cte)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("decode the body: %v", err)
	}
	return msg, string(body)
}

func TestEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    mailOptions
		mode    string
		auth    bool
		wantTLS bool
	}{
		{"starttls with auth", mailOptions{tls: true}, notify.TLSStartTLS, true, true},
		{"default is starttls", mailOptions{tls: true}, "", false, true},
		{"implicit tls with auth", mailOptions{implicit: true}, notify.TLSImplicit, true, true},
		{"none, no auth", mailOptions{}, notify.TLSNone, false, false},
		{"none with auth to loopback", mailOptions{insecureAuth: true}, notify.TLSNone, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMailServer(t, tt.opts)
			spec := emailSpec(m, tt.mode)
			if tt.auth {
				spec.SMTP.Username, spec.SMTP.Password = m.user, m.password
			}
			n, err := notify.New(spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []alert.State{alert.StatePending, alert.StateFiring, alert.StateResolved} {
				if err := n.Notify(context.Background(), sampleAlert(s)); err != nil {
					t.Fatalf("Notify %s: %v", s, err)
				}
			}
			got := m.received()
			if len(got) != 2 {
				t.Fatalf("server got %d messages, want 2 (firing, resolved; not pending)", len(got))
			}
			for i, g := range got {
				if g.tls != tt.wantTLS {
					t.Errorf("message %d over TLS = %v, want %v", i, g.tls, tt.wantTLS)
				}
				if want := map[bool]string{true: m.user}[tt.auth]; g.authed != want {
					t.Errorf("message %d authenticated as %q, want %q", i, g.authed, want)
				}
				if g.from != "dbguard@example.org" || strings.Join(g.to, ",") != "oncall@example.org,dba@example.org" {
					t.Errorf("envelope from %q to %v", g.from, g.to)
				}
			}
			checkAlertMail(t, got[0].data, sampleAlert(alert.StateFiring))
			checkAlertMail(t, got[1].data, sampleAlert(alert.StateResolved))
			h0, _ := readMail(t, got[0].data)
			h1, _ := readMail(t, got[1].data)
			if r := h0.Header.Get("References"); r == "" || r != h1.Header.Get("References") {
				t.Errorf("References %q and %q: firing and resolved must thread", r, h1.Header.Get("References"))
			}
			if h0.Header.Get("Message-ID") == h1.Header.Get("Message-ID") {
				t.Errorf("two messages with one Message-ID")
			}
		})
	}
}

// checkAlertMail checks what an on-call needs in the message of a.
func checkAlertMail(t *testing.T, data []byte, a alert.Alert) {
	t.Helper()
	msg, body := readMail(t, data)
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[" + strings.ToUpper(string(a.State)) + "]", string(a.Rule), a.Service, a.Class} {
		if !strings.Contains(subj, want) {
			t.Errorf("subject %q lacks %q", subj, want)
		}
	}
	want := []string{
		"1 of 3 targets of orders failing, 33%", // share
		"auth_failed at auth",                   // class and stage
		"Since:", "2026-03-04T10:00:00Z",        // since
		"password changed (**** → ****) in services/orders/eu/database.yml, revision rev-7", // likely cause
		"dbguard rollback services/orders/eu/database.yml --to rev-6",                       // rollback
		"dbguard verify services/orders/eu/database.yml",
		"services/orders/eu/database.yml#production (db-eu.internal:5432): auth_failed at auth [28P01]",
	}
	if a.State == alert.StateResolved {
		want = append(want, "Resolved:", "2026-03-04T10:05:00Z")
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s body lacks %q:\n%s", a.State, w, body)
		}
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestEmailFailures(t *testing.T) {
	t.Parallel()
	t.Run("wrong password is permanent", func(t *testing.T) {
		t.Parallel()
		m := newMailServer(t, mailOptions{tls: true})
		spec := emailSpec(m, notify.TLSStartTLS)
		spec.SMTP.Username, spec.SMTP.Password = m.user, "wrong-password-123"
		n, _ := notify.New(spec)
		err := n.Notify(context.Background(), sampleAlert(alert.StateFiring))
		if err == nil || !notify.Permanent(err) {
			t.Fatalf("err = %v, want a permanent error (535)", err)
		}
		if strings.Contains(err.Error(), "wrong-password-123") {
			t.Errorf("error quotes the password: %v", err)
		}
	})
	t.Run("no STARTTLS offered", func(t *testing.T) {
		t.Parallel()
		m := newMailServer(t, mailOptions{})
		n, _ := notify.New(emailSpec(m, ""))
		err := n.Notify(context.Background(), sampleAlert(alert.StateFiring))
		if !errors.Is(err, notify.ErrNoStartTLS) || !notify.Permanent(err) {
			t.Fatalf("err = %v, want ErrNoStartTLS", err)
		}
		if len(m.received()) != 0 {
			t.Error("a message went out without the TLS the spec requires")
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		t.Parallel()
		m := newMailServer(t, mailOptions{tls: true})
		spec := emailSpec(m, notify.TLSStartTLS)
		spec.SMTP.RootCAs = x509.NewCertPool()
		n, _ := notify.New(spec)
		if err := n.Notify(context.Background(), sampleAlert(alert.StateFiring)); err == nil || len(m.received()) != 0 {
			t.Fatalf("err = %v with an untrusted certificate", err)
		}
	})
	t.Run("silent server times out", func(t *testing.T) {
		t.Parallel()
		addr := testenv.SilentListener(t)
		n, _ := notify.New(notify.Spec{Name: "mail", Type: notify.TypeEmail, Timeout: 300 * time.Millisecond,
			SMTP: notify.SMTP{Addr: addr.String(), From: "a@example.org", To: []string{"b@example.org"}}})
		start := time.Now()
		err := n.Notify(context.Background(), sampleAlert(alert.StateFiring))
		if !errors.Is(err, context.DeadlineExceeded) || notify.Permanent(err) {
			t.Errorf("err = %v, want a DeadlineExceeded, not permanent", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("took %v, want about the 300ms timeout", took)
		}
	})
	t.Run("closed port", func(t *testing.T) {
		t.Parallel()
		n, _ := notify.New(notify.Spec{Name: "mail", Type: notify.TypeEmail,
			SMTP: notify.SMTP{Addr: "127.0.0.1:" + itoa(testenv.ClosedPort(t)), From: "a@example.org", To: []string{"b@example.org"}}})
		if err := n.Notify(context.Background(), sampleAlert(alert.StateFiring)); err == nil || notify.Permanent(err) {
			t.Errorf("err = %v, want a temporary error", err)
		}
	})
}

// TestEmailHeaderInjection: values from files reach the subject; a CR or
// LF in them must not start a header of its own.
func TestEmailHeaderInjection(t *testing.T) {
	t.Parallel()
	m := newMailServer(t, mailOptions{})
	n, _ := notify.New(emailSpec(m, notify.TLSNone))
	a := sampleAlert(alert.StateFiring)
	a.Service = "orders\r\nBcc: attacker@example.org"
	if err := n.Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	msg, _ := readMail(t, m.received()[0].data)
	if bcc := msg.Header.Get("Bcc"); bcc != "" {
		t.Errorf("injected header Bcc: %q", bcc)
	}
}

func TestEmailValidate(t *testing.T) {
	t.Parallel()
	base := notify.SMTP{Addr: "smtp.example.org:587", From: "a@example.org", To: []string{"b@example.org"}}
	tests := []struct {
		name  string
		edit  func(*notify.SMTP)
		field string
	}{
		{"valid", func(*notify.SMTP) {}, ""},
		{"no addr", func(s *notify.SMTP) { s.Addr = "" }, "smtp.addr"},
		{"addr without port", func(s *notify.SMTP) { s.Addr = "smtp.example.org" }, "smtp.addr"},
		{"bad from", func(s *notify.SMTP) { s.From = "nobody" }, "smtp.from"},
		{"no to", func(s *notify.SMTP) { s.To = nil }, "smtp.to"},
		{"bad to", func(s *notify.SMTP) { s.To = []string{"b@example.org", "nope"} }, "smtp.to[1]"},
		{"bad tls", func(s *notify.SMTP) { s.TLS = "ssl" }, "smtp.tls"},
		{"password alone", func(s *notify.SMTP) { s.Password = "pw-canary" }, "smtp.username"},
		{"password in clear", func(s *notify.SMTP) { s.Username, s.Password, s.TLS = "u", "pw-canary", "none" }, "smtp.tls"},
		{"clear to loopback", func(s *notify.SMTP) { s.Addr, s.Username, s.Password, s.TLS = "127.0.0.1:25", "u", "pw-canary", "none" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			s.To = append([]string(nil), base.To...)
			tt.edit(&s)
			err := notify.Spec{Name: "mail", Type: notify.TypeEmail, SMTP: s}.Validate()
			var fe *notify.FieldError
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.field != "" && (!errorsAs(err, &fe) || fe.Field != tt.field):
				t.Errorf("err = %v, want a problem with %s", err, tt.field)
			}
			if err != nil && strings.Contains(err.Error(), "pw-canary") {
				t.Errorf("error quotes the password: %v", err)
			}
		})
	}
}
