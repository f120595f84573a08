package notify

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/profile"
)

// Defaults applied by New and NewDispatcher to a Spec's zero fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultRetries      = 3
	DefaultBackoff      = time.Second
	DefaultPagerDutyURL = "https://events.pagerduty.com/v2/enqueue"
	// QueueSize is how many alerts wait for one notifier; more are
	// dropped with ErrQueueFull rather than block the caller.
	QueueSize = 256
)

// Notifier types, as the watch: section spells them.
const (
	TypeWebhook      = "webhook"
	TypeSlack        = "slack"
	TypeAlertmanager = "alertmanager"
	TypePagerDuty    = "pagerduty"
	TypeEmail        = "email"
)

// Spec is one notifier with its secrets resolved (in memory only). It
// prints masked (fmt, slog, JSON): URL, RoutingKey and SMTP.Password are
// secrets.
type Spec struct {
	Name string
	Type string // TypeWebhook, TypeSlack, TypeAlertmanager, TypePagerDuty, TypeEmail
	// URL is the webhook's or Slack's URL, Alertmanager's base URL (the
	// alerts go to URL/api/v2/alerts), PagerDuty's Events API URL
	// (default DefaultPagerDutyURL).
	URL        string
	RoutingKey string // pagerduty
	SMTP       SMTP   // email
	// SendResolved sends resolved alerts too. The watch: section defaults
	// it to true; a zero Spec does not send them.
	SendResolved bool
	Timeout      time.Duration // per attempt; 0 means DefaultTimeout
	Retries      int           // after the first attempt; 0 means DefaultRetries, -1 none
	Backoff      time.Duration // first wait between attempts, doubled each retry; 0 means DefaultBackoff
}

// SMTP is an email notifier's server and envelope.
type SMTP struct {
	Addr     string // host:port
	From     string
	To       []string
	Username string // AUTH PLAIN when set
	Password string
	// TLS is "starttls" (the default when empty: refuse a server that
	// does not offer it), "tls" (implicit TLS, port 465) or "none" (only
	// without credentials, or to a loopback server).
	TLS string
	// ServerName is the name the certificate must have; default the host
	// of Addr.
	ServerName string
	// RootCAs verifies the server's certificate; nil means the system's.
	// Added for private CAs (and the tests' throwaway one).
	RootCAs *x509.CertPool
}

// SMTP TLS modes.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

func (s Spec) withDefaults() Spec {
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	switch {
	case s.Retries == 0:
		s.Retries = DefaultRetries
	case s.Retries < 0:
		s.Retries = 0
	}
	if s.Backoff == 0 {
		s.Backoff = DefaultBackoff
	}
	if s.Type == TypePagerDuty && s.URL == "" {
		s.URL = DefaultPagerDutyURL
	}
	if s.Type == TypeEmail && s.SMTP.TLS == "" {
		s.SMTP.TLS = TLSStartTLS
	}
	return s
}

// String prints the spec with every secret masked.
func (s Spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s notifier %q", s.Type, s.Name)
	if s.URL != "" {
		b.WriteString(" url=" + safeURL(s.URL))
	}
	if s.RoutingKey != "" {
		b.WriteString(" routing_key=" + redacted)
	}
	if s.SMTP.Addr != "" {
		fmt.Fprintf(&b, " smtp=%s tls=%s", s.SMTP.Addr, s.SMTP.TLS)
	}
	if s.SMTP.Password != "" {
		b.WriteString(" password=" + redacted)
	}
	return b.String()
}

// Format makes every fmt verb (%v, %+v, %#v, %s) print String: the
// struct's fields must never be printed raw.
func (s Spec) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue is what slog prints.
func (s Spec) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the masked form.
func (s Spec) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Validate returns every problem of the spec joined, each a *FieldError
// naming the field; it never quotes a value.
func (s Spec) Validate() error {
	var errs []error
	bad := func(field, problem string) {
		errs = append(errs, &FieldError{Notifier: s.Name, Field: field, Problem: problem})
	}
	if s.Name == "" {
		bad("name", "missing")
	}
	if s.Timeout < 0 {
		bad("timeout", "negative")
	}
	if s.Retries < -1 {
		bad("retries", "below -1 (-1 means no retry)")
	}
	if s.Backoff < 0 {
		bad("backoff", "negative")
	}
	k, ok := kindOf(s.Type)
	if !ok {
		bad("type", "unknown; one of "+strings.Join(Types(), ", "))
		return errors.Join(errs...)
	}
	k.check(s.withDefaults(), bad)
	return errors.Join(errs...)
}

// New builds one notifier from a valid spec, defaults applied.
func New(s Spec) (alert.Notifier, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	k, _ := kindOf(s.Type)
	return k.build(s.withDefaults()), nil
}

// kind is one notifier type: the registry entry from which Types, Validate
// and New are derived.
type kind struct {
	name  string
	check func(s Spec, bad func(field, problem string))
	build func(s Spec) alert.Notifier
}

// kinds is the registry of notifier types: adding one is one line here
// and one file.
func kinds() []kind {
	return []kind{
		{TypeWebhook, checkWebhook, newWebhook},
		{TypeSlack, checkSlack, newSlack},
		{TypeAlertmanager, checkAlertmanager, newAlertmanager},
		{TypePagerDuty, checkPagerDuty, newPagerDuty},
		{TypeEmail, checkEmail, newEmail},
	}
}

// Types lists the notifier types, for help text and validation messages.
func Types() []string {
	var out []string
	for _, k := range kinds() {
		out = append(out, k.name)
	}
	return out
}

func kindOf(name string) (kind, bool) {
	for _, k := range kinds() {
		if k.name == name {
			return k, true
		}
	}
	return kind{}, false
}

// checkHTTPURL checks a notifier's URL: absolute http or https with a
// host; with httpsOnly, http only to a loopback host (the URL or its
// payload carries a token).
func checkHTTPURL(raw string, httpsOnly bool, bad func(field, problem string)) {
	if raw == "" {
		bad("url", "missing")
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL: not used.
		bad("url", "not a valid URL")
		return
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		bad("url", "must be http or https")
	case u.Host == "":
		bad("url", "has no host")
	case httpsOnly && u.Scheme == "http" && !profile.LoopbackHost(u.Hostname()):
		bad("url", "must be https (http only to a loopback host): it carries a token")
	}
}
