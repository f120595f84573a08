package output_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/review"
)

// TestReviewApprovalLabels: every format that shows approvals labels each
// one verified (forge) or unverified with where it came from, so that a
// name anyone could have typed is never read as one the forge vouches for.
func TestReviewApprovalLabels(t *testing.T) {
	approvals := []review.Approval{
		{User: "alice", Source: "github", Verified: true},
		{User: "bob", Source: review.SourceStore},
		{User: "carol", Source: "command line"},
	}
	rep := output.NewReviewReport(&diff.Result{Risk: diff.Low, Fingerprint: "v1:00000000000000000000000000000000"}, nil, approvals, "none")
	want := map[string]string{"alice": "verified (forge)", "bob": "unverified (store)", "carol": "unverified (command line)"}
	render := func(format string) string {
		f, err := output.ReviewFormats().Lookup(format)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.Render(&b, rep, output.Options{}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, format := range []string{"text", "markdown"} {
		out := render(format)
		for user, label := range want {
			if !strings.Contains(out, user+" — "+label) {
				t.Errorf("%s: %s is not labelled %q:\n%s", format, user, label, out)
			}
		}
	}
	var doc struct {
		Approvals []struct{ User, Label string } `json:"approvals"`
	}
	if err := json.Unmarshal([]byte(render("json")), &doc); err != nil || len(doc.Approvals) != 3 {
		t.Fatalf("json: %+v, %v", doc, err)
	}
	for _, a := range doc.Approvals {
		if a.Label != want[a.User] {
			t.Errorf("json: %s has label %q, want %q", a.User, a.Label, want[a.User])
		}
	}
}
