package config

import "gopkg.in/yaml.v3"

// Excluded reports whether the scanner should skip relPath, a
// slash-separated path relative to the scan root. A pattern ending in /**
// also matches the directory itself, so a scanner asking about a directory
// can skip it whole.
func (c *Config) Excluded(relPath string) bool {
	if c == nil {
		return false
	}
	for _, g := range c.Exclude {
		if g.Match(relPath) {
			return true
		}
	}
	return false
}

func decodeExclude(d *decoder, n *yaml.Node, c *Config) {
	c.Exclude = nil
	d.list(n, "exclude", func(i int, item *yaml.Node) {
		g := Glob{Pos: d.pos(item)}
		var ok bool
		if g.Pattern, ok = d.str(item, at("exclude", i)); ok {
			c.Exclude = append(c.Exclude, g)
		}
	})
}

func validateExclude(c *Config, p *problems) {
	for i, g := range c.Exclude {
		validateGlob(p, g, at("exclude", i))
	}
}
