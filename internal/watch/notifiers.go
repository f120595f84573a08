package watch

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/notify"
)

// SecretError is a notifier secret whose reference does not resolve: the
// variable is unset or empty, or the file cannot be read. It names the
// reference, never a value.
type SecretError struct {
	Notifier, Key, Ref string
	Err                error
}

func (e *SecretError) Error() string {
	return fmt.Sprintf("notifier %s: %s %s: %v", e.Notifier, e.Key, e.Ref, e.Err)
}

func (e *SecretError) Unwrap() error { return e.Err }

// Specs turns the watch section's notifiers into notify specs, each
// secret read from its environment variable or file (relative to base)
// into memory. The error joins a *SecretError for every reference that
// does not resolve.
func Specs(w *config.WatchConfig, base string, getenv func(string) string) ([]notify.Spec, error) {
	var specs []notify.Spec
	var errs []error
	for _, n := range w.Notifiers {
		read := func(key, env, file string) string {
			switch {
			case env != "":
				v := getenv(env)
				if v == "" {
					errs = append(errs, &SecretError{Notifier: n.Name, Key: key + "_env", Ref: env, Err: ErrUnresolved})
				}
				return v
			case file != "":
				p := file
				if !filepath.IsAbs(p) {
					p = filepath.Join(base, p)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					errs = append(errs, &SecretError{Notifier: n.Name, Key: key + "_file", Ref: file, Err: errors.Join(ErrUnresolved, err)})
				}
				return strings.TrimSpace(string(b))
			}
			return ""
		}
		s := notify.Spec{Name: n.Name, Type: n.Type, URL: n.URL, SendResolved: n.SendResolved, Timeout: n.Timeout, Backoff: n.Backoff}
		if n.RetriesSet {
			s.Retries = n.Retries
			if n.Retries == 0 {
				s.Retries = -1 // notify's spelling of "no retry"
			}
		}
		if u := read("url", n.URLEnv, n.URLFile); u != "" {
			s.URL = u
		}
		s.RoutingKey = read("routing_key", n.RoutingKeyEnv, n.RoutingKeyFile)
		if m := n.SMTP; m != nil {
			s.SMTP = notify.SMTP{Addr: m.Addr, From: m.From, To: m.To, Username: m.Username, TLS: m.TLS, ServerName: m.ServerName,
				Password: read("password", m.PasswordEnv, m.PasswordFile)}
		}
		specs = append(specs, s)
	}
	return specs, errors.Join(errs...)
}

// NotifySender is the NewSender of a daemon: the watch section's notifiers
// (secrets resolved with getenv and the files under base) behind
// internal/notify's Dispatcher, each delivery counted in the notifier
// metrics and a failed one logged.
func NotifySender(base string, getenv func(string) string, m *metrics.Metrics, log *slog.Logger) func(*config.WatchConfig) (Sender, error) {
	return func(w *config.WatchConfig) (Sender, error) {
		specs, err := Specs(w, base, getenv)
		if err != nil {
			return nil, err
		}
		d, err := notify.NewDispatcher(specs, notify.Hooks{OnDelivery: func(name string, attempt int, err error) {
			if err == nil {
				m.Notifications.WithLabelValues(name, "ok").Inc()
				return
			}
			m.Notifications.WithLabelValues(name, "failed").Inc()
			m.NotifierFailures.WithLabelValues(name).Add(float64(max(attempt, 1)))
			log.Warn("notification not delivered", "notifier", name, "attempts", attempt, "error", err.Error())
		}})
		if err != nil {
			return nil, err
		}
		return d, nil
	}
}
