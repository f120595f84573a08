package profile

import (
	"sort"
	"strconv"
	"strings"
)

// SchemaVersion is the version of every JSON document dbguard writes. It
// changes only when a field is removed or changes meaning
// (docs/formats.md).
const SchemaVersion = 1

// View is a profile as scan --format json writes it: flat keys that other
// tools (and dbguard's own check, review and verify) read by name. The
// password appears only as password_set and password_source.
type View struct {
	ID              string            `json:"id"`
	File            string            `json:"file"`
	KeyPath         string            `json:"key_path"`
	Name            string            `json:"name"`
	Service         string            `json:"service"`
	ServiceFrom     string            `json:"service_from,omitempty"`
	Format          string            `json:"format"`
	Environment     Environment       `json:"environment"`
	EnvironmentRaw  string            `json:"environment_raw"`
	EnvironmentFrom string            `json:"environment_from,omitempty"`
	Driver          *string           `json:"driver"`
	Host            *string           `json:"host"`
	Port            any               `json:"port"`
	Hosts           []HostView        `json:"hosts"`
	Database        *string           `json:"database"`
	User            *string           `json:"user"`
	PasswordSet     *bool             `json:"password_set"`
	PasswordSource  string            `json:"password_source"`
	PasswordExpr    string            `json:"password_expr,omitempty"`
	TLS             *string           `json:"tls"`
	TLSKey          string            `json:"tls_key,omitempty"`
	TLSFiles        map[string]string `json:"tls_files,omitempty"`
	Pool            PoolView          `json:"pool"`
	Timeouts        TimeoutsView      `json:"timeouts"`
	Replicas        any               `json:"replicas"`
	ReplicasSource  string            `json:"replicas_source,omitempty"`
	ReplicasSurge   any               `json:"replicas_surge,omitempty"`
	Params          map[string]any    `json:"params"`
	Unresolved      []string          `json:"unresolved"`
	Defaults        map[string]string `json:"defaults,omitempty"`
	ServerSide      bool              `json:"server_side"`
	Inactive        bool              `json:"inactive,omitempty"`
	InactiveReason  string            `json:"inactive_reason,omitempty"`
	Effective       map[string]any    `json:"effective"`
	Overrides       []OverrideView    `json:"overrides,omitempty"`
	Notes           []NoteView        `json:"notes,omitempty"`
	Locations       map[string]string `json:"locations"`
}

// HostView is one host of a profile.
type HostView struct {
	Host   *string `json:"host"`
	Port   any     `json:"port"`
	Socket bool    `json:"socket,omitempty"`
}

// PoolView holds pool limits as written (numbers where the file gives numbers).
type PoolView struct {
	MaxOpen     any `json:"max_open"`
	MaxIdle     any `json:"max_idle"`
	MaxLifetime any `json:"max_lifetime"`
	MaxIdleTime any `json:"max_idle_time"`
}

// TimeoutsView holds timeouts as written.
type TimeoutsView struct {
	Connect           any `json:"connect"`
	Statement         any `json:"statement"`
	IdleInTransaction any `json:"idle_in_transaction"`
}

// NoteView is one observation about how the profile is written.
type NoteView struct {
	Kind     string `json:"kind"`
	Key      string `json:"key"`
	Field    string `json:"field"`
	Location string `json:"location"`
	Other    string `json:"other,omitempty"`
}

// OverrideView is one platform override of a field.
type OverrideView struct {
	Field    string `json:"field"`
	Value    any    `json:"value"`
	Via      string `json:"via"`
	Location string `json:"location,omitempty"`
	Written  string `json:"written,omitempty"`
}

// str renders a value as written, or nil when unset.
func str(v Value) *string {
	if !v.Set || v.Text == "" && v.Unresolved {
		return nil
	}
	s := v.Text
	return &s
}

// num renders a value as a number when it is a literal whole number, as
// written otherwise, nil when unset.
func num(v Value) any {
	if !v.Set || v.Text == "" && v.Unresolved {
		return nil
	}
	if !v.Unresolved {
		if n, err := strconv.Atoi(strings.TrimSpace(v.Text)); err == nil {
			return n
		}
	}
	return v.Text
}

// View renders the profile for JSON output.
func (p *Profile) View() View {
	v := View{
		ID: p.ID, File: p.File, KeyPath: p.KeyPath, Name: p.Name, Service: p.Service, ServiceFrom: p.ServiceFrom, Format: p.Format,
		Environment: p.Environment, EnvironmentRaw: p.EnvironmentRaw, EnvironmentFrom: p.EnvironmentFrom,
		Driver: str(p.Driver), Database: str(p.Database), User: str(p.User),
		PasswordSource: p.Password.Source, PasswordExpr: p.Password.Expr,
		TLS: str(p.TLS.Mode), TLSKey: p.TLS.Key,
		ServerSide: p.ServerSide, Inactive: p.Inactive, InactiveReason: p.Reason,
		Params: map[string]any{}, Locations: map[string]string{}, Unresolved: []string{},
		Hosts: []HostView{},
	}
	if v.Environment == "" {
		v.Environment = Unknown
	}
	if p.Password.Known {
		set := p.Password.Set
		v.PasswordSet = &set
	}
	for _, h := range p.Hosts {
		v.Hosts = append(v.Hosts, HostView{Host: str(h.Host), Port: num(h.Port), Socket: h.Socket})
	}
	if len(p.Hosts) > 0 {
		v.Host, v.Port = str(p.Hosts[0].Host), num(p.Hosts[0].Port)
	}
	files := map[string]Value{"ca": p.TLS.CA, "cert": p.TLS.Cert, "key": p.TLS.KeyFile, "verify": p.TLS.Verify}
	for k, f := range files {
		if f.Set {
			if v.TLSFiles == nil {
				v.TLSFiles = map[string]string{}
			}
			v.TLSFiles[k] = f.Text
		}
	}
	v.Pool = PoolView{num(p.Pool.MaxOpen), num(p.Pool.MaxIdle), num(p.Pool.MaxLifetime), num(p.Pool.MaxIdleTime)}
	v.Timeouts = TimeoutsView{num(p.Timeouts.Connect), num(p.Timeouts.Statement), num(p.Timeouts.IdleInTransaction)}
	v.Replicas = num(p.Replicas.Count)
	v.ReplicasSource = p.Replicas.Source
	v.ReplicasSurge = num(p.Replicas.Surge)
	for k, pv := range p.Params {
		v.Params[k] = num(pv)
		if !pv.Set {
			v.Params[k] = nil
		}
	}
	p.EachField(func(name string, f Value) {
		if f.Loc.Line > 0 {
			v.Locations[name] = f.Loc.String()
		}
		if f.Unresolved {
			v.Unresolved = append(v.Unresolved, name)
			if f.HasDefault && name != "password" {
				if v.Defaults == nil {
					v.Defaults = map[string]string{}
				}
				v.Defaults[name] = f.Default
			}
		}
	})
	if p.Password.Unresolved || p.Password.Set && !strings.HasPrefix(p.Password.Source, "literal") && p.Password.Source != "none" || !p.Password.Known {
		if !contains(v.Unresolved, "password") {
			v.Unresolved = append(v.Unresolved, "password")
		}
	}
	if p.Password.Loc.Line > 0 {
		v.Locations["password"] = p.Password.Loc.String()
	}
	sort.Strings(v.Unresolved)
	v.Effective = p.effective()
	for _, n := range p.Notes {
		nv := NoteView{Kind: n.Kind, Key: n.Key, Field: n.Field, Location: n.Loc.String()}
		if n.Other.Line > 0 {
			nv.Other = n.Other.String()
		}
		v.Notes = append(v.Notes, nv)
	}
	for _, name := range sortedKeys(p.Overrides) {
		o := p.Overrides[name]
		ov := OverrideView{Field: name, Value: num(o.Value), Via: o.Via}
		if o.Value.Loc.Line > 0 {
			ov.Location = o.Value.Loc.String()
		}
		if o.Written.Line > 0 {
			ov.Written = o.Written.String()
		}
		v.Overrides = append(v.Overrides, ov)
	}
	return v
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[T any](m map[string]T) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// EachField calls fn for every set field of the profile but the password,
// by the field names later commands use (host, port, pool.max_open,
// timeouts.connect, params.NAME).
func (p *Profile) EachField(fn func(name string, v Value)) {
	visit := func(name string, v Value) {
		if v.Set {
			fn(name, v)
		}
	}
	visit("driver", p.Driver)
	for i, h := range p.Hosts {
		prefix := ""
		if i > 0 {
			prefix = "hosts[" + strconv.Itoa(i) + "]."
		}
		visit(prefix+"host", h.Host)
		visit(prefix+"port", h.Port)
	}
	visit("database", p.Database)
	visit("user", p.User)
	visit("tls", p.TLS.Mode)
	visit("tls.ca", p.TLS.CA)
	visit("tls.cert", p.TLS.Cert)
	visit("tls.key", p.TLS.KeyFile)
	visit("tls.verify", p.TLS.Verify)
	visit("pool.max_open", p.Pool.MaxOpen)
	visit("pool.max_idle", p.Pool.MaxIdle)
	visit("pool.max_lifetime", p.Pool.MaxLifetime)
	visit("pool.max_idle_time", p.Pool.MaxIdleTime)
	visit("timeouts.connect", p.Timeouts.Connect)
	visit("timeouts.statement", p.Timeouts.Statement)
	visit("timeouts.idle_in_transaction", p.Timeouts.IdleInTransaction)
	visit("replicas", p.Replicas.Count)
	for _, k := range sortedKeys(p.Params) {
		visit("params."+k, p.Params[k])
	}
}

// effective is what the application would use: interpolation defaults
// applied, then the platform's overrides. A value with no default stays
// null.
func (p *Profile) effective() map[string]any {
	e := map[string]any{}
	put := func(name string, v Value, number bool) {
		if o, ok := p.Overrides[name]; ok {
			v = o.Value
		}
		s, ok := v.Effective()
		if !ok {
			e[name] = nil
			return
		}
		if number {
			if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
				e[name] = n
				return
			}
		}
		e[name] = s
	}
	put("driver", p.Driver, false)
	h := p.FirstHost()
	put("host", h.Host, false)
	put("port", h.Port, true)
	put("database", p.Database, false)
	put("user", p.User, false)
	put("tls", p.TLS.Mode, false)
	put("pool.max_open", p.Pool.MaxOpen, true)
	put("timeouts.connect", p.Timeouts.Connect, false)
	if p.Password.Known {
		e["password_set"] = p.Password.Set
	} else {
		e["password_set"] = nil
	}
	return e
}
