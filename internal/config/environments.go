package config

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnvironmentOverride sets the environment of every profile found in a file
// whose path matches. It exists because the scanner's guess from key names
// and paths is sometimes wrong, and a production profile judged as
// development escapes the rules that matter most.
type EnvironmentOverride struct {
	// Path matches file paths relative to the scan root.
	Path Glob
	// Environment is one of production, staging, development, test: the
	// same names as profile.Environment.
	Environment    string
	EnvironmentPos Position
	// Pos is where the entry starts.
	Pos Position
}

// environmentNames lists the environments an override may name, in the
// order messages and documentation give them.
func environmentNames() []string {
	return []string{"production", "staging", "development", "test", "ci"}
}

// EnvironmentFor returns the environment dbguard.yaml sets for profiles
// found in relPath, a slash-separated path relative to the scan root. The
// first matching entry wins, so specific paths go before broad ones.
func (c *Config) EnvironmentFor(relPath string) (env string, ok bool) {
	if c == nil {
		return "", false
	}
	for _, e := range c.Environments {
		if e.Path.Match(relPath) {
			return e.Environment, true
		}
	}
	return "", false
}

func decodeEnvironments(d *decoder, n *yaml.Node, c *Config) {
	c.Environments = nil
	d.list(n, "environments", func(i int, item *yaml.Node) {
		name := at("environments", i)
		e := EnvironmentOverride{Pos: d.pos(item)}
		ok := d.mapping(item, name, []field{
			{name: "path", required: true, decode: func(v *yaml.Node) {
				e.Path.Pattern, _ = d.str(v, name+".path")
				e.Path.Pos = d.pos(resolve(v))
			}},
			{name: "environment", required: true, decode: func(v *yaml.Node) {
				e.Environment, _ = d.str(v, name+".environment")
				e.EnvironmentPos = d.pos(resolve(v))
			}},
		})
		if ok {
			c.Environments = append(c.Environments, e)
		}
	})
}

func validateEnvironments(c *Config, p *problems) {
	first := make(map[string]int)
	for i, e := range c.Environments {
		name := at("environments", i)
		validateGlob(p, e.Path, name+".path")
		if !slices.Contains(environmentNames(), e.Environment) {
			p.add(e.EnvironmentPos, "unknown environment %q in %s (known: %s)",
				e.Environment, name, strings.Join(environmentNames(), ", "))
		}
		key := normalGlob(e.Path.Pattern)
		if j, dup := first[key]; dup && e.Path.Pattern != "" {
			p.add(e.Path.Pos, "%s.path %q repeats environments[%d] (line %d); the first match wins, so this entry never applies",
				name, e.Path.Pattern, j, c.Environments[j].Path.Pos.Line)
			continue
		}
		first[key] = i
	}
}

// validateGlob reports a pattern that can never match as intended.
func validateGlob(p *problems, g Glob, name string) {
	if g.Pattern == "" {
		p.add(g.Pos, "%s must not be empty", name)
		return
	}
	if err := g.check(); err != nil {
		p.add(g.Pos, "%s %q %v", name, g.Pattern, err)
	}
}

// normalGlob spells a pattern the way Match reads it, so that "./a/" and
// "a/**" count as the same pattern.
func normalGlob(pattern string) string {
	return strings.Join(Glob{Pattern: pattern}.segments(), "/")
}
