package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
)

// BenchmarkIncidentCommands: incident list and a postmortem over a SQLite
// store of 1,000 incidents among 25,000 events, read and projected in
// full by each command.
func BenchmarkIncidentCommands(b *testing.B) {
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	req, _ := incidenttest.Store(b, incidenttest.Fleet(1000, 20, start), nil)
	now := start.Add(2000 * time.Hour)
	b.Run("list", func(b *testing.B) {
		for b.Loop() {
			l, err := app.ListIncidents(ctx, app.IncidentListRequest{Store: req, Now: now})
			if err != nil || len(l.Incidents) != 1000 {
				b.Fatalf("%v", err)
			}
		}
	})
	b.Run("postmortem", func(b *testing.B) {
		for b.Loop() {
			if _, err := app.DraftPostmortem(ctx, app.IncidentRequest{Store: req, ID: "inc-a0000500", Now: now}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
