package config

import (
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// RulesConfig is the rules section: how dbguard check judges profiles.
// Rule ids are checked against the rules actually loaded (built-in and
// custom) by the check command, since custom rules are not known here.
type RulesConfig struct {
	// Custom is the folder of custom CEL rules, relative to the current
	// directory (default .dbguard/rules when it exists).
	Custom    string
	CustomPos Position
	// PoolCeiling is the largest acceptable max-open pool per instance.
	PoolCeiling    int
	PoolCeilingPos Position
	// MaxConnectTimeout is the longest acceptable connect timeout.
	MaxConnectTimeout    time.Duration
	MaxConnectTimeoutPos Position
	// Overrides change single rules.
	Overrides []RuleOverride
	// EnvironmentSeverity replaces entries of the table that caps the
	// severity of availability and capacity rules by context (an
	// environment, or sample): context -> error, warning or info.
	EnvironmentSeverity []SeverityCap
	Pos                 Position
}

// SeverityCap is one entry of rules.environment_severity.
type SeverityCap struct {
	Context     string
	Severity    string
	ContextPos  Position
	SeverityPos Position
}

// severityContexts are the contexts rules.environment_severity may name:
// the canonical environments, unknown, and sample (a sample, template or
// fixture file). policy.Contexts is the same list (TestSeverityContexts).
func severityContexts() []string {
	return []string{"production", "unknown", "staging", "development", "test", "ci", "sample"}
}

// SeverityContexts returns the contexts rules.environment_severity may
// name, for the test that holds them equal to the policy's.
func SeverityContexts() []string { return severityContexts() }

// RuleOverride changes one rule: its severity, whether it runs, or the
// environments it applies to.
type RuleOverride struct {
	ID          string
	IDPos       Position
	Severity    string // error, warning, info; empty keeps the default
	SeverityPos Position
	// Enabled is nil when the entry does not say.
	Enabled *bool
	// Environments limits the rule to profiles of these environments.
	Environments    []string
	EnvironmentsPos Position
	Pos             Position
}

// RuleSettings returns the rules section, or nil when the file has none.
func (c *Config) RuleSettings() *RulesConfig {
	if c == nil {
		return nil
	}
	return c.Rules
}

func severityNames() []string { return []string{"error", "warning", "info"} }

// boolean decodes true or false, strictly: "yes" and "on" are refused.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || (n.Value != "true" && n.Value != "false") {
		d.errorf(n, "%s must be true or false, got %s", what, describe(n))
		return false, false
	}
	return n.Value == "true", true
}

// strings decodes a list of strings.
func (d *decoder) strs(n *yaml.Node, what string) []string {
	var out []string
	d.list(n, what, func(i int, v *yaml.Node) {
		if s, ok := d.str(v, at(what, i)); ok {
			out = append(out, s)
		}
	})
	return out
}

func decodeRules(d *decoder, n *yaml.Node, c *Config) {
	r := &RulesConfig{Pos: d.pos(resolve(n))}
	if isNull(resolve(n)) {
		c.Rules = r
		return
	}
	ok := d.mapping(n, "rules", []field{
		{name: "custom", decode: func(v *yaml.Node) {
			r.Custom, _ = d.str(v, "rules.custom")
			r.CustomPos = d.pos(resolve(v))
		}},
		{name: "pool_ceiling", decode: func(v *yaml.Node) {
			r.PoolCeiling, _ = d.integer(v, "rules.pool_ceiling")
			r.PoolCeilingPos = d.pos(resolve(v))
		}},
		{name: "max_connect_timeout", decode: func(v *yaml.Node) {
			r.MaxConnectTimeoutPos = d.pos(resolve(v))
			s, ok := d.str(v, "rules.max_connect_timeout")
			if !ok {
				return
			}
			t, err := time.ParseDuration(s)
			if err != nil {
				d.errorf(resolve(v), "rules.max_connect_timeout must be a duration such as 30s, got %q", s)
				return
			}
			r.MaxConnectTimeout = t
		}},
		{name: "environment_severity", decode: func(v *yaml.Node) {
			v = resolve(v)
			if v.Kind != yaml.MappingNode {
				d.errorf(v, "rules.environment_severity must be a mapping of context to severity, got %s", describe(v))
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], v.Content[i+1]
				ctx, ok := d.key(k)
				if !ok {
					continue
				}
				sev, _ := d.str(val, "rules.environment_severity."+ctx)
				r.EnvironmentSeverity = append(r.EnvironmentSeverity, SeverityCap{Context: ctx, Severity: sev,
					ContextPos: d.pos(k), SeverityPos: d.pos(resolve(val))})
			}
		}},
		{name: "overrides", decode: func(v *yaml.Node) {
			d.list(v, "rules.overrides", func(i int, item *yaml.Node) {
				name := at("rules.overrides", i)
				o := RuleOverride{Pos: d.pos(item)}
				if d.mapping(item, name, []field{
					{name: "id", required: true, decode: func(v *yaml.Node) {
						o.ID, _ = d.str(v, name+".id")
						o.IDPos = d.pos(resolve(v))
					}},
					{name: "severity", decode: func(v *yaml.Node) {
						o.Severity, _ = d.str(v, name+".severity")
						o.SeverityPos = d.pos(resolve(v))
					}},
					{name: "enabled", decode: func(v *yaml.Node) {
						if b, ok := d.boolean(v, name+".enabled"); ok {
							o.Enabled = &b
						}
					}},
					{name: "environments", decode: func(v *yaml.Node) {
						o.Environments = d.strs(v, name+".environments")
						o.EnvironmentsPos = d.pos(resolve(v))
					}},
				}) {
					r.Overrides = append(r.Overrides, o)
				}
			})
		}},
	})
	if ok {
		c.Rules = r
	}
}

func validateRules(c *Config, p *problems) {
	r := c.Rules
	if r == nil {
		return
	}
	if r.PoolCeilingPos.Line > 0 && r.PoolCeiling < 1 {
		p.add(r.PoolCeilingPos, "rules.pool_ceiling must be at least 1, got %d", r.PoolCeiling)
	}
	if r.MaxConnectTimeoutPos.Line > 0 && r.MaxConnectTimeout <= 0 {
		p.add(r.MaxConnectTimeoutPos, "rules.max_connect_timeout must be positive")
	}
	if r.CustomPos.Line > 0 && r.Custom == "" {
		p.add(r.CustomPos, "rules.custom must not be empty")
	}
	seenCtx := map[string]bool{}
	for _, sc := range r.EnvironmentSeverity {
		if !slices.Contains(severityContexts(), sc.Context) {
			p.add(sc.ContextPos, "unknown context %q in rules.environment_severity (known: %s)", sc.Context, strings.Join(severityContexts(), ", "))
		}
		if seenCtx[sc.Context] {
			p.add(sc.ContextPos, "rules.environment_severity names %q twice", sc.Context)
		}
		seenCtx[sc.Context] = true
		if !slices.Contains(severityNames(), sc.Severity) {
			p.add(sc.SeverityPos, "unknown severity %q in rules.environment_severity.%s (known: %s)", sc.Severity, sc.Context, strings.Join(severityNames(), ", "))
		}
	}
	first := map[string]int{}
	for i, o := range r.Overrides {
		name := at("rules.overrides", i)
		if !validRuleID(o.ID) {
			p.add(o.IDPos, "%s.id %q is not a rule id (lower-case words joined by '-')", name, o.ID)
		}
		if j, dup := first[o.ID]; dup {
			p.add(o.IDPos, "%s.id %q repeats rules.overrides[%d] (line %d); write one entry per rule", name, o.ID, j, r.Overrides[j].IDPos.Line)
		} else {
			first[o.ID] = i
		}
		if o.SeverityPos.Line > 0 && !slices.Contains(severityNames(), o.Severity) {
			p.add(o.SeverityPos, "unknown severity %q in %s (known: %s)", o.Severity, name, strings.Join(severityNames(), ", "))
		}
		for _, e := range o.Environments {
			if !slices.Contains(environmentNames(), e) {
				p.add(o.EnvironmentsPos, "unknown environment %q in %s.environments (known: %s)", e, name, strings.Join(environmentNames(), ", "))
			}
		}
		if o.SeverityPos.Line == 0 && o.Enabled == nil && o.EnvironmentsPos.Line == 0 && o.IDPos.Line > 0 {
			p.add(o.Pos, "%s changes nothing: give severity, enabled or environments", name)
		}
	}
}

// validRuleID reports a kebab-case id: lower-case letters and digits in
// words joined by single hyphens.
func validRuleID(id string) bool {
	if id == "" || strings.HasPrefix(id, "-") || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
