package config

import (
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// WatchAudit is the watch section's audit entry: when watch runs
// dbguard audit, over what, and whether a worsened audit notifies.
type WatchAudit struct {
	// Schedule is the cron spec as written; Cron is it parsed. Times are
	// in incidents.timezone, else UTC (AuditZone).
	Schedule    string
	Cron        cron.Schedule `json:"-"`
	SchedulePos Position
	// Paths are the audited paths, relative to dbguard.yaml's folder;
	// empty: the watch sources' paths.
	Paths []Glob
	// Live reads the servers' own settings (default true).
	Live bool
	// NotifyOn is "worsened" (default) or "never".
	NotifyOn    string
	NotifyOnPos Position
	// Timeout bounds one audit (default 10m).
	Timeout time.Duration
	Pos     Position
}

// AuditNotifyOn lists the values of watch.audit.notify_on.
func AuditNotifyOn() []string { return []string{"worsened", "never"} }

// AuditZone is the zone watch.audit.schedule is read in: the team's zone
// of incidents.timezone, so that "0 6 * * *" is six in the morning where
// the people who read the report are, else UTC. Never the machine's
// zone: a schedule should not move with the host it runs on.
func (c *Config) AuditZone() *time.Location {
	if z := c.IncidentTimezone(); z != "" {
		if loc, err := time.LoadLocation(z); err == nil {
			return loc
		}
	}
	return time.UTC
}

// cronParser reads the standard five fields and the descriptors
// (@daily, @hourly, @every 1h), as robfig/cron's ParseStandard does.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a watch.audit.schedule. A TZ= or CRON_TZ= prefix
// is refused: the zone is incidents.timezone's, said in one place.
func ParseSchedule(spec string) (cron.Schedule, error) {
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, errZonePrefix
	}
	return cronParser.Parse(spec)
}

var errZonePrefix = zoneError("takes no TZ= or CRON_TZ= prefix: the schedule is read in incidents.timezone, else UTC")

type zoneError string

func (e zoneError) Error() string { return string(e) }

func decodeWatchAudit(d *decoder, n *yaml.Node) *WatchAudit {
	a := &WatchAudit{Live: true, NotifyOn: "worsened", Timeout: 10 * time.Minute, Pos: d.pos(resolve(n))}
	const what = "watch.audit"
	d.mapping(n, what, []field{
		{name: "schedule", required: true, decode: func(v *yaml.Node) {
			a.SchedulePos = d.pos(resolve(v))
			s, ok := d.str(v, what+".schedule")
			if !ok {
				return
			}
			a.Schedule = s
			sch, err := ParseSchedule(s)
			if err != nil {
				d.errorf(resolve(v), "%s.schedule %q is not a cron schedule (five fields such as \"0 6 * * *\", or @daily, @hourly, @every 1h): %v", what, s, err)
				return
			}
			a.Cron = sch
		}},
		{name: "paths", decode: func(v *yaml.Node) { a.Paths = d.globList(v, what+".paths") }},
		{name: "live", decode: func(v *yaml.Node) {
			if x, ok := d.boolean(v, what+".live"); ok {
				a.Live = x
			}
		}},
		{name: "notify_on", decode: func(v *yaml.Node) {
			a.NotifyOnPos = d.pos(resolve(v))
			a.NotifyOn, _ = d.str(v, what+".notify_on")
		}},
		{name: "timeout", decode: func(v *yaml.Node) {
			if x, ok := d.duration(v, what+".timeout", false); ok {
				a.Timeout = x
			}
		}},
	})
	return a
}

func validateWatchAudit(c *Config, p *problems) {
	a := c.Watch.Audit
	if a == nil {
		return
	}
	for j, g := range a.Paths {
		validateGlob(p, g, at("watch.audit.paths", j))
	}
	if !slices.Contains(AuditNotifyOn(), a.NotifyOn) {
		p.add(a.NotifyOnPos, "watch.audit.notify_on: unknown value %q (known: %s)", a.NotifyOn, strings.Join(AuditNotifyOn(), ", "))
	}
}
