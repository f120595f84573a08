package output

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/docsgen"
)

// DocsFormats are docs's output formats. markdown is a folder of pages
// (DocsMarkdown); json is the inventory as one document.
func DocsFormats() Registry[*docsgen.Reference] {
	return Registry[*docsgen.Reference]{
		{Name: "markdown", Summary: "a folder of Markdown pages: index with topology, a page per service, rules, a runbook page per error class", Render: renderDocsIndex},
		{Name: "json", Summary: "the inventory, rules, topology and runbook as one JSON document (schema_version 1)", Render: renderDocsJSON},
	}
}

// DocsJSONFile is the file --format json writes under --out.
const DocsJSONFile = "inventory.json"

func renderDocsJSON(w io.Writer, r *docsgen.Reference, _ Options) error {
	return encodeIndented(w, struct {
		SchemaVersion int `json:"schema_version"`
		*docsgen.Reference
	}{SchemaVersion, r})
}

// DocsFiles renders the reference in a format as the files it writes
// under --out: the Markdown pages, or inventory.json.
func DocsFiles(format string, r *docsgen.Reference) ([]docsgen.File, error) {
	switch format {
	case "markdown":
		return DocsMarkdown(r), nil
	case "json":
		var b bytes.Buffer
		if err := renderDocsJSON(&b, r, Options{}); err != nil {
			return nil, err
		}
		return []docsgen.File{{Name: DocsJSONFile, Data: b.Bytes()}}, nil
	}
	_, err := DocsFormats().Lookup(format)
	return nil, err
}

// DocsMarkdown is the reference as pages: README.md (the index and the
// topology), services/SLUG.md, rules.md, runbook/README.md and
// runbook/CLASS.md. Links between them are relative, so the folder reads
// the same wherever it is committed.
func DocsMarkdown(r *docsgen.Reference) []docsgen.File {
	var files []docsgen.File
	page := func(name string, fill func(w *bytes.Buffer)) {
		var b bytes.Buffer
		b.WriteString(docsgen.Marker + "\n\n")
		fill(&b)
		files = append(files, docsgen.File{Name: name, Data: b.Bytes()})
	}
	page("README.md", func(w *bytes.Buffer) { _ = renderDocsIndex(w, r, Options{}) })
	for _, s := range r.Services {
		page("services/"+s.Slug+".md", func(w *bytes.Buffer) { docsService(w, r, s) })
	}
	page("rules.md", func(w *bytes.Buffer) { docsRules(w, r) })
	page("runbook/README.md", func(w *bytes.Buffer) { docsRunbookIndex(w, r) })
	for _, rb := range r.Runbook {
		page("runbook/"+rb.Class+".md", func(w *bytes.Buffer) { docsRunbook(w, rb) })
	}
	return files
}

// renderDocsIndex writes the index page: counts, services, topology,
// review policy, and where the rest is.
func renderDocsIndex(w io.Writer, r *docsgen.Reference, _ Options) error {
	fmt.Fprintln(w, "# Database configuration reference")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every database connection the configuration files define, who approves a change to it, what the rules say of it, and what to do when it fails. Made by `dbguard docs` from the files themselves: regenerate it rather than editing it (`dbguard docs --check` tells when it is stale).")
	fmt.Fprintln(w)
	if !r.Generated.IsZero() {
		fmt.Fprintf(w, "%s%s.\n\n", docsgen.TimestampPrefix, r.Generated.UTC().Format(time.RFC3339))
	}
	conns, findings, accepted := 0, 0, 0
	for _, s := range r.Services {
		for _, e := range s.Environments {
			for _, c := range e.Connections {
				conns++
				findings += len(c.Findings)
				accepted += len(c.Accepted)
			}
		}
	}
	fmt.Fprintf(w, "%s, %s; %s open, %s accepted ([rules](rules.md)). %s\n\n", nouns(len(r.Services), "service"),
		nouns(conns, "connection"), nouns(findings, "finding"), nouns(accepted, "finding"), storeSentence(r.Store))
	fmt.Fprintln(w, "## Services")
	fmt.Fprintln(w)
	if len(r.Services) == 0 {
		fmt.Fprintln(w, "No database connection was found.")
	} else {
		mdHeader(w, "service", "environments", "connections", "findings", "hosts")
		for _, s := range r.Services {
			var envs, hosts []string
			n, f := 0, 0
			for _, e := range s.Environments {
				envs = append(envs, e.Name)
				for _, c := range e.Connections {
					n++
					f += len(c.Findings)
					for _, h := range c.Hosts {
						if !slices.Contains(hosts, h) {
							hosts = append(hosts, h)
						}
					}
				}
			}
			fmt.Fprintf(w, "| [%s](services/%s.md) | %s | %d | %d | %s |\n", mdCell(s.Name), s.Slug, strings.Join(envs, ", "), n, f, mdCell(codeList(hosts)))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Topology")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Services, the poolers they go through (PgBouncer, pgcat, Odyssey, by their listen port, or a sidecar in the pod) and the servers behind; edges are labelled with the environments.")
	fmt.Fprintln(w)
	docsMermaid(w, r.Topology)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Review policy")
	fmt.Fprintln(w)
	docsApprovals(w, r.Review, "dbguard.yaml has no review policy: `dbguard review` requires no approval for any change.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Runbook")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "One page per error class `dbguard verify` reports: [runbook](runbook/README.md) (%s).\n", nouns(len(r.Runbook), "class"))
	if len(r.Unreadable) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "## Unreadable inputs")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "These files could not be read, so their connections are missing from this reference:")
		fmt.Fprintln(w)
		for _, u := range r.Unreadable {
			fmt.Fprintf(w, "- %s\n", mdCell(u))
		}
	}
	return nil
}

func storeSentence(store string) string {
	if store == "" {
		return "No event store was given (`--store`), so no verified-good revision is shown."
	}
	return "Verified-good revisions are read from the event store " + mdCell(store) + "."
}

// docsMermaid writes the topology as a Mermaid flowchart: services as
// rectangles, poolers as subroutines, servers as cylinders.
func docsMermaid(w io.Writer, t docsgen.Topology) {
	fmt.Fprintln(w, "```mermaid")
	fmt.Fprintln(w, "flowchart LR")
	shape := map[string][2]string{"service": {"[", "]"}, "pooler": {"[[", "]]"}, "server": {"[(", ")]"}}
	for _, n := range t.Nodes {
		s := shape[n.Kind]
		fmt.Fprintf(w, "  %s%s\"%s\"%s\n", n.ID, s[0], mermaidText(n.Label), s[1])
	}
	for _, e := range t.Edges {
		fmt.Fprintf(w, "  %s -->|\"%s\"| %s\n", e.From, mermaidText(e.Label), e.To)
	}
	fmt.Fprintln(w, "```")
}

// mermaidText escapes a label for a quoted Mermaid string.
func mermaidText(s string) string {
	if !strings.ContainsAny(s, "\"\n`") {
		return s
	}
	s = strings.ReplaceAll(s, `"`, "#quot;")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "`", "#96;")
}

func docsApprovals(w io.Writer, as []docsgen.Approval, none string) {
	if len(as) == 0 {
		fmt.Fprintln(w, none)
		return
	}
	mdHeader(w, "a change of risk", "in", "needs", "from")
	for _, a := range as {
		envs := "any environment"
		if len(a.Environments) > 0 {
			envs = strings.Join(a.Environments, ", ")
		}
		from := "anyone"
		if len(a.Groups) > 0 {
			from = strings.Join(a.Groups, ", ") + " (" + strings.Join(a.Members, ", ") + ")"
		}
		fmt.Fprintf(w, "| %s or higher | %s | %s | %s |\n", mdCell(a.Risk), mdCell(envs), nouns(a.Approvals, "approval"), mdCell(from))
	}
}

// docsService writes a service's page: per environment, who approves,
// then each connection's settings, rules, verified-good revision and
// commands.
func docsService(w io.Writer, r *docsgen.Reference, s docsgen.Service) {
	fmt.Fprintf(w, "# Service %s\n\n", oneLine(mdCell(s.Name)))
	fmt.Fprintln(w, "[All services](../README.md) · [rules](../rules.md) · [runbook](../runbook/README.md)")
	for _, e := range s.Environments {
		fmt.Fprintf(w, "\n## %s\n\n", e.Name)
		none := "No rule of the review policy applies to " + e.Name + ": `dbguard review` requires no approval here."
		if len(r.Review) == 0 {
			none = "dbguard.yaml has no review policy: `dbguard review` requires no approval for any change."
		}
		fmt.Fprintln(w, "Who approves a change here:")
		fmt.Fprintln(w)
		docsApprovals(w, e.Approvals, none)
		for _, c := range e.Connections {
			docsConnection(w, r, c)
		}
	}
}

func docsConnection(w io.Writer, r *docsgen.Reference, c docsgen.Connection) {
	title := c.File
	if c.KeyPath != "" {
		title += "#" + c.KeyPath
	}
	fmt.Fprintf(w, "\n### `%s`\n\n", oneLine(strings.ReplaceAll(title, "`", "'")))
	mdHeader(w, "setting", "value")
	row := func(k, v string) { fmt.Fprintf(w, "| %s | %s |\n", k, v) }
	row("name", mdCell(c.Name)+" ("+mdCell(c.Format)+")")
	row("defined at", "`"+mdCell(c.Location)+"`")
	role := c.Role
	if c.Inactive != "" {
		role += ", inactive: " + c.Inactive
	}
	row("role", mdCell(role))
	row("driver", code(c.Driver))
	row("hosts", mdCell(codeList(c.Hosts)))
	row("database", code(c.Database))
	row("user", code(c.User))
	row("password from", secretText(c.Secret))
	tls := code(c.TLS.Mode)
	if c.TLS.Key != "" && c.TLS.Mode != "" {
		tls += " (" + code(c.TLS.Key) + ")"
	}
	if c.TLS.CA != "" {
		tls += ", CA " + code(c.TLS.CA)
	}
	row("TLS", tls)
	row("pool", fmt.Sprintf("max open %s · max idle %s · lifetime %s · idle time %s", code(c.Pool.MaxOpen), code(c.Pool.MaxIdle), code(c.Pool.MaxLifetime), code(c.Pool.MaxIdleTime)))
	row("timeouts", fmt.Sprintf("connect %s · statement %s · idle in transaction %s", code(c.Timeouts.Connect), code(c.Timeouts.Statement), code(c.Timeouts.IdleInTransaction)))
	row("replicas", code(c.Replicas))
	if c.Sidecars != "" {
		row("sidecars", code(c.Sidecars))
	}
	fmt.Fprintln(w)
	switch {
	case len(c.Findings) == 0:
		fmt.Fprintf(w, "**Rules:** pass: no finding from the %s that judge it.\n", nouns(c.RulesRun, "rule"))
	default:
		fmt.Fprintf(w, "**Rules:** %s from the %s that judge it:\n\n", nouns(len(c.Findings), "finding"), nouns(c.RulesRun, "rule"))
		mdHeader(w, "severity", "rule", "field", "message")
		for _, f := range c.Findings {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", f.Severity, ruleLink(f.Rule, f.Help), code(f.Field), mdCell(f.Message))
		}
	}
	if len(c.Accepted) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Accepted exceptions:")
		fmt.Fprintln(w)
		mdHeader(w, "severity", "rule", "field", "accepted by", "reason", "owner")
		for _, a := range c.Accepted {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", a.Severity, ruleLink(a.Rule, a.Help), code(a.Field), a.By, mdCell(dash(a.Reason)), mdCell(dash(a.Owner)))
		}
	}
	fmt.Fprintln(w)
	switch {
	case r.Store == "":
		fmt.Fprintln(w, "**Last verified good:** not looked up: no event store was given (`--store`).")
	case c.Verified == nil:
		fmt.Fprintln(w, "**Last verified good:** none recorded: no successful `dbguard verify --record` of this connection is in the store.")
	default:
		fmt.Fprintf(w, "**Last verified good:** revision `%s`, verified %s (event %d).\n", c.Verified.Revision, c.Verified.Time.UTC().Format(time.RFC3339), c.Verified.Event)
	}
	if c.RollbackCommand != "" {
		fence := fenceFor(c.VerifyCommand + "\n" + c.RollbackCommand)
		fmt.Fprintln(w)
		fmt.Fprintln(w, fence+"sh")
		if c.VerifyCommand != "" {
			fmt.Fprintln(w, "# prove it works, stage by stage; a failure names its class (see the runbook)")
			fmt.Fprintln(w, c.VerifyCommand)
		}
		fmt.Fprintln(w, "# restore its file to the last verified-good revision")
		fmt.Fprintln(w, c.RollbackCommand)
		fmt.Fprintln(w, fence)
	}
}

// secretText says where the password comes from and that it is not shown.
func secretText(source string) string {
	kind, ref, _ := strings.Cut(source, ":")
	switch kind {
	case "env":
		return "environment variable " + code(ref)
	case "secret":
		return "secret " + code(ref)
	case "file":
		return "file " + code(ref)
	case "literal":
		return "written in the file (its value is never shown here: move it to a secret)"
	case "none":
		return "none"
	}
	return mdCell(source)
}

// docsRules writes every rule with its status over the inventory.
func docsRules(w io.Writer, r *docsgen.Reference) {
	paragraphs(w, "# Rules", "[All services](README.md) · [runbook](runbook/README.md)",
		"The rules `dbguard check` runs over these connections, with dbguard.yaml's overrides, and their status.")
	mdHeader(w, "rule", "severity", "status", "accepted", "what it checks")
	for _, rs := range r.Rules {
		status := "pass"
		switch {
		case rs.Disabled:
			status = "disabled"
		case rs.Findings > 0:
			status = nouns(rs.Findings, "finding")
		}
		if len(rs.Environments) > 0 && !rs.Disabled {
			status += " (only in " + strings.Join(rs.Environments, ", ") + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %s |\n", ruleLink(rs.ID, rs.Help), rs.Severity, status, rs.Accepted, mdCell(rs.Title))
	}
}

func docsRunbookIndex(w io.Writer, r *docsgen.Reference) {
	paragraphs(w, "# Runbook: connection failures by class", "[All services](../README.md)",
		"`dbguard verify` (and the watcher's alerts) name exactly one class for each failed connection. Find the class, open its page.")
	mdHeader(w, "class", "stage", "what to do")
	for _, rb := range r.Runbook {
		fmt.Fprintf(w, "| [`%s`](%s.md) | %s | %s |\n", rb.Class, rb.Class, rb.Stage, mdCell(rb.Remediation))
	}
}

func docsRunbook(w io.Writer, rb docsgen.Runbook) {
	paragraphs(w, "# `"+rb.Class+"`", "[Runbook](README.md) · [all services](../README.md)", "## What it means")
	passed := "it is the first stage"
	if len(rb.Passed) > 0 {
		passed = "the stages before it passed: " + strings.Join(rb.Passed, ", ")
	}
	fmt.Fprintf(w, "The connection failed at the **%s** stage (%s). It is often mistaken for %s.\n", rb.Stage, passed, mdCell(rb.MistakenFor))
	if len(rb.Siblings) > 0 {
		var links []string
		for _, s := range rb.Siblings {
			links = append(links, fmt.Sprintf("[`%s`](%s.md)", s, s))
		}
		fmt.Fprintf(w, "\nOther classes of the %s stage, to tell it from: %s.\n", rb.Stage, strings.Join(links, ", "))
	}
	fmt.Fprintln(w)
	paragraphs(w, "## Usual causes and what to check", mdCell(sentence(rb.Remediation)), "## Confirm it",
		"Each connection's page under [services](../README.md) gives its own `dbguard verify` command. Run it: the failing stage and the class are in its output.")
	fmt.Fprintln(w, "```sh")
	fmt.Fprintln(w, "dbguard verify --profile 'FILE#KEYPATH' FILE")
	fmt.Fprintf(w, "dbguard verify --format json PATH | jq '.results[] | select(.class == \"%s\")'\n", rb.Class)
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
	paragraphs(w, "## Roll back", "When a configuration change brought it, restore the connection's file to its last verified-good revision, then prove the restored settings:")
	fmt.Fprintln(w, "```sh")
	fmt.Fprintln(w, "dbguard rollback --dry-run PROFILE   # what would change")
	fmt.Fprintln(w, "dbguard rollback PROFILE")
	fmt.Fprintln(w, "dbguard verify --record --profile PROFILE FILE")
	fmt.Fprintln(w, "```")
}

// fenceFor is a code fence that no line of content can close: backticks,
// one more than the longest run in it, three at least.
func fenceFor(content string) string {
	longest, run := 0, 0
	for _, r := range content {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// oneLine folds line breaks into spaces, for a heading.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// paragraphs writes each block followed by a blank line.
func paragraphs(w io.Writer, blocks ...string) {
	for _, b := range blocks {
		fmt.Fprintf(w, "%s\n\n", b)
	}
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func ruleLink(id, help string) string {
	if help == "" {
		return "`" + id + "`"
	}
	return fmt.Sprintf("[`%s`](%s%s)", id, HelpBase, help)
}

// code is a value in backticks, or a dash when there is none.
func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + strings.ReplaceAll(mdCell(s), "`", "'") + "`"
}

func codeList(ss []string) string {
	if len(ss) == 0 {
		return "—"
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + strings.ReplaceAll(s, "`", "'") + "`"
	}
	return strings.Join(out, ", ")
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// nouns is n and its noun, singular or plural.
func nouns(n int, word string) string {
	many := word + "s"
	if strings.HasSuffix(word, "s") {
		many = word + "es"
	}
	return fmt.Sprintf("%d %s", n, plural(n, word, many))
}
