package app

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/store"
)

// Incidents are not stored: each command reads the events incidents are
// made of and projects them (internal/incident, docs/incidents.md). The
// store has no query for "the events of one incident", so the projection
// reads every event of the kinds it uses; a store of years of alerts
// would want an index by incident, which internal/store does not offer yet.

// IncidentRequest names one incident (its id or a unique prefix, with or
// without "inc-") and the zone its times are shown in (--tz, else the
// incidents section's timezone, else UTC).
type IncidentRequest struct {
	Store StoreRequest
	ID    string
	Zone  string
	Now   time.Time
}

// IncidentListRequest selects incidents: Open keeps those not resolved,
// Since those whose first failure is after a duration ago or a date.
type IncidentListRequest struct {
	Store StoreRequest
	Open  bool
	Since string
	Zone  string
	Now   time.Time
}

// IncidentView is one incident with its durations, in a zone.
type IncidentView struct {
	Incident  *incident.Incident
	Durations incident.Durations
}

// IncidentList is what incident list found.
type IncidentList struct {
	Store     string
	Zone      *time.Location
	Now       time.Time
	Incidents []IncidentView
	// Unread counts events that could not be read (a newer schema).
	Unread int
}

// projection opens the store, reads the events incidents are made of and
// projects them at now. The zone is checked first, so that a bad --tz is
// reported before the store is opened.
func projection(ctx context.Context, req StoreRequest, needKey bool, now time.Time, zoneFlag string) (*OpenedStore, *incident.Projection, *time.Location, error) {
	req.Config = configOrDefault(req.Config)
	zone, err := incidentZone(zoneFlag, req.Config)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := OpenStore(ctx, req, needKey)
	if err != nil {
		return nil, nil, nil, err
	}
	evs, err := st.Events(ctx, store.Query{Kinds: incident.Kinds()})
	if err != nil {
		st.Close()
		return nil, nil, nil, &StoreError{Err: err}
	}
	p := incident.Project(evs, incident.Options{Hold: req.Config.IncidentResolveHold(), Now: now})
	return st, p, zone, nil
}

// incidentZone is --tz, else the incidents section's timezone, else UTC.
func incidentZone(flag string, cfg *config.Config) (*time.Location, error) {
	name := flag
	if name == "" {
		name = cfg.IncidentTimezone()
	}
	if name == "" {
		return time.UTC, nil
	}
	if name == "Local" {
		return nil, requestError("time zone %q depends on the machine: name a zone such as UTC or Africa/Lagos", name)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, requestError("unknown time zone %q: use an IANA name such as UTC or Africa/Lagos", name)
	}
	return z, nil
}

func incidentNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t.UTC()
}

// ListIncidents lists incidents, newest first. It needs no key. Errors:
// *RequestError (a bad --since or --tz), *StoreError.
func ListIncidents(ctx context.Context, req IncidentListRequest) (*IncidentList, error) {
	now := incidentNow(req.Now)
	st, p, zone, err := projection(ctx, req.Store, false, now, req.Zone)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var since time.Time
	if req.Since != "" {
		if since, err = parseSince(req.Since, now, zone); err != nil {
			return nil, err
		}
	}
	out := &IncidentList{Store: st.Where, Zone: zone, Now: now, Unread: p.Unread}
	for i := len(p.Incidents) - 1; i >= 0; i-- {
		inc := p.Incidents[i]
		if req.Open && inc.Status == incident.StatusResolved || inc.Start.Before(since) {
			continue
		}
		out.Incidents = append(out.Incidents, IncidentView{Incident: inc, Durations: incident.Measured(inc, now)})
	}
	return out, nil
}

// IncidentShown is one incident as incident show prints it.
type IncidentShown struct {
	Store string
	Zone  *time.Location
	Now   time.Time
	IncidentView
}

// ShowIncident finds one incident. Errors: *RequestError (no such
// incident, an ambiguous prefix, a bad --tz), *StoreError.
func ShowIncident(ctx context.Context, req IncidentRequest) (*IncidentShown, error) {
	now := incidentNow(req.Now)
	st, inc, zone, err := openIncident(ctx, req, now)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return &IncidentShown{Store: st.Where, Zone: zone, Now: now, IncidentView: IncidentView{Incident: inc, Durations: incident.Measured(inc, now)}}, nil
}

// openIncident opens the store (no key needed) and finds the incident;
// the caller closes the store.
func openIncident(ctx context.Context, req IncidentRequest, now time.Time) (*OpenedStore, *incident.Incident, *time.Location, error) {
	st, p, zone, err := projection(ctx, req.Store, false, now, req.Zone)
	if err != nil {
		return nil, nil, nil, err
	}
	inc, err := findIncident(p, req.ID)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return st, inc, zone, nil
}

// findIncident is the incident whose id is id, or starts with it.
func findIncident(p *incident.Projection, id string) (*incident.Incident, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, requestError("an incident id is needed (dbguard incident list shows them)")
	}
	want := id
	if !strings.HasPrefix(want, "inc-") {
		want = "inc-" + want
	}
	var match []*incident.Incident
	for _, inc := range p.Incidents {
		if inc.ID == want {
			return inc, nil
		}
		if strings.HasPrefix(inc.ID, want) {
			match = append(match, inc)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return nil, requestError("no incident %s in the store (dbguard incident list shows them)", id)
	}
	return nil, requestError("%d incidents start with %s; give more of the id", len(match), id)
}

// Recorded is an event a command appended.
type Recorded struct {
	Store    string
	Incident string
	Event    store.Event
	// Item is the action item added or marked done.
	Item string
}

// IncidentNoteRequest adds a note: Text, and At (a time, or a duration
// back from now) when what it tells happened earlier.
type IncidentNoteRequest struct {
	IncidentRequest
	Text  string
	At    string
	Actor string
}

// NoteIncident appends a note event. Errors: *RequestError, *StoreError.
func NoteIncident(ctx context.Context, req IncidentNoteRequest) (*Recorded, error) {
	if strings.TrimSpace(req.Text) == "" {
		return nil, requestError("a note needs TEXT")
	}
	now := incidentNow(req.Now)
	cfg := configOrDefault(req.Store.Config)
	body := incident.NoteBody{SchemaVersion: incident.BodyVersion, Text: req.Text}
	if req.At != "" {
		zone, err := incidentZone(req.Zone, cfg)
		if err != nil {
			return nil, err
		}
		at, err := parseSince(req.At, now, zone)
		if err != nil {
			return nil, requestError("--at %q is neither a duration ago (20m) nor a time (2026-03-09T22:15:00Z, or 2026-03-09 22:15 in the team's zone)", req.At)
		}
		body.At = at.UTC()
	}
	return appendToIncident(ctx, req.IncidentRequest, incident.KindNote, req.Actor, func(id string) any {
		body.Incident = id
		return body
	})
}

// IncidentSetRequest sets what people judge of an incident.
type IncidentSetRequest struct {
	IncidentRequest
	Severity, Impact, RootCause, Owner string
	Actor                              string
}

var severityForm = regexp.MustCompile(`^SEV[1-5]$`)

// SetIncident appends an incident event. Errors: *RequestError (nothing
// to set, a severity other than SEV1..SEV5), *StoreError.
func SetIncident(ctx context.Context, req IncidentSetRequest) (*Recorded, error) {
	sev := strings.ToUpper(strings.TrimSpace(req.Severity))
	if sev != "" && !severityForm.MatchString(sev) {
		return nil, requestError("--severity %q: use SEV1 (the worst) to SEV5", req.Severity)
	}
	body := incident.SetBody{SchemaVersion: incident.BodyVersion, Severity: sev, Impact: strings.TrimSpace(req.Impact),
		RootCause: strings.TrimSpace(req.RootCause), Owner: strings.TrimSpace(req.Owner)}
	if body.Severity == "" && body.Impact == "" && body.RootCause == "" && body.Owner == "" {
		return nil, requestError("incident set needs at least one of --severity, --impact, --root-cause, --owner")
	}
	return appendToIncident(ctx, req.IncidentRequest, incident.KindIncident, req.Actor, func(id string) any {
		body.Incident = id
		return body
	})
}

// appendToIncident finds the incident and appends one event about it,
// concerning its targets' profiles (so that history --profile shows it).
func appendToIncident(ctx context.Context, req IncidentRequest, kind store.Kind, actorFlag string, body func(id string) any) (*Recorded, error) {
	now := incidentNow(req.Now)
	st, p, _, err := projection(ctx, req.Store, true, now, "")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	inc, err := findIncident(p, req.ID)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(body(inc.ID))
	if err != nil {
		return nil, err
	}
	actor := ResolveActor(ctx, actorFlag, req.Store.Getenv, req.Store.Dir)
	evs, err := st.Append(ctx, store.Event{Kind: kind, Time: now, Actor: actor, Profiles: incidentProfiles(inc), Body: raw})
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	return &Recorded{Store: st.Where, Incident: inc.ID, Event: evs[0]}, nil
}

func incidentProfiles(inc *incident.Incident) []store.EventProfile {
	var out []store.EventProfile
	seen := map[string]bool{}
	for _, t := range inc.Targets {
		if seen[t.Profile] || t.File == "" {
			continue
		}
		seen[t.Profile] = true
		_, keyPath := profile.SplitID(t.Profile)
		out = append(out, store.EventProfile{ProfileKey: store.ProfileKey{File: t.File, KeyPath: keyPath}, Service: inc.Service, Env: inc.Environment})
	}
	return out
}

// IncidentStatsRequest selects the incidents stats are computed over.
type IncidentStatsRequest struct {
	Store StoreRequest
	Since string
	Now   time.Time
}

// IncidentStats is MTTD, mean time to cause and MTTR by environment and
// class.
type IncidentStats struct {
	Store     string
	Since     time.Time // zero: every incident
	Now       time.Time
	Incidents int
	Groups    []incident.Group
}

// StatsIncidents computes the stats. Errors: *RequestError, *StoreError.
func StatsIncidents(ctx context.Context, req IncidentStatsRequest) (*IncidentStats, error) {
	now := incidentNow(req.Now)
	var since time.Time
	if req.Since != "" {
		var err error
		if since, err = parseSince(req.Since, now, time.UTC); err != nil {
			return nil, err
		}
	}
	st, p, _, err := projection(ctx, req.Store, false, now, "")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var incs []*incident.Incident
	for _, inc := range p.Incidents {
		if !inc.Start.Before(since) {
			incs = append(incs, inc)
		}
	}
	return &IncidentStats{Store: st.Where, Since: since, Now: now, Incidents: len(incs), Groups: incident.Stats(incs, now)}, nil
}

// PostmortemDraft is a drafted postmortem and the zone to write it in.
type PostmortemDraft struct {
	Store string
	Zone  *time.Location
	*incident.Postmortem
}

// DraftPostmortem drafts an incident's postmortem from the store. With
// the store key, it also decrypts the revision the incident's change
// produced and runs check's rules over it, to say whether the changed
// fields are covered by a rule; without the key it says it could not.
// Errors: *RequestError, *StoreError.
func DraftPostmortem(ctx context.Context, req IncidentRequest) (*PostmortemDraft, error) {
	now := incidentNow(req.Now)
	cfg := configOrDefault(req.Store.Config)
	req.Store.Config = cfg
	st, inc, zone, err := openIncident(ctx, req, now)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	pm := incident.Draft(inc, now)
	if c := inc.Change; c != nil {
		verdicts, err := checkVerdicts(ctx, st, cfg, c)
		if err != nil {
			pm.Unexamined = append(pm.Unexamined, fmt.Sprintf("whether a check rule covers the changed fields: %v", err))
		} else {
			pm.AddCheckVerdicts(verdicts)
		}
	}
	return &PostmortemDraft{Store: st.Where, Zone: zone, Postmortem: pm}, nil
}

// checkVerdicts runs check's rules (dbguard.yaml's, custom ones
// included) over the revision a change produced and says, for each field
// it changed that is not a secret, which rules raised a finding on it.
func checkVerdicts(ctx context.Context, st *OpenedStore, cfg *config.Config, c *incident.ChangeRef) ([]incident.CheckVerdict, error) {
	if st.KeyFrom == "" {
		return nil, fmt.Errorf("the revision is encrypted and the store key is not here (set %s or give --store-key)", EnvStoreKey)
	}
	content, _, err := st.Content(ctx, c.Revision)
	if err != nil {
		return nil, err
	}
	side, err := scan.LoadSide(ctx, memFile{name: c.File, data: content}, cfg, nil)
	if err != nil {
		return nil, fmt.Errorf("read revision %s: %w", c.Revision, err)
	}
	rules, settings, err := Rules(cfg, "")
	if err != nil {
		return nil, fmt.Errorf("load the rules: %w", err)
	}
	rep := policy.Evaluate(policy.Input{Profiles: side.Profiles(), Problems: side.Problems(), Files: 1}, rules, settings)
	var out []incident.CheckVerdict
	for _, f := range c.Fields {
		if f.Kind != "changed" || f.Old == nil && f.New != nil && *f.New == "changed" {
			continue // added or removed profiles and fields, and secrets
		}
		v := incident.CheckVerdict{KeyPath: f.KeyPath, Field: f.Field}
		worst := policy.Severity(0)
		for _, fd := range rep.Findings {
			if _, kp := profile.SplitID(fd.Profile); kp == f.KeyPath && fd.Field == f.Field && !slices.Contains(v.Rules, fd.Rule) {
				v.Rules = append(v.Rules, fd.Rule)
				worst = max(worst, fd.Severity)
			}
		}
		if len(v.Rules) > 0 {
			v.Severity = worst.String()
		}
		out = append(out, v)
	}
	return out, nil
}

// ActionAddRequest adds an action item to an incident.
type ActionAddRequest struct {
	IncidentRequest
	Text, Owner, Due string
	Actor            string
}

// AddAction appends an action item. Errors: *RequestError (no text, no
// owner, a due date not YYYY-MM-DD), *StoreError.
func AddAction(ctx context.Context, req ActionAddRequest) (*Recorded, error) {
	if strings.TrimSpace(req.Text) == "" {
		return nil, requestError("an action item needs TEXT")
	}
	if strings.TrimSpace(req.Owner) == "" {
		return nil, requestError("an action item needs --owner NAME")
	}
	if _, err := time.Parse(time.DateOnly, req.Due); err != nil {
		return nil, requestError("--due %q is not a date (2006-01-02)", req.Due)
	}
	body := incident.ActionBody{SchemaVersion: incident.BodyVersion, Op: incident.ActionAdd, Text: req.Text, Owner: strings.TrimSpace(req.Owner), Due: req.Due}
	rec, err := appendToIncident(ctx, req.IncidentRequest, incident.KindActionItem, req.Actor, func(id string) any {
		body.Incident = id
		return body
	})
	if err != nil {
		return nil, err
	}
	rec.Item = incident.ActionID(rec.Event)
	return rec, nil
}

// ActionDoneRequest marks an action item done.
type ActionDoneRequest struct {
	Store StoreRequest
	ID    string
	Actor string
	Now   time.Time
}

// DoneAction marks an action item done. Errors: *RequestError (no such
// item, or done already), *StoreError.
func DoneAction(ctx context.Context, req ActionDoneRequest) (*Recorded, error) {
	now := incidentNow(req.Now)
	st, p, _, err := projection(ctx, req.Store, true, now, "")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	id := strings.TrimSpace(req.ID)
	if id != "" && !strings.HasPrefix(id, "act-") {
		id = "act-" + id
	}
	var item *incident.ActionItem
	for i := range p.Actions {
		if p.Actions[i].ID == id {
			item = &p.Actions[i]
		}
	}
	switch {
	case item == nil:
		return nil, requestError("no action item %s in the store (dbguard action list shows them)", req.ID)
	case !item.Open():
		return nil, requestError("action item %s was done already, at %s by %s", item.ID, item.Done.Format(time.RFC3339), item.DoneBy.Name)
	}
	raw, err := json.Marshal(incident.ActionBody{SchemaVersion: incident.BodyVersion, Op: incident.ActionDone, Incident: item.Incident, Item: item.ID})
	if err != nil {
		return nil, err
	}
	actor := ResolveActor(ctx, req.Actor, req.Store.Getenv, req.Store.Dir)
	evs, err := st.Append(ctx, store.Event{Kind: incident.KindActionItem, Time: now, Actor: actor, Body: raw})
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	return &Recorded{Store: st.Where, Incident: item.Incident, Event: evs[0], Item: item.ID}, nil
}

// ActionListRequest selects action items.
type ActionListRequest struct {
	Store         StoreRequest
	Open, Overdue bool
	Now           time.Time
}

// ActionList is the action items selected, and the zone whose midnight
// ends a due day.
type ActionList struct {
	Store string
	Zone  *time.Location
	Now   time.Time
	Items []incident.ActionItem
}

// ListActions lists action items in the order they were added. Errors:
// *RequestError, *StoreError.
func ListActions(ctx context.Context, req ActionListRequest) (*ActionList, error) {
	now := incidentNow(req.Now)
	st, p, zone, err := projection(ctx, req.Store, false, now, "")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := &ActionList{Store: st.Where, Zone: zone, Now: now}
	for _, it := range p.Actions {
		if req.Open && !it.Open() || req.Overdue && !it.Overdue(now, zone) {
			continue
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// OverdueActions counts the open action items whose due day (in zone)
// ended before now: what watch exports as a metric. It reads the store it
// is given and keeps nothing.
func OverdueActions(ctx context.Context, st *store.Store, zone *time.Location, now time.Time) (int, error) {
	evs, err := st.Events(ctx, store.Query{Kinds: []store.Kind{incident.KindActionItem}})
	if err != nil {
		return 0, &StoreError{Err: err}
	}
	n := 0
	for _, it := range incident.Project(evs, incident.Options{Now: now}).Actions {
		if it.Overdue(now, zone) {
			n++
		}
	}
	return n, nil
}
