package notify

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

const redacted = "[redacted]"

// redactor removes a spec's secrets from what a notifier returns. It holds
// the secrets themselves (in memory, as the Spec does) and the URL as it
// may be shown: scheme and host only.
type redactor struct {
	secrets []string // longest first, so that a secret containing another goes whole
	shown   string   // the spec's URL reduced to scheme://host[/[redacted]]
}

func newRedactor(s Spec) redactor {
	var secrets []string
	// add adds v in every form a message may quote it: as is, escaped
	// for a URL's path or query, quoted as %q does (an *url.Error quotes
	// its URL). URL parts shorter than minPart are left: replacing "1"
	// everywhere would hide the message, and hides no token.
	add := func(v string, minLen int) {
		if len(v) < minLen || v == "" {
			return
		}
		q := strconv.Quote(v)
		secrets = append(secrets, v, url.PathEscape(v), url.QueryEscape(v), q[1:len(q)-1])
	}
	const minPart = 4
	add(s.RoutingKey, 0)
	add(s.SMTP.Password, 0)
	if s.URL != "" {
		add(s.URL, 0)
		if u, err := url.Parse(s.URL); err == nil {
			if p, ok := u.User.Password(); ok {
				add(p, minPart)
			}
			add(u.User.String(), minPart)
			add(u.RawQuery, minPart)
			for _, vs := range u.Query() {
				for _, v := range vs {
					add(v, minPart)
				}
			}
			add(u.Fragment, minPart)
			add(u.EscapedFragment(), minPart)
			// The path may be the token itself (Slack's, Discord's):
			// every segment longer than a word goes, and the whole path.
			for _, seg := range strings.Split(u.EscapedPath(), "/") {
				add(seg, 8)
			}
			if u.Path != "" && u.Path != "/" {
				add(u.EscapedPath(), minPart)
				add(u.Path, minPart)
			}
		}
	}
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	return redactor{secrets: secrets, shown: safeURL(s.URL)}
}

// safeURL reduces raw to what may be shown: scheme and host, and a mark
// where a path or query was.
func safeURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return redacted
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		out += "/" + redacted
	}
	return out
}

// text returns s with every secret replaced.
func (r redactor) text(s string) string {
	for _, v := range r.secrets {
		s = strings.ReplaceAll(s, v, redacted)
	}
	return s
}

// err returns err as it may be shown. An *url.Error (net/http wraps every
// transport failure in one, URL included) gets the shown URL; anything
// else that still quotes a secret becomes a redactedError that keeps only
// the behaviour callers test: timeout, cancellation, permanence.
func (r redactor) err(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != r.shown {
		// Rebuild only the outermost one: it is what http.Client returns.
		if top, ok := err.(*url.Error); ok {
			err = &url.Error{Op: top.Op, URL: r.shown, Err: r.err(top.Err)}
		}
	}
	msg := err.Error()
	clean := r.text(msg)
	if clean == msg {
		return err
	}
	re := &redactedError{msg: clean, permanent: Permanent(err)}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		re.cause = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		re.cause = context.Canceled
	}
	var te interface{ Timeout() bool }
	re.timeout = errors.As(err, &te) && te.Timeout()
	return re
}

// redactedError stands for an error whose message quoted a secret. It
// does not unwrap to that error (its message would print the secret); it
// unwraps to the context error behind it, if any.
type redactedError struct {
	msg       string
	cause     error
	timeout   bool
	permanent bool
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }
func (e *redactedError) Timeout() bool { return e.timeout }
