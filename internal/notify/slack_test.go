package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/notify"
)

// checkSlackShape checks a payload against Slack's documented incoming
// webhook and Block Kit shape (api.slack.com: "Sending messages using
// incoming webhooks", "Blocks", "Composition objects"): only text and
// blocks; at most 50 blocks of known types; a header's plain_text at most
// 150 characters; a section with text (at most 3000) or fields (at most 10,
// each at most 2000); a context with 1 to 10 text elements.
//
// It returns the fallback text, every text object's text, and the mrkdwn
// ones alone (where Slack reads <...> as links and mentions).
func checkSlackShape(t *testing.T, body []byte) (text string, all, mrkdwn []string) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("payload is not a JSON object: %v", err)
	}
	for k := range m {
		if k != "text" && k != "blocks" {
			t.Errorf("unexpected top-level member %q", k)
		}
	}
	if err := json.Unmarshal(m["text"], &text); err != nil || text == "" {
		t.Errorf("text = %s: want a non-empty string (the notification's fallback)", m["text"])
	}
	var blocks []map[string]json.RawMessage
	if err := json.Unmarshal(m["blocks"], &blocks); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	if len(blocks) == 0 || len(blocks) > 50 {
		t.Errorf("%d blocks, want 1 to 50", len(blocks))
	}
	textObj := func(where string, raw json.RawMessage, types string, limit int) {
		var o map[string]any
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Errorf("%s: not an object: %s", where, raw)
			return
		}
		typ, _ := o["type"].(string)
		s, _ := o["text"].(string)
		if !strings.Contains(types, typ) || typ == "" {
			t.Errorf("%s: text object type %q, want one of %s", where, typ, types)
		}
		if len(o) != 2 {
			t.Errorf("%s: text object members %v", where, o)
		}
		if s == "" || utf8.RuneCountInString(s) > limit {
			t.Errorf("%s: text of %d characters, want 1 to %d", where, utf8.RuneCountInString(s), limit)
		}
		all = append(all, s)
		if typ == "mrkdwn" {
			mrkdwn = append(mrkdwn, s)
		}
	}
	for i, b := range blocks {
		var typ string
		json.Unmarshal(b["type"], &typ)
		where := fmt.Sprintf("block %d (%s)", i, typ)
		allowed := map[string]bool{"type": true}
		switch typ {
		case "header":
			allowed["text"] = true
			textObj(where, b["text"], "plain_text", 150)
		case "section":
			allowed["text"], allowed["fields"] = true, true
			if b["text"] == nil && b["fields"] == nil {
				t.Errorf("%s: neither text nor fields", where)
			}
			if b["text"] != nil {
				textObj(where, b["text"], "plain_text mrkdwn", 3000)
			}
			if b["fields"] != nil {
				var fields []json.RawMessage
				json.Unmarshal(b["fields"], &fields)
				if len(fields) == 0 || len(fields) > 10 {
					t.Errorf("%s: %d fields, want 1 to 10", where, len(fields))
				}
				for _, f := range fields {
					textObj(where+" field", f, "plain_text mrkdwn", 2000)
				}
			}
		case "context":
			allowed["elements"] = true
			var els []json.RawMessage
			json.Unmarshal(b["elements"], &els)
			if len(els) == 0 || len(els) > 10 {
				t.Errorf("%s: %d elements, want 1 to 10", where, len(els))
			}
			for _, e := range els {
				textObj(where+" element", e, "plain_text mrkdwn", 2000)
			}
		case "divider":
		default:
			t.Errorf("%s: unknown block type", where)
		}
		for k := range b {
			if !allowed[k] {
				t.Errorf("%s: unexpected member %q", where, k)
			}
		}
	}
	return text, all, mrkdwn
}

func TestSlackPayload(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.setAnswer(func(int) (int, string) { return http.StatusOK, "ok" })
	n, err := notify.New(notify.Spec{Name: "chat", Type: notify.TypeSlack,
		URL: rcv.URL + "/services/T000/B000/XXXXXXXXXXXXXXXX", SendResolved: true})
	if err != nil {
		t.Fatal(err)
	}

	big := sampleAlert(alert.StateFiring)
	big.Summary = strings.Repeat("very long summary ", 400)
	for i := range 200 {
		tg := big.Targets[0]
		tg.Profile = fmt.Sprintf("services/orders/r%d/database.yml#production", i)
		tg.Detail = strings.Repeat("detail ", 100)
		big.Targets = append(big.Targets, tg)
	}
	hostile := sampleAlert(alert.StateFiring)
	hostile.Service = "orders <!channel> & <https://evil.example|click>"
	noCause := sampleAlert(alert.StateFiring)
	noCause.Cause, noCause.Changes = nil, nil
	noCause.NoCause = "no recorded change explains tcp_refused at stage tcp"

	for name, a := range map[string]alert.Alert{
		"firing":   sampleAlert(alert.StateFiring),
		"resolved": sampleAlert(alert.StateResolved),
		"big":      big,
		"hostile":  hostile,
		"no cause": noCause,
	} {
		t.Run(name, func(t *testing.T) {
			before := len(rcv.requests())
			if err := n.Notify(context.Background(), a); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			reqs := rcv.requests()
			if len(reqs) != before+1 {
				t.Fatalf("receiver got %d requests", len(reqs)-before)
			}
			r := reqs[len(reqs)-1]
			if r.Path != "/services/T000/B000/XXXXXXXXXXXXXXXX" || r.ContentType != "application/json" {
				t.Errorf("request %s (%s)", r.Path, r.ContentType)
			}
			text, all, mrkdwn := checkSlackShape(t, r.Body)
			joined := text + "\n" + strings.Join(all, "\n")
			if parsed := text + "\n" + strings.Join(mrkdwn, "\n"); strings.Contains(parsed, "<!channel>") || strings.Contains(parsed, "<https://") {
				t.Errorf("unescaped mrkdwn control sequence in %s", parsed)
			}
			if !strings.Contains(text, "["+strings.ToUpper(string(a.State))+"]") {
				t.Errorf("text %q does not say the state", text)
			}
			for _, want := range wantSlack(a) {
				if !strings.Contains(joined, want) {
					t.Errorf("payload lacks %q:\n%s", want, joined)
				}
			}
		})
	}
}

// wantSlack is what an on-call must read in a Slack message of a.
func wantSlack(a alert.Alert) []string {
	want := []string{string(a.Rule), "of 3 targets of", a.Class + " at " + a.Stage, "2026-03-04T10:00:00Z"}
	if a.Cause != nil {
		want = append(want, a.Cause.Rollback, "password changed (**** → ****)", "rev-7")
	}
	if a.NoCause != "" {
		want = append(want, a.NoCause)
	}
	if a.State == alert.StateResolved {
		want = append(want, "Resolved")
	}
	return want
}

func TestSlackErrors(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	rcv.setAnswer(func(int) (int, string) { return http.StatusForbidden, "invalid_token" })
	n, err := notify.New(notify.Spec{Name: "chat", Type: notify.TypeSlack, URL: rcv.URL + "/services/T1/B1/tokentokentoken"})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(context.Background(), sampleAlert(alert.StateFiring))
	if err == nil || !notify.Permanent(err) || !strings.Contains(err.Error(), "invalid_token") {
		t.Errorf("err = %v, want a permanent error saying invalid_token", err)
	}
	if strings.Contains(err.Error(), "tokentokentoken") || strings.Contains(err.Error(), "/services/") {
		t.Errorf("error quotes the Slack URL's path: %v", err)
	}
	// The resolved alert is not sent without SendResolved.
	rcv.setAnswer(nil)
	before := len(rcv.requests())
	if err := n.Notify(context.Background(), sampleAlert(alert.StateResolved)); err != nil || len(rcv.requests()) != before {
		t.Errorf("resolved without SendResolved: err %v, %d requests", err, len(rcv.requests())-before)
	}
	if err := n.Notify(context.Background(), sampleAlert(alert.StatePending)); err != nil || len(rcv.requests()) != before {
		t.Errorf("pending: err %v, %d requests", err, len(rcv.requests())-before)
	}
	for _, u := range []string{"http://hooks.slack.com/services/T/B/x", "http://10.0.0.1/x"} {
		if err := (notify.Spec{Name: "chat", Type: notify.TypeSlack, URL: u}).Validate(); err == nil {
			t.Errorf("Validate accepts the plain-http Slack URL %s", u)
		}
	}
}
