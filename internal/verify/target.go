package verify

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/profile"
)

// TLSMode is the normalised TLS setting of a target, in libpq's terms
// (which every driver's setting maps onto).
type TLSMode string

const (
	TLSDisable    TLSMode = "disable"
	TLSAllow      TLSMode = "allow"
	TLSPrefer     TLSMode = "prefer"
	TLSRequire    TLSMode = "require"
	TLSVerifyCA   TLSMode = "verify-ca"
	TLSVerifyFull TLSMode = "verify-full"
)

// requires reports whether the mode refuses a plaintext connection.
func (m TLSMode) requires() bool {
	return m == TLSRequire || m == TLSVerifyCA || m == TLSVerifyFull
}

// HostPort is one server address of a target.
type HostPort struct {
	Host string
	Port int
}

// Target is a profile resolved into what a probe needs: every field
// decided, every reference looked up.
type Target struct {
	Driver   string
	Hosts    []HostPort
	Database string
	User     string
	Password profile.Secret
	TLS      TLSMode
	CAFile   string
	CertFile string
	KeyFile  string
	// NeedWriter is set when the profile asks for a read-write session
	// (target_session_attrs=read-write or primary).
	NeedWriter bool
	// TLSMin and TLSMax bound the TLS versions the client offers
	// (ssl_min_protocol_version, ssl_max_protocol_version); 0 is Go's
	// default.
	TLSMin, TLSMax uint16
	// PoolMax and Replicas feed the capacity stage; 0 means unknown.
	PoolMax  int
	Replicas int
	// Peak is Replicas with the rollout's surge and where the count came
	// from, counted as check and review count it (package capacity).
	Peak capacity.Peak
}

// Env looks up a variable of the environment the application would run
// in. The CLI passes os.LookupEnv; tests pass a map.
type Env func(name string) (string, bool)

// Resolve options that come from outside the profile.
type ResolveOptions struct {
	Env Env
	// SecretsDir holds Kubernetes-style secret files: a password whose
	// source is secret:NAME/KEY is read from SecretsDir/NAME/KEY.
	SecretsDir string
	// BaseDir resolves relative file: references.
	BaseDir string
}

// ConfigError lists why a profile cannot form a connection.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string { return strings.Join(e.Problems, "; ") }

// TargetFrom resolves p. Unresolved fields are looked up in o.Env; each one
// that cannot be is a problem of the returned *ConfigError. Nothing secret
// appears in a problem: a password problem names only its source.
func TargetFrom(p *profile.Profile, drivers map[string]Driver, o ResolveOptions) (Target, error) {
	r := resolver{env: o.Env}
	var t Target
	t.Driver = r.str("driver", p.Driver, false)
	host0 := p.FirstHost()
	if t.Driver == "" {
		// Infer from the well-known ports when the file names no driver.
		sub := resolver{env: r.env}
		if port, _ := strconv.Atoi(sub.str("port", host0.Port, false)); port != 0 {
			switch port {
			case 5432, 6432:
				t.Driver = "postgres"
			case 3306:
				t.Driver = "mysql"
			}
		}
	}
	drv, ok := drivers[t.Driver]
	if t.Driver == "" {
		r.add("driver: not set and not implied by the port")
	} else if !ok {
		r.add(fmt.Sprintf("driver %q: no prober for it", t.Driver))
	}
	if len(p.Hosts) == 0 {
		r.add("host: not set")
	}
	for i, h := range p.Hosts {
		name := "host"
		if len(p.Hosts) > 1 {
			name = fmt.Sprintf("host[%d]", i)
		}
		if h.Socket {
			r.add(name + ": unix sockets are not probed")
			continue
		}
		host := r.str(name, h.Host, true)
		port := 0
		if ps := r.str(name+" port", h.Port, false); ps != "" {
			n, err := strconv.Atoi(ps)
			if err != nil || n < 1 || n > 65535 {
				r.add(fmt.Sprintf("%s port %q: not a port number", name, ps))
			}
			port = n
		} else if ok {
			port = drv.DefaultPort()
		}
		if host != "" {
			t.Hosts = append(t.Hosts, HostPort{Host: host, Port: port})
		}
	}
	t.Database = r.str("database", p.Database, false)
	t.User = r.str("user", p.User, true)
	t.Password = r.password(p.Password, o)
	t.TLS = r.tlsMode(t.Driver, p.TLS.Mode)
	t.CAFile = r.str("tls ca", p.TLS.CA, false)
	t.CertFile = r.str("tls cert", p.TLS.Cert, false)
	t.KeyFile = r.str("tls key", p.TLS.KeyFile, false)
	for _, f := range []*string{&t.CAFile, &t.CertFile, &t.KeyFile} {
		if *f != "" && !filepath.IsAbs(*f) && o.BaseDir != "" {
			*f = filepath.Join(o.BaseDir, *f)
		}
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		r.add("tls: a client certificate needs both a certificate and a key file")
	}
	if v, ok := p.Param("target_session_attrs"); ok {
		switch s := strings.ToLower(r.str("target_session_attrs", v, false)); s {
		case "read-write", "primary":
			t.NeedWriter = true
		}
	}
	t.TLSMin = r.tlsVersion(p, "ssl_min_protocol_version")
	t.TLSMax = r.tlsVersion(p, "ssl_max_protocol_version")
	t.PoolMax = r.positive("pool max", p.Pool.MaxOpen)
	t.Replicas = r.positive("replicas", p.Replicas.Count)
	if t.Replicas > 0 {
		// The count as resolved (it may be a variable), its surge and
		// source as written.
		t.Peak = capacity.PeakOf(profile.Replicas{Count: profile.Value{Text: strconv.Itoa(t.Replicas), Set: true},
			Surge: p.Replicas.Surge, Source: p.Replicas.Source})
	}
	if len(r.problems) > 0 {
		return t, &ConfigError{Problems: r.problems}
	}
	return t, nil
}

// resolver turns profile values into strings, collecting problems.
type resolver struct {
	env      Env
	problems []string
}

func (r *resolver) add(s string) { r.problems = append(r.problems, s) }

// str returns v's effective text, or its variable from the environment.
func (r *resolver) str(name string, v profile.Value, required bool) string {
	if !v.Set {
		if required {
			r.add(name + ": not set")
		}
		return ""
	}
	if !v.Unresolved {
		return v.Text
	}
	if v.Var != "" && r.env != nil {
		if s, ok := r.env(v.Var); ok {
			return s
		}
	}
	if v.HasDefault {
		return v.Default
	}
	if v.Var != "" {
		r.add(fmt.Sprintf("%s: %s is unresolved and %s is not set", name, v.Text, v.Var))
	} else {
		r.add(fmt.Sprintf("%s: %s cannot be resolved outside its platform", name, v.Text))
	}
	return ""
}

// positive parses a count; unset or unresolved counts are unknown (0).
func (r *resolver) positive(name string, v profile.Value) int {
	if !v.Set {
		return 0
	}
	sub := resolver{env: r.env}
	s := sub.str(name, v, false)
	if len(sub.problems) > 0 || s == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		r.add(fmt.Sprintf("%s %q: not a whole number", name, s))
		return 0
	}
	return n
}

// password resolves the credential from its source. Problems name the
// source (a variable, a file), never any part of the value.
func (r *resolver) password(pw profile.Password, o ResolveOptions) profile.Secret {
	src := pw.Source
	switch {
	case src == "literal" && !pw.Unresolved:
		return pw.Secret
	case src == "none" || src == "":
		return profile.Secret{}
	case strings.HasPrefix(src, "env:"):
		name := strings.TrimPrefix(src, "env:")
		if r.env != nil {
			if s, ok := r.env(name); ok {
				return profile.NewSecret(s)
			}
		}
		r.add(fmt.Sprintf("password: comes from %s, which is not set", name))
	case strings.HasPrefix(src, "file:"):
		path := strings.TrimPrefix(src, "file:")
		if !filepath.IsAbs(path) && o.BaseDir != "" {
			path = filepath.Join(o.BaseDir, path)
		}
		return r.passwordFile(path)
	case strings.HasPrefix(src, "secret:"):
		ref := strings.TrimPrefix(src, "secret:")
		if o.SecretsDir == "" {
			r.add(fmt.Sprintf("password: comes from secret %s; give --secrets-dir where it is mounted", ref))
			return profile.Secret{}
		}
		parts := strings.FieldsFunc(ref, func(c rune) bool { return c == '/' || c == '#' || c == ':' })
		if len(parts) == 0 {
			r.add(fmt.Sprintf("password: secret reference %q names no file", ref))
			return profile.Secret{}
		}
		return r.passwordFile(filepath.Join(append([]string{o.SecretsDir}, parts...)...))
	default:
		r.add(fmt.Sprintf("password: source %q cannot be resolved here", src))
	}
	return profile.Secret{}
}

func (r *resolver) passwordFile(path string) profile.Secret {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		r.add(fmt.Sprintf("password: read %s: %v", path, err))
		return profile.Secret{}
	}
	// Secret files conventionally end with one newline that is not
	// part of the password.
	return profile.NewSecret(strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"))
}

// tlsVersion reads a libpq-style TLS version parameter ("TLSv1.2").
func (r *resolver) tlsVersion(p *profile.Profile, name string) uint16 {
	v, ok := p.Param(name)
	if !ok {
		return 0
	}
	switch s := strings.ToLower(r.str(name, v, false)); s {
	case "":
		return 0
	case "tlsv1", "tlsv1.0":
		return tls.VersionTLS10
	case "tlsv1.1":
		return tls.VersionTLS11
	case "tlsv1.2":
		return tls.VersionTLS12
	case "tlsv1.3":
		return tls.VersionTLS13
	default:
		r.add(fmt.Sprintf("%s %q: not a TLS version", name, s))
	}
	return 0
}

// tlsMode normalises the driver's TLS setting.
func (r *resolver) tlsMode(driver string, v profile.Value) TLSMode {
	s := strings.ToLower(strings.TrimSpace(r.str("tls mode", v, false)))
	if s == "" {
		if driver == "postgres" {
			return TLSPrefer // libpq's default
		}
		return TLSDisable // go-sql-driver's default
	}
	switch s {
	case "disable", "disabled", "false", "off", "0", "no":
		return TLSDisable
	case "allow":
		return TLSAllow
	case "prefer", "preferred":
		return TLSPrefer
	case "require", "required", "skip-verify", "true", "on", "1", "yes", "mandatory", "strict":
		if driver == "mysql" && (s == "true" || s == "1") {
			// go-sql-driver's tls=true verifies the certificate
			// against the system roots.
			return TLSVerifyFull
		}
		return TLSRequire
	case "verify-ca", "verify_ca":
		return TLSVerifyCA
	case "verify-full", "verify_identity", "verify-identity":
		return TLSVerifyFull
	}
	r.add(fmt.Sprintf("tls mode %q: not a known setting", s))
	return TLSDisable
}

// addr joins a host and port for dialing.
func addr(ip net.IP, port int) string { return net.JoinHostPort(ip.String(), strconv.Itoa(port)) }

// durationOr returns d, or def when d is not positive.
func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
