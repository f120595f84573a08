package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
	"github.com/dbguard/dbguard/internal/testenv"
)

// amGot is what GET /api/v2/alerts returns of one alert.
type amGot struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// amAlerts lists the active alerts of service in the Alertmanager at base.
func amAlerts(t *testing.T, base, service string) []amGot {
	t.Helper()
	q := url.Values{"filter": {fmt.Sprintf("service=%q", service)}}
	resp, err := http.Get(base + "/api/v2/alerts?" + q.Encode())
	if err != nil {
		t.Fatalf("GET /api/v2/alerts: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v2/alerts: %s: %s", resp.Status, body)
	}
	var got []amGot
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode /api/v2/alerts: %v\n%s", err, body)
	}
	return got
}

// TestAlertmanagerReal posts an alert to the real Alertmanager that
// scripts/test.sh starts, sees it active with the documented labels and
// annotations, posts it again (deduplicated: still one), resolves it and
// sees it end.
func TestAlertmanagerReal(t *testing.T) {
	t.Parallel()
	base := testenv.Alertmanager(t)
	n, err := notify.New(notify.Spec{Name: "am", Type: notify.TypeAlertmanager, URL: base + "/", SendResolved: true})
	if err != nil {
		t.Fatal(err)
	}
	// The Alertmanager is shared by the run: this test's alerts have a
	// service of their own.
	service := fmt.Sprintf("orders-%d", time.Now().UnixNano())
	a := sampleAlert(alert.StateFiring)
	a.Service = service
	a.StartsAt = time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	a.UpdatedAt = time.Now().UTC()
	ctx := context.Background()
	if err := n.Notify(ctx, a); err != nil {
		t.Fatalf("Notify firing: %v", err)
	}
	var got []amGot
	waitFor(t, 10*time.Second, "the alert is active in Alertmanager", func() bool {
		got = amAlerts(t, base, service)
		return len(got) == 1 && got[0].Status.State == "active"
	})
	wantLabels := map[string]string{
		"alertname":   "dbguard_change_induced",
		"service":     service,
		"environment": "production",
		"stage":       "auth",
		"class":       "auth_failed",
		"severity":    "critical",
	}
	if !reflect.DeepEqual(got[0].Labels, wantLabels) {
		t.Errorf("labels = %v\nwant %v", got[0].Labels, wantLabels)
	}
	ann := got[0].Annotations
	for k, want := range map[string]string{
		"summary":      a.Summary,
		"rollback":     a.Cause.Rollback,
		"likely_cause": "password changed (**** → ****) in services/orders/eu/database.yml, revision rev-7",
		"description":  "1 of 3 targets of " + service + " failing, 33%",
		"share":        "1 of 3 targets of " + service + " failing, 33%",
		"verify":       a.Verify,
		"key":          a.Key,
	} {
		if !strings.Contains(ann[k], want) {
			t.Errorf("annotation %s = %q, want it to contain %q", k, ann[k], want)
		}
	}
	if !got[0].StartsAt.Equal(a.StartsAt) {
		t.Errorf("startsAt = %v, want %v", got[0].StartsAt, a.StartsAt)
	}

	// A repeat is the same alert: still one.
	a.UpdatedAt = time.Now().UTC()
	if err := n.Notify(ctx, a); err != nil {
		t.Fatalf("Notify repeat: %v", err)
	}
	if got := amAlerts(t, base, service); len(got) != 1 {
		t.Errorf("after a repeat Alertmanager holds %d alerts, want 1", len(got))
	}

	r := a
	r.State = alert.StateResolved
	r.EndsAt = time.Now().UTC()
	r.UpdatedAt = r.EndsAt
	if err := n.Notify(ctx, r); err != nil {
		t.Fatalf("Notify resolved: %v", err)
	}
	waitFor(t, 10*time.Second, "the resolved alert ends in Alertmanager", func() bool {
		return len(amAlerts(t, base, service)) == 0
	})
}

// TestAlertmanagerPayload checks the request itself with an httptest
// receiver: the path, an array of one postable alert, endsAt only when
// resolved and never before startsAt, no pending alert.
func TestAlertmanagerPayload(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	n, err := notify.New(notify.Spec{Name: "am", Type: notify.TypeAlertmanager, URL: rcv.URL, SendResolved: true})
	if err != nil {
		t.Fatal(err)
	}
	odd := sampleAlert(alert.StateResolved)
	odd.EndsAt = odd.StartsAt.Add(-time.Hour) // a clock that went back
	bare := sampleAlert(alert.StateFiring)
	bare.Stage, bare.Class, bare.Cause, bare.Summary = "", "", nil, ""
	for _, a := range []alert.Alert{sampleAlert(alert.StatePending), sampleAlert(alert.StateFiring), sampleAlert(alert.StateResolved), odd, bare} {
		if err := n.Notify(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	reqs := rcv.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4 (the pending alert is not sent)", len(reqs))
	}
	type posted struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    *time.Time        `json:"startsAt"`
		EndsAt      *time.Time        `json:"endsAt"`
	}
	var all [][]posted
	for _, r := range reqs {
		if r.Method != http.MethodPost || r.Path != "/api/v2/alerts" || r.ContentType != "application/json" {
			t.Errorf("request %s %s (%s)", r.Method, r.Path, r.ContentType)
		}
		var ps []posted
		dec := json.NewDecoder(strings.NewReader(string(r.Body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ps); err != nil || len(ps) != 1 {
			t.Fatalf("body %s: %v, want an array of one postable alert", r.Body, err)
		}
		all = append(all, ps)
	}
	firing, resolved, clamped, noClass := all[0][0], all[1][0], all[2][0], all[3][0]
	if firing.EndsAt != nil || firing.StartsAt == nil {
		t.Errorf("firing: startsAt %v, endsAt %v; want startsAt only", firing.StartsAt, firing.EndsAt)
	}
	if resolved.EndsAt == nil || !resolved.EndsAt.Equal(sampleAlert(alert.StateResolved).EndsAt) {
		t.Errorf("resolved: endsAt %v", resolved.EndsAt)
	}
	if clamped.EndsAt == nil || clamped.EndsAt.Before(*clamped.StartsAt) {
		t.Errorf("endsAt %v before startsAt %v", clamped.EndsAt, clamped.StartsAt)
	}
	if _, ok := noClass.Labels["class"]; ok {
		t.Errorf("empty class sent as a label: %v", noClass.Labels)
	}
	if _, ok := noClass.Labels["stage"]; ok {
		t.Errorf("empty stage sent as a label: %v", noClass.Labels)
	}
	if noClass.Annotations["summary"] == "" || noClass.Annotations["likely_cause"] != "" {
		t.Errorf("annotations without summary or cause: %v", noClass.Annotations)
	}

	// A URL that already names the endpoint is not doubled.
	full, err := notify.New(notify.Spec{Name: "am", Type: notify.TypeAlertmanager, URL: rcv.URL + "/api/v2/alerts/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := full.Notify(context.Background(), sampleAlert(alert.StateFiring)); err != nil {
		t.Fatal(err)
	}
	if reqs := rcv.requests(); reqs[len(reqs)-1].Path != "/api/v2/alerts" {
		t.Errorf("endpoint URL posted to %s", reqs[len(reqs)-1].Path)
	}
}
