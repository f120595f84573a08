package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Kind names what an event records. The store accepts any non-empty kind of
// lowercase letters and underscores, so that later kinds (probe_summary,
// alert, incident, note, action_item, audit, drill) need no migration.
type Kind string

// The kinds dbguard writes now.
const (
	KindChange       Kind = "change"
	KindReview       Kind = "review"
	KindApproval     Kind = "approval"
	KindVerification Kind = "verification"
	KindRollback     Kind = "rollback"
	// KindCheckpoint summarises events removed by compaction.
	KindCheckpoint Kind = "checkpoint"
)

func (k Kind) valid() bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, r := range k {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// Actor is who caused an event, with where that name came from ("flag",
// "env", "ci:github", "ci:gitlab", "ci", "git", "os"), since a name typed on
// the command line proves less than a CI job identity.
type Actor struct {
	Name   string `json:"name"`
	Origin string `json:"origin"`
}

// ProfileKey is a profile's stable identity: the path of its file relative
// to the repository root (absolute outside a repository), with forward
// slashes, and its key path inside the file. It is never scan's display id,
// which depends on the command-line argument.
type ProfileKey struct {
	File    string `json:"file"`
	KeyPath string `json:"key_path"`
}

// EventProfile is a profile an event concerns, with the service and
// environment it had then, so that history can filter on them.
type EventProfile struct {
	ProfileKey
	Service string `json:"service,omitempty"`
	Env     string `json:"env,omitempty"`
}

// Event is one entry of the log. The caller fills Kind, Actor, Profiles and
// Body (and may fill ID and Time); the store assigns Seq and MAC.
type Event struct {
	Seq      int64
	ID       string
	Time     time.Time
	Kind     Kind
	Actor    Actor
	Profiles []EventProfile
	// Body is a JSON object with an integer "schema_version" member. It is
	// stored byte for byte as given (the MAC covers those bytes).
	Body json.RawMessage
	MAC  []byte
}

// Earliest and latest times an event may carry: the store keeps times as
// nanoseconds since 1970 in a signed 64-bit integer.
var (
	minTime = time.Unix(0, -1<<63).UTC()
	maxTime = time.Unix(0, 1<<63-1).UTC()
)

// ErrInvalidEvent is wrapped by every error about an event the caller made.
var ErrInvalidEvent = errors.New("invalid event")

func (e *Event) validate() error {
	if !e.Kind.valid() {
		return fmt.Errorf("%w: kind %q is not lowercase letters and underscores", ErrInvalidEvent, e.Kind)
	}
	if e.Time.Before(minTime) || e.Time.After(maxTime) {
		return fmt.Errorf("%w: time %s out of range", ErrInvalidEvent, e.Time)
	}
	if e.Actor.Name == "" || e.Actor.Origin == "" {
		return fmt.Errorf("%w: actor needs a name and its origin", ErrInvalidEvent)
	}
	for _, p := range e.Profiles {
		if p.File == "" {
			return fmt.Errorf("%w: a profile without a file", ErrInvalidEvent)
		}
	}
	if _, err := SchemaVersion(e.Body); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	return nil
}

// SchemaVersion returns the schema_version of an event body, which must be
// a JSON object whose schema_version is a positive integer.
func SchemaVersion(body json.RawMessage) (int, error) {
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	// Unmarshal validates the whole body before decoding it: a separate
	// json.Valid pass cost as much again on every appended event.
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return 0, errors.New("body is not a JSON object")
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return 0, fmt.Errorf("body is not a JSON object: %w", err)
	}
	if head.SchemaVersion == nil || *head.SchemaVersion < 1 {
		return 0, errors.New("body has no positive integer schema_version")
	}
	return *head.SchemaVersion, nil
}

// Query selects events. Zero fields select everything; the fields that are
// set must all match. Events come oldest first (by sequence).
type Query struct {
	// Profile selects events concerning this profile; with KeyPath empty,
	// events concerning any profile of File.
	Profile *ProfileKey
	Service string
	Env     string
	Kinds   []Kind
	// Since and Until bound the event time (Since inclusive, Until
	// exclusive).
	Since, Until time.Time
	// AfterSeq selects events with a greater sequence number, BeforeSeq
	// (when not 0) with a smaller one.
	AfterSeq, BeforeSeq int64
	// Limit caps the number of events (0: no cap); with Newest, the cap
	// keeps the newest ones (still returned oldest first).
	Limit  int
	Newest bool
}
