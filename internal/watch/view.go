package watch

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/config"
)

// ConfigView is the watch section as it applies, defaults filled in, for
// watch --check-config: every secret masked, and for each secret
// reference whether it resolves here.
type ConfigView struct {
	File          string           `json:"file" yaml:"file"`
	Listen        string           `json:"listen" yaml:"listen"`
	MetricsListen string           `json:"metrics_listen" yaml:"metrics_listen"`
	Interval      string           `json:"interval" yaml:"interval"`
	Timeout       string           `json:"timeout" yaml:"timeout"`
	Retries       int              `json:"retries" yaml:"retries"`
	Concurrency   int              `json:"concurrency" yaml:"concurrency"`
	Lookback      string           `json:"lookback" yaml:"lookback"`
	Sources       []SourceView     `json:"sources" yaml:"sources"`
	Profiles      []ProfileView    `json:"profiles,omitempty" yaml:"profiles,omitempty"`
	Alerts        map[string]any   `json:"alerts" yaml:"alerts"`
	Routes        []RouteView      `json:"routes,omitempty" yaml:"routes,omitempty"`
	Notifiers     []NotifierView   `json:"notifiers,omitempty" yaml:"notifiers,omitempty"`
	Silences      []map[string]any `json:"silences,omitempty" yaml:"silences,omitempty"`
	Audit         *AuditView       `json:"audit,omitempty" yaml:"audit,omitempty"`
}

// AuditView is the scheduled audit: its schedule with the zone it is
// read in and the next run, so that a schedule can be checked before it
// is deployed.
type AuditView struct {
	Schedule string   `json:"schedule" yaml:"schedule"`
	Zone     string   `json:"zone" yaml:"zone"`
	Next     string   `json:"next" yaml:"next"`
	Paths    []string `json:"paths,omitempty" yaml:"paths,omitempty"`
	Live     bool     `json:"live" yaml:"live"`
	NotifyOn string   `json:"notify_on" yaml:"notify_on"`
	Timeout  string   `json:"timeout" yaml:"timeout"`
}

// SourceView is one source.
type SourceView struct {
	Paths        []string `json:"paths" yaml:"paths"`
	Environments []string `json:"environments,omitempty" yaml:"environments,omitempty"`
}

// ProfileView is one per-profile override.
type ProfileView struct {
	Match    string   `json:"match" yaml:"match"`
	Interval string   `json:"interval,omitempty" yaml:"interval,omitempty"`
	Timeout  string   `json:"timeout,omitempty" yaml:"timeout,omitempty"`
	Retries  *int     `json:"retries,omitempty" yaml:"retries,omitempty"`
	Stages   []string `json:"stages,omitempty" yaml:"stages,omitempty"`
}

// RouteView is one route.
type RouteView struct {
	Match          map[string][]string `json:"match,omitempty" yaml:"match,omitempty"`
	Notifiers      []string            `json:"notifiers" yaml:"notifiers"`
	RepeatInterval string              `json:"repeat_interval" yaml:"repeat_interval"`
	Continue       bool                `json:"continue" yaml:"continue"`
}

// NotifierView is one notifier: its URL with any path masked, and each
// secret as its reference and whether it resolves.
type NotifierView struct {
	Name         string            `json:"name" yaml:"name"`
	Type         string            `json:"type" yaml:"type"`
	URL          string            `json:"url,omitempty" yaml:"url,omitempty"`
	Secrets      map[string]string `json:"secrets,omitempty" yaml:"secrets,omitempty"`
	SMTP         map[string]any    `json:"smtp,omitempty" yaml:"smtp,omitempty"`
	SendResolved bool              `json:"send_resolved" yaml:"send_resolved"`
	Timeout      string            `json:"timeout,omitempty" yaml:"timeout,omitempty"`
	Retries      *int              `json:"retries,omitempty" yaml:"retries,omitempty"`
	Backoff      string            `json:"backoff,omitempty" yaml:"backoff,omitempty"`
}

// ErrUnresolved says that a secret reference does not resolve here.
var ErrUnresolved = errors.New("secret reference does not resolve")

// View describes cfg's watch section for --check-config, checking each
// secret reference with getenv and the file system; the error joins an
// ErrUnresolved for every reference that does not resolve.
func View(cfg *config.Config, getenv func(string) string) (ConfigView, error) {
	w := cfg.WatchSettings()
	v := ConfigView{File: cfg.File, Listen: w.Listen, MetricsListen: w.MetricsListen, Interval: w.Interval.String(),
		Timeout: w.Timeout.String(), Retries: w.Retries, Concurrency: w.Concurrency, Lookback: w.Lookback.String()}
	for _, s := range w.Sources {
		sv := SourceView{Environments: s.Environments}
		for _, g := range s.Paths {
			sv.Paths = append(sv.Paths, g.Pattern)
		}
		v.Sources = append(v.Sources, sv)
	}
	for _, p := range w.Profiles {
		pv := ProfileView{Match: p.Match.Pattern, Stages: p.Stages}
		if p.Interval > 0 {
			pv.Interval = p.Interval.String()
		}
		if p.Timeout > 0 {
			pv.Timeout = p.Timeout.String()
		}
		if p.RetriesSet {
			r := p.Retries
			pv.Retries = &r
		}
		v.Profiles = append(v.Profiles, pv)
	}
	a := w.Alerts
	v.Alerts = map[string]any{
		"target_down":    map[string]any{"failures": a.TargetDown.Failures, "for": a.TargetDown.For.String()},
		"failure_ratio":  map[string]any{"ratio": a.FailureRatio.Ratio, "window": a.FailureRatio.Window.String(), "min_probes": a.FailureRatio.MinProbes},
		"change_induced": map[string]any{"enabled": a.ChangeInduced.Enabled},
		"capacity":       map[string]any{"share": a.Capacity.Share},
		"cert_expiring":  map[string]any{"within": a.CertExpiring.Within.String()},
	}
	if au := w.Audit; au != nil && au.Cron != nil {
		zone := cfg.AuditZone()
		av := &AuditView{Schedule: au.Schedule, Zone: zone.String(), Next: au.Cron.Next(time.Now().In(zone)).Format(time.RFC3339),
			Live: au.Live, NotifyOn: au.NotifyOn, Timeout: au.Timeout.String()}
		for _, g := range au.Paths {
			av.Paths = append(av.Paths, g.Pattern)
		}
		v.Audit = av
	}
	for _, r := range w.Routes {
		rv := RouteView{Notifiers: r.Notifiers, RepeatInterval: "4h0m0s", Continue: r.Continue}
		if r.RepeatInterval > 0 {
			rv.RepeatInterval = r.RepeatInterval.String()
		}
		if r.HasMatch {
			rv.Match = map[string][]string{}
			add := func(k string, vals []string) {
				if len(vals) > 0 {
					rv.Match[k] = vals
				}
			}
			add("class", r.Match.Class)
			add("stage", r.Match.Stage)
			add("environment", r.Match.Environment)
			add("service", r.Match.Service)
			var globs []string
			for _, g := range r.Match.Profile {
				globs = append(globs, g.Pattern)
			}
			add("profile", globs)
		}
		v.Routes = append(v.Routes, rv)
	}
	var errs []error
	for _, n := range w.Notifiers {
		nv := NotifierView{Name: n.Name, Type: n.Type, SendResolved: n.SendResolved, Secrets: map[string]string{}}
		if n.URL != "" {
			nv.URL = maskURL(n.URL)
		}
		ref := func(kind, name string, fromFile bool) {
			if name == "" {
				return
			}
			state := "set"
			if fromFile {
				p := name
				if !filepath.IsAbs(p) && cfg.File != "" {
					p = filepath.Join(filepath.Dir(cfg.File), p)
				}
				if _, err := os.Stat(p); err != nil {
					state = "not readable"
				}
			} else if getenv(name) == "" {
				state = "not set"
			}
			key := kind + "_env"
			if fromFile {
				key = kind + "_file"
			}
			nv.Secrets[key] = name + " (" + state + ")"
			if state != "set" {
				errs = append(errs, fmt.Errorf("%w: notifier %s: %s %s is %s", ErrUnresolved, n.Name, key, name, state))
			}
		}
		ref("url", n.URLEnv, false)
		ref("url", n.URLFile, true)
		ref("routing_key", n.RoutingKeyEnv, false)
		ref("routing_key", n.RoutingKeyFile, true)
		if s := n.SMTP; s != nil {
			ref("password", s.PasswordEnv, false)
			ref("password", s.PasswordFile, true)
			tls := s.TLS
			if tls == "" {
				tls = "starttls"
			}
			nv.SMTP = map[string]any{"addr": s.Addr, "from": s.From, "to": s.To, "username": s.Username, "tls": tls}
		}
		if len(nv.Secrets) == 0 {
			nv.Secrets = nil
		}
		if n.Timeout > 0 {
			nv.Timeout = n.Timeout.String()
		}
		if n.RetriesSet {
			r := n.Retries
			nv.Retries = &r
		}
		if n.Backoff > 0 {
			nv.Backoff = n.Backoff.String()
		}
		v.Notifiers = append(v.Notifiers, nv)
	}
	for _, s := range w.Silences {
		v.Silences = append(v.Silences, map[string]any{"profile": s.Profile.Pattern, "class": s.Class,
			"until": s.Until.Format("2006-01-02T15:04:05Z07:00"), "comment": s.Comment})
	}
	return v, errors.Join(errs...)
}

// maskURL keeps a URL's scheme, host and port and masks its path, where a
// webhook's token may hide even when the file may hold it.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "****"
	}
	out := u.Scheme + "://" + u.Host
	if p := strings.Trim(u.Path, "/"); p != "" {
		out += "/****"
	}
	return out
}
