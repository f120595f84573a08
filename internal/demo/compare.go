package demo

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// The seed postmortem's figures (/work/shared/seed-postmortem.txt, the
// outage dbguard was born from; its timeline is in WAT): monitoring
// alerted at 10:00 PM, "further investigation revealed misconfigured
// database connection parameters" at 10:30 PM, "misconfiguration
// rectified and service restored" at 12:30 AM, "incident resolved" at
// 1:00 AM. It does not say when the update was made nor when the first
// connection failed, so it has no time to detect.
const (
	seedToCause   = 30 * time.Minute
	seedToRecover = 150 * time.Minute
	seedToResolve = 3 * time.Hour
)

// Comparison is one row of the closing table.
type Comparison struct {
	Measure string
	// Demo is what this run measured from the store's events; Seed the
	// seed postmortem's figure (nil: it does not say).
	Demo, Seed *time.Duration
}

// Compare lines the run's durations up against the seed postmortem's.
func Compare(r *Result) []Comparison {
	seed := func(d time.Duration) *time.Duration { return &d }
	var resolve *time.Duration
	if r.Incident != nil && !r.Incident.Fired.IsZero() && !r.Incident.Resolved.IsZero() {
		d := r.Incident.Resolved.Sub(r.Incident.Fired)
		resolve = &d
	}
	return []Comparison{
		{"time to detect (change → alert)", r.Durations.ChangeToAlert, nil},
		{"time to cause (alert → cause named)", r.Durations.Cause, seed(seedToCause)},
		{"time to recover (alert → every target succeeds)", r.Durations.Recover, seed(seedToRecover)},
		{"time to resolve (alert → incident resolved)", resolve, seed(seedToResolve)},
	}
}

func writeComparison(w io.Writer, r *Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tTHIS RUN\tSEED POSTMORTEM")
	for _, c := range Compare(r) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Measure, human(c.Demo), human(c.Seed))
	}
	_ = tw.Flush()
}

func human(d *time.Duration) string {
	switch {
	case d == nil:
		return "not stated"
	case *d == 0:
		return "0 (named by the alert)"
	case *d < time.Minute:
		return d.Round(time.Millisecond).String()
	default:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if h == 0 {
			return fmt.Sprintf("%d min", m)
		}
		return fmt.Sprintf("%d h %02d min", h, m)
	}
}
