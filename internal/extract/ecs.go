package extract

import (
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// extractECS reads an AWS ECS task definition, as registered (a document
// with containerDefinitions[]) or as describe-task-definition prints it
// ({"taskDefinition": {...}}). Each container's environment[] and
// secrets[] are its variables; a secret is a reference (an ARN), so a
// connection string kept whole in Secrets Manager is known only by name.
func extractECS(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map {
		return nil, false
	}
	td, kp := root, ""
	if inner := root.Get("taskDefinition"); inner != nil && inner.Kind == tree.Map {
		td, kp = inner, "taskDefinition"
	}
	cds := td.Get("containerDefinitions")
	if cds == nil || cds.Kind != tree.Seq {
		return nil, false
	}
	family := td.Get("family").Text()
	envRaw := ""
	for _, w := range strings.FieldsFunc(family, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if profile.CanonicalEnvironment(w) != profile.Unknown && isEnvBlockName(w) {
			envRaw = w
			break
		}
	}
	var out []*profile.Profile
	for i, c := range cds.Children {
		if c.Kind != tree.Map {
			continue
		}
		name := c.Get("name").Text()
		if name == "" {
			name = family
		}
		ckp := joinKey(kp, "containerDefinitions["+strconv.Itoa(i)+"]")
		vars := fc.ecsVars(c)
		driver := driverFromImage(c.Get("image").Text())
		var ps []*profile.Profile
		if driver != "" {
			// Containers of one task share localhost (awsvpc): the
			// server's host is not written anywhere.
			if sp := fc.serverProfile(c, vars, driver, ckp, name, profile.Value{}, false); sp != nil {
				ps = append(ps, sp)
			}
		}
		clients := fc.envProfiles(clientVars(vars, driver), joinKey(ckp, "environment"), "")
		for _, p := range clients {
			p.Name = name + "." + strings.TrimSuffix(p.Name, "_*")
		}
		ps = append(ps, clients...)
		for _, p := range ps {
			if p.EnvironmentRaw == "" && envRaw != "" {
				p.EnvironmentRaw, p.EnvironmentFrom = envRaw, "family"
			}
		}
		out = append(out, ps...)
	}
	return out, true
}

// ecsVars reads a container's environment[] ({name, value}) and secrets[]
// ({name, valueFrom}). A secret's value never appears in the file; its
// reference does.
func (fc *fileCtx) ecsVars(c *tree.Node) []envVar {
	var vars []envVar
	if env := c.Get("environment"); env != nil && env.Kind == tree.Seq {
		for _, item := range env.Children {
			n, v := item.Get("name").Text(), scalar(item.Get("value"))
			if n == "" || v == nil {
				continue
			}
			vars = append(vars, envVar{name: n, v: fc.value(v), node: v})
		}
	}
	if secrets := c.Get("secrets"); secrets != nil && secrets.Kind == tree.Seq {
		for _, item := range secrets.Children {
			n, from := item.Get("name").Text(), scalar(item.Get("valueFrom"))
			if n == "" || from == nil || from.Value == "" {
				continue
			}
			vars = append(vars, envVar{name: n, node: from, v: fc.secretRefValue(from, from.Value), secretRef: from.Value})
		}
	}
	return vars
}
