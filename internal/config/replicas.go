package config

import "gopkg.in/yaml.v3"

// ReplicaOverride says how many replicas of the service use matching
// profiles. Pool limits multiply by replicas against the server's connection
// limit, and a source file alone cannot say how many replicas run; a
// Kubernetes manifest can, and when there is none this is the answer.
type ReplicaOverride struct {
	// Profile matches a profile's ID (config/database.yml#production) or
	// its name (production).
	Profile     Glob
	Replicas    int
	ReplicasPos Position
	// Pos is where the entry starts.
	Pos Position
}

// ReplicasFor returns the replica count dbguard.yaml sets for the profile
// with this ID and name. The first entry whose pattern matches either one
// wins. Callers use it only when no manifest gives the count.
func (c *Config) ReplicasFor(profileID, name string) (n int, ok bool) {
	if c == nil {
		return 0, false
	}
	for _, r := range c.Replicas {
		if r.Profile.Match(profileID) || (name != "" && r.Profile.Match(name)) {
			return r.Replicas, true
		}
	}
	return 0, false
}

func decodeReplicas(d *decoder, n *yaml.Node, c *Config) {
	c.Replicas = nil
	d.list(n, "replicas", func(i int, item *yaml.Node) {
		name := at("replicas", i)
		r := ReplicaOverride{Pos: d.pos(item)}
		ok := d.mapping(item, name, []field{
			{name: "profile", required: true, decode: func(v *yaml.Node) {
				r.Profile.Pattern, _ = d.str(v, name+".profile")
				r.Profile.Pos = d.pos(resolve(v))
			}},
			{name: "replicas", required: true, decode: func(v *yaml.Node) {
				r.Replicas, _ = d.integer(v, name+".replicas")
				r.ReplicasPos = d.pos(resolve(v))
			}},
		})
		if ok {
			c.Replicas = append(c.Replicas, r)
		}
	})
}

func validateReplicas(c *Config, p *problems) {
	first := make(map[string]int)
	for i, r := range c.Replicas {
		name := at("replicas", i)
		validateGlob(p, r.Profile, name+".profile")
		if r.Replicas < 1 {
			p.add(r.ReplicasPos, "%s.replicas must be at least 1, got %d", name, r.Replicas)
		}
		key := normalGlob(r.Profile.Pattern)
		if j, dup := first[key]; dup && r.Profile.Pattern != "" {
			p.add(r.Profile.Pos, "%s.profile %q repeats replicas[%d] (line %d); the first match wins, so this entry never applies",
				name, r.Profile.Pattern, j, c.Replicas[j].Profile.Pos.Line)
			continue
		}
		first[key] = i
	}
}
