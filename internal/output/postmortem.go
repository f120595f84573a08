package output

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/incident"
)

// PostmortemFormats lists the output formats of postmortem.
func PostmortemFormats() Registry[*app.PostmortemDraft] {
	return Registry[*app.PostmortemDraft]{
		{"markdown", "the drafted postmortem in Markdown, for a wiki or a pull request", renderPostmortemMarkdown},
		{"json", "one JSON document with schema_version, for tools", renderPostmortemJSON},
		{"html", "one self-contained HTML page (inline style, no script, nothing fetched)", renderPostmortemHTML},
	}
}

// A postmortem is laid out once as a document of sections and blocks, and
// written as Markdown or HTML from that one layout, so that both say the
// same thing in the same order.
type pmDoc struct {
	Title    string
	Preamble []string
	Sections []pmSection
}

type pmSection struct {
	Title  string
	Blocks []pmBlock
}

// pmBlock is a paragraph (Text), a list (Items), a table (Head, Rows), or
// a request for human judgement (Judgement, with Text saying what).
type pmBlock struct {
	Text      string
	Label     string // a bold lead-in of a paragraph
	Judgement bool
	Items     []string
	Head      []string
	Rows      [][]string
}

const pmTime = "2006-01-02 15:04:05"

// judgementLabel marks what only people can write; a test looks for it.
const judgementLabel = "Needs human judgement"

func pmLayout(d *app.PostmortemDraft) pmDoc {
	pm, inc, z := d.Postmortem, d.Incident, d.Zone
	at := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(z).Format(pmTime)
	}
	doc := pmDoc{Title: fmt.Sprintf("Postmortem: %s, %s failures in %s (%s)", inc.Service, orDash(inc.Class), orDash(inc.Environment), inc.ID)}
	_, offset := inc.Start.In(z).Zone()
	doc.Preamble = []string{
		fmt.Sprintf("Every time in this document is in %s (UTC%s).", z, pmOffset(offset)),
		fmt.Sprintf("Drafted by dbguard from the event store at %s; status %s. Sections marked \"%s\" are for people to write: dbguard does not guess them.", at(pm.Now), inc.Status, judgementLabel),
	}

	// Issue summary.
	var sum []pmBlock
	end := "ongoing"
	if !inc.Recovered.IsZero() {
		end = at(inc.Recovered)
	}
	sum = append(sum, pmBlock{Label: "Duration", Text: fmt.Sprintf("from %s (first failed probe) to %s (every target succeeding again): %s.", at(inc.Start), end, pmDuration(pm.Durations.Outage))})
	share := fmt.Sprintf("Measured: %s; worst target down %s.", inc.Share.Describe(inc.Service), pmDuration(longestTarget(inc, pm.Now)))
	if inc.Human.Impact != "" {
		sum = append(sum, pmBlock{Label: "Impact", Text: inc.Human.Impact + " " + share})
	} else {
		sum = append(sum, pmBlock{Label: "Impact", Judgement: true, Text: judgementAsk(pm, incident.SectionImpact) + ". " + share})
	}
	sum = append(sum, rootCauseBlock(pm))
	if inc.Human.Severity != "" {
		sum = append(sum, pmBlock{Label: "Severity", Text: inc.Human.Severity + fmt.Sprintf(" (the alerts' highest: %s)", orDash(string(inc.Severity)))})
	} else {
		sum = append(sum, pmBlock{Label: "Severity", Judgement: true, Text: judgementAsk(pm, incident.SectionSeverity) + fmt.Sprintf("; the alerts' highest was %s", orDash(string(inc.Severity)))})
	}
	if inc.Human.Owner != "" {
		sum = append(sum, pmBlock{Label: "Owner", Text: inc.Human.Owner})
	} else {
		sum = append(sum, pmBlock{Label: "Owner", Judgement: true, Text: judgementAsk(pm, incident.SectionOwner)})
	}
	du := pm.Durations
	cause := pmDuration(du.Cause)
	if du.Cause != nil && *du.Cause == 0 {
		cause += " (the alert named it)"
	}
	sum = append(sum, pmBlock{Head: []string{"measure", "from → to", "duration"}, Rows: [][]string{
		{"time to detect", "first failed probe → alert fired", pmDuration(du.Detect)},
		{"change to alert", "the change that preceded it → alert fired", pmDuration(du.ChangeToAlert)},
		{"time to cause", "alert fired → likely cause named", cause},
		{"time to mitigate", "alert fired → " + mitigationWord(inc), pmDuration(du.Mitigate)},
		{"time to recover", "alert fired → every target succeeding again", pmDuration(du.Recover)},
	}})
	if len(inc.Targets) > 0 {
		t := pmBlock{Head: []string{"target", "stage", "class", "failing since", "until", "for"}}
		for _, s := range inc.Targets {
			until := "still failing"
			if !s.Until.IsZero() {
				until = at(s.Until)
			}
			d := s.Failed(pm.Now)
			t.Rows = append(t.Rows, []string{s.Profile, s.Stage, s.Class, at(s.FailingSince), until, pmDuration(&d)})
		}
		sum = append(sum, t)
	}
	doc.Sections = append(doc.Sections, pmSection{Title: "Issue Summary", Blocks: sum})

	// Timeline.
	tl := pmBlock{}
	for _, e := range inc.Timeline {
		line := fmt.Sprintf("%s: %s", at(e.At), e.Text)
		if e.Seq > 0 {
			line += fmt.Sprintf(" (event %d)", e.Seq)
		}
		tl.Items = append(tl.Items, line)
	}
	doc.Sections = append(doc.Sections, pmSection{Title: "Timeline", Blocks: []pmBlock{tl}})

	// Root cause and resolution.
	doc.Sections = append(doc.Sections, pmSection{Title: "Root Cause and Resolution", Blocks: rootCauseDetail(pm, at)})

	// Measures.
	var ms []pmBlock
	improvements := pmBlock{Label: "Improvements/Fixes (from what the events show)"}
	for _, m := range pm.Measures {
		improvements.Items = append(improvements.Items, fmt.Sprintf("%s. Proposed: %s. (%s; events %s)", pmSentence(m.Finding), m.Proposal, m.ID, pmEvents(m.Events)))
	}
	if len(improvements.Items) == 0 {
		improvements.Text = "none: the events show no gap that a measure would close."
	}
	ms = append(ms, improvements)
	if len(pm.Unexamined) > 0 {
		ms = append(ms, pmBlock{Label: "Not examined (a measure may be missing for this reason)", Items: pm.Unexamined})
	}
	ms = append(ms, pmBlock{Label: "Lessons", Judgement: true, Text: judgementAsk(pm, incident.SectionLessons)})
	doc.Sections = append(doc.Sections, pmSection{Title: "Corrective and Preventive Measures", Blocks: ms})

	// Tasks.
	tasks := pmBlock{Head: []string{"id", "task", "owner", "due", "status"}}
	for _, a := range inc.Actions {
		tasks.Rows = append(tasks.Rows, []string{a.ID, a.Text, a.Owner, dueDay(a), actionStatus(a, pm.Now, z)})
	}
	var tb []pmBlock
	if len(tasks.Rows) == 0 {
		tb = append(tb, pmBlock{Text: fmt.Sprintf("No action item yet: dbguard action add %s TEXT --owner NAME --due YYYY-MM-DD.", inc.ID)})
	} else {
		tb = append(tb, tasks)
	}
	doc.Sections = append(doc.Sections, pmSection{Title: "Tasks", Blocks: tb})
	return doc
}

func rootCauseBlock(pm *incident.Postmortem) pmBlock {
	inc := pm.Incident
	found := causeSentence(inc)
	if inc.Human.RootCause != "" {
		return pmBlock{Label: "Root cause", Text: inc.Human.RootCause + " From the store: " + found}
	}
	return pmBlock{Label: "Root cause", Judgement: true, Text: judgementAsk(pm, incident.SectionRootCause) + ". From the store: " + found}
}

// causeSentence says what the store knows of the cause, in one sentence.
func causeSentence(inc *incident.Incident) string {
	c := inc.Change
	switch {
	case c != nil && c.CauseField != nil:
		f := c.CauseField
		return fmt.Sprintf("the change of %s by %s set %s from %s to %s, which the alert named as the likely cause of %s.", c.File, c.Actor.Name, f.Field, f.Old, f.New, orDash(inc.Class))
	case c != nil:
		return fmt.Sprintf("a change of %s by %s preceded the failure (%d field(s) changed); no alert named it as the cause.", c.File, c.Actor.Name, len(c.Fields))
	case inc.NoCause != "":
		return inc.NoCause
	}
	return "no recorded change preceded the failure."
}

func rootCauseDetail(pm *incident.Postmortem, at func(time.Time) string) []pmBlock {
	inc := pm.Incident
	var out []pmBlock
	if c := inc.Change; c != nil {
		items := []string{
			fmt.Sprintf("File: %s, revision %s (after %s), recorded as change event %d at %s.", c.File, short(c.Revision), orDash(short(c.Previous)), c.Seq, at(c.Time)),
			fmt.Sprintf("Changed by: %s (%s).", c.Actor.Name, c.Actor.Origin),
			fmt.Sprintf("Review fingerprint: %s; risk %s.", orDash(c.Fingerprint), orDash(c.Risk)),
		}
		for _, f := range c.Fields {
			line := fmt.Sprintf("Field %s %s: %s", f.KeyPath, f.Field, incident.FieldValues(f))
			if c.CauseField != nil && c.CauseField.Field == f.Field {
				line += " (named by the alert)"
			}
			items = append(items, line+".")
		}
		if len(c.Approvals) == 0 {
			items = append(items, "Approvals: none recorded before the first failed probe.")
		}
		for _, a := range c.Approvals {
			items = append(items, fmt.Sprintf("Approved by %s at %s (event %d; an unverified name, recorded by %s).", a.By, at(a.Time), a.Seq, a.Actor.Name))
		}
		if v := c.Verified; v != nil {
			outcome := "succeeded"
			if !v.OK {
				outcome = fmt.Sprintf("failed at stage %s (%s)", v.Stage, v.Class)
			}
			items = append(items, fmt.Sprintf("Verification after the change: %s at %s (event %d).", outcome, at(v.Time), v.Seq))
		} else {
			items = append(items, "Verification after the change: none recorded before the first failed probe.")
		}
		out = append(out, pmBlock{Label: "Root cause (from the store)", Items: items})
	} else {
		out = append(out, pmBlock{Label: "Root cause (from the store)", Text: causeSentence(inc)})
	}
	var res []string
	switch inc.Mitigation {
	case incident.WhatRollback:
		res = append(res, fmt.Sprintf("Mitigated by a rollback at %s.", at(inc.Mitigated)))
	case incident.WhatFix:
		res = append(res, fmt.Sprintf("Mitigated by a change of the files at %s.", at(inc.Mitigated)))
	default:
		res = append(res, "No rollback or fix of the incident's files is recorded.")
	}
	if inc.Cause != nil && inc.Cause.Rollback != "" {
		res = append(res, "The alert's rollback command: "+inc.Cause.Rollback+".")
	}
	if !inc.Recovered.IsZero() {
		res = append(res, fmt.Sprintf("Every target succeeded again at %s.", at(inc.Recovered)))
	}
	if !inc.Resolved.IsZero() {
		res = append(res, fmt.Sprintf("Incident resolved at %s, its alerts having stayed resolved for the hold time.", at(inc.Resolved)))
	}
	if inc.Verify != "" {
		res = append(res, "Prove the settings: "+inc.Verify+".")
	}
	out = append(out, pmBlock{Label: "Resolution", Items: res})
	return out
}

func judgementAsk(pm *incident.Postmortem, section string) string {
	for _, j := range pm.Judgement {
		if j.Section == section {
			return pmSentence(j.Ask)
		}
	}
	return ""
}

func mitigationWord(inc *incident.Incident) string {
	if inc.Mitigation == incident.WhatFix {
		return "fix applied"
	}
	return "rollback or fix applied"
}

func longestTarget(inc *incident.Incident, now time.Time) *time.Duration {
	var longest *time.Duration
	for _, t := range inc.Targets {
		d := t.Failed(now)
		if longest == nil || d > *longest {
			longest = &d
		}
	}
	return longest
}

func actionStatus(a incident.ActionItem, now time.Time, z *time.Location) string {
	switch {
	case !a.Open():
		return "done " + a.Done.In(z).Format(time.DateOnly)
	case a.Overdue(now, z):
		return "overdue"
	}
	return "open"
}

func dueDay(a incident.ActionItem) string {
	if a.Due.IsZero() {
		return "—"
	}
	return a.Due.Format(time.DateOnly)
}

// dur writes a measured duration, "—" when it was not measured.
func pmDuration(d *time.Duration) string {
	if d == nil {
		return "—"
	}
	return d.Round(time.Second).String()
}

func pmOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d:%02d", sign, seconds/3600, seconds%3600/60)
}

func pmEvents(ns []int64) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

func pmSentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func renderPostmortemMarkdown(w io.Writer, d *app.PostmortemDraft, _ Options) error {
	doc := pmLayout(d)
	b := &strings.Builder{}
	fmt.Fprintf(b, "# %s\n\n", mdText(doc.Title))
	for _, p := range doc.Preamble {
		fmt.Fprintf(b, "%s\n\n", mdText(p))
	}
	for _, s := range doc.Sections {
		fmt.Fprintf(b, "## %s\n\n", s.Title)
		for _, bl := range s.Blocks {
			writeMarkdownBlock(b, bl)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownBlock(b *strings.Builder, bl pmBlock) {
	lead := ""
	if bl.Label != "" {
		lead = "**" + bl.Label + ":** "
	}
	if bl.Judgement {
		lead += "_" + judgementLabel + ":_ "
	}
	if bl.Text != "" || lead != "" && len(bl.Items) == 0 {
		fmt.Fprintf(b, "- %s%s\n\n", lead, mdText(bl.Text))
	} else if lead != "" {
		fmt.Fprintf(b, "%s\n\n", strings.TrimSpace(lead))
	}
	for _, it := range bl.Items {
		fmt.Fprintf(b, "- %s\n", mdText(it))
	}
	if len(bl.Items) > 0 {
		b.WriteString("\n")
	}
	if len(bl.Head) > 0 {
		fmt.Fprintf(b, "| %s |\n|%s\n", strings.Join(bl.Head, " | "), strings.Repeat("---|", len(bl.Head)))
		for _, r := range bl.Rows {
			cells := make([]string, len(r))
			for i, c := range r {
				cells[i] = strings.ReplaceAll(mdText(c), "|", `\|`)
			}
			fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
		}
		b.WriteString("\n")
	}
}

// mdText keeps text from the store from turning into Markdown markup or
// HTML that a renderer would run: angle brackets are escaped.
func mdText(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}

var pmHTML = template.Must(template.New("pm").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.judgement{background:#fff4ce;border-left:4px solid #e0a800;padding:.1rem .4rem}
.preamble{color:#555}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Preamble}}<p class="preamble">{{.}}</p>
{{end}}{{range .Sections}}<h2>{{.Title}}</h2>
{{range .Blocks}}{{if or .Text .Label}}<p>{{if .Label}}<strong>{{.Label}}:</strong> {{end}}{{if .Judgement}}<span class="judgement">Needs human judgement</span> {{end}}{{.Text}}</p>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{if .Head}}<table>
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}{{end}}{{end}}</body>
</html>
`))

func renderPostmortemHTML(w io.Writer, d *app.PostmortemDraft, _ Options) error {
	return pmHTML.Execute(w, pmLayout(d))
}
