package incident

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/store"
)

// Options tune the projection.
type Options struct {
	// Hold is how long an incident's alerts must stay resolved before it
	// resolves (DefaultHold when zero).
	Hold time.Duration
	// Lookback is how far before the first failed probe a change of the
	// incident's files still counts as the change that preceded it, when
	// no alert named it (DefaultLookback when zero).
	Lookback time.Duration
	// Now is the moment the projection is made: an incident whose hold
	// has not passed by then is still recovering.
	Now time.Time
}

// DefaultHold is the hold when none is given: config.DefaultResolveHold,
// what dbguard.yaml's incidents section defaults to.
const DefaultHold = 5 * time.Minute

// DefaultLookback is how far before an incident the change that preceded
// it is looked for, when no alert named it.
const DefaultLookback = 24 * time.Hour

// Projection is what Project found.
type Projection struct {
	Incidents []*Incident
	// Actions are every action item, of every incident, by add order.
	Actions []ActionItem
	// Unread counts events of the kinds read that could not be decoded
	// (a newer schema, a malformed body): they are left out, not guessed.
	Unread int
}

// Project builds the incidents from the events, which must be in the
// store's order (by sequence). It is a pure function of its input.
func Project(evs []store.Event, o Options) *Projection {
	if o.Hold <= 0 {
		o.Hold = DefaultHold
	}
	if o.Lookback <= 0 {
		o.Lookback = DefaultLookback
	}
	p := &Projection{}
	b := &builder{opts: o, open: map[openKey]*Incident{}, byKey: map[string]*Incident{}, ids: map[string]bool{}}
	for _, e := range evs {
		if e.Kind != KindAlert {
			continue
		}
		ab, err := DecodeAlert(e)
		if err != nil {
			p.Unread++
			continue
		}
		b.alert(e, ab.Alert, ab.Notifiers)
	}
	for _, inc := range b.list {
		finish(inc, o)
	}
	byID := map[string]*Incident{}
	for _, inc := range b.list {
		byID[inc.ID] = inc
	}
	p.Unread += attach(b.list, byID, evs, o)
	p.Actions, p.Unread = actions(evs, byID, p.Unread)
	for _, inc := range b.list {
		sortTimeline(inc)
	}
	p.Incidents = b.list
	return p
}

type openKey struct{ service, class string }

type builder struct {
	opts  Options
	list  []*Incident
	open  map[openKey]*Incident
	byKey map[string]*Incident // the incident each alert key last joined
	ids   map[string]bool
}

// id is the id of the incident e opens: IncidentID, made longer in the
// unlikely case that two opening events share their first eight digits.
func (b *builder) id(e store.Event) string {
	id := IncidentID(e)
	for n := 12; b.ids[id] && n <= len(e.ID); n += 4 {
		id = "inc-" + e.ID[:n]
	}
	for i := 2; b.ids[id]; i++ {
		id = fmt.Sprintf("%s-%d", IncidentID(e), i)
	}
	b.ids[id] = true
	return id
}

// alertTime is when an alert event says its notification was made.
func alertTime(e store.Event, a alert.Alert) time.Time {
	if !a.UpdatedAt.IsZero() {
		return a.UpdatedAt.UTC()
	}
	return e.Time.UTC()
}

func (b *builder) alert(e store.Event, a alert.Alert, notifiers []string) {
	at := alertTime(e, a)
	k := openKey{a.Service, a.Class}
	inc := b.open[k]
	if inc != nil && allResolved(inc) && at.Sub(inc.Recovered) >= b.opts.Hold {
		inc.Status, inc.Resolved = StatusResolved, inc.Recovered.Add(b.opts.Hold)
		delete(b.open, k)
		inc = nil
	}
	switch a.State {
	case alert.StateFiring:
		if inc == nil {
			inc = &Incident{ID: b.id(e), Status: StatusOpen, Service: a.Service, Environment: a.Environment,
				Class: a.Class, Stage: a.Stage, Opened: e.Seq}
			b.open[k] = inc
			b.list = append(b.list, inc)
		}
		b.byKey[a.Key] = inc
		firing(inc, e, a, at)
	case alert.StateResolved:
		inc = b.byKey[a.Key]
		if inc == nil || inc.Status == StatusResolved {
			return
		}
		resolved(inc, e, a, at)
	default:
		return
	}
	if len(notifiers) > 0 {
		inc.Timeline = append(inc.Timeline, Entry{At: at, What: WhatNotification, Seq: e.Seq,
			Text: fmt.Sprintf("alert %s (%s) sent to %s", a.Rule, a.State, strings.Join(notifiers, ", "))})
	}
}

func firing(inc *Incident, e store.Event, a alert.Alert, at time.Time) {
	st := alertState(inc, a.Key)
	first := st == nil
	if first {
		inc.Alerts = append(inc.Alerts, AlertState{Key: a.Key, Rule: a.Rule, StartsAt: a.StartsAt.UTC()})
		st = &inc.Alerts[len(inc.Alerts)-1]
	}
	refired := !first && st.State == alert.StateResolved
	st.State, st.EndsAt, st.Severity, st.Share = alert.StateFiring, time.Time{}, a.Severity, a.Share
	inc.Recovered, inc.Status = time.Time{}, StatusOpen
	if rank(a.Severity) > rank(inc.Severity) {
		inc.Severity = a.Severity
	}
	if worse(a.Share, inc.Share) {
		inc.Share = a.Share
	}
	if inc.Verify == "" {
		inc.Verify = a.Verify
	}
	before := inc.Start
	earliest(&inc.Start, a.StartsAt)
	for _, t := range a.Targets {
		earliest(&inc.Start, t.FailingSince)
		target(inc, a.Key, t)
	}
	if !inc.Start.Equal(before) {
		// An alert joining with an earlier first failure moves the
		// incident's start, and the timeline's entry with it.
		inc.firstFailure = firstFailureText(a)
	}
	if inc.Fired.IsZero() {
		inc.Fired = at
	}
	if first || refired {
		inc.Timeline = append(inc.Timeline, Entry{At: at, What: WhatAlertFired, Seq: e.Seq,
			Text: fmt.Sprintf("alert %s fired (%s): %s; %s", a.Rule, a.Severity, a.Summary, a.Share.Describe(a.Service))})
	}
	if inc.Cause == nil && a.Cause != nil {
		c := *a.Cause
		inc.Cause, inc.CauseAt, inc.NoCause = &c, at, ""
		inc.Timeline = append(inc.Timeline, Entry{At: at, What: WhatCauseNamed, Seq: e.Seq, Text: causeText(&c)})
	} else if inc.Cause == nil && a.NoCause != "" {
		inc.NoCause = a.NoCause
	}
}

func resolved(inc *Incident, e store.Event, a alert.Alert, at time.Time) {
	st := alertState(inc, a.Key)
	if st == nil || st.State == alert.StateResolved {
		return
	}
	end := a.EndsAt.UTC()
	if a.EndsAt.IsZero() {
		end = at
	}
	st.State, st.EndsAt = alert.StateResolved, end
	for i := range inc.Targets {
		if inc.Targets[i].alertKey == a.Key && inc.Targets[i].Until.IsZero() {
			inc.Targets[i].Until = end
		}
	}
	inc.Timeline = append(inc.Timeline, Entry{At: at, What: WhatAlertResolve, Seq: e.Seq, Text: fmt.Sprintf("alert %s resolved", a.Rule)})
	if allResolved(inc) {
		for _, s := range inc.Alerts {
			if s.EndsAt.After(inc.Recovered) {
				inc.Recovered = s.EndsAt
			}
		}
		inc.Status = StatusRecovering
		inc.Timeline = append(inc.Timeline, Entry{At: inc.Recovered, What: WhatRecovered, Text: "every target succeeds again"})
	}
}

// finish decides, at Now, whether a recovering incident has resolved.
func finish(inc *Incident, o Options) {
	inc.Timeline = append(inc.Timeline, Entry{At: inc.Start, What: WhatFirstFailure, Text: inc.firstFailure})
	if inc.Status == StatusRecovering && !o.Now.Before(inc.Recovered.Add(o.Hold)) {
		inc.Status, inc.Resolved = StatusResolved, inc.Recovered.Add(o.Hold)
	}
	if inc.Status == StatusResolved {
		inc.Timeline = append(inc.Timeline, Entry{At: inc.Resolved, What: WhatResolved,
			Text: fmt.Sprintf("incident resolved: its alerts stayed resolved for %s", o.Hold)})
	}
	files := map[string]bool{}
	for _, t := range inc.Targets {
		files[t.File] = true
	}
	if inc.Cause != nil && inc.Cause.Change.File != "" {
		files[inc.Cause.Change.File] = true
	}
	for f := range files {
		if f != "" {
			inc.Files = append(inc.Files, f)
		}
	}
	sort.Strings(inc.Files)
}

func alertState(inc *Incident, key string) *AlertState {
	for i := range inc.Alerts {
		if inc.Alerts[i].Key == key {
			return &inc.Alerts[i]
		}
	}
	return nil
}

func allResolved(inc *Incident) bool {
	for _, s := range inc.Alerts {
		if s.State != alert.StateResolved {
			return false
		}
	}
	return len(inc.Alerts) > 0
}

func target(inc *Incident, key string, t alert.Target) {
	file := t.File
	if file == "" {
		file, _ = profile.SplitID(t.Profile)
	}
	for i := range inc.Targets {
		s := &inc.Targets[i]
		if s.Profile == t.Profile {
			if !s.Until.IsZero() {
				// failing again after it had recovered
				s.Until, s.FailingSince = time.Time{}, t.FailingSince.UTC()
			}
			s.alertKey, s.Stage, s.Class, s.Code, s.Detail = key, t.Stage, t.Class, t.Code, t.Detail
			return
		}
	}
	inc.Targets = append(inc.Targets, TargetSpan{Profile: t.Profile, Name: t.Name, File: file, Stage: t.Stage,
		Class: t.Class, Code: t.Code, Detail: t.Detail, FailingSince: t.FailingSince.UTC(), alertKey: key})
}

func earliest(dst *time.Time, t time.Time) {
	if t.IsZero() {
		return
	}
	if dst.IsZero() || t.Before(*dst) {
		*dst = t.UTC()
	}
}

func rank(s alert.Severity) int {
	switch s {
	case alert.SeverityCritical:
		return 3
	case alert.SeverityWarning:
		return 2
	case alert.SeverityInfo:
		return 1
	}
	return 0
}

// worse reports whether share a is a larger failing fraction than b.
func worse(a, b alert.Share) bool {
	if b.Total == 0 {
		return a.Total > 0 || a.Failing > b.Failing
	}
	if a.Total == 0 {
		return false
	}
	return a.Failing*b.Total > b.Failing*a.Total
}

func firstFailureText(a alert.Alert) string {
	var ts []string
	for _, t := range a.Targets {
		s := t.Profile
		if t.Name != "" {
			s = t.Name
		}
		ts = append(ts, fmt.Sprintf("%s at stage %s (%s)", s, t.Stage, t.Class))
	}
	if len(ts) == 0 {
		return fmt.Sprintf("first failed probe of %s", a.Service)
	}
	return "first failed probe: " + strings.Join(ts, "; ")
}

func causeText(c *alert.Cause) string {
	s := fmt.Sprintf("likely cause named: %s %s changed %s → %s", c.Change.File, c.Field.Field, c.Field.Old, c.Field.New)
	if c.Change.Actor != "" {
		s += " by " + c.Change.Actor
	}
	if c.Rollback != "" {
		s += "; rollback: " + c.Rollback
	}
	return s
}

// index is the events of the store's kinds, each body decoded once, by
// what incidents look them up by: the file of a profile they concern, the
// change's event id, the approval's fingerprint, the notified alert key.
// It keeps the projection linear in the events: an incident reads only
// the events of its own files.
type index struct {
	evs       []store.Event
	byFile    map[string][]int
	changeID  map[string]int
	changes   map[int]store.ChangeBody
	rollbacks map[int]store.RollbackBody
	verifies  map[int]store.VerificationBody
	approvals map[string][]int // by fingerprint
	approvers map[int]string
	notified  map[string][]int // by alert key
	notes     map[int]NotificationBody
	unread    int
}

func newIndex(evs []store.Event) *index {
	ix := &index{evs: evs, byFile: map[string][]int{}, changeID: map[string]int{}, changes: map[int]store.ChangeBody{},
		rollbacks: map[int]store.RollbackBody{}, verifies: map[int]store.VerificationBody{}, approvals: map[string][]int{},
		approvers: map[int]string{}, notified: map[string][]int{}, notes: map[int]NotificationBody{}}
	for i, e := range evs {
		var err error
		switch e.Kind {
		case store.KindChange:
			var b store.ChangeBody
			if err = json.Unmarshal(e.Body, &b); err == nil {
				ix.changes[i], ix.changeID[e.ID] = b, i
			}
		case store.KindRollback:
			var b store.RollbackBody
			if err = json.Unmarshal(e.Body, &b); err == nil {
				ix.rollbacks[i] = b
			}
		case store.KindVerification:
			var b store.VerificationBody
			if err = json.Unmarshal(e.Body, &b); err == nil {
				ix.verifies[i] = b
			}
		case store.KindApproval:
			var b store.ApprovalBody
			if err = json.Unmarshal(e.Body, &b); err == nil {
				ix.approvals[b.Fingerprint] = append(ix.approvals[b.Fingerprint], i)
				ix.approvers[i] = b.By
			}
		case KindNotification:
			var b NotificationBody
			if err = decode(e, &b); err == nil {
				ix.notified[b.AlertKey] = append(ix.notified[b.AlertKey], i)
				ix.notes[i] = b
			}
		default:
			continue
		}
		if err != nil {
			ix.unread++
			continue
		}
		seen := map[string]bool{}
		for _, p := range e.Profiles {
			if !seen[p.File] {
				seen[p.File] = true
				ix.byFile[p.File] = append(ix.byFile[p.File], i)
			}
		}
	}
	return ix
}

// of lists, in log order and once each, the events concerning files.
func (ix *index) of(files []string) []int {
	var out []int
	for _, f := range files {
		out = append(out, ix.byFile[f]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// attach adds the events of other kinds to the incidents they concern and
// returns how many could not be read.
func attach(list []*Incident, byID map[string]*Incident, evs []store.Event, o Options) int {
	ix := newIndex(evs)
	for _, inc := range list {
		end := inc.Resolved
		if end.IsZero() {
			end = o.Now
		}
		within := func(e store.Event) bool { return !e.Time.Before(inc.Start) && !e.Time.After(end) }
		inc.Change = precedingChange(inc, ix, o.Lookback)
		for _, i := range ix.of(inc.Files) {
			e := evs[i]
			if !within(e) {
				continue
			}
			switch e.Kind {
			case store.KindVerification:
				inc.Timeline = append(inc.Timeline, ix.verification(i, inc.Files).entry(e.Actor.Name))
			case store.KindRollback:
				rb := ix.rollbacks[i]
				inc.Timeline = append(inc.Timeline, Entry{At: e.Time, What: WhatRollback, Seq: e.Seq, Actor: e.Actor.Name,
					Text: fmt.Sprintf("%s rolled back to revision %s", rb.File, short(rb.To))})
				mitigate(inc, e.Time, WhatRollback)
			case store.KindChange:
				if inc.Change != nil && e.Seq <= inc.Change.Seq {
					continue
				}
				cb := ix.changes[i]
				inc.Timeline = append(inc.Timeline, Entry{At: e.Time, What: WhatFix, Seq: e.Seq, Actor: e.Actor.Name,
					Text: fmt.Sprintf("%s changed (revision %s): %s", cb.File, short(cb.Revision), fieldsText(cb.Changes))})
				mitigate(inc, e.Time, WhatFix)
			}
		}
		var notified []int
		for _, s := range inc.Alerts {
			notified = append(notified, ix.notified[s.Key]...)
		}
		slices.Sort(notified)
		for _, i := range notified {
			e, nb := evs[i], ix.notes[i]
			if !within(e) {
				continue
			}
			text := fmt.Sprintf("notified %s", nb.Notifier)
			if nb.To != "" {
				text += " (" + nb.To + ")"
			}
			if !nb.OK {
				text += ": delivery failed: " + nb.Error
			}
			inc.Timeline = append(inc.Timeline, Entry{At: e.Time, What: WhatNotification, Seq: e.Seq, Text: text})
		}
		if c := inc.Change; c != nil {
			inc.Timeline = append(inc.Timeline, Entry{At: c.Time, What: WhatChange, Seq: c.Seq, Actor: c.Actor.Name,
				Text: fmt.Sprintf("%s changed by %s: %s", c.File, c.Actor.Name, fieldsText(c.Fields))})
			for _, a := range c.Approvals {
				inc.Timeline = append(inc.Timeline, Entry{At: a.Time, What: WhatApproval, Seq: a.Seq, Actor: a.Actor.Name,
					Text: fmt.Sprintf("change %s approved by %s (unverified)", c.Fingerprint, a.By)})
			}
			if v := c.Verified; v != nil && v.Time.Before(inc.Start) {
				inc.Timeline = append(inc.Timeline, v.entry(""))
			}
		}
	}
	unread := ix.unread
	for _, e := range evs {
		switch e.Kind {
		case KindNote:
			var nb NoteBody
			if decode(e, &nb) != nil {
				unread++
				continue
			}
			if inc := byID[nb.Incident]; inc != nil {
				at := nb.At
				if at.IsZero() {
					at = e.Time
				}
				inc.Notes = append(inc.Notes, Note{Seq: e.Seq, At: at.UTC(), Actor: e.Actor, Text: nb.Text})
				inc.Timeline = append(inc.Timeline, Entry{At: at.UTC(), What: WhatNote, Seq: e.Seq, Actor: e.Actor.Name, Text: "note by " + e.Actor.Name + ": " + nb.Text})
			}
		case KindIncident:
			var sb SetBody
			if decode(e, &sb) != nil {
				unread++
				continue
			}
			if inc := byID[sb.Incident]; inc != nil {
				set(inc, e, sb)
			}
		}
	}
	return unread
}

func set(inc *Incident, e store.Event, sb SetBody) {
	var what []string
	for _, f := range []struct {
		name     string
		val      string
		dst      *string
		quotable bool
	}{
		{"severity", sb.Severity, &inc.Human.Severity, true},
		{"owner", sb.Owner, &inc.Human.Owner, true},
		{"impact", sb.Impact, &inc.Human.Impact, false},
		{"root cause", sb.RootCause, &inc.Human.RootCause, false},
	} {
		if f.val == "" {
			continue
		}
		*f.dst = f.val
		if f.quotable {
			what = append(what, f.name+" "+f.val)
		} else {
			what = append(what, f.name)
		}
	}
	if len(what) > 0 {
		inc.Timeline = append(inc.Timeline, Entry{At: e.Time, What: WhatSet, Seq: e.Seq, Actor: e.Actor.Name,
			Text: "set " + strings.Join(what, ", ")})
	}
}

// mitigate records the first rollback or fix before recovery; one after
// the targets succeed again mitigated nothing.
func mitigate(inc *Incident, at time.Time, how What) {
	if !inc.Recovered.IsZero() && at.After(inc.Recovered) {
		return
	}
	if inc.Mitigated.IsZero() || at.Before(inc.Mitigated) {
		inc.Mitigated, inc.Mitigation = at.UTC(), how
	}
}

// precedingChange is the change the alert named, else the newest change
// of the incident's files within the lookback before its first failure.
func precedingChange(inc *Incident, ix *index, lookback time.Duration) *ChangeRef {
	found, ok := -1, false
	if inc.Cause != nil {
		found, ok = ix.changeID[inc.Cause.Change.Event]
	}
	if !ok {
		for _, i := range ix.of(inc.Files) {
			e := ix.evs[i]
			cb, isChange := ix.changes[i]
			if !isChange || cb.Baseline || e.Time.After(inc.Start) || e.Time.Before(inc.Start.Add(-lookback)) {
				continue
			}
			if !ok || !e.Time.Before(ix.evs[found].Time) {
				found, ok = i, true
			}
		}
	}
	if !ok {
		return nil
	}
	e, cb := ix.evs[found], ix.changes[found]
	c := &ChangeRef{Seq: e.Seq, ID: e.ID, Time: e.Time.UTC(), Actor: e.Actor, File: cb.File, Revision: cb.Revision,
		Previous: cb.Previous, Fingerprint: cb.Fingerprint, Risk: cb.Risk, Fields: cb.Changes}
	if inc.Cause != nil && inc.Cause.Change.Event == e.ID {
		f := inc.Cause.Field
		c.CauseField = &f
	}
	if c.Fingerprint != "" {
		for _, i := range ix.approvals[c.Fingerprint] {
			if a := ix.evs[i]; !a.Time.After(inc.Start) {
				c.Approvals = append(c.Approvals, Approval{Seq: a.Seq, Time: a.Time.UTC(), By: ix.approvers[i], Actor: a.Actor})
			}
		}
	}
	for _, i := range ix.of([]string{c.File}) {
		v := ix.evs[i]
		if _, isVerification := ix.verifies[i]; isVerification && !v.Time.Before(c.Time) && !v.Time.After(inc.Start) {
			first := ix.verification(i, []string{c.File})
			c.Verified = &first
			break
		}
	}
	return c
}

// verification is the verification event i, of the first of its profiles
// in files.
func (ix *index) verification(i int, files []string) Verification {
	e, vb := ix.evs[i], ix.verifies[i]
	k := slices.IndexFunc(e.Profiles, func(p store.EventProfile) bool { return slices.Contains(files, p.File) })
	p := e.Profiles[max(k, 0)]
	return Verification{Seq: e.Seq, Time: e.Time.UTC(), Profile: p.File + "#" + p.KeyPath, OK: vb.OK, Stage: vb.Stage, Class: vb.Class}
}

func (v Verification) entry(actor string) Entry {
	text := "verification succeeded: " + v.Profile
	if !v.OK {
		text = fmt.Sprintf("verification failed: %s at stage %s (%s)", v.Profile, v.Stage, v.Class)
	}
	return Entry{At: v.Time, What: WhatVerification, Seq: v.Seq, Text: text, Actor: actor}
}

func fieldsText(fs []store.FieldChange) string {
	if len(fs) == 0 {
		return "no field changed"
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%s %s %s", f.KeyPath, f.Field, FieldValues(f)))
	}
	return strings.Join(parts, "; ")
}

// FieldValues says how a field changed, "old → new" as review prints it;
// a secret, whose values the store never holds, only "changed".
func FieldValues(f store.FieldChange) string {
	if f.Old == nil && f.New != nil && *f.New == "changed" {
		return "changed (a secret: its values are not kept)"
	}
	return deref(f.Old) + " → " + deref(f.New)
}

func deref(s *string) string {
	if s == nil {
		return "(unset)"
	}
	return *s
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// actions builds the action items from their events.
func actions(evs []store.Event, byID map[string]*Incident, unread int) ([]ActionItem, int) {
	var items []ActionItem
	index := map[string]int{}
	for _, e := range evs {
		if e.Kind != KindActionItem {
			continue
		}
		var ab ActionBody
		if decode(e, &ab) != nil {
			unread++
			continue
		}
		switch ab.Op {
		case ActionAdd:
			it := ActionItem{ID: ActionID(e), Incident: ab.Incident, Seq: e.Seq, Added: e.Time.UTC(), Actor: e.Actor, Text: ab.Text, Owner: ab.Owner}
			if d, err := time.Parse(time.DateOnly, ab.Due); err == nil {
				it.Due = d
			}
			index[it.ID] = len(items)
			items = append(items, it)
		case ActionDone:
			if i, ok := index[ab.Item]; ok && items[i].Open() {
				items[i].Done, items[i].DoneBy = e.Time.UTC(), e.Actor
			}
		default:
			unread++
		}
	}
	for _, it := range items {
		if inc := byID[it.Incident]; inc != nil {
			inc.Actions = append(inc.Actions, it)
			inc.Timeline = append(inc.Timeline, Entry{At: it.Added, What: WhatActionItem, Seq: it.Seq, Actor: it.Actor.Name,
				Text: fmt.Sprintf("action item %s added: %s (owner %s, due %s)", it.ID, it.Text, it.Owner, it.Due.Format(time.DateOnly))})
		}
	}
	return items, unread
}

func sortTimeline(inc *Incident) {
	sort.SliceStable(inc.Timeline, func(i, j int) bool {
		a, b := inc.Timeline[i], inc.Timeline[j]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		return order(a.What) < order(b.What)
	})
}

// order breaks ties between entries of the same instant in the order
// things happen.
func order(w What) int {
	return slices.Index([]What{WhatChange, WhatApproval, WhatVerification, WhatFirstFailure, WhatAlertFired, WhatCauseNamed,
		WhatNotification, WhatRollback, WhatFix, WhatRecovered, WhatAlertResolve, WhatResolved, WhatNote, WhatSet, WhatActionItem}, w)
}
