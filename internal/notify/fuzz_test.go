package notify

// Fuzz targets for what this package builds from text it does not control:
// the redaction of URLs it is given, and the email it writes from values
// that come from configuration files.

import (
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

// FuzzRedact: whatever the token and wherever it sits in the URL (user
// info, path, query, fragment), no error made from that URL shows it.
func FuzzRedact(f *testing.F) {
	f.Add("T0KEN-abcdef123", "hooks.example.org", uint8(0))
	f.Add("xoxb-1234/5678", "127.0.0.1:8080", uint8(1))
	f.Add("p@ss:word", "[::1]:9", uint8(2))
	f.Add("a b%20c", "h", uint8(3))
	f.Fuzz(func(t *testing.T, token, host string, where uint8) {
		if len(token) < 8 || strings.Contains(host, token) || strings.Contains("https://", token) {
			t.Skip()
		}
		esc := url.QueryEscape(token)
		var raw string
		switch where % 4 {
		case 0:
			raw = "https://" + host + "/services/" + url.PathEscape(token)
		case 1:
			raw = "https://" + host + "/hook?token=" + esc
		case 2:
			raw = "https://u:" + url.PathEscape(token) + "@" + host + "/"
		case 3:
			raw = "https://" + host + "/x#" + esc
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host != host {
			t.Skip()
		}
		s := Spec{Name: "n", Type: TypeWebhook, URL: raw, RoutingKey: token, SMTP: SMTP{Password: token}}
		r := newRedactor(s)
		inner := fmt.Errorf("dial: connection refused to %s (%s)", raw, token)
		for _, e := range []error{
			&url.Error{Op: "Post", URL: raw, Err: inner},
			fmt.Errorf("post: %w", &url.Error{Op: "Post", URL: raw, Err: errors.New("EOF")}),
			inner,
			&HTTPError{StatusCode: 500, Status: "500", Body: r.text("echo " + raw + " " + token)},
		} {
			for _, leak := range []string{token, esc, url.PathEscape(token)} {
				if msg := r.err(e).Error(); len(leak) >= 8 && strings.Contains(msg, leak) {
					t.Fatalf("error shows the token %q: %s", leak, msg)
				}
			}
		}
		for _, out := range []string{s.String(), fmt.Sprintf("%+v", s), safeURL(raw)} {
			if strings.Contains(out, token) || strings.Contains(out, esc) {
				t.Fatalf("printed spec shows the token: %s", out)
			}
		}
	})
}

// FuzzEmailMessage: whatever the alert's text (it comes from files), the
// message parses, has exactly the headers written, and its body decodes.
func FuzzEmailMessage(f *testing.F) {
	f.Add("orders", "production", "summary", "auth_failed")
	f.Add("orders\r\nBcc: x@example.org", "prod\n", "\r\n.\r\n", "")
	f.Add("ünïcödé ✓", "=?utf-8?q?x?=", strings.Repeat("long ", 300), "c")
	f.Fuzz(func(t *testing.T, service, env, summary, class string) {
		s := Spec{Name: "m", Type: TypeEmail, SMTP: SMTP{Addr: "127.0.0.1:25", From: "a@example.org", To: []string{"b@example.org"}}}
		e := newEmail(s.withDefaults()).(*email)
		a := alert.Alert{Key: service + env, Rule: alert.RuleTargetDown, State: alert.StateFiring,
			Service: service, Environment: env, Summary: summary, Class: class, Stage: "tcp",
			StartsAt: time.Unix(0, 0), UpdatedAt: time.Unix(10, 0),
			Targets: []alert.Target{{Profile: service, Detail: summary, Host: env, Port: 5432}}}
		msg, err := e.message(a, time.Unix(20, 0))
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(strings.NewReader(string(msg)))
		if err != nil {
			t.Fatalf("message does not parse: %v\n%q", err, msg)
		}
		want := map[string]bool{"From": true, "To": true, "Subject": true, "Date": true, "Message-Id": true,
			"References": true, "Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true, "Auto-Submitted": true}
		for k := range m.Header {
			if !want[k] {
				t.Fatalf("header %q injected:\n%q", k, msg)
			}
		}
		if len(m.Header) != len(want) {
			t.Fatalf("headers %v", m.Header)
		}
		if _, err := io.ReadAll(quotedprintable.NewReader(m.Body)); err != nil {
			t.Fatalf("body does not decode: %v", err)
		}
	})
}
