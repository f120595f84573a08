package notify

import (
	"context"

	"github.com/dbguard/dbguard/internal/alert"
)

// webhook posts the alert itself, as JSON (alert.Alert with its
// schema_version; docs/formats.md, docs/schema/alert.schema.json), in
// every state including pending: a generic receiver decides for itself.
type webhook struct{ poster }

var _ alert.Notifier = (*webhook)(nil)

func newWebhook(s Spec) alert.Notifier { return &webhook{newPoster(s)} }

func checkWebhook(s Spec, bad func(field, problem string)) {
	checkHTTPURL(s.URL, false, bad)
}

func (w *webhook) Notify(ctx context.Context, a alert.Alert) error {
	if !w.wants(a, true) {
		return nil
	}
	return w.postJSON(ctx, w.spec.URL, Payload(a))
}

// Payload is the webhook's body: the alert with its schema version set and
// every array an array (never null), as docs/formats.md promises.
func Payload(a alert.Alert) alert.Alert {
	a.SchemaVersion = alert.SchemaVersion
	if a.Targets == nil {
		a.Targets = []alert.Target{}
	}
	if len(a.Changes) > 0 {
		changes := make([]alert.Change, len(a.Changes))
		for i, c := range a.Changes {
			changes[i] = withFields(c)
		}
		a.Changes = changes
	} else {
		a.Changes = nil // omitted
	}
	if a.Cause != nil {
		c := *a.Cause
		c.Change = withFields(c.Change)
		a.Cause = &c
	}
	return a
}

func withFields(c alert.Change) alert.Change {
	if c.Fields == nil {
		c.Fields = []alert.FieldChange{}
	}
	return c
}
