package notify

import (
	"context"
	"strings"

	"github.com/dbguard/dbguard/internal/alert"
)

// slack posts to a Slack incoming webhook: a fallback text (what
// notifications and screen readers show) and Block Kit blocks. The URL's
// path is the token: it must be https (http only to a loopback test
// receiver) and never appears in an error.
type slack struct{ poster }

var _ alert.Notifier = (*slack)(nil)

func newSlack(s Spec) alert.Notifier { return &slack{newPoster(s)} }

func checkSlack(s Spec, bad func(field, problem string)) {
	checkHTTPURL(s.URL, true, bad)
}

// Slack's documented limits (Block Kit reference): at most 50 blocks; a
// header's plain_text 150 characters; a section's text 3000, each of at
// most 10 fields 2000; a context at most 10 elements.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackFieldMax   = 2000
	slackFieldsMax  = 10
)

// slackMessage is an incoming webhook's payload.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string      `json:"type"` // header, section, context, divider
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

func (s *slack) Notify(ctx context.Context, a alert.Alert) error {
	if !s.wants(a, false) {
		return nil
	}
	return s.postJSON(ctx, s.spec.URL, slackPayload(a))
}

// slackPayload lays the alert out as blocks: header, summary and share,
// the key facts as fields, likely cause and rollback (or why no change
// explains it), the failing targets, and a context line.
func slackPayload(a alert.Alert) slackMessage {
	mrkdwn := func(s string, limit int) *slackText {
		return &slackText{Type: "mrkdwn", Text: truncate(s, limit)}
	}
	section := func(title, body string) slackBlock {
		return slackBlock{Type: "section", Text: mrkdwn("*"+title+"*\n"+body, slackSectionMax)}
	}
	// The summary is cut first, so that the share always shows.
	summary := slackEscape(truncate(a.Summary, slackFieldMax))
	m := slackMessage{Text: slackEscape(subject(a))}
	if summary != "" {
		m.Text += ": " + summary
	}
	m.Blocks = append(m.Blocks, slackBlock{Type: "header",
		Text: &slackText{Type: "plain_text", Text: truncate(subject(a), slackHeaderMax)}})
	lead := slackEscape(a.Share.Describe(a.Service))
	if summary != "" {
		lead = summary + "\n" + lead
	}
	m.Blocks = append(m.Blocks, slackBlock{Type: "section", Text: mrkdwn(lead, slackSectionMax)})
	var fields []slackText
	for _, f := range facts(a) {
		switch f.label {
		case "Summary", "Share", "Likely cause", "Rollback", "No change explains", "Verify":
			continue // in blocks of their own
		}
		if len(fields) < slackFieldsMax {
			fields = append(fields, slackText{Type: "mrkdwn", Text: truncate("*"+f.label+"*\n"+slackEscape(f.text), slackFieldMax)})
		}
	}
	m.Blocks = append(m.Blocks, slackBlock{Type: "section", Fields: fields})
	if c := causeText(a.Cause); c != "" {
		m.Blocks = append(m.Blocks, section("Likely cause", slackEscape(c)))
	}
	if r := rollback(a.Cause); r != "" {
		m.Blocks = append(m.Blocks, section("Rollback", "```"+slackEscape(r)+"```"))
	}
	if a.NoCause != "" {
		m.Blocks = append(m.Blocks, section("No change explains it", slackEscape(a.NoCause)))
	}
	if lines := targetLines(a); len(lines) > 0 {
		m.Blocks = append(m.Blocks, section("Failing targets", slackBullets(lines)))
	}
	if lines := changeLines(a); len(lines) > 0 {
		m.Blocks = append(m.Blocks, section("Recent changes (newest first)", slackBullets(lines)))
	}
	ctxLine := "key `" + slackEscape(a.Key) + "`"
	if a.Verify != "" {
		ctxLine += " · verify: `" + slackEscape(a.Verify) + "`"
	}
	m.Blocks = append(m.Blocks, slackBlock{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: truncate(ctxLine, slackFieldMax)}}})
	return m
}

func slackBullets(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("• " + slackEscape(l) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// slackEscape escapes the three characters Slack's mrkdwn reserves
// ("Formatting text for app surfaces": &, <, >), so that a value from a
// file cannot become a link or a mention.
func slackEscape(s string) string { return slackEscaper.Replace(s) }

// slackEscaper is immutable and safe for concurrent use: built once.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
