// Package profile is dbguard's core model: one database connection as an
// application will make it, with every field's origin in the source files.
// It imports nothing else of dbguard's, so every other package can share it.
package profile

import (
	"fmt"
	"strconv"
	"strings"
)

// Location is where a value's text starts in a source file. Line and Column
// are 1-based; Column counts Unicode characters (runes), as editors do. A zero
// Line means the position is unknown.
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// String renders file:line:column, or less when parts are unknown.
func (l Location) String() string {
	switch {
	case l.Line == 0:
		return l.File
	case l.Column == 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
}

// IsZero reports whether nothing is known of the location.
func (l Location) IsZero() bool { return l.File == "" && l.Line == 0 }

// Value is one field of a profile as written in its source.
//
// Text is the value as written (after the file format's own unquoting). When
// the value is an interpolation (${DB_HOST:-localhost}, <%= ENV['X'] %>,
// {{ .Values.x }}), Unresolved is set, Text keeps the raw expression, Var
// names the variable when one can be told, and Default holds the inline
// default when HasDefault. Set distinguishes an absent key from an empty one.
type Value struct {
	Text    string
	Var     string
	Default string
	Loc     Location
	// The flags sit together so that the struct packs tight: profiles
	// hold dozens of values and a scan holds thousands of profiles.
	Set        bool
	Unresolved bool
	HasDefault bool
}

// V returns a set, literal value at loc.
func V(text string, loc Location) Value { return Value{Text: text, Set: true, Loc: loc} }

// Effective returns what the application would use: the default of an
// unresolved value when it has one, the text otherwise. ok is false when the
// value is unset or unresolved without a default.
func (v Value) Effective() (s string, ok bool) {
	switch {
	case !v.Set:
		return "", false
	case v.Unresolved && v.HasDefault:
		return v.Default, true
	case v.Unresolved:
		return "", false
	}
	return v.Text, true
}

// Int parses the effective value as a whole number.
func (v Value) Int() (int, bool) {
	s, ok := v.Effective()
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}

// Host is one server address of a profile. A unix-socket host has Socket set
// and the socket directory or path in Host.
type Host struct {
	Host   Value
	Port   Value
	Socket bool
	// Extra is a third part some host settings carry (host:port:db); the
	// extractor moves it where it belongs.
	Extra Value `json:"-"`
}

// Password is a profile's credential: the secret itself when the file holds
// it literally, otherwise where it comes from.
type Password struct {
	Secret Secret
	// Set reports whether the file gives a password or wires one to an
	// outside source. Known is false when the file cannot tell (the whole
	// connection string lives in an outside secret).
	Set   bool
	Known bool
	// Source is "literal", "env:NAME", "secret:REF", "file:PATH" or "none".
	Source string
	// Unresolved is set when the password is an interpolation; Expr keeps
	// the expression with any default masked, Default is never kept.
	Unresolved bool
	Expr       string
	Loc        Location
	// NeedsEncoding is set when a literal password inside a URL holds
	// characters that must be percent-encoded and are not.
	NeedsEncoding bool
}

// TLS is how a profile secures its connection. Mode is the raw value of the
// setting that controls TLS (sslmode, tls, useSSL, Encrypt, the rediss
// scheme); Key names that setting.
type TLS struct {
	Mode    Value
	Key     string
	CA      Value
	Cert    Value
	KeyFile Value
	Verify  Value // an explicit verification switch, e.g. TrustServerCertificate
}

// Pool holds client-side connection-pool limits.
type Pool struct {
	MaxOpen     Value
	MaxIdle     Value
	MaxLifetime Value
	MaxIdleTime Value
}

// Timeouts holds the client's timeouts as written (units as written too:
// "5s", "5000" with a unit implied by the key, ...).
type Timeouts struct {
	Connect           Value
	Statement         Value
	IdleInTransaction Value
}

// Replicas is how many instances of the service use the profile at once, and
// where that number came from.
type Replicas struct {
	Count  Value
	Source string // "deployment", "hpa", "compose", "dbguard.yaml", ...
	// Surge is the extra instances a rolling update adds (maxSurge),
	// counted when connections peak at deploy time.
	Surge Value
}

// Environment is the canonical environment of a profile.
type Environment string

const (
	Production  Environment = "production"
	Staging     Environment = "staging"
	Development Environment = "development"
	Test        Environment = "test"
	// CI is a continuous-integration job: a workflow's service
	// containers and the connections its steps make to them.
	CI      Environment = "ci"
	Unknown Environment = "unknown"
)

// Environments lists the canonical environments in a stable order.
var Environments = []Environment{Production, Staging, Development, Test, CI, Unknown}

// CanonicalEnvironment maps what a file says (prod, PRODUCTION, live, dev,
// stage, qa, ...) to a canonical environment.
func CanonicalEnvironment(raw string) Environment {
	s := strings.ToLower(strings.TrimSpace(raw))
	switch s {
	case "production", "prod", "prd", "live", "product", "main", "release":
		return Production
	case "staging", "stage", "stg", "preprod", "pre-prod", "pre", "preproduction", "uat":
		return Staging
	case "development", "dev", "develop", "local", "daily", "devel", "docker":
		return Development
	case "test", "testing", "tests", "qa", "e2e", "integration":
		return Test
	case "ci":
		return CI
	}
	return Unknown
}

// Profile is one database connection as the application will make it.
type Profile struct {
	// ID is file plus key path: config/database.yml#production.primary.
	ID string
	// File is the source path relative to the scanned argument it was
	// found under, slash-separated.
	File string
	// KeyPath locates the profile's block inside the file.
	KeyPath string
	// Name is the human name: environment block, compose service (plus
	// variable), Spring datasource, ...
	Name string
	// Format names the extractor that found the profile.
	Format string

	// Service is the application the connection belongs to, the same for
	// its copies across replicas, regions and overlays (package service
	// decides it); ServiceFrom is "dbguard.yaml" when the services section
	// named it, "" when it was inferred.
	Service     string
	ServiceFrom string

	Environment     Environment
	EnvironmentRaw  string
	EnvironmentFrom string // how Environment was decided: dbguard.yaml, key, block, path, namespace

	Driver   Value
	Hosts    []Host
	Database Value
	User     Value
	Password Password
	TLS      TLS
	Pool     Pool
	Timeouts Timeouts
	Replicas Replicas

	// Params holds other notable settings by name. A secret never goes
	// here; raw connection strings are redacted before they do.
	Params map[string]Value

	// ServerSide marks a database server's own settings (a database
	// container, postgresql.conf, a database subchart) rather than a client.
	ServerSide bool
	// Inactive marks a block that is present but switched off, with Reason.
	Inactive bool
	Reason   string

	// Overrides records values the platform replaces at run time (a
	// SPRING_DATASOURCE_URL variable overriding application.yml, compose's
	// environment: over its .env file), keyed by field name.
	Overrides map[string]Override

	// Keys records the key each field was read from (timeouts.connect ->
	// connectTimeoutMS), since a bare number's unit often lives in the
	// key's name. KeyOf looks one up.
	Keys []FieldKey

	// Notes record how the profile is written where a rule may judge it:
	// a key set twice, a connection key that sits outside the block that
	// reads it.
	Notes []Note

	// EnvFiles are the files a compose service reads its environment from
	// (env_file:), relative to the scanned argument, so that the scan can
	// connect the service with the profiles those files define.
	EnvFiles []string
}

// Override is a value the platform applies over what the profile's file
// says, with both locations kept.
type Override struct {
	Value   Value
	Written Location // where the overridden value was written
	Via     string   // e.g. "env SPRING_DATASOURCE_URL"
}

// Param returns a named parameter.
func (p *Profile) Param(name string) (Value, bool) {
	v, ok := p.Params[name]
	return v, ok
}

// SetParam records a parameter, creating the map on first use.
func (p *Profile) SetParam(name string, v Value) {
	if p.Params == nil {
		p.Params = map[string]Value{}
	}
	p.Params[name] = v
}

// FirstHost returns the first host, or a zero Host.
func (p *Profile) FirstHost() Host {
	if len(p.Hosts) == 0 {
		return Host{}
	}
	return p.Hosts[0]
}

// Note kinds.
const (
	// NoteDuplicateKey: one block sets a field twice; the last one wins.
	NoteDuplicateKey = "duplicate-key"
	// NoteStrayKey: a connection key sits next to the block that should
	// read it (an indentation slip), so the application never sees it.
	NoteStrayKey = "stray-key"
	// NoteConditional: the field's value sits in a branch of a template
	// block ({{ if }}, <% if %>, {% for %}); Key holds the conditions,
	// Other the same key's value in another branch, if any.
	NoteConditional = "conditional"
)

// Note is an observation about how a profile is written.
type Note struct {
	Kind  string
	Key   string   // the key as written
	Field string   // the field it sets (host, pool.max_open, ...)
	Loc   Location // the duplicate that wins, or the stray key
	Other Location // the first occurrence, or the block the key belongs in
}

// FieldKey is the key a field was read from.
type FieldKey struct {
	Field string // host, timeouts.connect, ...
	Key   string // as written: connectTimeoutMS, DB_HOST
}

// KeyOf returns the key a field was read from, or "".
func (p *Profile) KeyOf(field string) string {
	for i := len(p.Keys) - 1; i >= 0; i-- {
		if p.Keys[i].Field == field {
			return p.Keys[i].Key
		}
	}
	return ""
}

// Problem is an input that could not be read or understood, where: the
// input-unreadable finding of every command. Msg never quotes a secret
// (extract's parser errors pass through one scrubber).
type Problem struct {
	Loc Location
	Msg string
}

func (p Problem) String() string { return p.Loc.String() + ": " + p.Msg }
