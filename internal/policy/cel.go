package policy

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"gopkg.in/yaml.v3"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// CELProfile is the profile object custom rules see, declared to CEL with
// real types: parsed values are typed (port an int, timeouts durations),
// zero when unresolved or invalid, and the text as written is beside them
// under raw. A rule comparing profile.port == "5432" or naming a field that
// does not exist fails when it is loaded, not when it runs.
type CELProfile struct {
	ID          string   `cel:"id"`
	File        string   `cel:"file"`
	KeyPath     string   `cel:"key_path"`
	Name        string   `cel:"name"`
	Format      string   `cel:"format"`
	Environment string   `cel:"environment"`
	Driver      string   `cel:"driver"`
	Host        string   `cel:"host"`
	Hosts       []string `cel:"hosts"`
	Port        int64    `cel:"port"`
	Database    string   `cel:"database"`
	User        string   `cel:"user"`
	PasswordSet bool     `cel:"password_set"`
	// PasswordSource is literal, env:NAME, secret:REF, file:PATH or none;
	// the password itself is never given to a rule.
	PasswordSource string            `cel:"password_source"`
	TLS            CELTLS            `cel:"tls"`
	Pool           CELPool           `cel:"pool"`
	Timeouts       CELTimeouts       `cel:"timeouts"`
	Replicas       int64             `cel:"replicas"`
	Params         map[string]string `cel:"params"`
	Unresolved     []string          `cel:"unresolved"`
	ServerSide     bool              `cel:"server_side"`
	Raw            CELRaw            `cel:"raw"`
}

// CELTLS is a profile's TLS setting.
type CELTLS struct {
	Mode string `cel:"mode"`
	Key  string `cel:"key"`
	// Verified: the server certificate is verified (verify-full, tls=true).
	Verified bool `cel:"verified"`
	// Plaintext: the connection may be unencrypted (disable, allow,
	// prefer, tls=false).
	Plaintext bool   `cel:"plaintext"`
	CA        string `cel:"ca"`
}

// CELPool holds pool limits.
type CELPool struct {
	MaxOpen     int64         `cel:"max_open"`
	MaxIdle     int64         `cel:"max_idle"`
	MaxLifetime time.Duration `cel:"max_lifetime"`
	MaxIdleTime time.Duration `cel:"max_idle_time"`
}

// CELTimeouts holds timeouts.
type CELTimeouts struct {
	Connect           time.Duration `cel:"connect"`
	Statement         time.Duration `cel:"statement"`
	IdleInTransaction time.Duration `cel:"idle_in_transaction"`
}

// CELRaw is every field as written ("" when absent).
type CELRaw struct {
	Host     string         `cel:"host"`
	Port     string         `cel:"port"`
	Database string         `cel:"database"`
	User     string         `cel:"user"`
	TLS      string         `cel:"tls"`
	Pool     CELRawPool     `cel:"pool"`
	Timeouts CELRawTimeouts `cel:"timeouts"`
	Replicas string         `cel:"replicas"`
}

// CELRawPool is the pool as written.
type CELRawPool struct {
	MaxOpen     string `cel:"max_open"`
	MaxIdle     string `cel:"max_idle"`
	MaxLifetime string `cel:"max_lifetime"`
	MaxIdleTime string `cel:"max_idle_time"`
}

// CELRawTimeouts are the timeouts as written.
type CELRawTimeouts struct {
	Connect           string `cel:"connect"`
	Statement         string `cel:"statement"`
	IdleInTransaction string `cel:"idle_in_transaction"`
}

func celInt(v profile.Value) int64 {
	n, ok := v.Int()
	if !ok {
		return 0
	}
	return int64(n)
}

func celDuration(v profile.Value, msFrom int) time.Duration {
	s, ok := eff(v)
	if !ok {
		return 0
	}
	d, _ := parseDuration(s, msFrom)
	return d
}

func celStr(v profile.Value) string {
	s, _ := eff(v)
	return s
}

// celProfileOf builds the object a custom rule sees. It never copies the
// password.
func celProfileOf(p *profile.Profile) *CELProfile {
	h := p.FirstHost()
	st, _ := tlsOf(p)
	cp := &CELProfile{
		ID: p.ID, File: p.File, KeyPath: p.KeyPath, Name: p.Name, Format: p.Format,
		Environment: string(p.Environment), Driver: driver(p), Host: celStr(h.Host), Port: celInt(h.Port),
		Database: celStr(p.Database), User: celStr(p.User),
		PasswordSet: p.Password.Set, PasswordSource: p.Password.Source,
		TLS: CELTLS{Mode: celStr(p.TLS.Mode), Key: p.TLS.Key, Verified: st == tlsVerified,
			Plaintext: st == tlsOff || st == tlsOpportunistic, CA: celStr(p.TLS.CA)},
		Pool: CELPool{MaxOpen: celInt(p.Pool.MaxOpen), MaxIdle: celInt(p.Pool.MaxIdle),
			MaxLifetime: celDuration(p.Pool.MaxLifetime, 100000), MaxIdleTime: celDuration(p.Pool.MaxIdleTime, 100000)},
		Timeouts: CELTimeouts{Connect: celDuration(p.Timeouts.Connect, 1000), Statement: celDuration(p.Timeouts.Statement, 1000),
			IdleInTransaction: celDuration(p.Timeouts.IdleInTransaction, 1000)},
		Replicas: celInt(p.Replicas.Count), ServerSide: p.ServerSide,
		Params: map[string]string{}, Hosts: []string{}, Unresolved: []string{},
		Raw: CELRaw{Host: h.Host.Text, Port: h.Port.Text, Database: p.Database.Text, User: p.User.Text, TLS: p.TLS.Mode.Text,
			Pool:     CELRawPool{p.Pool.MaxOpen.Text, p.Pool.MaxIdle.Text, p.Pool.MaxLifetime.Text, p.Pool.MaxIdleTime.Text},
			Timeouts: CELRawTimeouts{p.Timeouts.Connect.Text, p.Timeouts.Statement.Text, p.Timeouts.IdleInTransaction.Text},
			Replicas: p.Replicas.Count.Text},
	}
	if cp.Environment == "" {
		cp.Environment = string(profile.Unknown)
	}
	for _, x := range p.Hosts {
		cp.Hosts = append(cp.Hosts, celStr(x.Host))
	}
	for k, v := range p.Params {
		cp.Params[k] = v.Text
	}
	p.EachField(func(name string, v profile.Value) {
		if v.Unresolved {
			cp.Unresolved = append(cp.Unresolved, name)
		}
	})
	return cp
}

// celEnv declares the profile variable with its real types.
func celEnv() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(reflect.TypeOf(&CELProfile{}), ext.ParseStructTags(true)),
		cel.Variable("profile", cel.ObjectType("policy.CELProfile")),
		ext.Strings(),
	)
}

// CustomRule is a rule loaded from a file, with the file it came from.
type CustomRule struct {
	Rule   *Rule
	Source string
}

// RuleFileError is a custom rule that cannot be loaded, at its file's line.
type RuleFileError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *RuleFileError) Error() string {
	loc := profile.Location{File: e.File, Line: e.Line, Column: e.Column}
	return loc.String() + ": " + e.Msg
}

var placeholder = regexp.MustCompile(`\{\{\s*(.*?)\s*\}\}`)

// LoadCustomRules reads every *.yaml and *.yml file of dir as one custom
// rule and compiles it. Every problem of every file is returned, joined,
// each as a *RuleFileError.
func LoadCustomRules(dir string) ([]CustomRule, error) {
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("declare rule environment: %w", err)
	}
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, m...)
	}
	sort.Strings(files)
	var out []CustomRule
	var errs []error
	seen := map[string]string{}
	for _, f := range files {
		// As scan reads: a FIFO named rule.yaml is refused, not waited on.
		data, err := scan.ReadFile(f)
		if err != nil {
			errs = append(errs, &RuleFileError{File: f, Msg: "cannot read: " + err.Error()})
			continue
		}
		r, ferrs := compileRuleFile(env, f, data)
		errs = append(errs, ferrs...)
		if r == nil {
			continue
		}
		if first, dup := seen[r.ID]; dup {
			errs = append(errs, &RuleFileError{File: f, Line: 1, Msg: fmt.Sprintf("rule id %q is also defined in %s", r.ID, first)})
			continue
		}
		seen[r.ID] = f
		out = append(out, CustomRule{Rule: r, Source: f})
	}
	return out, errors.Join(errs...)
}

// ruleFile is the shape of a custom rule file.
type ruleFile struct {
	ID           string   `yaml:"id"`
	Severity     string   `yaml:"severity"`
	Title        string   `yaml:"title"`
	Message      string   `yaml:"message"`
	Remediation  string   `yaml:"remediation"`
	Environments []string `yaml:"environments"`
	Expression   string   `yaml:"expression"`
}

// CompileRule compiles one custom rule file's content; name is used in
// errors. It is exported for tests and tools that hold rules in memory.
func CompileRule(name string, data []byte) (*Rule, error) {
	env, err := celEnv()
	if err != nil {
		return nil, fmt.Errorf("declare rule environment: %w", err)
	}
	r, errs := compileRuleFile(env, name, data)
	return r, errors.Join(errs...)
}

func compileRuleFile(env *cel.Env, file string, data []byte) (*Rule, []error) {
	fail := func(line, col int, format string, args ...any) []error {
		return []error{&RuleFileError{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fail(1, 0, "invalid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fail(1, 0, "a rule file is a mapping with id, severity, message and expression")
	}
	m := root.Content[0]
	lines := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		lines[m.Content[i].Value] = m.Content[i+1]
	}
	var rf ruleFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		return nil, fail(m.Line, m.Column, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var errs []error
	at := func(key string) (int, int) {
		if n := lines[key]; n != nil {
			return n.Line, n.Column
		}
		return m.Line, m.Column
	}
	if rf.ID == "" || !validID(rf.ID) {
		l, c := at("id")
		errs = append(errs, fail(l, c, "id %q must be lower-case words joined by '-'", rf.ID)...)
	}
	sev, err := ParseSeverity(rf.Severity)
	if err != nil {
		l, c := at("severity")
		errs = append(errs, fail(l, c, "%v", err)...)
	}
	if rf.Message == "" {
		errs = append(errs, fail(m.Line, m.Column, "missing message")...)
	}
	var envs []profile.Environment
	for _, e := range rf.Environments {
		env := profile.CanonicalEnvironment(e)
		if env == profile.Unknown && e != "unknown" {
			l, c := at("environments")
			errs = append(errs, fail(l, c, "unknown environment %q", e)...)
		}
		envs = append(envs, env)
	}
	exprNode := lines["expression"]
	if exprNode == nil || strings.TrimSpace(rf.Expression) == "" {
		return nil, append(errs, fail(m.Line, m.Column, "missing expression")...)
	}
	prog, cerr := compileExpr(env, rf.Expression, types.BoolType)
	if cerr != nil {
		return nil, append(errs, celError(file, exprNode, rf.Expression, cerr, "expression"))
	}
	// The message template: {{ expr }} placeholders are CEL expressions too.
	type part struct {
		text string
		prog cel.Program
	}
	var parts []part
	msgNode := lines["message"]
	last := 0
	for _, loc := range placeholder.FindAllStringSubmatchIndex(rf.Message, -1) {
		parts = append(parts, part{text: rf.Message[last:loc[0]]})
		p, perr := compileExpr(env, rf.Message[loc[2]:loc[3]], nil)
		if perr != nil {
			errs = append(errs, celError(file, msgNode, rf.Message, perr, "message placeholder"))
			continue
		}
		parts = append(parts, part{prog: p})
		last = loc[1]
	}
	parts = append(parts, part{text: rf.Message[last:]})
	if len(errs) > 0 {
		return nil, errs
	}
	title := rf.Title
	if title == "" {
		title = "Custom rule " + rf.ID
	}
	remediation := rf.Remediation
	if remediation == "" {
		remediation = "See the rule file " + file + "."
	}
	r := &Rule{ID: rf.ID, Family: -1, Severity: sev, Title: title, Remediation: remediation, Why: "Custom rule from " + file + "."}
	r.Profile = func(c *Context, p *profile.Profile) {
		if len(envs) > 0 && !containsEnv(envs, p.Environment) {
			return
		}
		vars := map[string]any{"profile": celProfileOf(p)}
		out, _, err := prog.Eval(vars)
		if err != nil || out.Value() != true {
			return
		}
		var b strings.Builder
		for _, pt := range parts {
			if pt.prog == nil {
				b.WriteString(pt.text)
				continue
			}
			v, _, err := pt.prog.Eval(vars)
			if err != nil {
				b.WriteString("?")
				continue
			}
			b.WriteString(celText(v.Value()))
		}
		c.Report(p, "", profile.Location{}, "%s", b.String())
	}
	return r, nil
}

func containsEnv(envs []profile.Environment, e profile.Environment) bool {
	for _, x := range envs {
		if x == e {
			return true
		}
	}
	return false
}

func celText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Duration:
		return x.String()
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

func validID(id string) bool {
	if strings.HasPrefix(id, "-") || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// celCompileError keeps CEL's issues with their positions inside the
// expression.
type celCompileError struct {
	line, col int // 1-based, within the expression
	msg       string
}

func compileExpr(env *cel.Env, expr string, want *types.Type) (cel.Program, *celCompileError) {
	ast, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		e := &celCompileError{msg: iss.Err().Error()}
		if errs := iss.Errors(); len(errs) > 0 {
			loc := errs[0].Location
			e.line, e.col, e.msg = loc.Line(), loc.Column()+1, errs[0].Message
		}
		return nil, e
	}
	if want != nil && !ast.OutputType().IsExactType(want) {
		return nil, &celCompileError{line: 1, col: 1, msg: fmt.Sprintf("expression must be a boolean, but it is %s", ast.OutputType())}
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, &celCompileError{line: 1, col: 1, msg: err.Error()}
	}
	return prg, nil
}

// celError places a CEL error on the rule file's line: the expression's
// own line for a plain scalar, the line below the | for a block scalar,
// plus the line inside the expression.
func celError(file string, n *yaml.Node, expr string, e *celCompileError, what string) error {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line++
			col = 0
		}
	}
	if e.line > 1 {
		line += e.line - 1
		col = 0
	}
	return &RuleFileError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("%s does not compile: %s", what, e.msg)}
}
