package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
)

const testRoutingKey = "R0UT1NGKEY0123456789ABCDEFGHIJKL"

// checkPagerDutyEvent checks an event against the Events API v2's
// documented shape (developer.pagerduty.com, "Send an Alert Event"):
// routing_key, event_action (trigger, acknowledge, resolve), dedup_key at
// most 255 characters; a trigger's payload with summary (at most 1024),
// source and severity (critical, error, warning, info) required, an
// optional ISO 8601 timestamp, component, group, class, custom_details.
func checkPagerDutyEvent(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("event is not a JSON object: %v", err)
	}
	for k := range ev {
		switch k {
		case "routing_key", "event_action", "dedup_key", "payload", "client", "client_url", "links", "images":
		default:
			t.Errorf("unexpected member %q", k)
		}
	}
	if ev["routing_key"] != testRoutingKey {
		t.Errorf("routing_key = %v", ev["routing_key"])
	}
	key, _ := ev["dedup_key"].(string)
	if key == "" || len(key) > 255 {
		t.Errorf("dedup_key %q: want 1 to 255 characters", key)
	}
	switch ev["event_action"] {
	case "resolve":
		if len(ev) != 3 {
			t.Errorf("resolve event has members beyond routing_key, event_action, dedup_key: %v", ev)
		}
	case "trigger":
		p, ok := ev["payload"].(map[string]any)
		if !ok {
			t.Fatalf("trigger without payload: %s", body)
		}
		for k, v := range p {
			switch k {
			case "summary", "source", "severity", "timestamp", "component", "group", "class":
				if s, ok := v.(string); !ok || s == "" {
					t.Errorf("payload.%s = %v, want a non-empty string", k, v)
				}
			case "custom_details":
				if _, ok := v.(map[string]any); !ok {
					t.Errorf("custom_details = %v, want an object", v)
				}
			default:
				t.Errorf("unexpected payload member %q", k)
			}
		}
		for _, k := range []string{"summary", "source", "severity"} {
			if p[k] == nil {
				t.Errorf("payload.%s missing", k)
			}
		}
		if s, _ := p["summary"].(string); len([]rune(s)) > 1024 {
			t.Errorf("summary of %d characters", len([]rune(s)))
		}
		switch p["severity"] {
		case "critical", "error", "warning", "info":
		default:
			t.Errorf("severity = %v", p["severity"])
		}
		if ts, ok := p["timestamp"].(string); ok {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("timestamp %q: %v", ts, err)
			}
		}
	default:
		t.Errorf("event_action = %v", ev["event_action"])
	}
	return ev
}

func TestPagerDutyEvents(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.setAnswer(func(int) (int, string) {
		return http.StatusAccepted, `{"status":"success","message":"Event processed","dedup_key":"x"}`
	})
	n, err := notify.New(notify.Spec{Name: "pager", Type: notify.TypePagerDuty, URL: rcv.URL + "/v2/enqueue",
		RoutingKey: testRoutingKey, SendResolved: true})
	if err != nil {
		t.Fatal(err)
	}
	long := sampleAlert(alert.StateFiring)
	long.Key = strings.Repeat("k", 400)
	long.Summary = strings.Repeat("s", 3000)
	for _, a := range []alert.Alert{sampleAlert(alert.StatePending), sampleAlert(alert.StateFiring),
		sampleAlert(alert.StateFiring), sampleAlert(alert.StateResolved), long} {
		if err := n.Notify(context.Background(), a); err != nil {
			t.Fatalf("%s: %v", a.State, err)
		}
	}
	reqs := rcv.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d events, want 4 (pending is not sent)", len(reqs))
	}
	var evs []map[string]any
	for _, r := range reqs {
		if r.Path != "/v2/enqueue" || r.ContentType != "application/json" {
			t.Errorf("request %s (%s)", r.Path, r.ContentType)
		}
		evs = append(evs, checkPagerDutyEvent(t, r.Body))
	}
	trigger, repeat, resolve := evs[0], evs[1], evs[2]
	if trigger["event_action"] != "trigger" || repeat["event_action"] != "trigger" || resolve["event_action"] != "resolve" {
		t.Errorf("actions %v %v %v, want trigger, trigger, resolve", trigger["event_action"], repeat["event_action"], resolve["event_action"])
	}
	key := sampleAlert(alert.StateFiring).Key
	for i, ev := range evs[:3] {
		if ev["dedup_key"] != key {
			t.Errorf("event %d dedup_key = %v, want the alert key %q", i, ev["dedup_key"], key)
		}
	}
	p := trigger["payload"].(map[string]any)
	for k, want := range map[string]string{
		"source":    "db-eu.internal:5432",
		"severity":  "critical",
		"component": "orders",
		"group":     "production",
		"class":     "auth_failed",
		"timestamp": "2026-03-04T10:00:00Z",
	} {
		if p[k] != want {
			t.Errorf("payload.%s = %v, want %q", k, p[k], want)
		}
	}
	if s := p["summary"].(string); !strings.Contains(s, "[FIRING]") || !strings.Contains(s, "change_induced") {
		t.Errorf("summary = %q", s)
	}
	d := p["custom_details"].(map[string]any)
	for k, want := range map[string]string{
		"share":        "1 of 3 targets of orders failing, 33%",
		"rollback":     "dbguard rollback services/orders/eu/database.yml --to rev-6",
		"likely_cause": "password changed (**** → ****) in services/orders/eu/database.yml",
		"stage":        "auth",
		"verify":       "dbguard verify services/orders/eu/database.yml",
	} {
		if s, _ := d[k].(string); !strings.Contains(s, want) {
			t.Errorf("custom_details.%s = %v, want %q in it", k, d[k], want)
		}
	}
	if ts, _ := d["targets"].([]any); len(ts) != 1 {
		t.Errorf("custom_details.targets = %v", d["targets"])
	}
	// A key longer than PagerDuty takes becomes a stable digest.
	if k := evs[3]["dedup_key"].(string); k == long.Key || len(k) > 255 {
		t.Errorf("long key sent as %q", k)
	}
}

func TestPagerDutyErrorsAndValidation(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.setAnswer(func(int) (int, string) {
		return http.StatusBadRequest, `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}`
	})
	n, err := notify.New(notify.Spec{Name: "pager", Type: notify.TypePagerDuty, URL: rcv.URL, RoutingKey: testRoutingKey})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(context.Background(), sampleAlert(alert.StateFiring))
	if err == nil || !notify.Permanent(err) || !strings.Contains(err.Error(), "Event object is invalid") {
		t.Errorf("400: err = %v, want a permanent error with PagerDuty's message", err)
	}
	rcv.setAnswer(func(int) (int, string) { return http.StatusTooManyRequests, "" })
	if err := n.Notify(context.Background(), sampleAlert(alert.StateFiring)); err == nil || notify.Permanent(err) {
		t.Errorf("429: err = %v, want a temporary error", err)
	}

	for _, tt := range []struct {
		spec  notify.Spec
		field string
	}{
		{notify.Spec{Name: "p", Type: "pagerduty"}, "routing_key"},
		{notify.Spec{Name: "p", Type: "pagerduty", RoutingKey: "abc def"}, "routing_key"},
		{notify.Spec{Name: "p", Type: "pagerduty", RoutingKey: "k", URL: "http://events.pagerduty.com/v2/enqueue"}, "url"},
		{notify.Spec{Name: "p", Type: "pagerduty", RoutingKey: "k"}, ""}, // the default URL
	} {
		err := tt.spec.Validate()
		var fe *notify.FieldError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%+v: %v", tt.spec, err)
		case tt.field != "" && (!errorsAs(err, &fe) || fe.Field != tt.field):
			t.Errorf("%+v: err = %v, want a problem with %s", tt.spec, err, tt.field)
		}
		if err != nil && strings.Contains(err.Error(), "abc def") {
			t.Errorf("error quotes the routing key: %v", err)
		}
	}
}
