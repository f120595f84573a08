package output

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/store"
)

// IncidentListFormats lists the output formats of incident list.
func IncidentListFormats() Registry[*app.IncidentList] {
	return Registry[*app.IncidentList]{
		{"text", "one line per incident, newest first, every time in the zone named in the header", renderIncidentListText},
		{"json", "one JSON document with schema_version, for tools", renderIncidentListJSON},
	}
}

// IncidentShowFormats lists the output formats of incident show.
func IncidentShowFormats() Registry[*app.IncidentShown] {
	return Registry[*app.IncidentShown]{
		{"text", "the incident, its durations, targets and timeline", renderIncidentShowText},
		{"json", "one JSON document with schema_version, for tools", renderIncidentShowJSON},
	}
}

// IncidentStatsFormats lists the output formats of incident stats.
func IncidentStatsFormats() Registry[*app.IncidentStats] {
	return Registry[*app.IncidentStats]{
		{"text", "a table of MTTD, time to cause and MTTR by environment and class", renderIncidentStatsText},
		{"json", "one JSON document with schema_version, for tools", renderIncidentStatsJSON},
	}
}

// RecordedFormats lists the output formats of the commands that add an
// event to an incident (incident note, incident set, action add, action
// done).
func RecordedFormats() Registry[*app.Recorded] {
	return Registry[*app.Recorded]{
		{"text", "what was recorded", renderRecordedText},
		{"json", "one JSON document with schema_version, for tools", renderRecordedJSON},
	}
}

func renderIncidentListText(w io.Writer, l *app.IncidentList, _ Options) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "incidents in %s, times in %s\n", l.Store, l.Zone)
	if len(l.Incidents) == 0 {
		b.WriteString("  no incident matches\n")
	}
	for _, v := range l.Incidents {
		inc := v.Incident
		fmt.Fprintf(b, "%s  %-10s %s  %s %s/%s  %s  outage %s\n", inc.ID, inc.Status, inc.Start.In(l.Zone).Format(pmTime),
			inc.Service, orDash(inc.Environment), orDash(inc.Class), inc.Share.Describe(inc.Service), pmDuration(v.Durations.Outage))
	}
	if l.Unread > 0 {
		fmt.Fprintf(b, "  %d event(s) could not be read (a newer dbguard wrote them) and were left out\n", l.Unread)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderIncidentShowText(w io.Writer, s *app.IncidentShown, _ Options) error {
	inc, z, d := s.Incident, s.Zone, s.Durations
	at := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(z).Format(pmTime)
	}
	b := &strings.Builder{}
	fmt.Fprintf(b, "incident %s (%s), times in %s\n", inc.ID, inc.Status, z)
	fmt.Fprintf(b, "  service %s, environment %s, stage %s, class %s, alerts' severity %s\n", inc.Service, orDash(inc.Environment), orDash(inc.Stage), orDash(inc.Class), orDash(string(inc.Severity)))
	fmt.Fprintf(b, "  %s\n", inc.Share.Describe(inc.Service))
	fmt.Fprintf(b, "  first failed probe %s, alert fired %s, recovered %s, resolved %s\n", at(inc.Start), at(inc.Fired), at(inc.Recovered), at(inc.Resolved))
	fmt.Fprintf(b, "  time to detect %s, change to alert %s, to cause %s, to mitigate %s, to recover %s\n", pmDuration(d.Detect), pmDuration(d.ChangeToAlert), pmDuration(d.Cause), pmDuration(d.Mitigate), pmDuration(d.Recover))
	h := inc.Human
	fmt.Fprintf(b, "  severity %s, owner %s\n", orDash(h.Severity), orDash(h.Owner))
	if h.Impact != "" {
		fmt.Fprintf(b, "  impact: %s\n", h.Impact)
	}
	if h.RootCause != "" {
		fmt.Fprintf(b, "  root cause: %s\n", h.RootCause)
	}
	for _, t := range inc.Targets {
		fd := t.Failed(s.Now)
		fmt.Fprintf(b, "  target %s: %s at stage %s, failed %s\n", t.Profile, t.Class, t.Stage, pmDuration(&fd))
	}
	b.WriteString("  timeline:\n")
	for _, e := range inc.Timeline {
		fmt.Fprintf(b, "    %s  %-14s %s\n", at(e.At), e.What, e.Text)
	}
	for _, a := range inc.Actions {
		fmt.Fprintf(b, "  action %s [%s] %s (owner %s, due %s)\n", a.ID, actionStatus(a, s.Now, z), a.Text, a.Owner, dueDay(a))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderIncidentStatsText(w io.Writer, s *app.IncidentStats, _ Options) error {
	b := &strings.Builder{}
	since := "every incident"
	if !s.Since.IsZero() {
		since = "incidents since " + s.Since.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(b, "%d incident(s) in %s, %s\n", s.Incidents, s.Store, since)
	if len(s.Groups) == 0 {
		b.WriteString("  no incident\n")
	} else {
		fmt.Fprintf(b, "%-14s %-22s %9s %10s %14s %10s\n", "environment", "class", "incidents", "MTTD", "time to cause", "MTTR")
		for _, g := range s.Groups {
			fmt.Fprintf(b, "%-14s %-22s %9d %10s %14s %10s\n", orDash(g.Environment), orDash(g.Class), g.Incidents, pmDuration(g.MTTD), pmDuration(g.MeanTimeToCause), pmDuration(g.MTTR))
		}
		b.WriteString("MTTD: first failed probe → alert; time to cause: alert → likely cause named; MTTR: alert → every target succeeding again\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderRecordedText(w io.Writer, r *app.Recorded, _ Options) error {
	what := string(r.Event.Kind)
	if r.Item != "" {
		what = "action item " + r.Item
	}
	_, err := fmt.Fprintf(w, "recorded %s for incident %s as event %d in %s\n", what, r.Incident, r.Event.Seq, r.Store)
	return err
}

// JSON forms. Times are RFC 3339 in the document's zone (the offset says
// it), durations whole seconds; a moment or duration that was not
// measured is null.

type incidentJSON struct {
	ID          string           `json:"id"`
	Status      incident.Status  `json:"status"`
	Service     string           `json:"service"`
	Environment string           `json:"environment"`
	Stage       string           `json:"stage"`
	Class       string           `json:"class"`
	Severity    string           `json:"alert_severity"`
	OpenedBy    int64            `json:"opened_by_event"`
	Start       *string          `json:"first_failure"`
	Fired       *string          `json:"alert_fired"`
	CauseAt     *string          `json:"cause_named"`
	Mitigated   *string          `json:"mitigated"`
	Mitigation  string           `json:"mitigation,omitempty"`
	Recovered   *string          `json:"recovered"`
	Resolved    *string          `json:"resolved"`
	Durations   durationsJSON    `json:"durations"`
	Share       shareJSON        `json:"share"`
	Targets     []targetJSON     `json:"targets"`
	Alerts      []alertJSON      `json:"alerts"`
	Change      *changeJSON      `json:"change"`
	NoCause     string           `json:"no_change_explains,omitempty"`
	Human       humanJSON        `json:"set_by_people"`
	Timeline    []entryJSON      `json:"timeline"`
	Actions     []actionItemJSON `json:"action_items"`
}

type durationsJSON struct {
	Detect        *int64 `json:"time_to_detect_seconds"`
	ChangeToAlert *int64 `json:"change_to_alert_seconds"`
	Cause         *int64 `json:"time_to_cause_seconds"`
	Mitigate      *int64 `json:"time_to_mitigate_seconds"`
	Recover       *int64 `json:"time_to_recover_seconds"`
	Outage        *int64 `json:"outage_seconds"`
}

type shareJSON struct {
	Failing int `json:"failing"`
	Total   int `json:"total"`
	Percent int `json:"percent"`
}

type targetJSON struct {
	Profile       string  `json:"profile"`
	Name          string  `json:"name,omitempty"`
	File          string  `json:"file"`
	Stage         string  `json:"stage"`
	Class         string  `json:"class"`
	Code          string  `json:"code,omitempty"`
	Detail        string  `json:"detail,omitempty"`
	FailingSince  *string `json:"failing_since"`
	Until         *string `json:"until"`
	FailedSeconds int64   `json:"failed_seconds"`
}

type alertJSON struct {
	Key      string  `json:"key"`
	Rule     string  `json:"rule"`
	Severity string  `json:"severity"`
	State    string  `json:"state"`
	StartsAt *string `json:"starts_at"`
	EndsAt   *string `json:"ends_at"`
}

type changeJSON struct {
	Event       int64               `json:"event"`
	Time        *string             `json:"time"`
	Actor       store.Actor         `json:"actor"`
	File        string              `json:"file"`
	Revision    string              `json:"revision"`
	Previous    string              `json:"previous,omitempty"`
	Fingerprint string              `json:"fingerprint,omitempty"`
	Risk        string              `json:"risk,omitempty"`
	Fields      []store.FieldChange `json:"fields"`
	CauseField  string              `json:"field_named_by_alert,omitempty"`
	Approvals   []approvalJSON      `json:"approvals_before_failure"`
	Verified    *verificationJSON   `json:"verification_before_failure"`
}

type approvalJSON struct {
	Event int64       `json:"event"`
	Time  *string     `json:"time"`
	By    string      `json:"by"`
	Actor store.Actor `json:"recorded_by"`
}

type verificationJSON struct {
	Event   int64   `json:"event"`
	Time    *string `json:"time"`
	Profile string  `json:"profile"`
	OK      bool    `json:"ok"`
	Stage   string  `json:"stage,omitempty"`
	Class   string  `json:"class,omitempty"`
}

type humanJSON struct {
	Severity  string `json:"severity"`
	Impact    string `json:"impact"`
	RootCause string `json:"root_cause"`
	Owner     string `json:"owner"`
}

type entryJSON struct {
	Time  *string       `json:"time"`
	What  incident.What `json:"what"`
	Text  string        `json:"text"`
	Event int64         `json:"event,omitempty"`
	Actor string        `json:"actor,omitempty"`
}

type actionItemJSON struct {
	ID       string  `json:"id"`
	Incident string  `json:"incident"`
	Text     string  `json:"text"`
	Owner    string  `json:"owner"`
	Due      string  `json:"due"`
	Status   string  `json:"status"`
	Added    *string `json:"added"`
	Done     *string `json:"done"`
	Event    int64   `json:"event"`
}

// jsonTimes writes moments in one zone.
type jsonTimes struct{ z *time.Location }

func (j jsonTimes) at(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(j.z).Format(time.RFC3339)
	return &s
}

func wholeSeconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(d.Round(time.Second) / time.Second)
	return &s
}

func (j jsonTimes) incident(inc *incident.Incident, d incident.Durations, now time.Time) incidentJSON {
	out := incidentJSON{ID: inc.ID, Status: inc.Status, Service: inc.Service, Environment: inc.Environment, Stage: inc.Stage,
		Class: inc.Class, Severity: string(inc.Severity), OpenedBy: inc.Opened,
		Start: j.at(inc.Start), Fired: j.at(inc.Fired), CauseAt: j.at(inc.CauseAt), Mitigated: j.at(inc.Mitigated),
		Mitigation: string(inc.Mitigation), Recovered: j.at(inc.Recovered), Resolved: j.at(inc.Resolved),
		Durations: durationsJSON{wholeSeconds(d.Detect), wholeSeconds(d.ChangeToAlert), wholeSeconds(d.Cause), wholeSeconds(d.Mitigate), wholeSeconds(d.Recover), wholeSeconds(d.Outage)},
		Share:     shareJSON{inc.Share.Failing, inc.Share.Total, inc.Share.Percent()},
		Targets:   []targetJSON{}, Alerts: []alertJSON{}, Timeline: []entryJSON{}, Actions: []actionItemJSON{},
		NoCause: inc.NoCause,
		Human:   humanJSON{inc.Human.Severity, inc.Human.Impact, inc.Human.RootCause, inc.Human.Owner},
	}
	for _, t := range inc.Targets {
		fd := t.Failed(now)
		out.Targets = append(out.Targets, targetJSON{Profile: t.Profile, Name: t.Name, File: t.File, Stage: t.Stage, Class: t.Class, Code: t.Code,
			Detail: t.Detail, FailingSince: j.at(t.FailingSince), Until: j.at(t.Until), FailedSeconds: *wholeSeconds(&fd)})
	}
	for _, a := range inc.Alerts {
		out.Alerts = append(out.Alerts, alertJSON{Key: a.Key, Rule: string(a.Rule), Severity: string(a.Severity), State: string(a.State),
			StartsAt: j.at(a.StartsAt), EndsAt: j.at(a.EndsAt)})
	}
	if c := inc.Change; c != nil {
		cj := &changeJSON{Event: c.Seq, Time: j.at(c.Time), Actor: c.Actor, File: c.File, Revision: c.Revision, Previous: c.Previous,
			Fingerprint: c.Fingerprint, Risk: c.Risk, Fields: c.Fields, Approvals: []approvalJSON{}}
		if cj.Fields == nil {
			cj.Fields = []store.FieldChange{}
		}
		if c.CauseField != nil {
			cj.CauseField = c.CauseField.Field
		}
		for _, a := range c.Approvals {
			cj.Approvals = append(cj.Approvals, approvalJSON{Event: a.Seq, Time: j.at(a.Time), By: a.By, Actor: a.Actor})
		}
		if v := c.Verified; v != nil {
			cj.Verified = &verificationJSON{Event: v.Seq, Time: j.at(v.Time), Profile: v.Profile, OK: v.OK, Stage: v.Stage, Class: v.Class}
		}
		out.Change = cj
	}
	for _, e := range inc.Timeline {
		out.Timeline = append(out.Timeline, entryJSON{Time: j.at(e.At), What: e.What, Text: e.Text, Event: e.Seq, Actor: e.Actor})
	}
	for _, a := range inc.Actions {
		out.Actions = append(out.Actions, j.action(a, now))
	}
	return out
}

func (j jsonTimes) action(a incident.ActionItem, now time.Time) actionItemJSON {
	return actionItemJSON{ID: a.ID, Incident: a.Incident, Text: a.Text, Owner: a.Owner, Due: dueDay(a),
		Status: actionStatus(a, now, j.z), Added: j.at(a.Added), Done: j.at(a.Done), Event: a.Seq}
}

func renderIncidentListJSON(w io.Writer, l *app.IncidentList, _ Options) error {
	j := jsonTimes{l.Zone}
	out := struct {
		SchemaVersion int            `json:"schema_version"`
		Store         string         `json:"store"`
		Zone          string         `json:"zone"`
		Incidents     []incidentJSON `json:"incidents"`
		Unread        int            `json:"unread_events"`
	}{SchemaVersion, l.Store, l.Zone.String(), []incidentJSON{}, l.Unread}
	for _, v := range l.Incidents {
		out.Incidents = append(out.Incidents, j.incident(v.Incident, v.Durations, l.Now))
	}
	return encodeIndented(w, out)
}

func renderIncidentShowJSON(w io.Writer, s *app.IncidentShown, _ Options) error {
	return encodeIndented(w, struct {
		SchemaVersion int          `json:"schema_version"`
		Store         string       `json:"store"`
		Zone          string       `json:"zone"`
		Incident      incidentJSON `json:"incident"`
	}{SchemaVersion, s.Store, s.Zone.String(), jsonTimes{s.Zone}.incident(s.Incident, s.Durations, s.Now)})
}

func renderIncidentStatsJSON(w io.Writer, s *app.IncidentStats, _ Options) error {
	type groupJSON struct {
		Environment   string `json:"environment"`
		Class         string `json:"class"`
		Incidents     int    `json:"incidents"`
		MTTD          *int64 `json:"mttd_seconds"`
		TimeToCause   *int64 `json:"mean_time_to_cause_seconds"`
		MTTR          *int64 `json:"mttr_seconds"`
		Detected      int    `json:"detected"`
		CauseNamed    int    `json:"cause_named"`
		RecoveredMany int    `json:"recovered"`
	}
	out := struct {
		SchemaVersion int         `json:"schema_version"`
		Store         string      `json:"store"`
		Since         *string     `json:"since"`
		Incidents     int         `json:"incidents"`
		Groups        []groupJSON `json:"groups"`
	}{SchemaVersion: SchemaVersion, Store: s.Store, Since: jsonTimes{time.UTC}.at(s.Since), Incidents: s.Incidents, Groups: []groupJSON{}}
	for _, g := range s.Groups {
		out.Groups = append(out.Groups, groupJSON{g.Environment, g.Class, g.Incidents, wholeSeconds(g.MTTD), wholeSeconds(g.MeanTimeToCause), wholeSeconds(g.MTTR),
			g.Detected, g.CauseNamed, g.Recovered})
	}
	return encodeIndented(w, out)
}

func renderRecordedJSON(w io.Writer, r *app.Recorded, _ Options) error {
	return encodeIndented(w, struct {
		SchemaVersion int    `json:"schema_version"`
		Store         string `json:"store"`
		Incident      string `json:"incident"`
		Kind          string `json:"kind"`
		Event         int64  `json:"event"`
		Item          string `json:"action_item,omitempty"`
	}{SchemaVersion, r.Store, r.Incident, string(r.Event.Kind), r.Event.Seq, r.Item})
}

func renderPostmortemJSON(w io.Writer, d *app.PostmortemDraft, _ Options) error {
	pm := d.Postmortem
	type measureJSON struct {
		ID       string  `json:"id"`
		Finding  string  `json:"finding"`
		Proposal string  `json:"proposal"`
		Events   []int64 `json:"events"`
	}
	type judgementJSON struct {
		Section string `json:"section"`
		Ask     string `json:"ask"`
	}
	out := struct {
		SchemaVersion  int             `json:"schema_version"`
		Store          string          `json:"store"`
		Zone           string          `json:"zone"`
		Drafted        *string         `json:"drafted"`
		Incident       incidentJSON    `json:"incident"`
		RootCause      string          `json:"root_cause_from_store"`
		Measures       []measureJSON   `json:"measures"`
		NeedsJudgement []judgementJSON `json:"needs_human_judgement"`
		NotExamined    []string        `json:"not_examined"`
	}{SchemaVersion: SchemaVersion, Store: d.Store, Zone: d.Zone.String(), Drafted: jsonTimes{d.Zone}.at(pm.Now),
		Incident:  jsonTimes{d.Zone}.incident(pm.Incident, pm.Durations, pm.Now),
		RootCause: causeSentence(pm.Incident), Measures: []measureJSON{}, NeedsJudgement: []judgementJSON{},
		NotExamined: append([]string{}, pm.Unexamined...)}
	for _, m := range pm.Measures {
		out.Measures = append(out.Measures, measureJSON{m.ID, m.Finding, m.Proposal, m.Events})
	}
	for _, jd := range pm.Judgement {
		out.NeedsJudgement = append(out.NeedsJudgement, judgementJSON{jd.Section, jd.Ask})
	}
	return encodeIndented(w, out)
}

// ActionListFormats lists the output formats of action list.
func ActionListFormats() Registry[*app.ActionList] {
	return Registry[*app.ActionList]{
		{"text", "one line per action item with its status", renderActionListText},
		{"json", "one JSON document with schema_version, for tools", renderActionListJSON},
	}
}

func renderActionListText(w io.Writer, l *app.ActionList, _ Options) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "action items in %s, due days end at midnight %s\n", l.Store, l.Zone)
	if len(l.Items) == 0 {
		b.WriteString("  no action item matches\n")
	}
	for _, a := range l.Items {
		fmt.Fprintf(b, "%s  %-15s %s  due %s  owner %s  %s\n", a.ID, actionStatus(a, l.Now, l.Zone), a.Incident, dueDay(a), a.Owner, a.Text)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderActionListJSON(w io.Writer, l *app.ActionList, _ Options) error {
	j := jsonTimes{l.Zone}
	out := struct {
		SchemaVersion int              `json:"schema_version"`
		Store         string           `json:"store"`
		Zone          string           `json:"zone"`
		Items         []actionItemJSON `json:"action_items"`
	}{SchemaVersion, l.Store, l.Zone.String(), []actionItemJSON{}}
	for _, a := range l.Items {
		out.Items = append(out.Items, j.action(a, l.Now))
	}
	return encodeIndented(w, out)
}
