package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/verify"
)

// Explains reports whether a change of field can explain a failure of
// class: the table of issue 15's correlation (docs/watch.md). A class
// that no field explains (a server starting, a query timing out) is
// never blamed on a change.
func Explains(class verify.Class, field string) bool {
	group := fieldGroup(field)
	switch class {
	case verify.ClassAuthFailed, verify.ClassRoleNotFound, verify.ClassAccessRejected, verify.ClassAuthMethodUnsupported:
		return group == "credentials"
	case verify.ClassTCPRefused, verify.ClassTCPTimeout, verify.ClassTCPUnreachable, verify.ClassDNSNotFound,
		verify.ClassDNSTimeout, verify.ClassProtocolTimeout, verify.ClassProtocolError:
		return group == "address"
	case verify.ClassTLSNotSupportedByServer, verify.ClassTLSRequiredByServer, verify.ClassTLSCertInvalid, verify.ClassTLSHandshakeFailed:
		return group == "tls"
	case verify.ClassDatabaseNotFound, verify.ClassPermissionDenied:
		return group == "database" || class == verify.ClassPermissionDenied && group == "credentials"
	case verify.ClassTooManyConnections, verify.ClassPoolCapacityExceeded:
		return group == "capacity"
	case verify.ClassConfigInvalid:
		return true
	}
	return false
}

// fieldGroup sorts review's field names into what a failure can point at.
func fieldGroup(field string) string {
	switch {
	case field == "user" || field == "password":
		return "credentials"
	case field == "host" || field == "port" || field == "hosts" || strings.HasPrefix(field, "hosts["):
		return "address"
	case field == "tls" || strings.HasPrefix(field, "tls."):
		return "tls"
	case field == "database":
		return "database"
	case strings.HasPrefix(field, "pool.") || field == "replicas":
		return "capacity"
	}
	return ""
}

// recentChanges reads the change events of a target's profile within
// lookback of now, newest first, as the alert model's changes (review's
// redacted field changes of that profile only).
func recentChanges(ctx context.Context, st *store.Store, t *target, now time.Time, lookback time.Duration) ([]alert.Change, error) {
	key := store.ProfileKey{File: t.FileKey, KeyPath: t.Prof.KeyPath}
	evs, err := st.Events(ctx, store.Query{Profile: &key, Kinds: []store.Kind{store.KindChange}, Since: now.Add(-lookback)})
	if err != nil {
		return nil, err
	}
	var out []alert.Change
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		var body store.ChangeBody
		if err := json.Unmarshal(ev.Body, &body); err != nil {
			return nil, fmt.Errorf("read change event %s: %w", ev.ID, err)
		}
		if body.Baseline {
			continue // the first recording is no change
		}
		c := alert.Change{Event: ev.ID, Time: ev.Time.UTC(), Actor: ev.Actor.Name, File: body.File, Profile: t.Key,
			Revision: body.Revision, Fingerprint: body.Fingerprint, Fields: []alert.FieldChange{}}
		for _, f := range body.Changes {
			if f.KeyPath != t.Prof.KeyPath {
				continue
			}
			c.Fields = append(c.Fields, alert.FieldChange{Field: f.Field, Old: text(f.Old), New: text(f.New), Secret: f.Field == "password"})
		}
		if len(c.Fields) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

func text(s *string) string {
	if s == nil {
		return "(unset)"
	}
	return *s
}

// likelyCause is the newest change with a field that explains class.
func likelyCause(changes []alert.Change, class verify.Class) (alert.Change, alert.FieldChange, bool) {
	for _, c := range changes {
		for _, f := range c.Fields {
			if Explains(class, f.Field) {
				return c, f, true
			}
		}
	}
	return alert.Change{}, alert.FieldChange{}, false
}

// noCause says that no recorded change explains a failure, and where it
// fails, so that responders look at the right side.
func noCause(class verify.Class, stage verify.Stage, lookback time.Duration) string {
	side := "the server or the network"
	switch stage {
	case verify.StageDNS:
		side = "DNS"
	case verify.StageTCP:
		side = "the network or the server's listener"
	case verify.StageAuth, verify.StageDatabase:
		side = "the server's roles, passwords or databases"
	case verify.StageCapacity:
		side = "the server's connection limits or other clients"
	}
	return fmt.Sprintf("no change recorded in the last %s explains %s at stage %s: look at %s", lookback, class, stage, side)
}
