package output_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
	"github.com/dbguard/dbguard/internal/output"
)

// TestPostmortemGolden drafts the outage's postmortem at a fixed clock in
// UTC and in Africa/Lagos, in Markdown, JSON and HTML.
func TestPostmortemGolden(t *testing.T) {
	req, ph := incidenttest.Store(t, incidenttest.Events(), incidenttest.Revisions())
	for _, zone := range []string{"UTC", "Africa/Lagos"} {
		d, err := app.DraftPostmortem(context.Background(), app.IncidentRequest{Store: req, ID: incidenttest.IncidentID, Zone: zone, Now: incidenttest.Now})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range output.PostmortemFormats() {
			t.Run(zone+"/"+f.Name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := f.Render(&buf, d, output.Options{}); err != nil {
					t.Fatal(err)
				}
				got := ph.Restore(strings.ReplaceAll(buf.String(), req.Location, "STORE"))
				if strings.Contains(got, incidenttest.Password) {
					t.Fatalf("the postmortem shows the password")
				}
				if f.Name == "html" {
					// One self-contained file: nothing to fetch, nothing to run.
					for _, ref := range []string{"<script", "src=", "href=", "@import", "url(", "<link"} {
						if strings.Contains(strings.ToLower(got), ref) {
							t.Errorf("the HTML postmortem refers outside itself or runs code: %q", ref)
						}
					}
				}
				ext := map[string]string{"markdown": "md", "json": "json", "html": "html"}[f.Name]
				golden(t, filepath.Join("testdata", "golden", "postmortem-"+strings.ReplaceAll(strings.ToLower(zone), "/", "-")+"."+ext), []byte(got))
			})
		}
	}
}

// TestOverdueActions counts the open action items past their due day, as
// watch's metric will: at the fixed clock, one of the outage's two items
// (the other is done).
func TestOverdueActions(t *testing.T) {
	req, _ := incidenttest.Store(t, incidenttest.Events(), nil)
	st, err := app.OpenStore(context.Background(), req, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct {
		now  time.Time
		want int
	}{
		{incidenttest.Now, 1},
		{time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC), 0}, // its due day, not over yet
	} {
		n, err := app.OverdueActions(context.Background(), st.Store, time.UTC, c.now)
		if err != nil || n != c.want {
			t.Errorf("at %s: %d overdue (%v), want %d", c.now, n, err, c.want)
		}
	}
}
