package extract

import (
	"slices"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/service"
)

// Link connects profiles across the files of one scan, where the platform
// combines them at run time:
//
//   - a workload's envFrom makes a ConfigMap's or Secret's connection its
//     own, at its replicas;
//   - a service binding (a servicebinding.io Secret) mounted by a Spring
//     Boot workload that reads bindings is read by Spring's drivers;
//   - an autoscaler raises the replicas of the workload it targets;
//   - SPRING_DATASOURCE_* variables set by a Deployment or a compose service
//     override spring.datasource in application.yml or .properties (Spring
//     Boot's relaxed binding);
//   - a compose service's environment: overrides the variables of the
//     env_file it reads.
//
// Overrides keep both locations: where the value is written and where the
// platform replaces it.
func Link(ps []*profile.Profile, scalers []Scaler, envFrom []EnvFrom) {
	// envFrom first, so that an autoscaler then raises the replicas a
	// ConfigMap's connection took from its workload.
	linkEnvFrom(ps, envFrom)
	linkKubeRefs(ps, envFrom)
	linkScalers(ps, scalers)
	linkSpring(ps)
	linkEnvFiles(ps)
}

// linkEnvFrom gives the connections of ConfigMaps and Secrets that
// workloads read with envFrom the workload's replicas and labels.
func linkEnvFrom(ps []*profile.Profile, envFrom []EnvFrom) {
	if len(envFrom) == 0 {
		return
	}
	bySource := kubeSources(ps)
	for _, ef := range envFrom {
		for _, p := range bySource[ef.Kind+"/"+ef.Name] {
			if ef.Binding {
				if _, binding := p.Params["binding"]; binding && ef.Consumer != "" {
					p.SetParam(profile.ParamConsumer, profile.Value{Text: ef.Consumer, Set: true})
				}
				continue
			}
			if !p.Replicas.Count.Set && ef.Replicas.Set {
				p.Replicas = profile.Replicas{Count: ef.Replicas, Surge: ef.Surge, Source: "envFrom " + ef.Workload}
			}
			if _, ok := p.Params["workload"]; !ok {
				p.SetParam("workload", profile.Value{Text: ef.Workload, Set: true})
			}
			if _, ok := p.Params["app"]; !ok && ef.App != "" {
				p.SetParam("app", profile.Value{Text: ef.App, Set: true})
			}
			// The workload's app label or name is now the service
			// (unless dbguard.yaml named it).
			service.Assign(p, "", false)
		}
	}
}

// kubeSources indexes the Kubernetes profiles by the object they belong
// to (Secret/name, ConfigMap/name, Deployment/name): a scan may hold
// thousands of objects and references (YAML aliases multiply them), and
// nested loops over both would cost their product.
func kubeSources(ps []*profile.Profile) map[string][]*profile.Profile {
	by := map[string][]*profile.Profile{}
	for _, q := range ps {
		if q.Format != "kubernetes" {
			continue
		}
		name, _, _ := strings.Cut(q.Name, " ")
		by[name] = append(by[name], q)
	}
	return by
}

// linkKubeRefs gives a workload's connections what its envFrom ConfigMaps
// and Secrets define, as the kubelet does: a field that is one $(VAR)
// reference the container's own env left open takes VAR's value (a
// password only from a password, its source then secret:NAME/VAR), and a
// variable group (PG*, DB_*) the container's env starts is completed by
// the same group of the ConfigMap or Secret, the container's own
// variables winning. Of several sources defining one variable the last
// wins.
func linkKubeRefs(ps []*profile.Profile, envFrom []EnvFrom) {
	if len(envFrom) == 0 {
		return
	}
	byWorkload := map[string][]string{}
	for _, ef := range envFrom {
		if ef.Binding {
			// A mounted binding's keys are files, not variables.
			continue
		}
		src := ef.Kind + "/" + ef.Name
		refs := byWorkload[ef.Workload]
		// A source named twice counts where it is named last.
		refs = slices.DeleteFunc(refs, func(r string) bool { return r == src })
		byWorkload[ef.Workload] = append(refs, src)
	}
	bySource := kubeSources(ps)
	for _, p := range ps {
		if p.Format != "kubernetes" {
			continue
		}
		workload, group, ok := strings.Cut(p.Name, " env ")
		if !ok {
			continue
		}
		var sources []*profile.Profile
		for _, src := range byWorkload[workload] {
			sources = append(sources, bySource[src]...)
		}
		if len(sources) == 0 {
			continue
		}
		resolveKubeRefs(p, func(name string) (kubeRef, bool) {
			for i := len(sources) - 1; i >= 0; i-- {
				if r, ok := sourceVar(sources[i], name); ok {
					return r, true
				}
			}
			return kubeRef{}, false
		})
		for i := len(sources) - 1; i >= 0; i-- {
			if _, g, _ := strings.Cut(sources[i].Name, " "); g == group {
				completeFrom(p, sources[i])
			}
		}
	}
}

// sourceVar finds the variable name among the keys a ConfigMap's or
// Secret's profile was read from.
func sourceVar(src *profile.Profile, name string) (kubeRef, bool) {
	field := ""
	for _, k := range src.Keys {
		if k.Key == name {
			field = k.Field
		}
	}
	h := src.FirstHost()
	switch field {
	case "host":
		return kubeRef{v: h.Host}, true
	case "port":
		return kubeRef{v: h.Port}, true
	case "database":
		return kubeRef{v: src.Database}, true
	case "user":
		return kubeRef{v: src.User}, true
	case "tls":
		return kubeRef{v: src.TLS.Mode}, true
	case "password":
		pw := src.Password
		if kind, rest, _ := strings.Cut(src.Name, "/"); kind == "Secret" && pw.Source == "literal" {
			obj, _, _ := strings.Cut(rest, " ")
			pw.Source = "secret:" + obj + "/" + name
		}
		return kubeRef{pw: pw, isPW: true}, true
	}
	return kubeRef{}, false
}

// completeFrom fills the fields p leaves unset with those of src.
func completeFrom(p, src *profile.Profile) {
	if len(p.Hosts) == 0 {
		p.Hosts = append(p.Hosts, src.Hosts...)
	} else if len(src.Hosts) > 0 {
		h, sh := &p.Hosts[0], src.Hosts[0]
		if !h.Host.Set {
			h.Host, h.Socket = sh.Host, sh.Socket
		}
		if !h.Port.Set {
			h.Port = sh.Port
		}
	}
	for _, f := range []struct{ dst, src *profile.Value }{{&p.Database, &src.Database}, {&p.User, &src.User},
		{&p.TLS.Mode, &src.TLS.Mode}, {&p.Driver, &src.Driver}} {
		if !f.dst.Set {
			*f.dst = *f.src
		}
	}
	if !p.Password.Set && src.Password.Set {
		p.Password = src.Password
	}
}

// workload names the autoscaler's target as a profile's "workload"
// parameter does: Kind/name, a Deployment when the kind is not given.
func (sc Scaler) workload() string {
	kind := sc.Kind
	if kind == "" {
		kind = "Deployment"
	}
	return kind + "/" + sc.Target
}

func linkScalers(ps []*profile.Profile, scalers []Scaler) {
	for _, sc := range scalers {
		target := sc.workload()
		for _, p := range ps {
			if w, ok := p.Params["workload"]; ok && w.Text == target {
				p.Replicas.Count = sc.Max
				p.Replicas.Source = "hpa"
			}
		}
	}
}

// springPrefix maps a variable prefix to the Spring property it binds to:
// SPRING_DATASOURCE -> spring.datasource.
func springPrefix(p *profile.Profile) string {
	name := strings.TrimSuffix(groupOf(p.KeyPath), "_*")
	up := strings.ToUpper(name)
	if !strings.HasPrefix(up, "SPRING_") {
		return ""
	}
	up = strings.TrimSuffix(up, "_URL")
	return strings.ToLower(strings.ReplaceAll(up, "_", "."))
}

// springEnvPrefix is the Spring property a platform file's SPRING_*
// variables bind to (springPrefix), "" for any other profile.
func springEnvPrefix(p *profile.Profile) string {
	if p.Format != "compose" && p.Format != "kubernetes" && p.Format != "dotenv" {
		return ""
	}
	return springPrefix(p)
}

func linkSpring(ps []*profile.Profile) {
	for _, env := range ps {
		prefix := springEnvPrefix(env)
		if prefix == "" {
			continue
		}
		for _, app := range ps {
			if app == env || app.File == env.File || app.KeyPath != prefix {
				continue
			}
			override(app, env, "environment variables "+strings.ToUpper(strings.ReplaceAll(prefix, ".", "_"))+"_* of "+env.Name)
		}
	}
}

func linkEnvFiles(ps []*profile.Profile) {
	for _, svc := range ps {
		if len(svc.EnvFiles) == 0 {
			continue
		}
		for _, f := range svc.EnvFiles {
			for _, ef := range ps {
				if ef.File != f || ef.Format != "dotenv" {
					continue
				}
				if svc.ServerSide {
					if ef.ServerSide {
						completeServer(svc, ef)
					}
					continue
				}
				if groupOf(ef.KeyPath) != groupOf(svc.KeyPath) {
					continue
				}
				override(ef, svc, "environment: of compose service "+strings.SplitN(svc.Name, ".", 2)[0])
			}
		}
	}
}

// completeServer fills a database container's profile with what its
// env_file initialises the server with (ef, the file's image variables):
// the user and database the server creates, and where its password
// comes from: the file's variable (env:POSTGRES_PASSWORD, located in the
// file). A literal is never copied; the file's own profile reports it.
func completeServer(svc, ef *profile.Profile) {
	if !svc.User.Set {
		svc.User = ef.User
	}
	if !svc.Database.Set {
		svc.Database = ef.Database
	}
	if !svc.Password.Set && ef.Password.Set {
		pw := ef.Password
		if strings.HasPrefix(pw.Source, "literal") {
			source := "file:" + ef.File
			if k := ef.KeyOf("password"); k != "" {
				source = "env:" + k
			}
			pw = profile.Password{Set: true, Known: true, Source: source, Loc: ef.Password.Loc}
		}
		svc.Password = pw
	}
}

// groupOf is the variable group of a profile name: api.DB_* -> DB_*.
func groupOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// override records in dst every field src sets. The password is recorded
// as overridden but its value is never copied.
func override(dst, src *profile.Profile, via string) {
	put := func(field string, v, written profile.Value) {
		if !v.Set {
			return
		}
		if dst.Overrides == nil {
			dst.Overrides = map[string]profile.Override{}
		}
		dst.Overrides[field] = profile.Override{Value: v, Written: written.Loc, Via: via}
	}
	sh, dh := src.FirstHost(), dst.FirstHost()
	put("driver", src.Driver, dst.Driver)
	put("host", sh.Host, dh.Host)
	put("port", sh.Port, dh.Port)
	put("database", src.Database, dst.Database)
	put("user", src.User, dst.User)
	put("tls", src.TLS.Mode, dst.TLS.Mode)
	put("pool.max_open", src.Pool.MaxOpen, dst.Pool.MaxOpen)
	put("timeouts.connect", src.Timeouts.Connect, dst.Timeouts.Connect)
	if src.Password.Set {
		put("password", profile.Value{Text: src.Password.Source, Set: true, Loc: src.Password.Loc},
			profile.Value{Loc: dst.Password.Loc})
	}
}

// linkSubcharts links the client blocks of a Helm values file to the
// database subchart they reach: a client whose host is the Service the
// subchart creates ({{ .Release.Name }}-postgresql, a fullnameOverride,
// also followed by .namespace.svc...) takes a "server" parameter with the
// subchart profile's id (file#key path), so that check and review can
// read the server's limits for it.
func linkSubcharts(file string, ps []*profile.Profile) {
	for _, srv := range ps {
		h := srv.FirstHost().Host
		if sv, ok := srv.Params[subchartServiceParam]; ok && h.Text == "" {
			h = sv
		}
		if !srv.ServerSide || srv.Format != "" && srv.Format != "helm" || h.Text == "" {
			continue
		}
		for _, c := range ps {
			if c.ServerSide {
				continue
			}
			if _, ok := c.Params["server"]; ok {
				continue
			}
			ch := c.FirstHost().Host.Text
			if first, _, _ := strings.Cut(ch, "."); !strings.EqualFold(ch, h.Text) && !strings.EqualFold(first, h.Text) {
				continue
			}
			c.SetParam("server", profile.Value{Text: file + "#" + srv.KeyPath, Set: true, Loc: h.Loc})
		}
	}
}
