package output_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

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
				ext := map[string]string{"markdown": "md", "json": "json", "html": "html"}[f.Name]
				golden(t, filepath.Join("testdata", "golden", "postmortem-"+strings.ReplaceAll(strings.ToLower(zone), "/", "-")+"."+ext), []byte(got))
			})
		}
	}
}
