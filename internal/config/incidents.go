package config

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// IncidentsConfig is the incidents section: how dbguard turns alerts into
// incidents and in which zone it writes their times.
type IncidentsConfig struct {
	// ResolveHold is how long an incident's alerts must stay resolved
	// before the incident resolves: a firing alert of the same service and
	// class within it joins the incident again instead of opening another.
	ResolveHold    time.Duration
	ResolveHoldPos Position
	// Timezone is the team's zone (an IANA name), in which postmortems and
	// incident listings print every time unless --tz says otherwise.
	Timezone    string
	TimezonePos Position
	Pos         Position
}

// DefaultResolveHold applies when the section does not set resolve_hold.
const DefaultResolveHold = 5 * time.Minute

// maxResolveHold bounds resolve_hold: a longer hold would merge unrelated
// outages of a service into one incident.
const maxResolveHold = 7 * 24 * time.Hour

// IncidentsSettings returns the incidents section, or nil when the file
// has none.
func (c *Config) IncidentsSettings() *IncidentsConfig {
	if c == nil {
		return nil
	}
	return c.Incidents
}

// IncidentResolveHold is the hold time in force.
func (c *Config) IncidentResolveHold() time.Duration {
	if s := c.IncidentsSettings(); s != nil && s.ResolveHold > 0 {
		return s.ResolveHold
	}
	return DefaultResolveHold
}

// IncidentTimezone is the team's zone, "" when the section names none
// (callers then use UTC).
func (c *Config) IncidentTimezone() string {
	if s := c.IncidentsSettings(); s != nil {
		return s.Timezone
	}
	return ""
}

func decodeIncidents(d *decoder, n *yaml.Node, c *Config) {
	s := &IncidentsConfig{Pos: d.pos(resolve(n))}
	c.Incidents = s
	if isNull(resolve(n)) {
		return
	}
	d.mapping(n, "incidents", []field{
		{name: "resolve_hold", decode: func(v *yaml.Node) {
			s.ResolveHoldPos = d.pos(resolve(v))
			text, ok := d.str(v, "incidents.resolve_hold")
			if !ok {
				return
			}
			hold, err := time.ParseDuration(text)
			if err != nil || hold <= 0 || hold > maxResolveHold {
				d.errorf(resolve(v), "incidents.resolve_hold: %q is not a positive duration of at most %s (5m, 30s, 1h)", text, "168h")
				return
			}
			s.ResolveHold = hold
		}},
		{name: "timezone", decode: func(v *yaml.Node) {
			s.TimezonePos = d.pos(resolve(v))
			s.Timezone, _ = d.str(v, "incidents.timezone")
		}},
	})
}

func validateIncidents(c *Config, p *problems) {
	s := c.Incidents
	if s == nil || s.Timezone == "" {
		return
	}
	if err := checkZone(s.Timezone); err != nil {
		p.add(s.TimezonePos, "incidents.timezone: %v", err)
	}
}

// checkZone accepts an IANA zone name. time.LoadLocation also accepts
// "Local", which would make a postmortem's times depend on the machine
// that drafts it; it is refused.
func checkZone(name string) error {
	if name == "Local" {
		return fmt.Errorf("%q depends on the machine: name a zone such as UTC or Africa/Lagos", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("%q is not a time zone (use an IANA name such as UTC or Africa/Lagos)", name)
	}
	return nil
}
