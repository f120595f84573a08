package notify

import (
	"context"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

// alertmanagerNotifier posts to Prometheus Alertmanager's API v2
// (POST URL/api/v2/alerts, a JSON array of postable alerts). Its labels
// are the alert's identity, so that Alertmanager groups (route group_by:
// alertname, service, environment) and deduplicates (the same label set
// is the same alert) across repeats; its annotations are what people
// read. A resolved alert is the same labels with endsAt set: Alertmanager
// ends it then.
type alertmanagerNotifier struct {
	poster
	target string
}

var _ alert.Notifier = (*alertmanagerNotifier)(nil)

func newAlertmanager(s Spec) alert.Notifier {
	// The base URL, as documented; a URL that already names the endpoint
	// is taken as it is rather than doubled.
	target := strings.TrimSuffix(s.URL, "/")
	if !strings.HasSuffix(target, "/api/v2/alerts") {
		target += "/api/v2/alerts"
	}
	return &alertmanagerNotifier{poster: newPoster(s), target: target}
}

func checkAlertmanager(s Spec, bad func(field, problem string)) {
	checkHTTPURL(s.URL, false, bad)
}

// amAlert is Alertmanager's postableAlert (api/v2/openapi.yaml).
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt,omitzero"`
	EndsAt      time.Time         `json:"endsAt,omitzero"`
}

func (n *alertmanagerNotifier) Notify(ctx context.Context, a alert.Alert) error {
	if !n.wants(a, false) {
		return nil
	}
	return n.postJSON(ctx, n.target, []amAlert{alertmanagerAlert(a, time.Now())})
}

// alertmanagerLabels are the labels of a's Alertmanager alert (empty
// values left out: Alertmanager treats an empty label as absent):
// alertname (dbguard_ and the rule), service, environment, stage, class,
// severity.
func alertmanagerLabels(a alert.Alert) map[string]string {
	labels := map[string]string{"alertname": "dbguard_" + string(a.Rule)}
	for k, v := range map[string]string{
		"service":     a.Service,
		"environment": a.Environment,
		"stage":       a.Stage,
		"class":       a.Class,
		"severity":    string(a.Severity),
	} {
		if v != "" {
			labels[k] = v
		}
	}
	return labels
}

// alertmanagerAlert is the postable alert for a at time now: startsAt the
// first failure; endsAt only when resolved (Alertmanager then ends it),
// never before startsAt (Alertmanager refuses that). A firing alert has
// no endsAt: Alertmanager keeps it for its resolve_timeout (5 minutes by
// default), so watch repeats firing alerts more often than that.
func alertmanagerAlert(a alert.Alert, now time.Time) amAlert {
	ann := map[string]string{
		"summary":     a.Summary,
		"description": plainText(a),
	}
	if ann["summary"] == "" {
		ann["summary"] = subject(a)
	}
	for k, v := range map[string]string{
		"share":              a.Share.Describe(a.Service),
		"likely_cause":       causeText(a.Cause),
		"rollback":           rollback(a.Cause),
		"no_change_explains": a.NoCause,
		"verify":             a.Verify,
		"key":                a.Key,
	} {
		if v != "" {
			ann[k] = v
		}
	}
	out := amAlert{Labels: alertmanagerLabels(a), Annotations: ann, StartsAt: a.StartsAt}
	if a.State == alert.StateResolved {
		end := a.EndsAt
		if end.IsZero() {
			end = now
		}
		if !a.StartsAt.IsZero() && end.Before(a.StartsAt) {
			end = a.StartsAt
		}
		out.EndsAt = end
	}
	return out
}
