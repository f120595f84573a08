package docsgen

import (
	"cmp"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// topology draws services → poolers → servers. A client connects to the
// address its first host names; when a pooler of the inventory listens on
// that address's port (the only one that does), the client's edge goes to
// the pooler, whose backends are its edges to servers. A pooler sidecar
// in the client's pod (the sidecars parameter) with a local host is a
// pooler of its own. Every other address is a server.
func topology(entries []Entry, defaultPort func(string) (int, bool)) Topology {
	type poolerInfo struct {
		label string
		port  string
		entry Entry
	}
	var poolers []poolerInfo
	for _, e := range entries {
		if !Pooler(e.Profile) || e.Profile.Inactive {
			continue
		}
		port := ""
		for _, k := range []string{"global.listen_port", "general.port", "listen_port"} {
			if v, ok := e.Profile.Param(k); ok && v.Text != "" {
				port = v.Text
				break
			}
		}
		label := poolerName(e.Profile.Format) + " " + e.File
		if port != "" {
			label += " (:" + port + ")"
		}
		poolers = append(poolers, poolerInfo{label: label, port: port, entry: e})
	}
	byPort := map[string][]string{}
	for _, p := range poolers {
		if p.port != "" && !slices.Contains(byPort[p.port], p.label) {
			byPort[p.port] = append(byPort[p.port], p.label)
		}
	}
	nodes := map[string]string{} // label → kind
	edges := map[[2]string][]string{}
	addEdge := func(from, to, env string) {
		k := [2]string{from, to}
		if !slices.Contains(edges[k], env) {
			edges[k] = append(edges[k], env)
		}
	}
	for _, p := range poolers {
		nodes[p.label] = "pooler"
		for _, a := range addresses(p.entry.Profile, defaultPort) {
			nodes[a] = "server"
			addEdge(p.label, a, envName(p.entry.Profile))
		}
	}
	for _, e := range entries {
		p := e.Profile
		if Pooler(p) || p.Inactive {
			continue
		}
		addrs := addresses(p, defaultPort)
		if p.ServerSide {
			for _, a := range addrs {
				nodes[a] = "server"
			}
			continue
		}
		if len(addrs) == 0 {
			continue
		}
		svc := "service " + cmp.Or(p.Service, "(no service)")
		nodes[svc] = "service"
		env := envName(p)
		if sc, ok := sidecarPooler(p); ok {
			label := sc + " sidecar of " + cmp.Or(p.Service, "(no service)")
			nodes[label] = "pooler"
			addEdge(svc, label, env)
			continue
		}
		for _, a := range addrs {
			_, port, _ := net.SplitHostPort(a)
			if ps := byPort[port]; len(ps) == 1 {
				addEdge(svc, ps[0], env)
				continue
			}
			if nodes[a] == "" {
				nodes[a] = "server"
			}
			addEdge(svc, a, env)
		}
	}
	kindRank := map[string]int{"service": 0, "pooler": 1, "server": 2}
	labels := sortedKeys(nodes)
	slices.SortStableFunc(labels, func(a, b string) int { return cmp.Compare(kindRank[nodes[a]], kindRank[nodes[b]]) })
	t := Topology{Nodes: []Node{}, Edges: []Edge{}}
	ids := map[string]string{}
	count := map[string]int{}
	for _, l := range labels {
		k := nodes[l]
		count[k]++
		id := k + strconv.Itoa(count[k])
		ids[l] = id
		t.Nodes = append(t.Nodes, Node{ID: id, Kind: k, Label: strings.TrimPrefix(l, "service ")})
	}
	for k, envs := range edges {
		slices.Sort(envs)
		t.Edges = append(t.Edges, Edge{From: ids[k[0]], To: ids[k[1]], Label: strings.Join(envs, ", ")})
	}
	slices.SortFunc(t.Edges, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(idRank(a.From, kindRank), idRank(b.From, kindRank)), cmp.Compare(a.From, b.From),
			cmp.Compare(idRank(a.To, kindRank), idRank(b.To, kindRank)), cmp.Compare(a.To, b.To))
	})
	return t
}

// idRank orders node ids service1 < service2 < ... < pooler1 < server1,
// numerically within a kind.
func idRank(id string, kindRank map[string]int) int {
	i := strings.IndexAny(id, "0123456789")
	n, _ := strconv.Atoi(id[i:])
	return kindRank[id[:i]]*1_000_000 + n
}

func envName(p *profile.Profile) string {
	return string(cmp.Or(p.Environment, profile.Unknown))
}

// addresses are a profile's hosts as host:port, with the driver's
// default port when none is written.
func addresses(p *profile.Profile, defaultPort func(string) (int, bool)) []string {
	var out []string
	drv := profile.CanonicalDriver(text(p.Driver))
	for _, h := range p.Hosts {
		host := text(h.Host)
		if host == "" {
			continue
		}
		if h.Socket || strings.HasPrefix(host, "/") {
			out = append(out, host)
			continue
		}
		port := text(h.Port)
		if port == "" && defaultPort != nil {
			if n, ok := defaultPort(drv); ok {
				port = strconv.Itoa(n)
			}
		}
		if port == "" {
			out = append(out, host)
			continue
		}
		if strings.Contains(host, "${") || strings.Contains(host, "{{") {
			out = append(out, host+":"+port) // an unresolved expression, as written
			continue
		}
		out = append(out, net.JoinHostPort(host, port))
	}
	return out
}

// sidecarPooler names the pooler sidecar a client goes through: one the
// sidecars parameter lists, when the client's host is local.
func sidecarPooler(p *profile.Profile) (string, bool) {
	v, ok := p.Param("sidecars")
	if !ok {
		return "", false
	}
	h := p.FirstHost()
	host := text(h.Host)
	if !(h.Socket || host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1" || strings.HasPrefix(host, "/")) {
		return "", false
	}
	for _, s := range strings.Split(v.Text, ",") {
		l := strings.ToLower(s)
		for _, kind := range []string{"pgbouncer", "pgcat", "odyssey"} {
			if strings.Contains(l, kind) {
				name, _, _ := strings.Cut(strings.TrimSpace(s), "=")
				return poolerName(kind) + " " + name, true
			}
		}
	}
	return "", false
}

func poolerName(format string) string {
	switch format {
	case "pgbouncer":
		return "PgBouncer"
	case "pgcat":
		return "pgcat"
	case "odyssey":
		return "Odyssey"
	}
	return format
}
