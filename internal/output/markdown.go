package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/dbguard/dbguard/internal/policy"
)

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\\\")
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", "<br>")
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, "&lt;br>", "<br>")
}

// renderMarkdown writes a pull-request comment: a verdict, counts per rule,
// and the findings as a table, errors first.
func renderMarkdown(w io.Writer, rep *policy.Report, o Options) error {
	bw := bufio.NewWriter(w)
	icon := map[policy.Severity]string{policy.Error: "🔴 error", policy.Warning: "🟡 warning", policy.Info: "🔵 info"}
	fmt.Fprintln(bw, "### dbguard check")
	fmt.Fprintln(bw)
	if len(rep.Findings) == 0 {
		fmt.Fprintln(bw, "✅ No findings.")
	}
	fmt.Fprintln(bw, summaryLine(rep)+".")
	if len(rep.Findings) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "| Rule | Findings |")
		fmt.Fprintln(bw, "| --- | ---: |")
		for _, rc := range ruleCounts(rep) {
			fmt.Fprintf(bw, "| [`%s`](%s) | %d |\n", rc.ID, HelpBase+policy.HelpPath(rc.ID), rc.N)
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "| Severity | Rule | Location | Message | Fix |")
		fmt.Fprintln(bw, "| --- | --- | --- | --- | --- |")
		for _, sev := range []policy.Severity{policy.Error, policy.Warning, policy.Info} {
			for _, f := range rep.Findings {
				if f.Severity != sev {
					continue
				}
				fmt.Fprintf(bw, "| %s | [`%s`](%s) | `%s` | %s | %s |\n", icon[f.Severity], f.Rule, HelpBase+f.Help,
					mdCell(f.Loc.String()), mdCell(f.Message), mdCell(f.Remediation))
			}
		}
	}
	if o.ShowSuppressed && len(rep.Suppressed)+len(rep.Baselined) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "<details><summary>Accepted findings</summary>")
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "| Rule | Location | Accepted by |")
		fmt.Fprintln(bw, "| --- | --- | --- |")
		for _, f := range rep.Suppressed {
			fmt.Fprintf(bw, "| `%s` | `%s` | dbguard:ignore |\n", f.Rule, mdCell(f.Loc.String()))
		}
		for _, f := range rep.Baselined {
			fmt.Fprintf(bw, "| `%s` | `%s` | baseline |\n", f.Rule, mdCell(f.Loc.String()))
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "</details>")
	}
	return bw.Flush()
}
