package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// StoreConfig is the store section: where dbguard keeps its event store
// when --store does not say. A SQLite file by path, or a PostgreSQL URL by
// reference only — the name of an environment variable or of a file that
// holds it — so that no password is ever written in a committed file.
type StoreConfig struct {
	// Path is a SQLite store file, relative to dbguard.yaml's folder.
	Path    string
	PathPos Position
	// URLEnv names the environment variable holding a PostgreSQL URL.
	URLEnv    string
	URLEnvPos Position
	// URLFile is a file holding a PostgreSQL URL, relative to
	// dbguard.yaml's folder.
	URLFile    string
	URLFilePos Position
	// Retention is how long events of high-volume kinds are kept, by
	// kind; store compact removes older ones. Nil: DefaultRetention.
	Retention    []Retention
	RetentionPos Position
	Pos          Position
}

// Retention keeps events of Kind for Keep.
type Retention struct {
	Kind string
	Keep time.Duration
	Pos  Position
}

// DefaultRetention applies when the store section sets none: probe
// summaries (written by watch) are kept 30 days; every other kind for good.
func DefaultRetention() []Retention {
	return []Retention{{Kind: "probe_summary", Keep: 30 * 24 * time.Hour}}
}

// StoreRetention returns the retention in force.
func (c *Config) StoreRetention() []Retention {
	if s := c.StoreSettings(); s != nil && s.Retention != nil {
		return s.Retention
	}
	return DefaultRetention()
}

// keptKinds are never removed by compaction: the history review and
// rollback stand on (internal/store keeps the same list).
func keptKinds() []string {
	return []string{"change", "review", "approval", "rollback", "checkpoint"}
}

func decodeRetention(d *decoder, n *yaml.Node, s *StoreConfig) {
	n = resolve(n)
	s.RetentionPos = d.pos(n)
	s.Retention = []Retention{}
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "store.retention must be a mapping of event kind to how long to keep it, got %s", describe(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kind, ok := d.key(n.Content[i])
		if !ok {
			continue
		}
		v, ok := d.str(n.Content[i+1], "store.retention."+kind)
		if !ok {
			continue
		}
		keep, err := parseKeep(v)
		if err != nil {
			d.errorf(n.Content[i+1], "store.retention.%s: %v", kind, err)
			continue
		}
		s.Retention = append(s.Retention, Retention{Kind: kind, Keep: keep, Pos: d.pos(n.Content[i])})
	}
}

// parseKeep reads 30d, 12h, 90m.
func parseKeep(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 && n <= 100*366 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not a positive duration of at most 100 years (30d, 12h)", v)
}

// StoreSettings returns the store section, or nil when the file has none.
func (c *Config) StoreSettings() *StoreConfig {
	if c == nil {
		return nil
	}
	return c.Store
}

func decodeStore(d *decoder, n *yaml.Node, c *Config) {
	s := &StoreConfig{Pos: d.pos(resolve(n))}
	c.Store = s
	if isNull(resolve(n)) {
		return
	}
	str := func(name string, dst *string, pos *Position) field {
		return field{name: name, decode: func(v *yaml.Node) {
			*pos = d.pos(resolve(v))
			*dst, _ = d.str(v, "store."+name)
		}}
	}
	d.mapping(n, "store", []field{
		str("path", &s.Path, &s.PathPos),
		str("url_env", &s.URLEnv, &s.URLEnvPos),
		str("url_file", &s.URLFile, &s.URLFilePos),
		{name: "retention", decode: func(v *yaml.Node) { decodeRetention(d, v, s) }},
	})
}

var (
	envName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	kindName = regexp.MustCompile(`^[a-z_]{1,64}$`)
)

func validateStore(c *Config, p *problems) {
	s := c.Store
	if s == nil {
		return
	}
	set := 0
	for _, v := range []string{s.Path, s.URLEnv, s.URLFile} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		p.add(s.Pos, "store takes one of path, url_env and url_file, not %d of them", set)
	}
	if s.URLEnv != "" && !envName.MatchString(s.URLEnv) {
		p.add(s.URLEnvPos, "store.url_env %q is not an environment variable name", s.URLEnv)
	}
	seen := map[string]bool{}
	for _, r := range s.Retention {
		switch {
		case slices.Contains(keptKinds(), r.Kind):
			p.add(r.Pos, "store.retention.%s: %s events are kept for good (kept: %s)", r.Kind, r.Kind, strings.Join(keptKinds(), ", "))
		case !kindName.MatchString(r.Kind):
			p.add(r.Pos, "store.retention: %q is not an event kind (lowercase letters and underscores)", r.Kind)
		case seen[r.Kind]:
			p.add(r.Pos, "store.retention.%s is set twice", r.Kind)
		}
		seen[r.Kind] = true
	}
}
