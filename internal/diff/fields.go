package diff

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// fieldValues lists a profile's set fields by canonical name.
func fieldValues(p *profile.Profile) map[string]profile.Value {
	m := map[string]profile.Value{}
	p.EachField(func(name string, v profile.Value) { m[name] = v })
	return m
}

// fieldOrder ranks canonical field names as the model lists them, so
// that changes read in a familiar order.
func fieldOrder(f string) int {
	order := []string{"profile", "environment", "active", "driver", "hosts", "host", "port", "database", "user", "password", "tls"}
	for i, o := range order {
		if f == o {
			return i
		}
	}
	switch {
	case strings.HasPrefix(f, "hosts["):
		return 20
	case strings.HasPrefix(f, "tls."):
		return 30
	case strings.HasPrefix(f, "pool."):
		return 40
	case strings.HasPrefix(f, "timeouts."):
		return 50
	case f == "replicas":
		return 60
	}
	return 70
}

func ptr(s string) *string { return &s }

// shown is a value as the review prints it.
func shown(v profile.Value) *string {
	if !v.Set {
		return nil
	}
	return ptr(v.Text)
}

func sameValue(a, b profile.Value) bool {
	if a.Set != b.Set {
		return false
	}
	if !a.Set {
		return true
	}
	if a.Unresolved != b.Unresolved {
		return false
	}
	return strings.TrimSpace(a.Text) == strings.TrimSpace(b.Text)
}

func kindOf(a, b profile.Value) Kind {
	switch {
	case !a.Set:
		return Added
	case !b.Set:
		return Removed
	}
	return Changed
}

// base fills in what every change of a matched profile carries.
func base(o, n *profile.Profile, field string) Change {
	c := Change{Field: field}
	p := n
	if p == nil {
		p = o
	}
	c.Profile, c.Name, c.Environment, c.File = p.ID, p.Name, p.Environment, p.File
	c.KeyPath, c.Service = p.KeyPath, p.Service
	if o != nil && n != nil && o.ID != n.ID {
		c.OldProfile = o.ID
	}
	c.identity = "new:" + idOf(n) + "|old:" + idOf(o)
	return c
}

func idOf(p *profile.Profile) string {
	if p == nil {
		return ""
	}
	return p.ID + "|" + identity(p)
}

// compareProfiles lists the changes between two matched profiles. moved
// says the profile sits in another file or under another key.
func compareProfiles(o, n *profile.Profile, moved bool) []Change {
	var out []Change
	if moved {
		c := base(o, n, "profile")
		c.Kind, c.Old, c.New = Moved, ptr(o.ID), ptr(n.ID)
		c.OldLoc, c.NewLoc = profile.Location{File: o.File}, profile.Location{File: n.File}
		out = append(out, c)
	}
	if o.Environment != n.Environment {
		c := base(o, n, "environment")
		c.Kind, c.Old, c.New = Changed, ptr(string(o.Environment)), ptr(string(n.Environment))
		out = append(out, c)
	}
	if o.Inactive != n.Inactive {
		c := base(o, n, "active")
		c.Kind, c.Old, c.New = Changed, ptr(strconv.FormatBool(!o.Inactive)), ptr(strconv.FormatBool(!n.Inactive))
		out = append(out, c)
	}
	ov, nv := fieldValues(o), fieldValues(n)
	skip := map[string]bool{}
	if c, ok := hostOrder(o, n); ok {
		out = append(out, c)
		for name := range ov {
			if name == "host" || name == "port" || strings.HasPrefix(name, "hosts[") {
				skip[name] = true
			}
		}
	}
	names := map[string]bool{}
	for k := range ov {
		names[k] = true
	}
	for k := range nv {
		names[k] = true
	}
	for name := range names {
		if skip[name] || strings.HasPrefix(name, "hosts[") && skip["host"] {
			continue
		}
		a, b := ov[name], nv[name]
		if sameValue(a, b) {
			continue
		}
		if name == "driver" && a.Loc.Line == 0 && b.Loc.Line == 0 {
			// A driver written nowhere is inferred from the other
			// settings (the port, a key name); its change is theirs.
			continue
		}
		c := base(o, n, name)
		c.Kind, c.Old, c.New, c.OldLoc, c.NewLoc = kindOf(a, b), shown(a), shown(b), a.Loc, b.Loc
		out = append(out, c)
	}
	if c, ok := passwordChange(o, n); ok {
		out = append(out, c)
	}
	return out
}

// hostOrder reports a multi-host list whose members stayed and whose order
// changed, as one change: drivers try hosts in order.
func hostOrder(o, n *profile.Profile) (Change, bool) {
	if len(o.Hosts) < 2 || len(o.Hosts) != len(n.Hosts) {
		return Change{}, false
	}
	list := func(p *profile.Profile) []string {
		out := make([]string, len(p.Hosts))
		for i, h := range p.Hosts {
			out[i] = strings.TrimSpace(h.Host.Text)
			if h.Port.Set {
				out[i] += ":" + strings.TrimSpace(h.Port.Text)
			}
		}
		return out
	}
	a, b := list(o), list(n)
	count := map[string]int{}
	same := true
	for i := range a {
		count[a[i]]++
		count[b[i]]--
		same = same && a[i] == b[i]
	}
	if same {
		return Change{}, false
	}
	for _, v := range count {
		if v != 0 {
			return Change{}, false
		}
	}
	c := base(o, n, "hosts")
	c.Kind, c.Old, c.New = Changed, ptr(strings.Join(a, ",")), ptr(strings.Join(b, ","))
	c.OldLoc, c.NewLoc = o.FirstHost().Host.Loc, n.FirstHost().Host.Loc
	return c, true
}

// passwordChange compares the credentials of two profiles without ever
// putting a secret, or anything derived from one, into the change.
func passwordChange(o, n *profile.Profile) (Change, bool) {
	a, b := o.Password, n.Password
	c := base(o, n, "password")
	c.OldLoc, c.NewLoc = a.Loc, b.Loc
	switch {
	case !a.Known && !b.Known:
		return c, false
	case !a.Set && !b.Set:
		return c, false
	case !a.Set && b.Set:
		c.Kind, c.New = Added, ptr("added"+from(b))
	case a.Set && !b.Set:
		c.Kind, c.Old, c.New = Removed, ptr("set"), ptr("removed")
	case b.Unresolved && !a.Unresolved && literal(a):
		c.Kind, c.Old, c.New = Changed, ptr("set in the file"), ptr("now unresolved"+from(b))
	case literal(a) && literal(b):
		if a.Secret.Equal(b.Secret) {
			return c, false
		}
		c.Kind, c.Old, c.New = Changed, ptr("set"), ptr("changed")
	case a.Source != b.Source || a.Expr != b.Expr || a.Known != b.Known:
		c.Kind, c.Old, c.New = Changed, ptr("set"+from(a)), ptr("changed"+from(b))
	default:
		return c, false
	}
	return c, true
}

func literal(p profile.Password) bool {
	return p.Set && p.Known && !p.Unresolved && strings.HasPrefix(p.Source, "literal")
}

// from names where a password comes from, never what it is.
func from(p profile.Password) string {
	switch {
	case !p.Known:
		return " (from an outside secret)"
	case strings.HasPrefix(p.Source, "env:"):
		return " (from " + strings.TrimPrefix(p.Source, "env:") + ")"
	case strings.HasPrefix(p.Source, "secret:"), strings.HasPrefix(p.Source, "file:"):
		return " (from " + p.Source + ")"
	case strings.HasPrefix(p.Source, "literal"):
		return " (in the file)"
	}
	return ""
}

// profileChange reports a whole profile added or removed.
func profileChange(o, n *profile.Profile, k Kind) Change {
	c := base(o, n, "profile")
	c.Kind = k
	p := n
	if k == Removed {
		p = o
		c.Old = ptr(o.ID)
	} else {
		c.New = ptr(n.ID)
	}
	h := p.FirstHost()
	desc := fmt.Sprintf("%s profile", envName(p.Environment))
	if s, ok := h.Host.Effective(); ok && s != "" {
		desc += " for " + s
	}
	c.Reason = desc
	if loc, ok := firstLoc(p); ok {
		if k == Removed {
			c.OldLoc = loc
		} else {
			c.NewLoc = loc
		}
	}
	return c
}

func envName(e profile.Environment) string {
	if e == "" {
		return string(profile.Unknown)
	}
	return string(e)
}

// firstLoc is where a profile's earliest located field is.
func firstLoc(p *profile.Profile) (profile.Location, bool) {
	var best profile.Location
	p.EachField(func(_ string, v profile.Value) {
		if v.Loc.Line > 0 && (best.Line == 0 || v.Loc.Line < best.Line || v.Loc.Line == best.Line && v.Loc.Column < best.Column) {
			best = v.Loc
		}
	})
	if best.Line == 0 {
		best = profile.Location{File: p.File}
	}
	return best, best.File != ""
}
