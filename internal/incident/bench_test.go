package incident_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
)

func BenchmarkProject(b *testing.B) {
	for _, n := range []int{100, 1000} {
		evs := sequenced(incidenttest.Fleet(n, 20, t0))
		b.Run(fmt.Sprintf("incidents=%d/events=%d", n, len(evs)), func(b *testing.B) {
			var p *incident.Projection
			for b.Loop() {
				p = incident.Project(evs, incident.Options{Now: t0.Add(time.Duration(n+1) * time.Hour)})
			}
			if len(p.Incidents) != n || p.Incidents[n-1].Mitigation != incident.WhatRollback || p.Incidents[n-1].Change == nil {
				b.Fatalf("%d incidents", len(p.Incidents))
			}
		})
	}
}
