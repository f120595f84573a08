package config

import "gopkg.in/yaml.v3"

// ServiceOverride names the service of matching profiles. dbguard decides a
// profile's service from its workload, app label or file name and key
// path (package service); when that guess splits one application in two,
// or joins two, this entry says which profiles are one service: those
// found in files whose path matches one of Paths, or whose id or name
// matches one of Profiles.
type ServiceOverride struct {
	Name    string
	NamePos Position
	// Paths match file paths relative to the scan root.
	Paths []Glob
	// Profiles match a profile's ID (deploy/eu/orders.yaml#database) or
	// its name (Deployment/orders env DATABASE_URL).
	Profiles []Glob
	// Pos is where the entry starts.
	Pos Position
}

// ServiceFor returns the service dbguard.yaml gives the profile with this
// id and name found in relPath. The first matching entry wins.
func (c *Config) ServiceFor(relPath, profileID, name string) (string, bool) {
	if c == nil {
		return "", false
	}
	for _, s := range c.Services {
		for _, g := range s.Paths {
			if g.Match(relPath) {
				return s.Name, true
			}
		}
		for _, g := range s.Profiles {
			if g.Match(profileID) || name != "" && g.Match(name) {
				return s.Name, true
			}
		}
	}
	return "", false
}

func decodeServices(d *decoder, n *yaml.Node, c *Config) {
	c.Services = nil
	d.list(n, "services", func(i int, item *yaml.Node) {
		name := at("services", i)
		s := ServiceOverride{Pos: d.pos(item)}
		globs := func(key string, dst *[]Glob) field {
			return field{name: key, decode: func(v *yaml.Node) {
				d.list(v, name+"."+key, func(j int, g *yaml.Node) {
					gl := Glob{Pos: d.pos(resolve(g))}
					var ok bool
					if gl.Pattern, ok = d.str(g, at(name+"."+key, j)); ok {
						*dst = append(*dst, gl)
					}
				})
			}}
		}
		ok := d.mapping(item, name, []field{
			{name: "name", required: true, decode: func(v *yaml.Node) {
				s.Name, _ = d.str(v, name+".name")
				s.NamePos = d.pos(resolve(v))
			}},
			globs("paths", &s.Paths),
			globs("profiles", &s.Profiles),
		})
		if ok {
			c.Services = append(c.Services, s)
		}
	})
}

func validateServices(c *Config, p *problems) {
	for i, s := range c.Services {
		name := at("services", i)
		if s.Name == "" {
			p.add(s.NamePos, "%s.name must not be empty", name)
		}
		if len(s.Paths) == 0 && len(s.Profiles) == 0 {
			p.add(s.Pos, "%s names no paths and no profiles, so it matches nothing", name)
		}
		for j, g := range s.Paths {
			validateGlob(p, g, at(name+".paths", j))
		}
		for j, g := range s.Profiles {
			validateGlob(p, g, at(name+".profiles", j))
		}
	}
}
