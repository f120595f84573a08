package output

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/audit"
)

// AuditFormats are audit's output formats.
func AuditFormats() Registry[*audit.Report] {
	return Registry[*audit.Report]{
		{Name: "markdown", Summary: "one Markdown document: summary, findings by server and service, drift, capacity, trend", Render: renderAuditMarkdown},
		{Name: "html", Summary: "one self-contained HTML page (no external assets) with the same content", Render: renderAuditHTML},
		{Name: "json", Summary: "the report as JSON (schema_version 1)", Render: renderAuditJSON},
	}
}

func renderAuditJSON(w io.Writer, r *audit.Report, _ Options) error { return encodeIndented(w, r) }

// groupTitle names a group of findings: its server, its service, or the
// files themselves.
func groupTitle(g audit.Group) string {
	switch {
	case g.Server != "" && g.Service != "":
		return "server " + g.Server + " · service " + g.Service
	case g.Server != "":
		return "server " + g.Server
	case g.Service != "":
		return "service " + g.Service
	}
	return "files"
}

func verdict(r *audit.Report) string {
	switch {
	case r.Summary.Errors > 0:
		return "fail"
	case r.Summary.Warnings > 0:
		return "warn"
	}
	return "pass"
}

func summaryText(r *audit.Report) string {
	s := r.Summary
	return fmt.Sprintf("%d error(s), %d warning(s), %d info over %d profile(s) in %d file(s) and %d server(s); %d accepted; since the previous audit: %d new, %d fixed, %d still open",
		s.Errors, s.Warnings, s.Infos, s.Profiles, s.Files, s.Servers, s.Accepted, s.New, s.Fixed, s.Open)
}

func renderAuditMarkdown(w io.Writer, r *audit.Report, _ Options) error {
	bw := bufio.NewWriter(w)
	icon := map[string]string{"error": "🔴 error", "warning": "🟡 warning", "info": "🔵 info"}
	fmt.Fprintf(bw, "# dbguard audit\n\n%s (times in UTC)\n\n## Summary\n\n**%s**: %s.\n\n", r.Time.UTC().Format(time.RFC3339), strings.ToUpper(verdict(r)), summaryText(r))
	if r.Trend.Previous != 0 {
		fmt.Fprintf(bw, "Compared with audit event %d (%s).\n\n", r.Trend.Previous, r.Trend.PreviousTime)
	} else {
		fmt.Fprintln(bw, "No previous audit in the store: every finding counts as new.")
		fmt.Fprintln(bw)
	}
	if r.Event != 0 {
		fmt.Fprintf(bw, "Stored as audit event %d.\n\n", r.Event)
	} else if r.StoreNote != "" {
		fmt.Fprintf(bw, "%s.\n\n", mdCell(r.StoreNote))
	}
	fmt.Fprintln(bw, "## Findings")
	fmt.Fprintln(bw)
	if len(r.Findings) == 0 {
		fmt.Fprintln(bw, "✅ No findings.")
		fmt.Fprintln(bw)
	}
	for _, g := range r.Groups() {
		fmt.Fprintf(bw, "### %s\n\n", mdCell(groupTitle(g)))
		mdHeader(bw, "Severity", "Rule", "Where", "Finding")
		for _, f := range g.Findings {
			where := f.Location
			if where == "" {
				where = f.Server
			}
			fmt.Fprintf(bw, "| %s | [`%s`](%s) | %s | %s |\n", icon[f.Severity.String()], f.Rule, HelpBase+f.Help, mdCell(where), mdCell(f.Message))
		}
		fmt.Fprintln(bw)
	}
	if mdSection(bw, "Accepted exceptions", "None.", len(r.Accepted), "Rule", "Where", "Reason", "Owner") {
		for _, a := range r.Accepted {
			fmt.Fprintf(bw, "| [`%s`](%s) | %s | %s | %s |\n", a.Finding.Rule, HelpBase+a.Finding.Help, mdCell(a.Finding.Location), mdCell(a.Reason), mdCell(a.Owner))
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "## Drift from the store")
	fmt.Fprintln(bw)
	if r.Drift.Note != "" {
		fmt.Fprintf(bw, "%s.\n\n", mdCell(r.Drift.Note))
	}
	if len(r.Drift.Files) > 0 {
		mdHeader(bw, "File", "State", "Revision", "Recorded", "Fields")
		for _, f := range r.Drift.Files {
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", mdCell(f.File), f.State, shortID(f.Revision), recorded(f), mdCell(driftFields(f)))
		}
		fmt.Fprintln(bw)
	}
	if mdSection(bw, "Copies of one service that differ", "None.", len(r.Fleet), "Service", "Environment", "Field", "Copy", "Finding") {
		for _, d := range r.Fleet {
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", mdCell(d.Service), mdCell(d.Environment), mdCell(d.Field), mdCell(d.Profile), mdCell(d.Message))
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "## Live servers")
	fmt.Fprintln(bw)
	if len(r.Servers) == 0 {
		fmt.Fprintln(bw, "None read.")
	}
	for _, s := range r.Servers {
		fmt.Fprintf(bw, "- **%s** %s %s: %s\n", mdCell(s.Address), s.Kind, mdCell(s.Version), mdCell(serverLine(s)))
	}
	fmt.Fprintln(bw)
	if mdSection(bw, "Capacity", "No server with a known limit and clients with a stated pool size.", len(r.Capacity), "Server", "Limit", "Arithmetic", "Verdict") {
		for _, c := range r.Capacity {
			v := "fits"
			if c.Over {
				v = "**over**"
			}
			fmt.Fprintf(bw, "| %s | %s (%s) | %s | %s |\n", mdCell(c.Server), mdCell(c.Limit), c.LimitFrom, mdCell(c.Arithmetic), v)
		}
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "## Trend")
	fmt.Fprintln(bw)
	for _, part := range []struct {
		name string
		keys []string
	}{{"New", r.Trend.New}, {"Fixed", r.Trend.Fixed}, {"Still open", r.Trend.Open}} {
		fmt.Fprintf(bw, "- %s: %d", part.name, len(part.keys))
		if len(part.keys) > 0 {
			fmt.Fprintf(bw, " (%s)", mdCell(strings.Join(part.keys, ", ")))
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// mdSection writes a section's heading, then its table's header when it
// has rows (true), else the text that says it is empty (false).
func mdSection(w io.Writer, title, empty string, rows int, header ...string) bool {
	fmt.Fprintf(w, "## %s\n\n", title)
	if rows == 0 {
		fmt.Fprintln(w, empty)
		return false
	}
	mdHeader(w, header...)
	return true
}

// mdHeader writes a Markdown table's header row and rule.
func mdHeader(w io.Writer, names ...string) {
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(names, " | "), strings.Repeat(" --- |", len(names)))
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func recorded(f audit.DriftFile) string {
	if f.Recorded.IsZero() {
		return ""
	}
	return f.Recorded.UTC().Format("2006-01-02 15:04 UTC")
}

func driftFields(f audit.DriftFile) string {
	var parts []string
	for _, c := range f.Fields {
		parts = append(parts, fmt.Sprintf("%s %s: %s → %s", c.KeyPath, c.Field, deref(c.Old), deref(c.New))) // "-" is absent
	}
	if f.ContentOnly {
		parts = append(parts, "content differs outside any profile field")
	}
	return strings.Join(parts, "\n")
}

// serverLine is what was read from a server, in one line.
func serverLine(s audit.Server) string {
	if s.Error != "" {
		return "not read: " + s.Error
	}
	names := make([]string, 0, len(s.Settings))
	for k := range s.Settings {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, k+"="+s.Settings[k])
	}
	if len(s.HBA) > 0 {
		parts = append(parts, fmt.Sprintf("%d pg_hba line(s)", len(s.HBA)))
	}
	if len(s.Accounts) > 0 {
		parts = append(parts, fmt.Sprintf("%d account(s)", len(s.Accounts)))
	}
	for _, u := range s.Unread {
		parts = append(parts, u.What+" unread (needs "+u.Privilege+")")
	}
	if s.CertNotAfter != nil {
		parts = append(parts, "certificate until "+s.CertNotAfter.UTC().Format("2006-01-02"))
	}
	return strings.Join(parts, ", ")
}

//go:embed audit.html.tmpl
var auditTemplates embed.FS

var auditHTML = template.Must(template.New("audit.html.tmpl").Funcs(template.FuncMap{
	"title":    groupTitle,
	"verdict":  verdict,
	"summary":  summaryText,
	"short":    shortID,
	"recorded": recorded,
	"fields":   driftFields,
	"server":   serverLine,
	"help":     func(p string) string { return HelpBase + p },
	"utc":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).ParseFS(auditTemplates, "audit.html.tmpl"))

// renderAuditHTML writes one page that opens on its own: styles inline,
// no script, no image, no font, no stylesheet from elsewhere.
func renderAuditHTML(w io.Writer, r *audit.Report, _ Options) error {
	return auditHTML.Execute(w, r)
}
