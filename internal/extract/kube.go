package extract

import (
	"encoding/base64"
	"fmt"
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
	raw, from := kubeEnvironment(root)
	nsWord := namespaceEnvironment(ns)
	for _, p := range out {
		switch {
		case p.EnvironmentRaw != "":
		case raw != "":
			// A label or annotation is the manifest's own word on its
			// environment: after a variable, before block and path.
			p.EnvironmentRaw, p.EnvironmentFrom = raw, from
		case nsWord != "":
			// Last in the order: decideEnvironment tries the block and
			// the path first.
			p.EnvironmentRaw, p.EnvironmentFrom = nsWord, "namespace"
		}
	}
	return out, true
}

// envLabels are the label and annotation keys that name a manifest's
// environment, in the order they are tried.
var envLabels = []string{"app.kubernetes.io/environment", "environment", "env"}

// kubeEnvironment reads the environment a manifest's labels, then its
// annotations, name (those of the object, then of its pod template): the
// word and "label" or "annotation". A word that names no canonical
// environment does not count.
func kubeEnvironment(root *tree.Node) (raw, from string) {
	metas := []*tree.Node{root.Get("metadata"), root.Get("spec").Path("template", "metadata")}
	for _, kind := range []string{"labels", "annotations"} {
		for _, m := range metas {
			set := m.Get(kind)
			for _, k := range envLabels {
				if v := set.Get(k).Text(); v != "" && profile.CanonicalEnvironment(v) != profile.Unknown {
					return v, strings.TrimSuffix(kind, "s")
				}
			}
		}
	}
	return "", ""
}

// namespaceEnvironment reads the environment a namespace's name says:
// the whole name (prod), or else one of its words (billing-prod), where
// the loose words of paths do not count either.
func namespaceEnvironment(ns string) string {
	if ns == "" {
		return ""
	}
	if profile.CanonicalEnvironment(ns) != profile.Unknown {
		return ns
	}
	for _, w := range words(strings.ToLower(ns)) {
		if profile.CanonicalEnvironment(w) != profile.Unknown && pathEnvWord(w) {
			return w
		}
	}
	return ""
}

// kubeData reads a Secret's or ConfigMap's keys: as variables (DB_HOST),
// as plain keys (host, port, username), or as an embedded file.
func (fc *fileCtx) kubeData(root *tree.Node, kind, name string) []*profile.Profile {
	title := kind + "/" + name
	var out []*profile.Profile
	// The API server merges stringData into data, a key of stringData
	// winning: the two sections are one set of variables.
	var varBuf [8]envVar // most objects hold a few variables: on the stack
	vars := varBuf[:0]
	plain := &tree.Node{Kind: tree.Map}
	varSect, plainSect := "", ""
	var seen map[string]bool // keys of stringData, when there is data too
	both := root.Get("stringData") != nil && root.Get("data") != nil
	for _, sect := range []string{"stringData", "data"} {
		d := root.Get(sect)
		if d == nil || d.Kind != tree.Map {
			continue
		}
		decode := kind == "Secret" && sect == "data"
		for _, c := range d.Children {
			if c.Kind != tree.Scalar || seen[c.Key] {
				continue
			}
			if both && sect == "stringData" {
				if seen == nil {
					seen = map[string]bool{}
				}
				seen[c.Key] = true
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
				if varSect == "" || sect == "data" {
					// The merged variables live in data.
					varSect = sect
				}
				continue
			}
			plain.Children = append(plain.Children, val)
			if plainSect == "" || sect == "data" {
				plainSect = sect
			}
		}
	}
	if len(vars) > 0 {
		for _, p := range fc.envProfiles(vars, varSect, driverFromWords(name)) {
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
		ps := fc.mapBlock(plain, plainSect, ctx)
		fc.popConsumed(mark)
		for _, p := range ps {
			p.Name = title
			if p.Driver.Text == "" && ctx.driver != "" {
				p.Driver = profile.Value{Text: ctx.driver, Set: true}
			}
			out = append(out, p)
		}
	}
	if t := root.Get("type").Text(); kind == "Secret" && strings.HasPrefix(t, "servicebinding.io/") {
		// A Service Binding: its consumer's framework reads it
		// (linkEnvFrom, from the workload that mounts it). Without a
		// location, which would become the profile's first and move
		// its findings to the type line.
		for _, p := range out {
			p.SetParam("binding", profile.Value{Text: t, Set: true})
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
	pod := containersOf(podSpec)
	var bindings podBindings // built on first use
	for _, group := range []string{"initContainers", "containers"} {
		cs := podSpec.Get(group)
		if cs == nil {
			continue
		}
		for _, c := range cs.Children {
			fc.envFromRefs(c.Get("envFrom"), title, app, replicas, surge)
			if group == "containers" {
				fc.bindingMounts(podSpec, c, title, &bindings)
			}
			vars, escaped := fc.kubeEnv(c.Get("env"))
			driver := driverFromImage(c.Get("image").Text())
			if group == "initContainers" {
				// An init container runs to completion before the
				// pod starts: a database image there is a client
				// (mariadb-admin ping, pg_isready, a migration),
				// never the server.
				driver = ""
			}
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
			sidecars := ""
			if len(ps) > 0 {
				sidecars = pod.sidecarsOf(c)
			}
			for _, p := range ps {
				literalRefs(p, escaped)
				resolveKubeRefs(p, func(name string) (kubeRef, bool) { return kubeSecretVar(vars, name) })
				if app != "" {
					p.SetParam("app", profile.Value{Text: app, Set: true})
				}
				if sidecars != "" && !p.ServerSide {
					// A local proxy in the same pod (cloud-sql-proxy,
					// pgbouncer) makes localhost the right host.
					p.SetParam("sidecars", profile.Value{Text: sidecars, Set: true})
					if srv := pod.serverFor(c, p.Driver.Text); srv != "" && group == "containers" {
						// An init container runs before the server
						// starts: it shares the pod, not the fate.
						p.SetParam(profile.ParamColocatedServer, profile.Value{Text: srv, Set: true})
					}
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
func (fc *fileCtx) kubeEnv(env *tree.Node) (vars []envVar, escaped map[string]map[string]bool) {
	if env == nil || env.Kind != tree.Seq {
		return nil, nil
	}
	known := map[string]string{}
	for _, item := range env.Children {
		n := item.Get("name").Text()
		if n == "" {
			continue
		}
		if v := item.Get("value"); v != nil {
			val := fc.value(v)
			if strings.Contains(v.Value, "$") {
				for rest := v.Value; ; {
					i := strings.Index(rest, "$$(")
					if i < 0 {
						break
					}
					rest = rest[i+2:]
					if j := strings.IndexByte(rest, ')'); j > 0 {
						if escaped == nil {
							escaped = map[string]map[string]bool{}
						}
						if escaped[n] == nil {
							escaped[n] = map[string]bool{}
						}
						escaped[n]["$"+rest[:j+1]] = true
					}
				}
				text, left := expandKubeRefs(v.Value, known)
				if text != v.Value {
					val.Text = text
					val.Unresolved = left
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
	return vars, escaped
}

// expandKubeRefs expands $(VAR) references as the kubelet does: a
// variable defined earlier is replaced by its value, $$ is one $ (so
// $$(VAR) is the text $(VAR)), and a reference to a variable not defined
// is left as written. left reports whether such a reference remains.
func expandKubeRefs(s string, known map[string]string) (out string, left bool) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 || i+1 >= len(s) {
			b.WriteString(s)
			return b.String(), left
		}
		b.WriteString(s[:i])
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			s = s[i+2:]
			continue
		case '(':
			if j := strings.IndexByte(s[i:], ')'); j > 0 {
				if v, ok := known[s[i+2:i+j]]; ok {
					b.WriteString(v)
				} else {
					b.WriteString(s[i : i+j+1])
					left = true
				}
				s = s[i+j+1:]
				continue
			}
		}
		b.WriteByte('$')
		s = s[i+1:]
	}
}

// kubeRefName returns VAR when s is exactly one reference $(VAR).
func kubeRefName(s string) (string, bool) {
	if len(s) < 4 || !strings.HasPrefix(s, "$(") || s[len(s)-1] != ')' || strings.ContainsAny(s[2:len(s)-1], "$()") {
		return "", false
	}
	return s[2 : len(s)-1], true
}

// literalRefs marks the fields of p that are an escaped reference
// ($$(VAR) in the manifest, the text $(VAR) for the container) as the
// literal text they are. escaped holds them by the variable written.
func literalRefs(p *profile.Profile, escaped map[string]map[string]bool) {
	if len(escaped) == 0 {
		return
	}
	_, group, _ := strings.Cut(p.Name, " env ")
	mine := func(text string) bool {
		if escaped[group][text] {
			return true
		}
		for _, k := range p.Keys {
			if escaped[k.Key][text] {
				return true
			}
		}
		return false
	}
	eachRefField(p, func(v *profile.Value) {
		if v.Unresolved && mine(v.Text) {
			v.Unresolved, v.Var = false, ""
		}
	})
}

// eachRefField calls fn on the fields of p a $(VAR) reference may fill.
func eachRefField(p *profile.Profile, fn func(v *profile.Value)) {
	for i := range p.Hosts {
		fn(&p.Hosts[i].Host)
		fn(&p.Hosts[i].Port)
	}
	fn(&p.Database)
	fn(&p.User)
	fn(&p.TLS.Mode)
}

// kubeRef is what a variable a $(VAR) reference names holds: a value, or a
// password (from a Secret, or a secretKeyRef).
type kubeRef struct {
	v    profile.Value
	pw   profile.Password
	isPW bool
}

// resolveKubeRefs replaces the fields of p that are one $(VAR) reference
// with what lookup finds for VAR. A reference lookup does not know stays
// as written, as the kubelet leaves it; a password is only ever taken from
// a password.
func resolveKubeRefs(p *profile.Profile, lookup func(name string) (kubeRef, bool)) {
	eachRefField(p, func(v *profile.Value) {
		if !v.Unresolved {
			return
		}
		if name, ok := kubeRefName(v.Text); ok {
			if r, ok := lookup(name); ok && !r.isPW && r.v.Set {
				*v = r.v
			}
		}
	})
	if p.Password.Unresolved {
		if name, ok := kubeRefName(p.Password.Expr); ok {
			if r, ok := lookup(name); ok && r.isPW {
				p.Password = r.pw
			}
		}
	}
}

// kubeSecretVar finds an earlier env entry of a container that takes its
// value from a Secret (secretKeyRef): a $(VAR) reference to it is that
// secret.
func kubeSecretVar(vars []envVar, name string) (kubeRef, bool) {
	for i := len(vars) - 1; i >= 0; i-- {
		if vars[i].name != name {
			continue
		}
		if vars[i].secretRef == "" {
			return kubeRef{}, false
		}
		v := vars[i].v
		return kubeRef{isPW: true, pw: profile.Password{Set: true, Known: true, Source: "secret:" + vars[i].secretRef,
			Unresolved: true, Expr: "$(" + name + ")", Loc: v.Loc}}, true
	}
	return kubeRef{}, false
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

// maxSidecarsListed bounds the "sidecars" parameter of one container:
// listing every other container of a pod for each of its containers would
// cost time and output quadratic in the pod's size on a hostile manifest.
// No real pod runs more than a handful; a longer list ends with "+N more".
const maxSidecarsListed = 32

// podContainers are a pod's containers, init containers first, as
// name=image pairs, read once per pod.
type podContainers struct {
	nodes   []*tree.Node
	entries []string
	init    []bool
}

func containersOf(podSpec *tree.Node) podContainers {
	var pc podContainers
	for _, group := range []string{"initContainers", "containers"} {
		cs := podSpec.Get(group)
		if cs == nil {
			continue
		}
		for _, c := range cs.Children {
			pc.nodes = append(pc.nodes, c)
			pc.entries = append(pc.entries, c.Get("name").Text()+"="+c.Get("image").Text())
			pc.init = append(pc.init, group == "initContainers")
		}
	}
	return pc
}

// serverFor is the container of the pod, other than self, that runs a
// database server of driver (by its image, as kubeWorkload decides), as a
// name=image pair, or "". Init containers never are: they have exited
// before the pod's containers start.
func (pc podContainers) serverFor(self *tree.Node, driver string) string {
	if driver == "" {
		return ""
	}
	for i, c := range pc.nodes {
		if c != self && !pc.init[i] && driverFromImage(c.Get("image").Text()) == driver {
			return pc.entries[i]
		}
	}
	return ""
}

// sidecarsOf lists the pod's other containers as name=image pairs, at most
// maxSidecarsListed of them.
func (pc podContainers) sidecarsOf(self *tree.Node) string {
	var out []string
	for i, c := range pc.nodes {
		if c == self {
			continue
		}
		if len(out) == maxSidecarsListed {
			out = append(out, fmt.Sprintf("+%d more", len(pc.nodes)-1-maxSidecarsListed))
			break
		}
		out = append(out, pc.entries[i])
	}
	return strings.Join(out, ",")
}

// podBindings is what bindingMounts keeps for one pod: its volumes by
// name, and the Secrets already recorded, so that a pod's size, not the
// product of its containers, mounts and projected sources, bounds the
// work (a hostile manifest may multiply them).
type podBindings struct {
	volumes  map[string]*tree.Node
	recorded map[string]bool
}

// bindingMounts records the Secrets a Spring Boot container mounts when
// it reads service bindings: the spec's SERVICE_BINDING_ROOT and SPRING_*
// variables (which only Spring's relaxed binding reads) are in its env.
// Spring Cloud Bindings then maps each binding to spring.datasource.
func (fc *fileCtx) bindingMounts(podSpec, c *tree.Node, workload string, pb *podBindings) {
	env, mounts := c.Get("env"), c.Get("volumeMounts")
	if env == nil || env.Kind != tree.Seq || mounts == nil || mounts.Kind != tree.Seq {
		return
	}
	root, spring := false, false
	for _, item := range env.Children {
		n := item.Get("name").Text()
		root = root || n == "SERVICE_BINDING_ROOT"
		spring = spring || strings.HasPrefix(n, "SPRING_")
	}
	if !root || !spring {
		return
	}
	if pb.volumes == nil {
		pb.volumes, pb.recorded = map[string]*tree.Node{}, map[string]bool{}
		if vs := podSpec.Get("volumes"); vs != nil && vs.Kind == tree.Seq {
			for _, v := range vs.Children {
				if n := v.Get("name").Text(); n != "" {
					pb.volumes[n] = v
				}
			}
		}
	}
	for _, m := range mounts.Children {
		name := m.Get("name").Text()
		v := pb.volumes[name]
		if v == nil || pb.recorded["volume:"+name] {
			continue
		}
		pb.recorded["volume:"+name] = true
		secrets := []string{v.Path("secret", "secretName").Text()}
		if srcs := v.Path("projected", "sources"); srcs != nil {
			for _, src := range srcs.Children {
				secrets = append(secrets, src.Path("secret", "name").Text())
			}
		}
		for _, s := range secrets {
			if s != "" && !pb.recorded[s] {
				pb.recorded[s] = true
				fc.envFrom = append(fc.envFrom, EnvFrom{Kind: "Secret", Name: s, Workload: workload, Binding: true, Consumer: profile.ConsumerSpringBoot})
			}
		}
	}
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
