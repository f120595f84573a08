package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
	"github.com/dbguard/dbguard/internal/testenv"
)

func TestWebhookPayloadMatchesSchema(t *testing.T) {
	t.Parallel()
	schema := testenv.Schema(t, filepath.Join(testenv.ModuleRoot(t), "docs", "schema", "alert.schema.json"))
	rcv := newReceiver(t)
	n, err := notify.New(notify.Spec{Name: "hook", Type: notify.TypeWebhook, URL: rcv.URL + "/hook?token=abc", SendResolved: true})
	if err != nil {
		t.Fatal(err)
	}
	noCause := sampleAlert(alert.StateFiring)
	noCause.Cause, noCause.Changes = nil, nil
	noCause.NoCause = "no recorded change explains tcp_refused at stage tcp: look at the network or the server"
	bare := alert.Alert{Key: "target_down/x/test/tcp", Rule: alert.RuleTargetDown, State: alert.StateFiring,
		Severity: alert.SeverityWarning, Service: "x", Environment: "test",
		StartsAt: time.Unix(1, 0).UTC(), UpdatedAt: time.Unix(2, 0).UTC(),
		Cause: &alert.Cause{Change: alert.Change{Event: "e", File: "f"}, Field: alert.FieldChange{Field: "port", Old: "1", New: "2"},
			Git: []string{"git checkout abc -- f"}}}
	cases := map[string]alert.Alert{
		"firing":   sampleAlert(alert.StateFiring),
		"pending":  sampleAlert(alert.StatePending),
		"resolved": sampleAlert(alert.StateResolved),
		"no cause": noCause,
		"bare":     bare,
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			before := len(rcv.requests())
			if err := n.Notify(context.Background(), a); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			got := rcv.requests()
			if len(got) != before+1 {
				t.Fatalf("receiver got %d requests, want 1", len(got)-before)
			}
			r := got[len(got)-1]
			if r.Method != http.MethodPost || r.Path != "/hook?token=abc" || r.ContentType != "application/json" {
				t.Errorf("request = %s %s (%s)", r.Method, r.Path, r.ContentType)
			}
			if err := testenv.MatchSchema(t, schema, r.Body); err != nil {
				t.Errorf("payload does not match alert.schema.json: %v\n%s", err, r.Body)
			}
			var back alert.Alert
			if err := json.Unmarshal(r.Body, &back); err != nil {
				t.Fatal(err)
			}
			if want := notify.Payload(a); !reflect.DeepEqual(back, want) {
				t.Errorf("payload decodes to\n%+v\nwant\n%+v", back, want)
			}
			if strings.Contains(string(r.Body), "null") {
				t.Errorf("payload has a null: %s", r.Body)
			}
		})
	}
}

// TestSchemaRefusesWhatTheCodeDoesNotWrite proves the schema is strict, so
// that it cannot drift from the code unnoticed.
func TestSchemaRefusesWhatTheCodeDoesNotWrite(t *testing.T) {
	t.Parallel()
	schema := testenv.Schema(t, filepath.Join(testenv.ModuleRoot(t), "docs", "schema", "alert.schema.json"))
	good, err := json.Marshal(notify.Payload(sampleAlert(alert.StateFiring)))
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(m map[string]any){
		"unknown key":    func(m map[string]any) { m["password"] = "x" },
		"no targets":     func(m map[string]any) { delete(m, "targets") },
		"null targets":   func(m map[string]any) { m["targets"] = nil },
		"bad state":      func(m map[string]any) { m["state"] = "exploded" },
		"schema version": func(m map[string]any) { m["schema_version"] = 2 },
	} {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		doc, _ := json.Marshal(m)
		if testenv.MatchSchema(t, schema, doc) == nil {
			t.Errorf("%s: schema accepts %s", name, doc)
		}
	}
}

func TestWebhookStates(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	n, err := notify.New(notify.Spec{Name: "hook", Type: notify.TypeWebhook, URL: rcv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []alert.State{alert.StatePending, alert.StateFiring, alert.StateResolved} {
		if err := n.Notify(context.Background(), sampleAlert(s)); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	// SendResolved is off in this spec: the resolved alert is not sent.
	var states []string
	for _, r := range rcv.requests() {
		var a alert.Alert
		if err := json.Unmarshal(r.Body, &a); err != nil {
			t.Fatal(err)
		}
		states = append(states, string(a.State))
	}
	if want := []string{"pending", "firing"}; !reflect.DeepEqual(states, want) {
		t.Errorf("states sent = %v, want %v", states, want)
	}
}

func TestWebhookErrors(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.setAnswer(func(int) (int, string) { return http.StatusBadRequest, "bad payload\nsecond line" })
	n, err := notify.New(notify.Spec{Name: "hook", Type: notify.TypeWebhook, URL: rcv.URL + "/in"})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(context.Background(), sampleAlert(alert.StateFiring))
	var he *notify.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 400 || he.Body != "bad payload second line" {
		t.Fatalf("err = %v, want an HTTPError 400 with the answer on one line", err)
	}
	if !notify.Permanent(err) {
		t.Errorf("Permanent(%v) = false, want true for a 400", err)
	}
	rcv.setAnswer(func(int) (int, string) { return http.StatusServiceUnavailable, "" })
	if err := n.Notify(context.Background(), sampleAlert(alert.StateFiring)); err == nil || notify.Permanent(err) {
		t.Errorf("503: err = %v, want a temporary error", err)
	}
	rcv.setAnswer(func(int) (int, string) { return http.StatusTooManyRequests, "" })
	if err := n.Notify(context.Background(), sampleAlert(alert.StateFiring)); err == nil || notify.Permanent(err) {
		t.Errorf("429: err = %v, want a temporary error", err)
	}
	rcv.setAnswer(func(int) (int, string) { return http.StatusFound, "" })
	if err := n.Notify(context.Background(), sampleAlert(alert.StateFiring)); err == nil {
		t.Errorf("302: no error; a redirect must not count as delivered")
	}

	closed, err := notify.New(notify.Spec{Name: "hook", Type: notify.TypeWebhook,
		URL: "http://127.0.0.1:" + itoa(testenv.ClosedPort(t)) + "/in"})
	if err != nil {
		t.Fatal(err)
	}
	err = closed.Notify(context.Background(), sampleAlert(alert.StateFiring))
	if err == nil || notify.Permanent(err) {
		t.Errorf("closed port: err = %v, want a temporary error", err)
	}
}

func TestWebhookTimeout(t *testing.T) {
	t.Parallel()
	addr := testenv.SilentListener(t)
	n, err := notify.New(notify.Spec{Name: "hook", Type: notify.TypeWebhook,
		URL: "http://" + addr.String() + "/in", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = n.Notify(context.Background(), sampleAlert(alert.StateFiring))
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Notify took %v against a silent receiver, want about the 200ms timeout", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}
