package config_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/config"
)

// The schedule is read in incidents.timezone: "0 6 * * 1-5" in
// Africa/Lagos (UTC+1) is 05:00 UTC, and Friday's run is followed by
// Monday's.
func TestAuditScheduleZone(t *testing.T) {
	cfg, err := config.Load(filepath.Join("testdata", "valid", "watch-audit.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Watch.Audit
	zone := cfg.AuditZone()
	friday := time.Date(2027, 1, 1, 5, 30, 0, 0, time.UTC) // 06:30 in Lagos, a Friday
	next := a.Cron.Next(friday.In(zone))
	if want := time.Date(2027, 1, 4, 5, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Errorf("next run after %s: %s, want %s", friday, next.UTC(), want)
	}
	if got := (&config.Config{}).AuditZone(); got != time.UTC {
		t.Errorf("zone without incidents.timezone: %s, want UTC", got)
	}
}

func TestParseSchedule(t *testing.T) {
	at := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		spec string
		next time.Time
	}{
		{"0 6 * * *", time.Date(2027, 3, 2, 6, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"@hourly", time.Date(2027, 3, 1, 11, 0, 0, 0, time.UTC)},
		{"@every 90s", at.Add(90 * time.Second)},
	} {
		s, err := config.ParseSchedule(tc.spec)
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		if got := s.Next(at); !got.Equal(tc.next) {
			t.Errorf("%s: next %s, want %s", tc.spec, got, tc.next)
		}
	}
	for _, bad := range []string{"", "* * * *", "0 6 * * * *", "TZ=UTC 0 6 * * *", "@fortnightly", "61 * * * *"} {
		if _, err := config.ParseSchedule(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0 6 * * *", "@daily", "@every 1s", "*/5 1-3 ? JAN MON-FRI", "CRON_TZ=UTC @daily"} {
		f.Add(s)
	}
	at := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := config.ParseSchedule(spec)
		if err != nil {
			return
		}
		if next := s.Next(at); !next.IsZero() && !next.After(at) {
			t.Errorf("%q: next %s is not after %s", spec, next, at)
		}
	})
}
