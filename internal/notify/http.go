package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/alert"
)

// maxAnswer is how much of a receiver's answer is read: enough for an
// error message, never a whole page.
const maxAnswer = 4 << 10

// poster sends JSON bodies for the HTTP notifiers, each with its own
// client: no shared state between notifiers, no redirect followed (a
// receiver that redirects is misconfigured, and the redirect would carry
// the token elsewhere).
type poster struct {
	spec   Spec
	client *http.Client
	red    redactor
}

func newPoster(s Spec) poster {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2
	tr.IdleConnTimeout = 90 * time.Second
	return poster{
		spec: s,
		client: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		red: newRedactor(s),
	}
}

func (p poster) Name() string { return p.spec.Name }

// CloseIdleConnections closes the kept-alive connections to the receiver;
// the Dispatcher calls it when it closes, so that no connection goroutine
// outlives it.
func (p poster) CloseIdleConnections() { p.client.CloseIdleConnections() }

// wants reports whether the notifier sends an alert in this state:
// firing always, resolved when SendResolved, pending only where pending
// says so (the generic webhook).
func (p poster) wants(a alert.Alert, pending bool) bool {
	return wants(p.spec, a, pending)
}

func wants(s Spec, a alert.Alert, pending bool) bool {
	switch a.State {
	case alert.StateResolved:
		return s.SendResolved
	case alert.StatePending:
		return pending
	}
	return true
}

// postJSON posts v as JSON to target, bounded by the spec's timeout, and
// returns an error with no secret in it. A 2xx answer is success.
func (p poster) postJSON(ctx context.Context, target string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode the payload: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.spec.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		// The error quotes the URL: say what, not which.
		return fmt.Errorf("make the request to %s: invalid URL", p.red.shown)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dbguard-notify")
	resp, err := p.client.Do(req)
	if err != nil {
		return p.red.err(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return p.red.err(fmt.Errorf("post to %s: %w", p.red.shown, &HTTPError{
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Body:       p.red.text(oneLine(string(answer), 200)),
	}))
}

// oneLine folds s to one line of at most n runes, for error messages.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, n)
}

// truncate cuts s to at most n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if n <= 1 {
		return string(r[:n])
	}
	return string(r[:n-1]) + "…"
}
