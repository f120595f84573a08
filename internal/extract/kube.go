package extract

import (
	"encoding/base64"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// workloadKinds are the Kubernetes kinds that run containers.
var workloadKinds = map[string]bool{
	"Deployment": true, "StatefulSet": true, "DaemonSet": true, "Job": true, "CronJob": true,
	"ReplicaSet": true, "Pod": true, "DeploymentConfig": true, "Rollout": true,
}

// extractKube reads one Kubernetes manifest: Secrets (data in base64 and
// stringData), ConfigMaps (variables, and whole configuration files embedded
// as strings), and the env of workloads' containers with their replicas.
func extractKube(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map || root.Get("apiVersion") == nil || root.Get("kind") == nil {
		return nil, false
	}
	kind := root.Get("kind").Text()
	meta := root.Get("metadata")
	name := meta.Get("name").Text()
	ns := meta.Get("namespace").Text()
	var out []*profile.Profile
	switch {
	case kind == "Secret" || kind == "ConfigMap":
		out = fc.kubeData(root, kind, name)
	case workloadKinds[kind]:
		out = fc.kubeWorkload(root, kind, name)
	case kind == "List":
		if items := root.Get("items"); items != nil {
			for _, it := range items.Children {
				ps, _ := extractKube(fc, it, 0)
				out = append(out, ps...)
			}
		}
	}
	for _, p := range out {
		if p.EnvironmentRaw == "" && ns != "" && profile.CanonicalEnvironment(ns) != profile.Unknown {
			// Last in the order: decideEnvironment tries the block and
			// the path first.
			p.EnvironmentRaw, p.EnvironmentFrom = ns, "namespace"
		}
	}
	return out, true
}

// kubeData reads a Secret's or ConfigMap's keys: as variables (DB_HOST),
// as plain keys (host, port, username), or as an embedded file.
func (fc *fileCtx) kubeData(root *tree.Node, kind, name string) []*profile.Profile {
	title := kind + "/" + name
	var out []*profile.Profile
	for _, sect := range []string{"stringData", "data"} {
		d := root.Get(sect)
		if d == nil || d.Kind != tree.Map {
			continue
		}
		decode := kind == "Secret" && sect == "data"
		var varBuf [8]envVar // most sections hold a few variables: on the stack
		vars := varBuf[:0]
		plain := &tree.Node{Kind: tree.Map}
		for _, c := range d.Children {
			if c.Kind != tree.Scalar {
				continue
			}
			val := c
			if decode {
				b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.Value))
				if err != nil {
					continue
				}
				cp := *c
				cp.Value = string(b)
				val = &cp
			}
			// An embedded configuration file (a YAML document in a
			// ConfigMap value) is read as a file of its own.
			if strings.Contains(val.Value, "\n") && !decode {
				out = append(out, fc.embedded(val, joinKey(sect, c.Key))...)
				continue
			}
			if _, _, ok := splitEnvKey(c.Key); ok && strings.ToUpper(c.Key) == c.Key || keyOf(c.Key).is(inEnvKeys) {
				vars = append(vars, envVar{name: c.Key, v: fc.value(val), node: val})
				continue
			}
			plain.Children = append(plain.Children, val)
		}
		if len(vars) > 0 {
			for _, p := range fc.envProfiles(vars, sect, driverFromWords(name)) {
				p.Name = title + " " + p.Name
				out = append(out, p)
			}
		}
		if len(plain.Children) > 0 {
			ctx := walkCtx{db: isDBWord(name) || kind == "Secret", driver: driverFromWords(name)}
			if t := root.Get("type").Text(); t != "" {
				if d := driverFromWords(strings.ReplaceAll(t, "/", " ")); d != "" {
					ctx.driver, ctx.db = d, true
				}
			}
			mark := len(fc.consumed)
			ps := fc.mapBlock(plain, sect, ctx)
			fc.popConsumed(mark)
			for _, p := range ps {
				p.Name = title
				if p.Driver.Text == "" && ctx.driver != "" {
					p.Driver = profile.Value{Text: ctx.driver, Set: true}
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// embedded parses a configuration file stored in a string value and shifts
// its locations to where the string sits in the outer file.
func (fc *fileCtx) embedded(n *tree.Node, kp string) []*profile.Profile {
	// A chart's template may build the embedded file with tags too.
	docs, tpl, err := parseTemplatedYAML(&fc.reader, []byte(n.Value))
	if err != nil || len(docs) == 0 {
		return nil
	}
	// A block scalar (|) starts on the line after its indicator; its
	// lines are indented by the block's indentation.
	lineShift := n.Line
	indent := 0
	if next := fc.line(n.Line + 1); next != "" {
		indent = len(next) - len(strings.TrimLeft(next, " "))
	}
	var out []*profile.Profile
	for _, d := range docs {
		shift(d.Root, lineShift, indent)
		// The outer file's blocks hold the embedded file's lines too:
		// two branches that write one key keep the first.
		fc.tpl.dropAll(d.Root, 0)
		var ps []*profile.Profile
		fc.walk(d.Root, pathOf(kp), walkCtx{}, &ps)
		tpl.noteConditions(fc.path, ps, lineShift)
		out = append(out, ps...)
	}
	return out
}

func shift(n *tree.Node, lines, cols int) {
	if n == nil {
		return
	}
	if n.Line > 0 {
		n.Line += lines
		n.Col += cols
	}
	if n.KeyLine > 0 {
		n.KeyLine += lines
		n.KeyCol += cols
	}
	for _, c := range n.Children {
		shift(c, lines, cols)
	}
}

// kubeWorkload reads the containers of a workload: their env (value,
// valueFrom.secretKeyRef, $(VAR) references), database images run as
// servers, and the replicas that multiply each connection pool.
func (fc *fileCtx) kubeWorkload(root *tree.Node, kind, name string) []*profile.Profile {
	spec := root.Get("spec")
	podSpec := spec.Path("template", "spec")
	if kind == "CronJob" {
		podSpec = spec.Path("jobTemplate", "spec", "template", "spec")
	}
	if kind == "Pod" {
		podSpec = spec
	}
	if podSpec == nil {
		return nil
	}
	replicas := spec.Get("replicas")
	surge := spec.Path("strategy", "rollingUpdate", "maxSurge")
	title := kind + "/" + name
	app := appLabel(root.Get("metadata"))
	if app == "" {
		app = appLabel(spec.Path("template", "metadata"))
	}
	var out []*profile.Profile
	for _, group := range []string{"initContainers", "containers"} {
		cs := podSpec.Get(group)
		if cs == nil {
			continue
		}
		for _, c := range cs.Children {
			fc.envFromRefs(c.Get("envFrom"), title, app, replicas, surge)
			vars := fc.kubeEnv(c.Get("env"))
			driver := driverFromImage(c.Get("image").Text())
			kp := "spec.template.spec." + group + "." + c.Get("name").Text()
			var ps []*profile.Profile
			if driver != "" {
				host := profile.Value{Text: name, Set: true, Loc: fc.loc(root.Get("metadata").Get("name"))}
				if sp := fc.serverProfile(c, vars, driver, kp, title, host, false); sp != nil {
					ps = append(ps, sp)
				}
			}
			for _, p := range fc.envProfiles(clientVars(vars, driver), kp+".env", driverFromWords(name)) {
				p.Name = title + " env " + p.Name
				ps = append(ps, p)
			}
			sidecars := sidecarsOf(podSpec, c)
			for _, p := range ps {
				if app != "" {
					p.SetParam("app", profile.Value{Text: app, Set: true})
				}
				if sidecars != "" && !p.ServerSide {
					// A local proxy in the same pod (cloud-sql-proxy,
					// pgbouncer) makes localhost the right host.
					p.SetParam("sidecars", profile.Value{Text: sidecars, Set: true})
				}
				if replicas != nil && !p.ServerSide {
					p.Replicas = profile.Replicas{Count: fc.value(replicas), Source: strings.ToLower(kind)}
					p.SetParam("workload", profile.Value{Text: kind + "/" + name, Set: true})
					if surge != nil {
						p.Replicas.Surge = fc.value(surge)
					}
				}
			}
			out = append(out, ps...)
		}
	}
	return out
}

// kubeEnv reads a container's env list, expanding $(VAR) references to
// earlier variables as the kubelet does.
func (fc *fileCtx) kubeEnv(env *tree.Node) []envVar {
	if env == nil || env.Kind != tree.Seq {
		return nil
	}
	var vars []envVar
	known := map[string]string{}
	for _, item := range env.Children {
		n := item.Get("name").Text()
		if n == "" {
			continue
		}
		if v := item.Get("value"); v != nil {
			val := fc.value(v)
			if strings.Contains(v.Value, "$(") {
				val.Text = expandKubeRefs(v.Value, known)
				if !strings.Contains(val.Text, "$(") {
					val.Unresolved = false
				}
			}
			known[n] = val.Text
			vars = append(vars, envVar{name: n, v: val, node: v})
			continue
		}
		if ref := item.Path("valueFrom", "secretKeyRef"); ref != nil {
			r := ref.Get("name").Text() + "/" + ref.Get("key").Text()
			vars = append(vars, envVar{name: n, node: ref,
				v:         profile.Value{Set: true, Unresolved: true, Var: "secret:" + r, Loc: fc.loc(ref.Get("name"))},
				secretRef: r})
			continue
		}
		if ref := item.Path("valueFrom", "configMapKeyRef"); ref != nil {
			r := ref.Get("name").Text() + "/" + ref.Get("key").Text()
			vars = append(vars, envVar{name: n, node: ref,
				v: profile.Value{Set: true, Unresolved: true, Var: "configmap:" + r, Loc: fc.loc(ref.Get("name"))}})
		}
	}
	return vars
}

func expandKubeRefs(s string, known map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "$(")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[i+2 : i+j]
		b.WriteString(s[:i])
		if v, ok := known[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
}

// hpaOf reads a HorizontalPodAutoscaler's maxReplicas and target.
func hpaOf(fc *fileCtx, root *tree.Node) (Scaler, bool) {
	if root.Kind != tree.Map || root.Get("kind").Text() != "HorizontalPodAutoscaler" {
		return Scaler{}, false
	}
	spec := root.Get("spec")
	max := spec.Get("maxReplicas")
	ref := spec.Get("scaleTargetRef")
	if max == nil || ref == nil {
		return Scaler{}, false
	}
	return Scaler{Kind: ref.Get("kind").Text(), Target: ref.Get("name").Text(), Max: fc.value(max)}, true
}

// appLabel reads the application a workload belongs to, for grouping a
// fleet across files.
func appLabel(meta *tree.Node) string {
	labels := meta.Get("labels")
	for _, k := range []string{"app.kubernetes.io/name", "app", "k8s-app", "app.kubernetes.io/instance"} {
		if v := labels.Get(k).Text(); v != "" {
			return v
		}
	}
	return ""
}

// sidecarsOf lists the other containers of a pod as name=image pairs.
func sidecarsOf(podSpec, self *tree.Node) string {
	var out []string
	for _, group := range []string{"initContainers", "containers"} {
		cs := podSpec.Get(group)
		if cs == nil {
			continue
		}
		for _, c := range cs.Children {
			if c == self {
				continue
			}
			out = append(out, c.Get("name").Text()+"="+c.Get("image").Text())
		}
	}
	return strings.Join(out, ",")
}

// envFromRefs records a container's envFrom: every key of the named
// ConfigMap or Secret becomes a variable of the container, so the
// connections those hold are used by this workload, at its replicas.
func (fc *fileCtx) envFromRefs(n *tree.Node, workload, app string, replicas, surge *tree.Node) {
	if n == nil || n.Kind != tree.Seq {
		return
	}
	for _, item := range n.Children {
		for _, kind := range []string{"configMapRef", "secretRef"} {
			ref := item.Get(kind)
			name := ref.Get("name").Text()
			if name == "" {
				continue
			}
			e := EnvFrom{Kind: "ConfigMap", Name: name, Workload: workload, App: app}
			if kind == "secretRef" {
				e.Kind = "Secret"
			}
			if replicas != nil {
				e.Replicas = fc.value(replicas)
			}
			if surge != nil {
				e.Surge = fc.value(surge)
			}
			fc.envFrom = append(fc.envFrom, e)
		}
	}
}
