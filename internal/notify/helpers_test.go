package notify_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

// sampleAlert is a change-induced auth failure of one of three targets of
// orders, with its cause and rollback, in the given state.
func sampleAlert(state alert.State) alert.Alert {
	start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	change := alert.Change{
		Event:    "evt-0042",
		Time:     start.Add(-30 * time.Second),
		Actor:    "deploy-bot",
		File:     "services/orders/eu/database.yml",
		Profile:  "services/orders/eu/database.yml#production",
		Revision: "rev-7",
		Fields: []alert.FieldChange{
			{Field: "password", Old: "****", New: "****", Secret: true},
		},
	}
	a := alert.Alert{
		SchemaVersion: alert.SchemaVersion,
		Key:           "change_induced/orders/production/auth",
		Rule:          alert.RuleChangeInduced,
		State:         state,
		Severity:      alert.SeverityCritical,
		Summary:       "orders in production: auth_failed at auth after a change to password",
		Service:       "orders",
		Environment:   "production",
		Stage:         "auth",
		Class:         "auth_failed",
		StartsAt:      start,
		UpdatedAt:     start.Add(2 * time.Second),
		Share:         alert.Share{Failing: 1, Total: 3},
		Targets: []alert.Target{{
			Profile:      "services/orders/eu/database.yml#production",
			Name:         "production",
			File:         "services/orders/eu/database.yml",
			Host:         "db-eu.internal",
			Port:         5432,
			Stage:        "auth",
			Class:        "auth_failed",
			Code:         "28P01",
			Detail:       `password authentication failed for user "orders"`,
			FailingSince: start,
			Failures:     2,
		}},
		Changes: []alert.Change{change},
		Cause: &alert.Cause{
			Change:   change,
			Field:    change.Fields[0],
			Rollback: "dbguard rollback services/orders/eu/database.yml --to rev-6",
		},
		Verify: "dbguard verify services/orders/eu/database.yml",
	}
	if state == alert.StateResolved {
		a.EndsAt = start.Add(5 * time.Minute)
		a.UpdatedAt = a.EndsAt
	}
	return a
}

// request is one request a receiver got.
type request struct {
	Method, Path, ContentType string
	Body                      []byte
}

// receiver is an httptest server that records every request and answers
// with the status its answer function gives (200 by default).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []request
	answer func(n int) (status int, body string) // n counts requests from 1
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, request{req.Method, req.URL.RequestURI(), req.Header.Get("Content-Type"), body})
		n, answer := len(r.got), r.answer
		r.mu.Unlock()
		status, text := http.StatusOK, ""
		if answer != nil {
			status, text = answer(n)
		}
		w.WriteHeader(status)
		io.WriteString(w, text)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

func (r *receiver) setAnswer(f func(n int) (int, string)) {
	r.mu.Lock()
	r.answer = f
	r.mu.Unlock()
}
