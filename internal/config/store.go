package config

import (
	"regexp"

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
	Pos        Position
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
	})
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

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
}
