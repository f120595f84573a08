package output

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/review"
)

// ReviewSchemaVersion is the version of review's JSON document
// (docs/review.md); it changes only when a field is removed or changes
// meaning.
const ReviewSchemaVersion = 1

// ReviewReport is what diff and review print: the change, its risk, the
// approvals it needs and has, and the findings it introduces or fixes.
type ReviewReport struct {
	SchemaVersion      int              `json:"schema_version"`
	Base               string           `json:"base,omitempty"`
	Head               string           `json:"head,omitempty"`
	Risk               diff.Risk        `json:"risk"`
	Reason             string           `json:"reason"`
	Fingerprint        string           `json:"fingerprint"`
	Policy             string           `json:"policy"`
	ApprovalsRequired  []ReviewRequired `json:"approvals_required"`
	ApprovalsMissing   []ReviewMissing  `json:"approvals_missing"`
	Approvals          []ReviewApproval `json:"approvals"`
	FindingsIntroduced []ReviewFinding  `json:"findings_introduced"`
	FindingsFixed      []ReviewFinding  `json:"findings_fixed"`
	Changes            []ReviewChange   `json:"changes"`
	Problems           []ReviewProblem  `json:"problems"`
	Stats              diff.Stats       `json:"-"`
}

// ReviewRequired is one policy rule the change triggers.
type ReviewRequired struct {
	Risk         diff.Risk `json:"risk"`
	Environments []string  `json:"environments"`
	Approvals    int       `json:"approvals"`
	Groups       []string  `json:"groups"`
	Members      []string  `json:"members"`
	Because      []string  `json:"because"`
	ApprovedBy   []string  `json:"approved_by"`
	Missing      int       `json:"missing"`
}

// ReviewMissing says exactly what approvals are still needed.
type ReviewMissing struct {
	Missing int      `json:"missing"`
	Groups  []string `json:"groups"`
	Members []string `json:"members"`
	Risk    string   `json:"risk"`
	Message string   `json:"message"`
}

// ReviewApproval is an approval as printed. Label is "verified (forge)"
// or "unverified (store)", "unverified (command line)": what every
// format shows, so that an approval anyone could have typed is never
// mistaken for one the forge vouches for.
type ReviewApproval struct {
	User     string `json:"user"`
	Source   string `json:"source"`
	Verified bool   `json:"verified"`
	Label    string `json:"label"`
	Stale    bool   `json:"stale,omitempty"`
	Commit   string `json:"commit,omitempty"`
}

// ReviewFinding is a check finding the change introduces or fixes.
type ReviewFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Profile  string `json:"profile,omitempty"`
	Field    string `json:"field,omitempty"`
	Location string `json:"location"`
	Message  string `json:"message"`
}

// ReviewChange is one change as printed.
type ReviewChange struct {
	Profile     string              `json:"profile"`
	OldProfile  string              `json:"old_profile,omitempty"`
	Name        string              `json:"name"`
	Environment profile.Environment `json:"environment"`
	File        string              `json:"file"`
	Field       string              `json:"field"`
	Kind        diff.Kind           `json:"kind"`
	Old         *string             `json:"old"`
	New         *string             `json:"new"`
	OldLocation string              `json:"old_location,omitempty"`
	NewLocation string              `json:"new_location,omitempty"`
	Risk        diff.Risk           `json:"risk"`
	Reason      string              `json:"reason"`
}

// ReviewProblem is a file one side could not read.
type ReviewProblem struct {
	Side     string `json:"side"`
	Location string `json:"location"`
	Message  string `json:"message"`
}

// NewReviewReport assembles a report.
func NewReviewReport(res *diff.Result, reqs []review.Requirement, approvals []review.Approval, policySource string) *ReviewReport {
	r := &ReviewReport{
		SchemaVersion: ReviewSchemaVersion, Risk: res.Risk, Reason: res.Reason, Fingerprint: res.Fingerprint, Policy: policySource,
		ApprovalsRequired: []ReviewRequired{}, ApprovalsMissing: []ReviewMissing{}, Approvals: []ReviewApproval{},
		FindingsIntroduced: reviewFindings(res.FindingsIntroduced), FindingsFixed: reviewFindings(res.FindingsFixed),
		Changes: []ReviewChange{}, Problems: []ReviewProblem{}, Stats: res.Stats,
	}
	for _, q := range reqs {
		rq := ReviewRequired{Risk: q.Risk, Environments: nonNil(q.Environments), Approvals: q.Approvals, Groups: nonNil(q.Groups),
			Members: nonNil(q.Members), Because: nonNil(q.Because), ApprovedBy: nonNil(q.ApprovedBy), Missing: q.Missing}
		r.ApprovalsRequired = append(r.ApprovalsRequired, rq)
		if q.Missing > 0 {
			r.ApprovalsMissing = append(r.ApprovalsMissing, ReviewMissing{Missing: q.Missing, Groups: rq.Groups, Members: rq.Members,
				Risk: q.Risk.String(), Message: missingMessage(q)})
		}
	}
	for _, a := range approvals {
		r.Approvals = append(r.Approvals, ReviewApproval{User: a.User, Source: a.Source, Verified: a.Verified, Label: a.Label(), Stale: a.Stale, Commit: a.Commit})
	}
	for _, c := range res.Changes {
		cv := ReviewChange{Profile: c.Profile, OldProfile: c.OldProfile, Name: c.Name, Environment: c.Environment, File: c.File,
			Field: c.Field, Kind: c.Kind, Old: c.Old, New: c.New, Risk: c.Risk, Reason: c.Reason}
		if !c.OldLoc.IsZero() {
			cv.OldLocation = c.OldLoc.String()
		}
		if !c.NewLoc.IsZero() {
			cv.NewLocation = c.NewLoc.String()
		}
		r.Changes = append(r.Changes, cv)
	}
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, ReviewProblem{Side: p.Side, Location: p.Loc.String(), Message: p.Msg})
	}
	return r
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func missingMessage(q review.Requirement) string {
	who := "anyone"
	if len(q.Groups) > 0 {
		who = "group " + strings.Join(q.Groups, " or ") + " (" + strings.Join(q.Members, ", ") + ")"
	}
	have := "none yet"
	if len(q.ApprovedBy) > 0 {
		have = "have " + strings.Join(q.ApprovedBy, ", ")
	}
	env := ""
	if len(q.Environments) > 0 {
		env = " in " + strings.Join(q.Environments, ", ")
	}
	return fmt.Sprintf("%d more approval(s) from %s for %s-risk changes%s; %s", q.Missing, who, q.Risk, env, have)
}

func reviewFindings(fs []policy.Finding) []ReviewFinding {
	out := []ReviewFinding{}
	for _, f := range fs {
		out = append(out, ReviewFinding{Rule: f.Rule, Severity: f.Severity.String(), Profile: f.Profile, Field: f.Field,
			Location: f.Loc.String(), Message: f.Message})
	}
	return out
}

// ReviewFormat is one output format of diff and review.
type ReviewFormat = FormatOf[*ReviewReport]

// ReviewFormats lists the output formats of diff and review, in help order.
func ReviewFormats() Registry[*ReviewReport] {
	return Registry[*ReviewReport]{
		{"text", "per profile, old → new, for people (colour on a terminal)", renderReviewText},
		{"json", "one JSON document with schema_version, for tools", renderReviewJSON},
		{"markdown", "a pull-request comment: the changes with their risk and the approvals missing", renderReviewMarkdown},
		{"sarif", "SARIF 2.1.0: each change and introduced finding as a result", renderReviewSARIF},
	}
}

func renderReviewJSON(w io.Writer, r *ReviewReport, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// byProfile groups changes by profile, in report order.
func byProfile(cs []ReviewChange) ([]string, map[string][]ReviewChange) {
	var order []string
	m := map[string][]ReviewChange{}
	for _, c := range cs {
		if _, ok := m[c.Profile]; !ok {
			order = append(order, c.Profile)
		}
		m[c.Profile] = append(m[c.Profile], c)
	}
	return order, m
}

func val(s *string) string {
	if s == nil {
		return "(unset)"
	}
	return *s
}

const ansiGreen = "\x1b[32m"

func riskColour(r diff.Risk) string {
	switch r {
	case diff.Critical, diff.High:
		return ansiRed
	case diff.Medium:
		return ansiYellow
	}
	return ansiDim
}

func renderReviewText(w io.Writer, r *ReviewReport, o Options) error {
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	b := &strings.Builder{}
	order, groups := byProfile(r.Changes)
	for _, id := range order {
		cs := groups[id]
		head := cs[0]
		fmt.Fprintf(b, "%s  (%s, %s)\n", paint(ansiBold, id), head.Name, head.Environment)
		for _, c := range cs {
			risk := fmt.Sprintf("%-8s", c.Risk)
			fmt.Fprintf(b, "  %s %s %s: %s → %s\n", paint(riskColour(c.Risk), risk), c.Kind, c.Field, paint(ansiDim, val(c.Old)), paint(ansiGreen, val(c.New)))
			if c.OldLocation != "" || c.NewLocation != "" {
				fmt.Fprintf(b, "           at %s → %s\n", orDash(c.OldLocation), orDash(c.NewLocation))
			}
			fmt.Fprintf(b, "           %s\n", c.Reason)
		}
		b.WriteString("\n")
	}
	if len(r.Changes) == 0 {
		b.WriteString("No change to any database connection.\n\n")
	}
	if len(r.FindingsIntroduced) > 0 {
		b.WriteString("Findings introduced:\n")
		for _, f := range r.FindingsIntroduced {
			fmt.Fprintf(b, "  %s %s %s: %s\n", f.Severity, f.Rule, f.Location, f.Message)
		}
		b.WriteString("\n")
	}
	if len(r.FindingsFixed) > 0 {
		b.WriteString("Findings fixed:\n")
		for _, f := range r.FindingsFixed {
			fmt.Fprintf(b, "  %s %s %s\n", f.Rule, f.Location, f.Message)
		}
		b.WriteString("\n")
	}
	for _, p := range r.Problems {
		fmt.Fprintf(b, "cannot read (%s side) %s: %s\n", p.Side, p.Location, p.Message)
	}
	for _, a := range r.Approvals {
		fmt.Fprintf(b, "approved by %s — %s\n", a.User, approvalNote(a))
	}
	for _, m := range r.ApprovalsMissing {
		fmt.Fprintf(b, "%s %s\n", paint(ansiRed, "approval missing:"), m.Message)
	}
	fmt.Fprintf(b, "risk: %s — %s\nfingerprint: %s\npolicy: %s\n", paint(riskColour(r.Risk), r.Risk.String()), r.Reason, r.Fingerprint, r.Policy)
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func approvalNote(a ReviewApproval) string {
	s := a.Label
	if a.Verified && a.Source != "" {
		s += " on " + a.Source
	}
	if a.Stale {
		s += "; stale: given to a commit whose change means something else"
	}
	return s
}

// mdCell escapes a value for a Markdown table cell.
func reviewMDCell(s string) string {
	s = strings.NewReplacer("|", `\|`, "\n", " ", "`", "'").Replace(s)
	return s
}

func renderReviewMarkdown(w io.Writer, r *ReviewReport, _ Options) error {
	b := &strings.Builder{}
	icon := map[diff.Risk]string{diff.Critical: "🔴", diff.High: "🟠", diff.Medium: "🟡", diff.Low: "⚪", diff.None: "✅"}
	fmt.Fprintf(b, "### dbguard review: %s risk %s\n\n", icon[r.Risk], r.Risk)
	if len(r.Changes) == 0 {
		b.WriteString("No change to any database connection.\n\n")
	} else {
		fmt.Fprintf(b, "%s\n\n", reviewMDCell(r.Reason))
		b.WriteString("| Risk | Profile | Field | Change | Old | New | Why |\n|---|---|---|---|---|---|---|\n")
		for _, c := range r.Changes {
			fmt.Fprintf(b, "| %s %s | `%s` (%s) | `%s` | %s | %s | %s | %s |\n", icon[c.Risk], c.Risk, reviewMDCell(c.Profile), c.Environment,
				reviewMDCell(c.Field), c.Kind, mdCode(c.Old), mdCode(c.New), reviewMDCell(c.Reason))
		}
		b.WriteString("\n")
	}
	if len(r.ApprovalsMissing) > 0 {
		b.WriteString("**Approvals missing**\n\n")
		for _, m := range r.ApprovalsMissing {
			fmt.Fprintf(b, "- %s\n", reviewMDCell(m.Message))
		}
		b.WriteString("\n")
	} else if len(r.ApprovalsRequired) > 0 {
		b.WriteString("**Approvals:** the policy's requirements are met.\n\n")
	}
	if len(r.Approvals) > 0 {
		var as []string
		for _, a := range r.Approvals {
			as = append(as, "@"+a.User+" — "+approvalNote(a))
		}
		sort.Strings(as)
		fmt.Fprintf(b, "Approved by: %s\n\n", strings.Join(as, "; "))
	}
	if len(r.FindingsIntroduced) > 0 {
		b.WriteString("<details><summary>Findings introduced (" + fmt.Sprint(len(r.FindingsIntroduced)) + ")</summary>\n\n")
		for _, f := range r.FindingsIntroduced {
			fmt.Fprintf(b, "- **%s** `%s` at `%s`: %s\n", f.Severity, f.Rule, reviewMDCell(f.Location), reviewMDCell(f.Message))
		}
		b.WriteString("\n</details>\n\n")
	}
	if len(r.FindingsFixed) > 0 {
		b.WriteString("<details><summary>Findings fixed (" + fmt.Sprint(len(r.FindingsFixed)) + ")</summary>\n\n")
		for _, f := range r.FindingsFixed {
			fmt.Fprintf(b, "- `%s` at `%s`\n", f.Rule, reviewMDCell(f.Location))
		}
		b.WriteString("\n</details>\n\n")
	}
	fmt.Fprintf(b, "<sub>fingerprint `%s` · policy: %s</sub>\n<!-- dbguard-review fingerprint=%s -->\n", r.Fingerprint, reviewMDCell(r.Policy), r.Fingerprint)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCode(s *string) string {
	if s == nil {
		return "—"
	}
	return "`" + reviewMDCell(*s) + "`"
}

// renderReviewSARIF hands changes and introduced findings to check's SARIF
// renderer: each change is a result of the rule review-risk-LEVEL.
func renderReviewSARIF(w io.Writer, r *ReviewReport, o Options) error {
	sev := map[diff.Risk]policy.Severity{diff.Critical: policy.Error, diff.High: policy.Error, diff.Medium: policy.Warning, diff.Low: policy.Info}
	rep := &policy.Report{}
	for _, c := range r.Changes {
		loc := parseLoc(c.NewLocation, c.File)
		if c.NewLocation == "" && c.OldLocation != "" {
			loc = parseLoc(c.OldLocation, c.File)
		}
		id := "review-risk-" + c.Risk.String()
		keyPath := c.Profile
		if i := strings.IndexByte(keyPath, '#'); i >= 0 {
			keyPath = keyPath[i+1:]
		}
		rep.Findings = append(rep.Findings, policy.Finding{
			Rule: id, Severity: sev[c.Risk], Profile: c.Profile, Environment: c.Environment, Field: c.Field, Loc: loc,
			Message:     fmt.Sprintf("%s %s %s: %s → %s. %s", c.Profile, c.Field, c.Kind, val(c.Old), val(c.New), c.Reason),
			Remediation: "Review the change with the approvers the policy names (dbguard review).",
			Help:        "docs/review.md", Key: keyPath + ":" + c.Field,
		})
	}
	for _, f := range r.FindingsIntroduced {
		rep.Findings = append(rep.Findings, policy.Finding{Rule: f.Rule, Severity: mustSeverity(f.Severity), Profile: f.Profile, Field: f.Field,
			Loc: parseLoc(f.Location, ""), Message: "introduced by this change: " + f.Message, Help: policy.HelpPath(f.Rule), Key: f.Profile + ":" + f.Field})
	}
	f, err := Formats().Lookup("sarif")
	if err != nil {
		return err
	}
	return f.Render(w, rep, o)
}

func mustSeverity(s string) policy.Severity {
	v, err := policy.ParseSeverity(s)
	if err != nil {
		return policy.Warning
	}
	return v
}

// parseLoc reads file:line:column back.
func parseLoc(s, file string) profile.Location {
	if s == "" {
		return profile.Location{File: file}
	}
	parts := strings.Split(s, ":")
	l := profile.Location{File: s}
	if len(parts) >= 3 {
		var line, col int
		if _, err := fmt.Sscanf(parts[len(parts)-2]+" "+parts[len(parts)-1], "%d %d", &line, &col); err == nil {
			l = profile.Location{File: strings.Join(parts[:len(parts)-2], ":"), Line: line, Column: col}
		}
	}
	return l
}
