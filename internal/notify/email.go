package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/profile"
)

// email sends one plain-text message per alert over SMTP: STARTTLS by
// default (refusing a server that does not offer it), implicit TLS, or
// none (only without credentials, or to a loopback server); AUTH PLAIN
// when a username is set. The subject names state, rule, service,
// environment and what fails; the body is the whole alert as text
// (plainText), the same words as Slack's.
type email struct {
	spec Spec
	red  redactor
	from *mail.Address
	to   []*mail.Address
	host string // for the certificate and AUTH PLAIN's server check
}

var _ alert.Notifier = (*email)(nil)

func newEmail(s Spec) alert.Notifier {
	e := &email{spec: s, red: newRedactor(s)}
	e.from, _ = mail.ParseAddress(s.SMTP.From) // validated
	for _, t := range s.SMTP.To {
		a, _ := mail.ParseAddress(t)
		e.to = append(e.to, a)
	}
	e.host, _, _ = net.SplitHostPort(s.SMTP.Addr)
	if s.SMTP.ServerName != "" {
		e.host = s.SMTP.ServerName
	}
	return e
}

func checkEmail(s Spec, bad func(field, problem string)) {
	c := s.SMTP
	host, port, err := net.SplitHostPort(c.Addr)
	if c.Addr == "" {
		bad("smtp.addr", "missing")
	} else if err != nil || host == "" || port == "" {
		bad("smtp.addr", "must be host:port")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		bad("smtp.from", "not an email address")
	}
	if len(c.To) == 0 {
		bad("smtp.to", "missing: at least one address")
	}
	for i, t := range c.To {
		if _, err := mail.ParseAddress(t); err != nil {
			bad(fmt.Sprintf("smtp.to[%d]", i), "not an email address")
		}
	}
	switch c.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		bad("smtp.tls", "must be starttls, tls or none")
	}
	if c.Password != "" && c.Username == "" {
		bad("smtp.username", "missing while a password is set")
	}
	if c.Username != "" && c.TLS == TLSNone && !profile.LoopbackHost(host) {
		bad("smtp.tls", "none would send the password in clear to a host that is not loopback")
	}
}

func (e *email) Name() string { return e.spec.Name }

func (e *email) Notify(ctx context.Context, a alert.Alert) error {
	if !wants(e.spec, a, false) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.spec.Timeout)
	defer cancel()
	msg, err := e.message(a, time.Now())
	if err != nil {
		return err
	}
	if err := e.send(ctx, msg); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return e.red.err(fmt.Errorf("send mail via %s: %w", e.spec.SMTP.Addr, err))
	}
	return nil
}

// send runs one SMTP session on a fresh connection, closed when ctx ends
// so that a server that stops answering costs no more than the timeout.
func (e *email) send(ctx context.Context, msg []byte) error {
	c := e.spec.SMTP
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Closing the connection when ctx ends interrupts any read or write;
	// ctx.Err() is set by then, so the caller sees the deadline.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	tlsConfig := &tls.Config{ServerName: e.host, RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	if c.TLS == TLSImplicit {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("tls handshake: %w", err)
		}
		conn = tc
	}
	client, err := smtp.NewClient(conn, e.host)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := client.Hello("dbguard.localhost"); err != nil {
		return err
	}
	if c.TLS == TLSStartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return ErrNoStartTLS
		}
		if err := client.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if c.Username != "" {
		if ok, _ := client.Extension("AUTH"); !ok {
			return ErrNoAuth
		}
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, e.host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := client.Mail(e.from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, t := range e.to {
		if err := client.Rcpt(t.Address); err != nil {
			return fmt.Errorf("rcpt to: %w", err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return client.Quit()
}

// headerSafe keeps a header value on its line; immutable, built once.
var headerSafe = strings.NewReplacer("\r", " ", "\n", " ")

// message is the RFC 5322 message: UTF-8 text, quoted-printable; header
// values from the alert cannot break out of their line (CR and LF become
// spaces). Every notification of one alert has the same References, so
// that mail clients thread firing, repeats and resolved together.
func (e *email) message(a alert.Alert, now time.Time) ([]byte, error) {
	var to []string
	for _, t := range e.to {
		to = append(to, t.String())
	}
	date := a.UpdatedAt
	if date.IsZero() {
		date = now
	}
	var id [12]byte
	rand.Read(id[:])
	thread := sha256.Sum256([]byte(a.Key))
	var b bytes.Buffer
	header := func(k, v string) {
		b.WriteString(k + ": " + headerSafe.Replace(v) + "\r\n")
	}
	header("From", e.from.String())
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", truncate(subject(a), 200)))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@dbguard.invalid>")
	header("References", "<alert-"+hex.EncodeToString(thread[:16])+"@dbguard.invalid>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(plainText(a), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, fmt.Errorf("encode the body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("encode the body: %w", err)
	}
	return b.Bytes(), nil
}
