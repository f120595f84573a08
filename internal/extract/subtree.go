package extract

import (
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Helpers shared by the product extractors (ecs.go, helm.go, pooler.go,
// patroni.go, serverconf.go, node.go, appini.go). A product extractor reads
// the blocks whose meaning it knows and hands the rest of the document to
// the generic walk, so that knowing one product never loses what the
// common conventions would have found elsewhere in the file.

// genericRest runs the generic extractor over root without the nodes in
// drop (blocks a product extractor has already read).
func (fc *fileCtx) genericRest(root *tree.Node, drop map[*tree.Node]bool) []*profile.Profile {
	ps, _ := extractGeneric(fc, without(root, drop), 0)
	return ps
}

// without returns a shallow copy of the tree under n that leaves out the
// dropped nodes. Nodes are shared, not copied: the generic walk does not
// change them.
func without(n *tree.Node, drop map[*tree.Node]bool) *tree.Node {
	if n == nil || len(drop) == 0 || len(n.Children) == 0 {
		return n
	}
	cp := *n
	cp.Children = make([]*tree.Node, 0, len(n.Children))
	for _, c := range n.Children {
		if drop[c] {
			continue
		}
		cp.Children = append(cp.Children, without(c, drop))
	}
	return &cp
}

// ent makes an entry of a scalar node for field f, keyed by the node's key.
func (fc *fileCtx) ent(f field, n *tree.Node) entry {
	return entry{key: n.Key, f: f, v: fc.value(n), node: n}
}

// scalar returns n when it is a scalar (or an explicit null), nil otherwise.
func scalar(n *tree.Node) *tree.Node {
	if n != nil && (n.Kind == tree.Scalar || n.Kind == tree.Null) {
		return n
	}
	return nil
}

// hostPortEntries splits a "host:port" setting (connectAddr, addr, HOST =
// 127.0.0.1:5432, connect_address) into a host entry and a port entry, each
// located at its own text. "[::1]:5432" and "[host]:5432" lose their
// brackets; a bare IPv6 literal, a value without a port or a whole
// interpolation stays one host. A scheme such as tcp:// is skipped.
func (fc *fileCtx) hostPortEntries(key string, n *tree.Node) []entry {
	if n == nil || n.Kind != tree.Scalar {
		return nil
	}
	raw := n.Value
	if in := ParseInterp(raw); in.Whole || raw == "" {
		return []entry{{key: key, f: fHost, v: fc.value(n), node: n}}
	}
	host, port, hostOff, portOff := splitHostPort(raw)
	es := []entry{{key: key, f: fHost, v: textValue(host, fc.subLoc(n, raw, hostOff)), node: n}}
	if portOff >= 0 {
		es = append(es, entry{key: key, f: fPort, v: textValue(port, fc.subLoc(n, raw, portOff)), node: n})
	}
	return es
}

// splitHostPort reads one address. portOff is -1 when there is no port.
func splitHostPort(raw string) (host, port string, hostOff, portOff int) {
	s := raw
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], "/@:") {
		hostOff = i + 3
		s = s[i+3:]
	}
	if j := strings.IndexAny(s, "/?"); j >= 0 {
		s = s[:j]
	}
	if strings.HasPrefix(s, "[") {
		if e := strings.IndexByte(s, ']'); e > 0 {
			host = s[1:e]
			if strings.HasPrefix(s[e+1:], ":") {
				return host, s[e+2:], hostOff + 1, hostOff + e + 2
			}
			return host, "", hostOff + 1, -1
		}
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 || strings.Count(s, ":") > 1 {
		return s, "", hostOff, -1
	}
	return s[:i], s[i+1:], hostOff, hostOff + i + 1
}

// assembleListed assembles a block that must be listed even when it holds
// too little to connect with: a helm block that is switched off, a route
// whose user comes from the client. assemble's server-side rule accepts
// any block, so it is borrowed and the flag restored.
func (fc *fileCtx) assembleListed(b block) *profile.Profile {
	b.listed = true
	return fc.assemble(b)
}

// secretRefValue is the value of a setting that names an outside secret.
func (fc *fileCtx) secretRefValue(n *tree.Node, ref string) profile.Value {
	return profile.Value{Set: true, Unresolved: true, Var: "secret:" + ref, Loc: fc.loc(n)}
}

// paramEntry keeps a notable scalar in params under name. A key that
// names a credential is never kept: params are printed.
func (fc *fileCtx) paramEntry(name string, n *tree.Node) entry {
	if isSecretKey(name) {
		return entry{key: name}
	}
	return entry{key: name, f: fParam, v: fc.value(n), node: n}
}
