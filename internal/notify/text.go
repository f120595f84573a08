package notify

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
)

// The human-facing notifiers (Slack, email, Alertmanager's annotations,
// PagerDuty's summary and details) all say the same things in the same
// words, from the functions below; each only lays them out its own way.

// Caps on lists, so that a service with hundreds of failing targets still
// gives a message a person reads (and that fits Slack's and PagerDuty's
// limits); the webhook's JSON carries them all.
const (
	maxTargetLines = 10
	maxChangeLines = 5
)

// fact is one labelled line of an alert.
type fact struct{ label, text string }

// subject is the one line naming state, rule, service, environment and
// what fails: "[FIRING] dbguard change_induced: orders (production)
// auth_failed at auth".
func subject(a alert.Alert) string {
	s := fmt.Sprintf("[%s] dbguard %s: %s (%s)", strings.ToUpper(string(a.State)), a.Rule, a.Service, a.Environment)
	if f := failing(a); f != "" {
		s += " " + f
	}
	return s
}

// failing says the class and stage: "auth_failed at auth".
func failing(a alert.Alert) string {
	switch {
	case a.Class != "" && a.Stage != "":
		return a.Class + " at " + a.Stage
	case a.Class != "":
		return a.Class
	case a.Stage != "":
		return "stage " + a.Stage
	}
	return ""
}

// facts are the alert's labelled lines, in the order an on-call reads
// them: what, how much, since when, why, how to undo, how to prove.
func facts(a alert.Alert) []fact {
	var out []fact
	add := func(label, text string) {
		if text != "" {
			out = append(out, fact{label, text})
		}
	}
	add("Summary", a.Summary)
	add("Service", a.Service+" ("+a.Environment+")")
	add("Share", a.Share.Describe(a.Service))
	add("Failing", failing(a))
	add("Since", since(a))
	if a.State == alert.StateResolved && !a.EndsAt.IsZero() {
		add("Resolved", stamp(a.EndsAt))
	}
	add("Likely cause", causeText(a.Cause))
	add("Rollback", rollback(a.Cause))
	add("No change explains", a.NoCause)
	add("Verify", a.Verify)
	add("Rule", fmt.Sprintf("%s, severity %s, key %s", a.Rule, a.Severity, a.Key))
	return out
}

// since is the first failure, and for how long it has lasted at this
// notification.
func since(a alert.Alert) string {
	if a.StartsAt.IsZero() {
		return ""
	}
	s := stamp(a.StartsAt)
	end := a.UpdatedAt
	if a.State == alert.StateResolved && !a.EndsAt.IsZero() {
		end = a.EndsAt
	}
	if d := end.Sub(a.StartsAt); d > 0 {
		s += " (" + d.Round(time.Second).String() + ")"
	}
	return s
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// causeText says which change explains the failure: "password changed
// (**** → ****) in FILE, revision R, by ACTOR at TIME (event E)".
func causeText(c *alert.Cause) string {
	if c == nil {
		return ""
	}
	s := fieldText(c.Field) + " in " + c.Change.File
	if c.Change.Revision != "" {
		s += ", revision " + c.Change.Revision
	}
	if c.Change.Actor != "" {
		s += ", by " + c.Change.Actor
	}
	if !c.Change.Time.IsZero() {
		s += " at " + stamp(c.Change.Time)
	}
	if c.Change.Event != "" {
		s += " (event " + c.Change.Event + ")"
	}
	return s
}

// fieldText is one changed field: "port changed (5432 → 5433)"; a
// secret's values arrive masked.
func fieldText(f alert.FieldChange) string {
	return fmt.Sprintf("%s changed (%s → %s)", f.Field, orNone(f.Old), orNone(f.New))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// rollback is the command that undoes the cause, or the git commands when
// watch may not write the file.
func rollback(c *alert.Cause) string {
	switch {
	case c == nil:
		return ""
	case c.Rollback != "":
		return c.Rollback
	case len(c.Git) > 0:
		return strings.Join(c.Git, " && ")
	}
	return ""
}

// capped renders at most limit items, one line each, then "and N more".
func capped[T any](items []T, limit int, line func(T) string) []string {
	var out []string
	for i, it := range items {
		if i == limit {
			return append(out, fmt.Sprintf("and %d more", len(items)-i))
		}
		out = append(out, line(it))
	}
	return out
}

// targetLines are the failing targets, one line each, capped.
func targetLines(a alert.Alert) []string {
	return capped(a.Targets, maxTargetLines, targetLine)
}

func targetLine(t alert.Target) string {
	s := t.Profile
	if t.Host != "" {
		s += " (" + hostPort(t) + ")"
	}
	s += ": " + t.Class + " at " + t.Stage
	if t.Code != "" {
		s += " [" + t.Code + "]"
	}
	if t.Detail != "" {
		s += ": " + t.Detail
	}
	if !t.FailingSince.IsZero() {
		s += "; failing since " + stamp(t.FailingSince)
	}
	if t.Failures > 0 {
		s += ", " + strconv.Itoa(t.Failures) + " consecutive failures"
	}
	return s
}

func hostPort(t alert.Target) string {
	if t.Port == 0 {
		return t.Host
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// changeLines are the recent changes, newest first, capped.
func changeLines(a alert.Alert) []string {
	return capped(a.Changes, maxChangeLines, changeLine)
}

func changeLine(c alert.Change) string {
	var fields []string
	for _, f := range c.Fields {
		fields = append(fields, fieldText(f))
	}
	s := stamp(c.Time) + " " + c.File
	if c.Revision != "" {
		s += " revision " + c.Revision
	}
	if c.Actor != "" {
		s += " by " + c.Actor
	}
	if len(fields) > 0 {
		s += ": " + strings.Join(fields, ", ")
	}
	return s
}

// plainText is the whole alert as text: the email's body, and
// Alertmanager's description.
func plainText(a alert.Alert) string {
	var b strings.Builder
	b.WriteString(subject(a) + "\n\n")
	width := 0
	fs := facts(a)
	for _, f := range fs {
		width = max(width, len(f.label))
	}
	for _, f := range fs {
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, f.label+":", f.text)
	}
	list := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		b.WriteString("\n" + title + ":\n")
		for _, l := range lines {
			b.WriteString("  - " + l + "\n")
		}
	}
	list("Failing targets", targetLines(a))
	list("Recent changes (newest first)", changeLines(a))
	return b.String()
}
