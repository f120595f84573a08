package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/review"
	"github.com/dbguard/dbguard/internal/store"
)

// HistoryRequest selects a timeline. Profile is a profile id as scan
// prints it (FILE#KEY.PATH, the file relative to the current folder or to
// the repository root), a file alone, or a profile's name as scan shows
// it (several profiles of that name: *AmbiguousProfileError); Since is a
// duration back from Now (24h, 7d) or a date (2006-01-02, RFC 3339); Zone
// names the time zone every time is shown in (UTC when empty).
type HistoryRequest struct {
	Store   StoreRequest
	Profile string
	Service string
	Env     string
	Kinds   []string
	Since   string
	Zone    string
	Now     time.Time
}

// Timeline is the timeline: events oldest first, every time in Zone.
type Timeline struct {
	Store   string
	Zone    *time.Location
	Entries []HistoryEntry
}

// HistoryEntry is one event with what the timeline says of it.
type HistoryEntry struct {
	Event store.Event
	// Summary is one line about the event; Changes its field diffs.
	Summary string
	Changes []store.FieldChange
	// After is the time since the related event before it (the last
	// change, failed verification or rollback of one of its profiles),
	// named by Related; zero for none.
	After   time.Duration
	Related string
}

// History reads the timeline. It needs no key: the events are in clear
// (only revisions are encrypted). Errors: *RequestError for a bad
// --since, --tz or --kind; *StoreError.
func History(ctx context.Context, req HistoryRequest) (*Timeline, error) {
	zone := time.UTC
	if req.Zone != "" {
		z, err := time.LoadLocation(req.Zone)
		if err != nil {
			return nil, requestError("unknown time zone %q: use an IANA name such as UTC or Africa/Lagos", req.Zone)
		}
		zone = z
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	q := store.Query{Service: req.Service, Env: req.Env}
	if req.Since != "" {
		since, err := parseSince(req.Since, now, zone)
		if err != nil {
			return nil, err
		}
		q.Since = since
	}
	for _, k := range req.Kinds {
		q.Kinds = append(q.Kinds, store.Kind(k))
	}
	req.Store.Config = configOrDefault(req.Store.Config)
	st, err := OpenStore(ctx, req.Store, false)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if req.Profile != "" {
		dir := req.Store.Dir
		if dir == "" {
			dir = "."
		}
		key, err := resolveProfile(ctx, st, req.Profile, dir)
		if err != nil {
			return nil, err
		}
		q.Profile = &key
	}
	evs, err := st.Events(ctx, q)
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	h := &Timeline{Store: st.Where, Zone: zone}
	// last related event per profile: what a later event is timed from.
	type mark struct {
		at   time.Time
		what string
	}
	last := map[store.ProfileKey]mark{}
	for _, e := range evs {
		e.Time = e.Time.In(zone)
		en := HistoryEntry{Event: e}
		describe(&en)
		for _, p := range e.Profiles {
			if m, ok := last[p.ProfileKey]; ok && en.Related == "" && e.Kind != store.KindChange {
				en.After, en.Related = e.Time.Sub(m.at), m.what
			}
		}
		if related(&en) {
			for _, p := range e.Profiles {
				last[p.ProfileKey] = mark{at: e.Time, what: fmt.Sprintf("%s (event %d)", kindWord(&en), e.Seq)}
			}
		}
		h.Entries = append(h.Entries, en)
	}
	return h, nil
}

// related reports whether later events are timed from this one: a change,
// a failed verification, a rollback.
func related(en *HistoryEntry) bool {
	switch en.Event.Kind {
	case store.KindChange, store.KindRollback:
		return true
	case store.KindVerification:
		return strings.HasPrefix(en.Summary, "failed")
	}
	return false
}

func kindWord(en *HistoryEntry) string {
	if en.Event.Kind == store.KindVerification {
		return "failed verification"
	}
	return string(en.Event.Kind)
}

// describe fills in the summary of the kinds dbguard writes; another
// kind, or a newer body, is shown by its kind and schema version.
func describe(en *HistoryEntry) {
	e := en.Event
	v, _ := store.SchemaVersion(e.Body)
	if v > store.BodyVersion {
		en.Summary = fmt.Sprintf("%s (schema_version %d, newer than this dbguard reads)", e.Kind, v)
		return
	}
	switch e.Kind {
	case store.KindChange:
		var b store.ChangeBody
		if json.Unmarshal(e.Body, &b) == nil {
			if b.Baseline {
				en.Summary = fmt.Sprintf("baseline of %s (revision %s)", b.File, short(b.Revision))
			} else {
				en.Summary = fmt.Sprintf("%s changed (revision %s after %s), risk %s", b.File, short(b.Revision), short(b.Previous), b.Risk)
			}
			en.Changes = b.Changes
			return
		}
	case store.KindVerification:
		var b store.VerificationBody
		if json.Unmarshal(e.Body, &b) == nil {
			if b.OK {
				en.Summary = fmt.Sprintf("verified ok (revision %s)", short(b.Revision))
			} else {
				en.Summary = fmt.Sprintf("failed at stage %s: %s (revision %s)", b.Stage, b.Class, short(b.Revision))
			}
			return
		}
	case store.KindApproval:
		var b store.ApprovalBody
		if json.Unmarshal(e.Body, &b) == nil {
			en.Summary = fmt.Sprintf("approval of %s by %s (unverified)", b.Fingerprint, b.By)
			return
		}
	case store.KindReview:
		var b store.ReviewBody
		if json.Unmarshal(e.Body, &b) == nil {
			en.Summary = reviewSummary(&b)
			return
		}
	case store.KindCheckpoint:
		var b store.CheckpointBody
		if json.Unmarshal(e.Body, &b) == nil {
			en.Summary = fmt.Sprintf("compaction removed %d %s event(s) older than %s", b.Removed, strings.Join(b.Kinds, ", "), b.Before)
			return
		}
	case store.KindRollback:
		var b store.RollbackBody
		if json.Unmarshal(e.Body, &b) == nil {
			en.Summary = fmt.Sprintf("%s rolled back to revision %s", b.File, short(b.To))
			return
		}
	}
	en.Summary = string(e.Kind)
}

// reviewSummary says what a recorded review found: its fingerprint and
// risk, the approvals that counted with where each came from, and how
// many were still missing.
func reviewSummary(b *store.ReviewBody) string {
	var as []string
	for _, a := range b.Approvals {
		as = append(as, a.User+" — "+review.ApprovalLabel(a.Verified, a.Source))
	}
	counted := "no approval counted"
	if len(as) > 0 {
		counted = "approved by " + strings.Join(as, ", ")
	}
	missing := "nothing missing"
	if b.Missing > 0 {
		missing = fmt.Sprintf("%d approval(s) missing", b.Missing)
	}
	return fmt.Sprintf("review of %s, risk %s: %s; %s", b.Fingerprint, b.Risk, counted, missing)
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// parseSince reads --since: a duration back from now (24h, 90m, 7d) or a
// date or time in zone.
func parseSince(s string, now time.Time, zone *time.Location) (time.Time, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err == nil && fmt.Sprint(n) == d && n >= 0 && n <= 100*366 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, requestError("--since %q is neither a duration (24h, 7d) nor a date (2006-01-02, 2006-01-02T15:04:05Z)", s)
}

// profileKey turns a profile id or file as a user types it into the
// store's key: the file relative to the repository root when it is there
// on disk, else as given.
func profileKey(id, dir, root string) store.ProfileKey {
	file, keyPath := profile.SplitID(id)
	if dir == "" {
		dir = "."
	}
	if p, ok := onDisk(file, dir); ok {
		if abs, err := filepath.Abs(p); err == nil {
			return store.ProfileKey{File: FileKey(root, abs), KeyPath: keyPath}
		}
	}
	return store.ProfileKey{File: filepath.ToSlash(file), KeyPath: keyPath}
}

// onDisk reports whether file names something on disk, relative to dir,
// and returns its path.
func onDisk(file, dir string) (string, bool) {
	p := file
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	_, err := os.Stat(p)
	return p, err == nil || !errors.Is(err, os.ErrNotExist)
}
