package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

// pagerDuty sends PagerDuty Events API v2 events: trigger when firing,
// resolve when resolved, both with the alert's key as dedup_key so that
// PagerDuty keeps one incident across repeats and resolves that one. The
// routing key travels in the body, where PagerDuty needs it, and nowhere
// else: never in an error.
type pagerDuty struct{ poster }

var _ alert.Notifier = (*pagerDuty)(nil)

func newPagerDuty(s Spec) alert.Notifier { return &pagerDuty{newPoster(s)} }

func checkPagerDuty(s Spec, bad func(field, problem string)) {
	checkHTTPURL(s.URL, true, bad)
	switch {
	case s.RoutingKey == "":
		bad("routing_key", "missing")
	case strings.TrimSpace(s.RoutingKey) != s.RoutingKey || strings.ContainsAny(s.RoutingKey, " \t\r\n"):
		bad("routing_key", "contains white space")
	}
}

// PagerDuty's documented limits: summary 1024 characters, dedup_key 255.
const (
	pdSummaryMax = 1024
	pdDedupMax   = 255
)

// pdEvent is an Events API v2 event (developer.pagerduty.com, "Send an
// Alert Event"). A resolve carries only routing_key, event_action and
// dedup_key.
type pdEvent struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"` // trigger, resolve
	DedupKey    string     `json:"dedup_key"`
	Payload     *pdPayload `json:"payload,omitempty"`
	Client      string     `json:"client,omitempty"`
}

type pdPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"` // critical, error, warning, info
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

func (p *pagerDuty) Notify(ctx context.Context, a alert.Alert) error {
	if !p.wants(a, false) {
		return nil
	}
	return p.postJSON(ctx, p.spec.URL, pagerDutyEvent(p.spec.RoutingKey, a))
}

// dedupKey is the alert's key, or its SHA-256 when longer than PagerDuty
// takes (the key names rule, service, environment and class: no secret).
func dedupKey(key string) string {
	if len(key) <= pdDedupMax {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "dbguard-" + hex.EncodeToString(sum[:])
}

func pagerDutyEvent(routingKey string, a alert.Alert) pdEvent {
	ev := pdEvent{RoutingKey: routingKey, EventAction: "trigger", DedupKey: dedupKey(a.Key)}
	if a.State == alert.StateResolved {
		ev.EventAction = "resolve"
		return ev
	}
	summary := subject(a)
	if a.Summary != "" {
		summary += ": " + a.Summary
	}
	class := a.Class
	if class == "" {
		class = a.Stage
	}
	details := map[string]any{
		"share":              a.Share.Describe(a.Service),
		"rule":               string(a.Rule),
		"key":                a.Key,
		"since":              since(a),
		"targets":            orEmpty(targetLines(a)),
		"stage":              a.Stage,
		"class":              a.Class,
		"changes":            orEmpty(changeLines(a)),
		"likely_cause":       causeText(a.Cause),
		"rollback":           rollback(a.Cause),
		"no_change_explains": a.NoCause,
		"verify":             a.Verify,
	}
	for k, v := range details {
		if s, ok := v.(string); ok && s == "" {
			delete(details, k)
		}
	}
	ev.Payload = &pdPayload{
		Summary:       truncate(summary, pdSummaryMax),
		Source:        pdSource(a),
		Severity:      string(a.Severity),
		Component:     a.Service,
		Group:         a.Environment,
		Class:         class,
		CustomDetails: details,
	}
	if !a.StartsAt.IsZero() {
		ev.Payload.Timestamp = a.StartsAt.UTC().Format(time.RFC3339)
	}
	if ev.Payload.Severity == "" {
		ev.Payload.Severity = string(alert.SeverityCritical)
	}
	ev.Client = "dbguard"
	return ev
}

// pdSource is "the unique location of the affected system": the first
// failing target's host and port, else the service.
func pdSource(a alert.Alert) string {
	for _, t := range a.Targets {
		if t.Host != "" {
			return hostPort(t)
		}
	}
	if a.Service != "" {
		return a.Service
	}
	return "dbguard"
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
