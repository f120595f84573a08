package notify

import (
	"errors"
	"fmt"
	"net/textproto"
)

// Sentinel errors. Behaviour is tested with errors.Is and Permanent, never
// by the message.
var (
	// ErrQueueFull is reported through Hooks.OnDelivery for an alert that
	// did not fit its notifier's queue and was dropped.
	ErrQueueFull = errors.New("notifier queue full: alert dropped")
	// ErrUnknownNotifier is reported for a name Send was given that no
	// spec of the Dispatcher has.
	ErrUnknownNotifier = errors.New("no notifier of that name")
	// ErrClosed is reported for an alert sent after Close, or still queued
	// when Close's context ended.
	ErrClosed = errors.New("dispatcher closed: alert dropped")
	// ErrNoStartTLS: the SMTP server does not offer STARTTLS, which the
	// spec requires (the default); retrying does not help.
	ErrNoStartTLS = errors.New("smtp server does not offer STARTTLS")
	// ErrNoAuth: credentials are configured but the SMTP server offers no
	// AUTH on this connection.
	ErrNoAuth = errors.New("smtp server does not offer AUTH")
)

// FieldError is one problem of a Spec, naming its field (as the watch:
// section spells it) and never quoting a value: a value may be a secret.
type FieldError struct {
	Notifier string
	Field    string
	Problem  string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("notifier %q: %s: %s", e.Notifier, e.Field, e.Problem)
}

// HTTPError is a receiver's answer other than 2xx. Body is the start of
// the answer, secrets redacted, for the operator (Slack says
// "invalid_token", Alertmanager why it refused the alert).
type HTTPError struct {
	StatusCode int
	Status     string
	Body       string
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return "receiver answered " + e.Status
	}
	return fmt.Sprintf("receiver answered %s: %s", e.Status, e.Body)
}

// Permanent reports whether retrying the same alert cannot succeed: the
// receiver refused it (HTTP 4xx other than 408, 425 and 429; an SMTP 5xx
// reply), or the SMTP server lacks what the spec requires. The
// Dispatcher stops retrying on a permanent error.
func Permanent(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		switch he.StatusCode {
		case 408, 425, 429:
			return false
		}
		return he.StatusCode >= 400 && he.StatusCode < 500
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 500
	}
	var re *redactedError
	if errors.As(err, &re) {
		return re.permanent
	}
	return errors.Is(err, ErrNoStartTLS) || errors.Is(err, ErrNoAuth)
}
