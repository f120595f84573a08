package notify

// Benchmarks of the notifiers' own cost (figures in bench/README.md,
// "notify"): formatting one alert per notifier, one webhook delivery over
// loopback, and what Send costs the caller when a queue is full (the worst
// case of a hung receiver).

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

func benchAlert() alert.Alert {
	start := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	ch := alert.Change{Event: "evt-1", Time: start, File: "services/orders/eu/database.yml", Revision: "rev-7",
		Fields: []alert.FieldChange{{Field: "port", Old: "5432", New: "5433"}}}
	a := alert.Alert{SchemaVersion: 1, Key: "change_induced/orders/production/tcp", Rule: alert.RuleChangeInduced,
		State: alert.StateFiring, Severity: alert.SeverityCritical, Summary: "orders: tcp_refused at tcp after a change to port",
		Service: "orders", Environment: "production", Stage: "tcp", Class: "tcp_refused",
		StartsAt: start, UpdatedAt: start.Add(time.Second), Share: alert.Share{Failing: 3, Total: 9},
		Changes: []alert.Change{ch}, Cause: &alert.Cause{Change: ch, Field: ch.Fields[0], Rollback: "dbguard rollback services/orders/eu/database.yml --to rev-6"},
		Verify: "dbguard verify services/orders/eu/database.yml"}
	for range 3 {
		a.Targets = append(a.Targets, alert.Target{Profile: "services/orders/eu/database.yml#production", File: "services/orders/eu/database.yml",
			Host: "db-eu.internal", Port: 5433, Stage: "tcp", Class: "tcp_refused", Code: "ECONNREFUSED",
			Detail: "connect: connection refused", FailingSince: start, Failures: 2})
	}
	return a
}

func BenchmarkPayload(b *testing.B) {
	a := benchAlert()
	e := newEmail(Spec{Name: "m", Type: TypeEmail, SMTP: SMTP{Addr: "127.0.0.1:25", From: "a@example.org", To: []string{"b@example.org"}}}.withDefaults()).(*email)
	for _, tc := range []struct {
		name string
		f    func() ([]byte, error)
	}{
		{"type=webhook", func() ([]byte, error) { return json.Marshal(Payload(a)) }},
		{"type=slack", func() ([]byte, error) { return json.Marshal(slackPayload(a)) }},
		{"type=alertmanager", func() ([]byte, error) { return json.Marshal([]amAlert{alertmanagerAlert(a, a.UpdatedAt)}) }},
		{"type=pagerduty", func() ([]byte, error) { return json.Marshal(pagerDutyEvent("key", a)) }},
		{"type=email", func() ([]byte, error) { return e.message(a, a.UpdatedAt) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWebhookDeliver is one Notify of the webhook to an httptest
// receiver on loopback, keep-alive reused: formatting, HTTP and the
// receiver's work, end to end.
func BenchmarkWebhookDeliver(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	n := newWebhook(Spec{Name: "w", Type: TypeWebhook, URL: srv.URL}.withDefaults())
	a := benchAlert()
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Notify(context.Background(), a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendFullQueue is what Send costs the caller when the queue is
// full (a hung receiver): the drop path, reported through the hook.
func BenchmarkSendFullQueue(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() { // accept and never answer
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	d, err := NewDispatcher([]Spec{{Name: "hung", Type: TypeWebhook, URL: "http://" + l.Addr().String(), Timeout: time.Minute}},
		Hooks{OnDelivery: func(string, int, error) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		d.Close(ctx)
	}()
	a := benchAlert()
	names := []string{"hung"}
	for range QueueSize + 1 {
		d.Send(names, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		d.Send(names, a)
	}
}
