package audit

import (
	"fmt"
	"sort"

	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/policy"
)

// FleetDiff is one field on which copies of one service's connection
// disagree. It is check's fleet-inconsistent finding, shown in the
// audit's fleet section: the comparison is check's, not a second one.
type FleetDiff struct {
	Service     string   `json:"service"`
	Environment string   `json:"environment"`
	Field       string   `json:"field"`
	Profile     string   `json:"profile"`
	Message     string   `json:"message"`
	Others      []string `json:"others,omitempty"`
}

// FleetOf picks check's fleet findings; service names each profile's
// service.
func FleetOf(fs []policy.Finding, service func(profileID string) string) []FleetDiff {
	var out []FleetDiff
	for _, f := range fs {
		if f.Rule != policy.FleetInconsistent {
			continue
		}
		d := FleetDiff{Service: service(f.Profile), Environment: string(f.Environment), Field: f.Field, Profile: f.Profile, Message: f.Message}
		for _, r := range f.Related {
			d.Others = append(d.Others, r.Loc.String()+": "+r.Message)
		}
		out = append(out, d)
	}
	return out
}

// Capacity is one server's connection budget as package capacity counts
// it, with its arithmetic written out.
type Capacity struct {
	Server     string   `json:"server"`
	Available  int      `json:"available"`
	Total      int      `json:"total"`
	Over       bool     `json:"over"`
	Limit      string   `json:"limit"`
	LimitFrom  string   `json:"limit_from"` // "live" or "inventory"
	Arithmetic string   `json:"arithmetic"`
	Clients    []string `json:"clients"`
}

// CapacityOf describes a budget; from says where its limit came from.
// The arithmetic is capacity's Explain, from the first client's side.
func CapacityOf(b capacity.Budget, from string) Capacity {
	c := Capacity{Server: b.Limit.Server, Available: b.Limit.Available, Total: b.Total(), Over: b.Over(),
		Limit: b.Limit.What, LimitFrom: from, Arithmetic: b.Explain(0)}
	for _, d := range b.Demands {
		c.Clients = append(c.Clients, d.Client)
	}
	return c
}

// CapacityFinding is the finding of a budget over its limit.
func CapacityFinding(c Capacity) Finding {
	f := newFinding(SectionCapacity, CapacityExceeded, c.Server, "capacity",
		fmt.Sprintf("clients of %s open %d connections at peak, %d available (%s limit): %s", c.Server, c.Total, c.Available, c.LimitFrom, c.Arithmetic))
	return f
}

// Trend compares this audit's findings with the previous audit's.
type Trend struct {
	// Previous is the previous audit event's sequence number, 0 for the
	// first audit.
	Previous     int64    `json:"previous,omitempty"`
	PreviousTime string   `json:"previous_time,omitempty"`
	New          []string `json:"new"`
	Fixed        []string `json:"fixed"`
	Open         []string `json:"still_open"`
}

// TrendOf compares the keys of the previous audit with the findings now.
func TrendOf(previous []string, now []Finding) Trend {
	was := map[string]bool{}
	for _, k := range previous {
		was[k] = true
	}
	is := map[string]bool{}
	t := Trend{New: []string{}, Fixed: []string{}, Open: []string{}}
	for _, f := range now {
		if is[f.Key] {
			continue
		}
		is[f.Key] = true
		if was[f.Key] {
			t.Open = append(t.Open, f.Key)
		} else {
			t.New = append(t.New, f.Key)
		}
	}
	for _, k := range previous {
		if !is[k] {
			t.Fixed = append(t.Fixed, k)
		}
	}
	sort.Strings(t.New)
	sort.Strings(t.Fixed)
	sort.Strings(t.Open)
	return t
}

// Body is the body of an audit event: counts and the findings' keys and
// rules, so that the next audit's trend and watch's metrics read it
// without the report.
type Body struct {
	SchemaVersion int           `json:"schema_version"`
	Summary       Summary       `json:"summary"`
	Findings      []BodyFinding `json:"findings"`
}

// BodyFinding is one finding in an audit event.
type BodyFinding struct {
	Key      string          `json:"key"`
	Rule     string          `json:"rule"`
	Severity policy.Severity `json:"severity"`
}

// BodyOf is the audit event's body for a finished report.
func BodyOf(r *Report) Body {
	b := Body{SchemaVersion: SchemaVersion, Summary: r.Summary, Findings: []BodyFinding{}}
	for _, f := range r.Findings {
		b.Findings = append(b.Findings, BodyFinding{Key: f.Key, Rule: f.Rule, Severity: f.Severity})
	}
	return b
}

// PoolerFinding is a PgBouncer database whose pool exceeds the server
// behind it.
func PoolerFinding(pooler string, d PoolerDatabase, size int, lim capacity.Limit) Finding {
	f := newFinding(SectionLive, PoolerPoolExceedsServer, pooler, "db:"+d.Name,
		fmt.Sprintf("PgBouncer %s database %s: pool_size %d > %d available on %s (%s)", pooler, d.Name, size, lim.Available, lim.Server, lim.What))
	return f
}
