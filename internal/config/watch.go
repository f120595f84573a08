package config

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dbguard/dbguard/internal/verify"
)

// DefaultWatchPort is where dbguard watch listens when nothing says
// otherwise: free in Prometheus's default port allocations list, and
// easy to remember beside PostgreSQL's 5432 (docs/watch.md says why).
const DefaultWatchPort = 9432

// WatchConfig is the watch section: what dbguard watch probes, how often,
// when it alerts and whom. Secrets (webhook URLs with tokens, routing
// keys, SMTP passwords) are only named here, by environment variable or
// file; watch resolves them in memory when it starts or reloads.
//
// The struct is plain data: watch keeps its run-time state (schedules,
// alert states, counters) in its own package, never here.
type WatchConfig struct {
	Listen           string
	ListenPos        Position
	MetricsListen    string
	MetricsListenPos Position
	Interval         time.Duration
	IntervalPos      Position
	Timeout          time.Duration
	TimeoutPos       Position
	Retries          int
	RetriesPos       Position
	Concurrency      int
	ConcurrencyPos   Position
	Lookback         time.Duration
	LookbackPos      Position
	Sources          []WatchSource
	Profiles         []WatchProfile
	Alerts           WatchAlerts
	Routes           []WatchRoute
	Notifiers        []WatchNotifier
	Silences         []WatchSilence
	// Audit, when set, schedules audits (watch_audit.go).
	Audit *WatchAudit
	Pos   Position
}

// WatchSource is a set of watched paths, relative to dbguard.yaml's
// folder, and the environments of the profiles found there that are
// probed (empty: every environment).
type WatchSource struct {
	Paths        []Glob
	Environments []string
	EnvPos       Position
	Pos          Position
}

// WatchProfile overrides the probe settings of the profiles whose id or
// name Match matches; the first matching entry wins. A zero field (or
// RetriesSet false) keeps the section's value.
type WatchProfile struct {
	Match      Glob
	Interval   time.Duration
	Timeout    time.Duration
	Retries    int
	RetriesSet bool
	// Stages is the list of stages probed, in order; the probe stops
	// after the last (a TCP-only probe is [dns, tcp]). Empty: all.
	Stages    []string
	StagesPos Position
	Pos       Position
}

// LastStage is the stage a profile's probe stops after ("" for all).
func (p WatchProfile) LastStage() string {
	if len(p.Stages) == 0 {
		return ""
	}
	return p.Stages[len(p.Stages)-1]
}

// WatchAlerts are the built-in alert rules' thresholds.
type WatchAlerts struct {
	TargetDown    TargetDownRule
	FailureRatio  FailureRatioRule
	ChangeInduced ChangeInducedRule
	Capacity      CapacityRule
	CertExpiring  CertExpiringRule
}

// TargetDownRule fires when a target failed Failures probes in a row and
// has been failing for For.
type TargetDownRule struct {
	Failures int
	For      time.Duration
	Pos      Position
}

// FailureRatioRule fires when at least Ratio of a service's probes over
// Window failed, once there were MinProbes.
type FailureRatioRule struct {
	Ratio     float64
	Window    time.Duration
	MinProbes int
	Pos       Position
}

// ChangeInducedRule fires at once when the first probe after a change
// fails.
type ChangeInducedRule struct {
	Enabled bool
	Pos     Position
}

// CapacityRule fires when the connections in use on a target's server
// pass Share of its max_connections.
type CapacityRule struct {
	Share float64
	Pos   Position
}

// CertExpiringRule fires when a server certificate expires within Within.
type CertExpiringRule struct {
	Within time.Duration
	Pos    Position
}

// WatchRoute sends the alerts it matches to Notifiers. Routes are tried in
// order; the first match wins unless Continue. A route without a match
// (HasMatch false; only the last may be one) matches every alert.
type WatchRoute struct {
	HasMatch       bool
	Match          RouteMatch
	Notifiers      []string
	NotifiersPos   Position
	RepeatInterval time.Duration
	Continue       bool
	Pos            Position
}

// RouteMatch holds a route's conditions; an empty list matches any value,
// and every non-empty list must hold the alert's value. Profile entries are
// globs on the failing targets' profile ids.
type RouteMatch struct {
	Class       []string
	Stage       []string
	Environment []string
	Profile     []Glob
	Service     []string
	Pos         Position
}

// WatchNotifier is one notifier: its secrets by reference only.
type WatchNotifier struct {
	Name           string
	Type           string
	TypePos        Position
	URL            string
	URLPos         Position
	URLEnv         string
	URLFile        string
	RoutingKeyEnv  string
	RoutingKeyFile string
	SMTP           *WatchSMTP
	SendResolved   bool
	Timeout        time.Duration
	// Retries is how many times a failed delivery is tried again;
	// RetriesSet is false when the file does not say (the notifier's
	// default applies), so that "retries: 0" means none.
	Retries    int
	RetriesSet bool
	Backoff    time.Duration
	Pos        Position
}

// WatchSMTP is an email notifier's server and envelope; the password by
// reference only.
type WatchSMTP struct {
	Addr         string
	From         string
	To           []string
	Username     string
	PasswordEnv  string
	PasswordFile string
	TLS          string
	ServerName   string
	Pos          Position
}

// WatchSilence mutes alerts of the profiles matching Profile and of Class
// (empty: any class) until Until.
type WatchSilence struct {
	Profile Glob
	Class   string
	Until   time.Time
	Comment string
	Pos     Position
}

// Matches reports whether the silence covers a target of profile id
// failing with class at now.
func (s WatchSilence) Matches(profileID, class string, now time.Time) bool {
	return now.Before(s.Until) && (s.Class == "" || s.Class == class) && s.Profile.Match(profileID)
}

// WatchDefaults is the watch section a file without one gets, and what
// each key of a watch section starts from.
func WatchDefaults() *WatchConfig {
	return &WatchConfig{
		Listen:      net.JoinHostPort("127.0.0.1", strconv.Itoa(DefaultWatchPort)),
		Interval:    10 * time.Second,
		Timeout:     5 * time.Second,
		Retries:     1,
		Concurrency: 64,
		Lookback:    time.Hour,
		Alerts: WatchAlerts{
			TargetDown:    TargetDownRule{Failures: 3},
			FailureRatio:  FailureRatioRule{Ratio: 0.5, Window: 5 * time.Minute, MinProbes: 10},
			ChangeInduced: ChangeInducedRule{Enabled: true},
			Capacity:      CapacityRule{Share: 0.9},
			CertExpiring:  CertExpiringRule{Within: 336 * time.Hour},
		},
	}
}

// WatchSettings returns the watch section, or the defaults when the file
// has none (or there is no file).
func (c *Config) WatchSettings() *WatchConfig {
	if c == nil || c.Watch == nil {
		return WatchDefaults()
	}
	return c.Watch
}

// ProfileOverride returns the first override matching a profile's id or
// name, and whether there is one.
func (w *WatchConfig) ProfileOverride(id, name string) (WatchProfile, bool) {
	for _, p := range w.Profiles {
		if p.Match.Match(id) || name != "" && p.Match.Match(name) {
			return p, true
		}
	}
	return WatchProfile{}, false
}

// Notifier returns the notifier called name.
func (w *WatchConfig) Notifier(name string) (WatchNotifier, bool) {
	for _, n := range w.Notifiers {
		if n.Name == name {
			return n, true
		}
	}
	return WatchNotifier{}, false
}

func notifierTypes() []string {
	return []string{"webhook", "slack", "alertmanager", "pagerduty", "email"}
}

func smtpTLSModes() []string { return []string{"starttls", "tls", "none"} }

// watchStages are the stages a probe may stop after: the tls, auth and
// database stages are one exchange with the server, so a probe cannot
// stop between them.
func watchStages() []string { return []string{"dns", "tcp", "query", "capacity"} }

// duration decodes a Go duration (10s, 1h30m). Negative durations are
// refused here; each key says whether zero is allowed.
func (d *decoder) duration(n *yaml.Node, what string, zeroOK bool) (time.Duration, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		d.errorf(resolve(n), "%s must be a duration such as 10s, 5m or 1h, got %q", what, s)
		return 0, false
	case v < 0 || v == 0 && !zeroOK:
		d.errorf(resolve(n), "%s must be positive, got %s", what, s)
		return 0, false
	}
	return v, true
}

// share decodes a number in (0, 1].
func (d *decoder) share(n *yaml.Node, what string) (float64, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!float" && n.ShortTag() != "!!int") {
		d.errorf(n, "%s must be a number between 0 and 1, got %s", what, describe(n))
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || v <= 0 || v > 1 {
		d.errorf(n, "%s must be a number above 0 and at most 1, got %s", what, n.Value)
		return 0, false
	}
	return v, true
}

// count decodes a whole number of at least lo.
func (d *decoder) count(n *yaml.Node, what string, lo int) (int, bool) {
	v, ok := d.integer(n, what)
	if ok && v < lo {
		d.errorf(resolve(n), "%s must be at least %d, got %d", what, lo, v)
		return 0, false
	}
	return v, ok
}

func decodeWatch(d *decoder, n *yaml.Node, c *Config) {
	w := WatchDefaults()
	w.Pos = d.pos(resolve(n))
	c.Watch = w
	if isNull(resolve(n)) {
		return
	}
	dur := func(name string, dst *time.Duration, pos *Position, zeroOK bool) field {
		return field{name: name, decode: func(v *yaml.Node) {
			*pos = d.pos(resolve(v))
			if x, ok := d.duration(v, "watch."+name, zeroOK); ok {
				*dst = x
			}
		}}
	}
	d.mapping(n, "watch", []field{
		{name: "listen", decode: func(v *yaml.Node) {
			w.ListenPos = d.pos(resolve(v))
			w.Listen, _ = d.str(v, "watch.listen")
		}},
		{name: "metrics_listen", decode: func(v *yaml.Node) {
			w.MetricsListenPos = d.pos(resolve(v))
			w.MetricsListen, _ = d.str(v, "watch.metrics_listen")
		}},
		dur("interval", &w.Interval, &w.IntervalPos, false),
		dur("timeout", &w.Timeout, &w.TimeoutPos, false),
		dur("lookback", &w.Lookback, &w.LookbackPos, false),
		{name: "retries", decode: func(v *yaml.Node) {
			w.RetriesPos = d.pos(resolve(v))
			if x, ok := d.count(v, "watch.retries", 0); ok {
				w.Retries = x
			}
		}},
		{name: "concurrency", decode: func(v *yaml.Node) {
			w.ConcurrencyPos = d.pos(resolve(v))
			if x, ok := d.count(v, "watch.concurrency", 1); ok {
				w.Concurrency = x
			}
		}},
		{name: "sources", decode: func(v *yaml.Node) { w.Sources = decodeWatchSources(d, v) }},
		{name: "profiles", decode: func(v *yaml.Node) { w.Profiles = decodeWatchProfiles(d, v) }},
		{name: "alerts", decode: func(v *yaml.Node) { decodeWatchAlerts(d, v, &w.Alerts) }},
		{name: "routes", decode: func(v *yaml.Node) { w.Routes = decodeWatchRoutes(d, v) }},
		{name: "notifiers", decode: func(v *yaml.Node) { w.Notifiers = decodeWatchNotifiers(d, v) }},
		{name: "silences", decode: func(v *yaml.Node) { w.Silences = decodeWatchSilences(d, v) }},
		{name: "audit", decode: func(v *yaml.Node) { w.Audit = decodeWatchAudit(d, v) }},
	})
}

// globList decodes a list of globs.
func (d *decoder) globList(n *yaml.Node, what string) []Glob {
	var out []Glob
	d.list(n, what, func(i int, g *yaml.Node) {
		gl := Glob{Pos: d.pos(g)}
		var ok bool
		if gl.Pattern, ok = d.str(g, at(what, i)); ok {
			out = append(out, gl)
		}
	})
	return out
}

// entries decodes a list of fixed-shape mappings: each element starts as
// start(its position) and keeps what fields(its dotted name, it) decode;
// an element that is not a mapping is reported and left out.
func entries[T any](d *decoder, n *yaml.Node, list string, start func(Position) T, fields func(name string, e *T) []field) []T {
	var out []T
	d.list(n, list, func(i int, item *yaml.Node) {
		e := start(d.pos(item))
		if d.mapping(item, at(list, i), fields(at(list, i), &e)) {
			out = append(out, e)
		}
	})
	return out
}

func decodeWatchSources(d *decoder, n *yaml.Node) []WatchSource {
	return entries(d, n, "watch.sources", func(pos Position) WatchSource { return WatchSource{Pos: pos} }, func(name string, s *WatchSource) []field {
		return []field{
			{name: "paths", required: true, decode: func(v *yaml.Node) { s.Paths = d.globList(v, name+".paths") }},
			{name: "environments", decode: func(v *yaml.Node) {
				s.EnvPos = d.pos(resolve(v))
				s.Environments = d.strs(v, name+".environments")
			}},
		}
	})
}

func decodeWatchProfiles(d *decoder, n *yaml.Node) []WatchProfile {
	return entries(d, n, "watch.profiles", func(pos Position) WatchProfile { return WatchProfile{Pos: pos} }, func(name string, p *WatchProfile) []field {
		return []field{
			{name: "match", required: true, decode: func(v *yaml.Node) {
				p.Match.Pos = d.pos(resolve(v))
				p.Match.Pattern, _ = d.str(v, name+".match")
			}},
			{name: "interval", decode: func(v *yaml.Node) { p.Interval, _ = d.duration(v, name+".interval", false) }},
			{name: "timeout", decode: func(v *yaml.Node) { p.Timeout, _ = d.duration(v, name+".timeout", false) }},
			{name: "retries", decode: func(v *yaml.Node) { p.Retries, p.RetriesSet = d.count(v, name+".retries", 0) }},
			{name: "stages", decode: func(v *yaml.Node) {
				p.StagesPos = d.pos(resolve(v))
				p.Stages = d.strs(v, name+".stages")
			}},
		}
	})
}

func decodeWatchAlerts(d *decoder, n *yaml.Node, a *WatchAlerts) {
	rule := func(name string, pos *Position, fields func(what string) []field) field {
		return field{name: name, decode: func(v *yaml.Node) {
			*pos = d.pos(resolve(v))
			what := "watch.alerts." + name
			d.mapping(v, what, fields(what))
		}}
	}
	d.mapping(n, "watch.alerts", []field{
		rule("target_down", &a.TargetDown.Pos, func(what string) []field {
			return []field{
				{name: "failures", decode: func(v *yaml.Node) {
					if x, ok := d.count(v, what+".failures", 1); ok {
						a.TargetDown.Failures = x
					}
				}},
				{name: "for", decode: func(v *yaml.Node) {
					if x, ok := d.duration(v, what+".for", true); ok {
						a.TargetDown.For = x
					}
				}},
			}
		}),
		rule("failure_ratio", &a.FailureRatio.Pos, func(what string) []field {
			return []field{
				{name: "ratio", decode: func(v *yaml.Node) {
					if x, ok := d.share(v, what+".ratio"); ok {
						a.FailureRatio.Ratio = x
					}
				}},
				{name: "window", decode: func(v *yaml.Node) {
					if x, ok := d.duration(v, what+".window", false); ok {
						a.FailureRatio.Window = x
					}
				}},
				{name: "min_probes", decode: func(v *yaml.Node) {
					if x, ok := d.count(v, what+".min_probes", 1); ok {
						a.FailureRatio.MinProbes = x
					}
				}},
			}
		}),
		rule("change_induced", &a.ChangeInduced.Pos, func(what string) []field {
			return []field{{name: "enabled", decode: func(v *yaml.Node) {
				if x, ok := d.boolean(v, what+".enabled"); ok {
					a.ChangeInduced.Enabled = x
				}
			}}}
		}),
		rule("capacity", &a.Capacity.Pos, func(what string) []field {
			return []field{{name: "share", decode: func(v *yaml.Node) {
				if x, ok := d.share(v, what+".share"); ok {
					a.Capacity.Share = x
				}
			}}}
		}),
		rule("cert_expiring", &a.CertExpiring.Pos, func(what string) []field {
			return []field{{name: "within", decode: func(v *yaml.Node) {
				if x, ok := d.duration(v, what+".within", false); ok {
					a.CertExpiring.Within = x
				}
			}}}
		}),
	})
}

func decodeWatchRoutes(d *decoder, n *yaml.Node) []WatchRoute {
	return entries(d, n, "watch.routes", func(pos Position) WatchRoute { return WatchRoute{Pos: pos} }, func(name string, r *WatchRoute) []field {
		return []field{
			{name: "match", decode: func(v *yaml.Node) {
				r.HasMatch = true
				m := &r.Match
				m.Pos = d.pos(resolve(v))
				what := name + ".match"
				d.mapping(v, what, []field{
					{name: "class", decode: func(v *yaml.Node) { m.Class = d.strs(v, what+".class") }},
					{name: "stage", decode: func(v *yaml.Node) { m.Stage = d.strs(v, what+".stage") }},
					{name: "environment", decode: func(v *yaml.Node) { m.Environment = d.strs(v, what+".environment") }},
					{name: "profile", decode: func(v *yaml.Node) { m.Profile = d.globList(v, what+".profile") }},
					{name: "service", decode: func(v *yaml.Node) { m.Service = d.strs(v, what+".service") }},
				})
			}},
			{name: "notifiers", required: true, decode: func(v *yaml.Node) {
				r.NotifiersPos = d.pos(resolve(v))
				r.Notifiers = d.strs(v, name+".notifiers")
			}},
			{name: "repeat_interval", decode: func(v *yaml.Node) { r.RepeatInterval, _ = d.duration(v, name+".repeat_interval", false) }},
			{name: "continue", decode: func(v *yaml.Node) { r.Continue, _ = d.boolean(v, name+".continue") }},
		}
	})
}

func decodeWatchNotifiers(d *decoder, n *yaml.Node) []WatchNotifier {
	var out []WatchNotifier
	d.list(n, "watch.notifiers", func(i int, item *yaml.Node) {
		name := at("watch.notifiers", i)
		nt := WatchNotifier{Pos: d.pos(item), SendResolved: true}
		str := func(key string, dst *string, pos *Position) field {
			return field{name: key, decode: func(v *yaml.Node) {
				if pos != nil {
					*pos = d.pos(resolve(v))
				}
				*dst, _ = d.str(v, name+"."+key)
			}}
		}
		if d.mapping(item, name, []field{
			{name: "name", required: true, decode: func(v *yaml.Node) { nt.Name, _ = d.str(v, name+".name") }},
			str("type", &nt.Type, &nt.TypePos),
			str("url", &nt.URL, &nt.URLPos),
			str("url_env", &nt.URLEnv, nil),
			str("url_file", &nt.URLFile, nil),
			str("routing_key_env", &nt.RoutingKeyEnv, nil),
			str("routing_key_file", &nt.RoutingKeyFile, nil),
			{name: "smtp", decode: func(v *yaml.Node) { nt.SMTP = decodeWatchSMTP(d, v, name+".smtp") }},
			{name: "send_resolved", decode: func(v *yaml.Node) { nt.SendResolved, _ = d.boolean(v, name+".send_resolved") }},
			{name: "timeout", decode: func(v *yaml.Node) { nt.Timeout, _ = d.duration(v, name+".timeout", false) }},
			{name: "retries", decode: func(v *yaml.Node) { nt.Retries, nt.RetriesSet = d.count(v, name+".retries", 0) }},
			{name: "backoff", decode: func(v *yaml.Node) { nt.Backoff, _ = d.duration(v, name+".backoff", false) }},
		}) {
			if nt.TypePos == (Position{}) {
				d.errorf(resolve(item), "missing required key \"type\" in %s", name)
			}
			out = append(out, nt)
		}
	})
	return out
}

func decodeWatchSMTP(d *decoder, n *yaml.Node, what string) *WatchSMTP {
	s := &WatchSMTP{Pos: d.pos(resolve(n))}
	str := func(key string, dst *string, required bool) field {
		return field{name: key, required: required, decode: func(v *yaml.Node) { *dst, _ = d.str(v, what+"."+key) }}
	}
	d.mapping(n, what, []field{
		str("addr", &s.Addr, true),
		str("from", &s.From, true),
		{name: "to", required: true, decode: func(v *yaml.Node) { s.To = d.strs(v, what+".to") }},
		str("username", &s.Username, false),
		str("password_env", &s.PasswordEnv, false),
		str("password_file", &s.PasswordFile, false),
		str("tls", &s.TLS, false),
		str("server_name", &s.ServerName, false),
	})
	return s
}

func decodeWatchSilences(d *decoder, n *yaml.Node) []WatchSilence {
	return entries(d, n, "watch.silences", func(pos Position) WatchSilence { return WatchSilence{Pos: pos} }, func(name string, s *WatchSilence) []field {
		return []field{
			{name: "profile", required: true, decode: func(v *yaml.Node) {
				s.Profile.Pos = d.pos(resolve(v))
				s.Profile.Pattern, _ = d.str(v, name+".profile")
			}},
			{name: "class", decode: func(v *yaml.Node) { s.Class, _ = d.str(v, name+".class") }},
			{name: "until", required: true, decode: func(v *yaml.Node) {
				txt, ok := d.str(v, name+".until")
				if !ok {
					return
				}
				t, err := time.Parse(time.RFC3339, txt)
				if err != nil {
					d.errorf(resolve(v), "%s.until must be a time such as 2027-01-31T00:00:00Z, got %q", name, txt)
					return
				}
				s.Until = t.UTC()
			}},
			{name: "comment", decode: func(v *yaml.Node) { s.Comment, _ = d.str(v, name+".comment") }},
		}
	})
}

func validateWatch(c *Config, p *problems) {
	w := c.Watch
	if w == nil {
		return
	}
	validateListen(p, w.Listen, w.ListenPos, "watch.listen", false)
	validateListen(p, w.MetricsListen, w.MetricsListenPos, "watch.metrics_listen", true)
	for i, s := range w.Sources {
		name := at("watch.sources", i)
		if len(s.Paths) == 0 {
			p.add(s.Pos, "%s.paths names no path", name)
		}
		for j, g := range s.Paths {
			validateGlob(p, g, at(name+".paths", j))
		}
		for _, e := range s.Environments {
			if !slices.Contains(environmentNames(), e) {
				p.add(s.EnvPos, "%s.environments: unknown environment %q (known: %s)", name, e, strings.Join(environmentNames(), ", "))
			}
		}
	}
	for i, o := range w.Profiles {
		name := at("watch.profiles", i)
		validateGlob(p, o.Match, name+".match")
		if msg := checkStages(o.Stages); msg != "" {
			p.add(o.StagesPos, "%s.stages %s", name, msg)
		}
	}
	names := map[string]bool{}
	for i, n := range w.Notifiers {
		name := at("watch.notifiers", i)
		if n.Name == "" {
			p.add(n.Pos, "%s.name must not be empty", name)
		} else if names[n.Name] {
			p.add(n.Pos, "%s: notifier %q is defined twice", name, n.Name)
		}
		names[n.Name] = true
		validateNotifier(p, n, name)
	}
	for i, r := range w.Routes {
		name := at("watch.routes", i)
		if !r.HasMatch && i != len(w.Routes)-1 {
			p.add(r.Pos, "%s has no match, so the routes after it are never reached; only the last route may match everything", name)
		}
		if len(r.Notifiers) == 0 {
			p.add(r.NotifiersPos, "%s.notifiers names no notifier", name)
		}
		for _, nn := range r.Notifiers {
			if !names[nn] {
				p.add(r.NotifiersPos, "%s.notifiers: no notifier is called %q (defined: %s)", name, nn, strings.Join(sortedKeys(names), ", "))
			}
		}
		m := r.Match
		for _, cl := range m.Class {
			if !knownClass(cl) {
				p.add(m.Pos, "%s.match.class: unknown class %q (docs/taxonomy.md lists them)", name, cl)
			}
		}
		for _, st := range m.Stage {
			if !knownStage(st) {
				p.add(m.Pos, "%s.match.stage: unknown stage %q (known: %s)", name, st, stageList())
			}
		}
		for _, e := range m.Environment {
			if !slices.Contains(environmentNames(), e) {
				p.add(m.Pos, "%s.match.environment: unknown environment %q (known: %s)", name, e, strings.Join(environmentNames(), ", "))
			}
		}
		for j, g := range m.Profile {
			validateGlob(p, g, at(name+".match.profile", j))
		}
	}
	validateWatchAudit(c, p)
	for i, s := range w.Silences {
		name := at("watch.silences", i)
		validateGlob(p, s.Profile, name+".profile")
		if s.Class != "" && !knownClass(s.Class) {
			p.add(s.Pos, "%s.class: unknown class %q (docs/taxonomy.md lists them)", name, s.Class)
		}
	}
}

// validateListen checks a host:port listen address; empty is allowed only
// where the key is optional.
func validateListen(p *problems, addr string, pos Position, what string, optional bool) {
	if addr == "" {
		if !optional {
			p.add(pos, "%s must not be empty", what)
		}
		return
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		p.add(pos, "%s %q is not host:port (127.0.0.1:%d, [::1]:%d, :%d)", what, addr, DefaultWatchPort, DefaultWatchPort, DefaultWatchPort)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.add(pos, "%s %q: the port must be a number from 0 to 65535", what, addr)
	}
}

// checkStages says what is wrong with a stages list, or "".
func checkStages(stages []string) string {
	if len(stages) == 0 {
		return ""
	}
	order := []string{"dns", "tcp", "tls", "auth", "database", "query", "capacity"}
	for i, s := range stages {
		if i >= len(order) || order[i] != s {
			return fmt.Sprintf("must list the stages in probe order from dns without gaps (%s), got %s", strings.Join(order, ", "), strings.Join(stages, ", "))
		}
	}
	if last := stages[len(stages)-1]; !slices.Contains(watchStages(), last) {
		return fmt.Sprintf("cannot end at %s: tls, auth and database are one exchange with the server; end at %s", last, strings.Join(watchStages(), ", "))
	}
	return ""
}

// validateNotifier checks a notifier's type and that its secrets are
// referenced, never written: a literal URL only where it can hold no
// token (no userinfo, no query) and never for Slack, whose URL is the
// token.
func validateNotifier(p *problems, n WatchNotifier, name string) {
	if n.Type == "" {
		return // reported at decode as missing
	}
	if !slices.Contains(notifierTypes(), n.Type) {
		p.add(n.TypePos, "%s.type: unknown notifier type %q (known: %s)", name, n.Type, strings.Join(notifierTypes(), ", "))
		return
	}
	count := func(vals ...string) int {
		k := 0
		for _, v := range vals {
			if v != "" {
				k++
			}
		}
		return k
	}
	refs := func(keys string, vals ...string) {
		switch count(vals...) {
		case 0:
			p.add(n.Pos, "%s (%s) needs one of %s", name, n.Type, keys)
		case 1:
		default:
			p.add(n.Pos, "%s (%s) takes one of %s, not several", name, n.Type, keys)
		}
	}
	forbid := func(what string, vals ...string) {
		if count(vals...) > 0 {
			p.add(n.Pos, "%s (%s) does not take %s", name, n.Type, what)
		}
	}
	switch n.Type {
	case "webhook", "alertmanager":
		refs("url, url_env or url_file", n.URL, n.URLEnv, n.URLFile)
		forbid("routing_key_env or routing_key_file", n.RoutingKeyEnv, n.RoutingKeyFile)
	case "slack":
		refs("url_env or url_file (a Slack webhook URL is its token: never write it in the file)", n.URLEnv, n.URLFile)
		forbid("routing_key_env or routing_key_file", n.RoutingKeyEnv, n.RoutingKeyFile)
	case "pagerduty":
		refs("routing_key_env or routing_key_file", n.RoutingKeyEnv, n.RoutingKeyFile)
		forbid("url_env or url_file (the Events API URL is not secret; use url)", n.URLEnv, n.URLFile)
	case "email":
		forbid("url, url_env, url_file, routing_key_env or routing_key_file", n.URL, n.URLEnv, n.URLFile, n.RoutingKeyEnv, n.RoutingKeyFile)
		if n.SMTP == nil {
			p.add(n.Pos, "%s (email) needs smtp", name)
		}
	}
	if n.Type != "email" && n.SMTP != nil {
		p.add(n.SMTP.Pos, "%s (%s) does not take smtp", name, n.Type)
	}
	if n.URL != "" {
		if n.Type == "slack" {
			p.add(n.URLPos, "%s.url: a Slack webhook URL is a secret; use url_env or url_file", name)
		} else if msg := literalURLProblem(n.URL); msg != "" {
			p.add(n.URLPos, "%s.url %s", name, msg)
		}
	}
	if s := n.SMTP; s != nil {
		if _, _, err := net.SplitHostPort(s.Addr); s.Addr != "" && err != nil {
			p.add(s.Pos, "%s.smtp.addr %q is not host:port", name, s.Addr)
		}
		if len(s.To) == 0 {
			p.add(s.Pos, "%s.smtp.to names no recipient", name)
		}
		if s.PasswordEnv != "" && s.PasswordFile != "" {
			p.add(s.Pos, "%s.smtp takes one of password_env and password_file, not both", name)
		}
		if s.PasswordEnv != "" && !envName.MatchString(s.PasswordEnv) {
			p.add(s.Pos, "%s.smtp.password_env %q is not an environment variable name", name, s.PasswordEnv)
		}
		if s.TLS != "" && !slices.Contains(smtpTLSModes(), s.TLS) {
			p.add(s.Pos, "%s.smtp.tls: unknown mode %q (known: %s)", name, s.TLS, strings.Join(smtpTLSModes(), ", "))
		}
	}
	for _, e := range []string{n.URLEnv, n.RoutingKeyEnv} {
		if e != "" && !envName.MatchString(e) {
			p.add(n.Pos, "%s: %q is not an environment variable name", name, e)
		}
	}
}

// literalURLProblem says why a URL may not be written literally, or "".
// The message never repeats the URL: it may hold the very secret it is
// about.
func literalURLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return "must be an http:// or https:// URL with a host"
	case u.User != nil:
		return "holds a user or password: put the URL in url_env or url_file"
	case u.RawQuery != "" || u.ForceQuery:
		return "has a query string, where tokens live: put the URL in url_env or url_file"
	}
	return ""
}

func knownClass(c string) bool {
	if c == string(verify.ClassNotVerified) {
		return false
	}
	for _, info := range verify.Classes() {
		if string(info.Class) == c {
			return true
		}
	}
	return false
}

func knownStage(s string) bool {
	return slices.Contains(verify.Stages(), verify.Stage(s))
}

func stageList() string {
	var out []string
	for _, s := range verify.Stages() {
		out = append(out, string(s))
	}
	return strings.Join(out, ", ")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
