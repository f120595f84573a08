package incident

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/store"
)

// The kinds of event incidents are made of, besides the store's own
// (change, approval, verification, rollback).
const (
	// KindAlert is written by watch: one event per alert notification
	// (firing, repeats, resolved), its body an AlertBody.
	KindAlert store.Kind = "alert"
	// KindNotification is a delivery of an alert to a notifier, when the
	// writer records them (NotificationBody).
	KindNotification store.Kind = "notification"
	// KindNote is a note a person adds to an incident (NoteBody).
	KindNote store.Kind = "note"
	// KindIncident sets what only people know of an incident (SetBody).
	KindIncident store.Kind = "incident"
	// KindActionItem adds an action item or marks one done (ActionBody).
	KindActionItem store.Kind = "action_item"
)

// Kinds lists every kind Project reads.
func Kinds() []store.Kind {
	return []store.Kind{KindAlert, KindNotification, KindNote, KindIncident, KindActionItem,
		store.KindChange, store.KindApproval, store.KindVerification, store.KindRollback}
}

// BodyVersion is the schema_version of the bodies this package writes.
const BodyVersion = 1

// NoteBody is a note on an incident. At is when what it tells happened
// (--at), which may be before the note was written; zero means the
// event's time.
type NoteBody struct {
	SchemaVersion int       `json:"schema_version"`
	Incident      string    `json:"incident"`
	Text          string    `json:"text"`
	At            time.Time `json:"at,omitzero"`
}

// SetBody sets what people judge of an incident; an empty member leaves
// the value as it was.
type SetBody struct {
	SchemaVersion int    `json:"schema_version"`
	Incident      string `json:"incident"`
	Severity      string `json:"severity,omitempty"`
	Impact        string `json:"impact,omitempty"`
	RootCause     string `json:"root_cause,omitempty"`
	Owner         string `json:"owner,omitempty"`
}

// Action item operations.
const (
	ActionAdd  = "add"
	ActionDone = "done"
)

// ActionBody adds an action item to an incident (Op add: Text, Owner,
// Due) or marks one done (Op done: Item). An item's id is derived from
// the event that added it (ActionID).
type ActionBody struct {
	SchemaVersion int    `json:"schema_version"`
	Op            string `json:"op"`
	Incident      string `json:"incident"`
	Item          string `json:"item,omitempty"`
	Text          string `json:"text,omitempty"`
	Owner         string `json:"owner,omitempty"`
	Due           string `json:"due,omitempty"` // 2006-01-02
}

// NotificationBody is one delivery of an alert: to which notifier and
// recipient, and whether it was accepted.
type NotificationBody struct {
	SchemaVersion int    `json:"schema_version"`
	AlertKey      string `json:"alert_key"`
	State         string `json:"state,omitempty"`
	Notifier      string `json:"notifier"`
	To            string `json:"to,omitempty"`
	OK            bool   `json:"ok"`
	Error         string `json:"error,omitempty"`
}

// ErrNewerBody is wrapped by DecodeAlert for a body whose schema_version
// this dbguard does not know.
var ErrNewerBody = errors.New("body is newer than this dbguard reads")

// AlertBody is the body of an alert event as watch writes it: the alert as
// it was notified and the names of the notifiers watch handed it to (the
// "notified" entries of an incident's timeline). A notifier named here was
// given the alert; whether it delivered is a notification event's to say.
type AlertBody struct {
	SchemaVersion int         `json:"schema_version"`
	Alert         alert.Alert `json:"alert"`
	Notifiers     []string    `json:"notifiers"`
}

// DecodeAlert reads an alert event's body. It is the one place that knows
// how watch writes an alert into the store (internal/watch's alertBody):
// should that change, only this function follows it.
func DecodeAlert(e store.Event) (AlertBody, error) {
	var b AlertBody
	if err := decode(e, &b); err != nil {
		return b, fmt.Errorf("read alert event %d: %w", e.Seq, err)
	}
	if b.Alert.SchemaVersion > alert.SchemaVersion {
		return b, fmt.Errorf("read alert event %d: %w (alert schema_version %d)", e.Seq, ErrNewerBody, b.Alert.SchemaVersion)
	}
	if b.Alert.Key == "" || b.Alert.Service == "" {
		return b, fmt.Errorf("read alert event %d: an alert without a key or a service", e.Seq)
	}
	return b, nil
}

// decode reads a body of this package's kinds, refusing a newer version.
func decode(e store.Event, v any) error {
	n, err := store.SchemaVersion(e.Body)
	if err != nil {
		return err
	}
	if n > BodyVersion {
		return ErrNewerBody
	}
	return json.Unmarshal(e.Body, v)
}

// IncidentID is the id of the incident an alert event opens: short,
// stable, and the same in every projection of the same log.
func IncidentID(opening store.Event) string { return "inc-" + head(opening.ID) }

// ActionID is the id of the action item an add event creates.
func ActionID(added store.Event) string { return "act-" + head(added.ID) }

func head(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
