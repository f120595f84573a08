package extract

import (
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// Interp describes the interpolations found in one scalar.
//
// dbguard never resolves an interpolation while scanning: the output must
// depend on the files alone. It records the raw text, the variable and the
// inline default, so that a reviewer sees what the application would use
// when the variable is unset.
type Interp struct {
	// Any is set when the text holds at least one interpolation.
	Any bool
	// Whole is set when the whole text is one interpolation.
	Whole bool
	// Var is the variable of the first interpolation (DB_HOST), when named.
	Var string
	// Default is the first interpolation's inline default; HasDefault tells
	// an empty default from none.
	Default    string
	HasDefault bool
	// Expanded is the text with every interpolation replaced by its default
	// (or left as written when it has none), for parsing a connection string
	// that is assembled from variables.
	Expanded string
	// Resolvable is set when every interpolation has a default, so Expanded
	// is what the application would use with no variable set.
	Resolvable bool
}

// ParseInterp finds the interpolations of the common configuration
// dialects: shell and compose (${VAR}, ${VAR:-def}, ${VAR-def}, ${VAR:?msg},
// $VAR), Spring and Etherpad (${VAR:def}, nested), Kubernetes $(VAR), ERB
// (<%= ENV['X'] || "def" %>, ENV.fetch('X', 'def')), Jinja, Helm and Go
// templates ({{ x | default "y" }}), Python os.getenv("X", "def"), and the
// placeholder conventions __HOST__, _HOST_ and <netloc>.
func ParseInterp(s string) Interp {
	var in Interp
	if !maybeInterp(s) {
		return in
	}
	var b strings.Builder
	first := true
	allDefault := true
	i := 0
	for i < len(s) {
		start, end, v, def, hasDef, ok := nextInterp(s, i)
		if !ok {
			if first {
				// Most texts that maybeInterp lets through hold
				// none: nothing to expand.
				return in
			}
			b.WriteString(s[i:])
			break
		}
		if first && start == 0 && end == len(s) {
			// One interpolation and nothing else, the common case:
			// its expansion is its default, or itself.
			in.Any, in.Whole = true, true
			in.Var, in.Default, in.HasDefault = v, def, hasDef
			in.Expanded, in.Resolvable = s, hasDef
			if hasDef {
				in.Expanded = def
			}
			return in
		}
		if first {
			b.Grow(len(s))
		}
		b.WriteString(s[i:start])
		if hasDef {
			b.WriteString(def)
		} else {
			b.WriteString(s[start:end])
			allDefault = false
		}
		if first {
			in.Any = true
			in.Var, in.Default, in.HasDefault = v, def, hasDef
			in.Whole = start == 0 && end == len(s)
			first = false
		} else {
			in.Whole = false
		}
		i = end
	}
	if in.Any {
		in.Expanded = b.String()
		in.Resolvable = allDefault
	}
	return in
}

// maybeInterp is the cheap test run on every scalar before the real parse.
// It looks at the byte after each opening character as nextInterp does, and
// at the one before an underscore, so that words such as audit_app and
// texts holding a lone '{' or '<' skip the parse.
func maybeInterp(s string) bool {
	for i := 0; i < len(s); i++ {
		if !interpOpeners[s[i]] {
			continue
		}
		switch s[i] {
		case '$':
			if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '(' || isVarStart(s[i+1])) {
				return true
			}
		case '{':
			if i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '%') {
				return true
			}
		case '<':
			if i+1 < len(s) && (s[i+1] == '%' || isVarStart(s[i+1])) {
				return true
			}
		case '_':
			if i == 0 || !isVarChar(s[i-1]) {
				return true
			}
		case 'o':
			if strings.HasPrefix(s[i:], "os.getenv(") || strings.HasPrefix(s[i:], "os.environ") {
				return true
			}
		}
	}
	return false
}

// interpOpeners are the bytes maybeInterp looks at more closely: a table
// lookup per byte is cheaper than the switch on every byte of every value.
var interpOpeners = [256]bool{'$': true, '{': true, '<': true, '_': true, 'o': true}

// nextInterp finds the next interpolation at or after i.
func nextInterp(s string, i int) (start, end int, v, def string, hasDef, ok bool) {
	for j := i; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$' && j+1 < len(s) && s[j+1] == '{':
			e := matchBrace(s, j+1)
			if e < 0 {
				continue
			}
			v, def, hasDef = shellBody(s[j+2 : e])
			return j, e + 1, v, def, hasDef, true
		case c == '$' && j+1 < len(s) && s[j+1] == '(':
			e := strings.IndexByte(s[j+2:], ')')
			if e < 0 {
				continue
			}
			name := s[j+2 : j+2+e]
			if !isVarName(name) {
				continue
			}
			return j, j + 2 + e + 1, name, "", false, true
		case c == '$' && j+1 < len(s) && s[j+1] == '$':
			j++ // an escaped dollar
		case c == '$' && j+1 < len(s) && isVarStart(s[j+1]):
			e := j + 1
			for e < len(s) && isVarChar(s[e]) {
				e++
			}
			return j, e, s[j+1 : e], "", false, true
		case c == '{' && j+1 < len(s) && (s[j+1] == '{' || s[j+1] == '%'):
			closer := "}}"
			if s[j+1] == '%' {
				closer = "%}"
			}
			e := strings.Index(s[j+2:], closer)
			if e < 0 {
				continue
			}
			body := s[j+2 : j+2+e]
			v, def, hasDef = templateBody(body)
			return j, j + 2 + e + 2, v, def, hasDef, true
		case c == '<' && j+1 < len(s) && s[j+1] == '%':
			e := strings.Index(s[j+2:], "%>")
			if e < 0 {
				continue
			}
			v, def, hasDef = erbBody(s[j+2 : j+2+e])
			return j, j + 2 + e + 2, v, def, hasDef, true
		case c == '<' && j+1 < len(s) && isVarStart(s[j+1]):
			e := j + 1
			for e < len(s) && (isVarChar(s[e]) || s[e] == '-') {
				e++
			}
			if e < len(s) && s[e] == '>' {
				return j, e + 1, s[j+1 : e], "", false, true
			}
		case c == '_' && (j == i || !isVarChar(s[j-1])) && j+2 < len(s):
			// _HOST_ and __HOST__ placeholders: upper-case letters
			// between underscores, standing alone.
			k := j
			for k < len(s) && s[k] == '_' {
				k++
			}
			n := k
			for n < len(s) && (s[n] >= 'A' && s[n] <= 'Z' || s[n] == '_' && n+1 < len(s) && s[n+1] >= 'A' && s[n+1] <= 'Z') {
				n++
			}
			u := n
			for u < len(s) && s[u] == '_' {
				u++
			}
			if n > k && u-n == k-j && (u == len(s) || !isVarChar(s[u])) {
				return j, u, s[k:n], "", false, true
			}
		case c == 'o' && strings.HasPrefix(s[j:], "os.getenv(") || c == 'o' && strings.HasPrefix(s[j:], "os.environ.get("):
			open := strings.IndexByte(s[j:], '(') + j
			e := matchParen(s, open)
			if e < 0 {
				continue
			}
			args := splitArgs(s[open+1 : e])
			if len(args) > 0 {
				v = unquote(args[0])
			}
			if len(args) > 1 {
				def, hasDef = unquote(args[1]), isQuoted(args[1])
			}
			return j, e + 1, v, def, hasDef, true
		}
	}
	return 0, 0, "", "", false, false
}

// shellBody reads VAR, VAR:-def, VAR-def, VAR:?msg, VAR?msg, VAR:+x and the
// Spring form VAR:def (whose default may itself hold ${...}).
func shellBody(body string) (v, def string, hasDef bool) {
	n := 0
	for n < len(body) && (isVarChar(body[n]) || body[n] == '.') {
		n++
	}
	v = body[:n]
	rest := body[n:]
	switch {
	case rest == "":
		return v, "", false
	case strings.HasPrefix(rest, ":-"):
		return v, expandDefault(rest[2:]), true
	case strings.HasPrefix(rest, ":?"), strings.HasPrefix(rest, "?"), strings.HasPrefix(rest, ":+"), strings.HasPrefix(rest, "+"):
		return v, "", false
	case strings.HasPrefix(rest, ":"):
		return v, expandDefault(rest[1:]), true
	case strings.HasPrefix(rest, "-"):
		return v, expandDefault(rest[1:]), true
	}
	return v, "", false
}

// expandDefault resolves nested interpolations inside a default to their own
// defaults: ${A:${B:x}} defaults to x.
func expandDefault(d string) string {
	if !strings.Contains(d, "${") {
		return d
	}
	in := ParseInterp(d)
	if in.Any {
		return in.Expanded
	}
	return d
}

// referenceSource names where an unresolved value comes from:
// "template:.Values.db.password" for a template's value ({{ ... }}, which a
// chart's values or a Jinja context supply, not the environment),
// "env:NAME" for an environment variable, "env" when its name cannot be
// told.
func referenceSource(v profile.Value) string {
	if t := strings.TrimSpace(v.Text); v.Var != "" && (strings.HasPrefix(t, "{{") || strings.HasPrefix(t, "{%")) {
		return "template:" + v.Var
	}
	if v.Var == "" {
		return "env"
	}
	return "env:" + v.Var
}

// templateBody reads a Go (Helm) or Jinja template expression: {{ x }},
// {{ .Values.x | default "y" }}, {{ .Values.x | default 5432 | quote }},
// {{ default "y" .Values.x }}, {{ required "msg" .Values.x }},
// {{ quote .Values.x }} and {{ x | default('y') }}. v is the value the
// expression starts from, def a literal default.
func templateBody(body string) (v, def string, hasDef bool) {
	body = strings.TrimSpace(strings.Trim(body, "-"))
	parts := splitOutside(body, '|')
	v, def, hasDef = templateCall(parts[0])
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if !strings.HasPrefix(p, "default") {
			continue
		}
		arg := strings.TrimSpace(strings.TrimPrefix(p, "default"))
		arg = strings.TrimSuffix(strings.TrimPrefix(arg, "("), ")")
		if d, ok := templateLiteral(arg); ok {
			def, hasDef = d, true
		}
	}
	return v, def, hasDef
}

// templateCall reads the head of a pipeline: a value, or one of the
// functions that name the value as their last argument (default, required,
// quote, ...).
func templateCall(expr string) (v, def string, hasDef bool) {
	expr = strings.TrimSpace(expr)
	var args []string
	for _, w := range splitOutside(expr, ' ') {
		if w = strings.TrimSpace(w); w != "" {
			args = append(args, w)
		}
	}
	if len(args) < 2 {
		return expr, "", false
	}
	last := args[len(args)-1]
	switch args[0] {
	case "default":
		if len(args) == 3 {
			def, hasDef = templateLiteral(args[1])
			return last, def, hasDef
		}
	case "required":
		if len(args) == 3 {
			return last, "", false
		}
	case "quote", "squote", "toString", "int", "toYaml", "b64enc", "trim", "lower", "upper":
		if len(args) == 2 {
			return last, "", false
		}
	}
	return expr, "", false
}

// templateLiteral reads a template literal usable as a default: a quoted
// string, a number, true or false.
func templateLiteral(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		return s[1 : len(s)-1], true
	}
	return erbLiteral(s)
}

// erbBody reads ENV['X'], ENV.fetch('X', default), ENV.fetch('X') { default },
// ENV['X'] || default and ENV['X'].presence || default, a default being a
// quoted string, a number, true or false. An expression with several
// references (a ternary of two fetches) has a default only when every
// reference has one; v and def are then the first reference's.
func erbBody(body string) (v, def string, hasDef bool) {
	body = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(body, "="), "-"))
	body = strings.TrimSuffix(body, "-")
	refs := 0
	all := true
	for rest := body; ; {
		i := strings.Index(rest, "ENV")
		if i < 0 {
			break
		}
		rest = rest[i+3:]
		name, d, ok := "", "", false
		switch {
		case strings.HasPrefix(rest, ".fetch("):
			e := matchParen(rest, len(".fetch"))
			if e < 0 {
				continue
			}
			args := splitArgs(rest[len(".fetch("):e])
			if len(args) > 0 {
				name = unquote(args[0])
			}
			if len(args) > 1 {
				d, ok = erbLiteral(args[1])
			}
			rest = rest[e+1:]
			if t := strings.TrimSpace(rest); !ok && strings.HasPrefix(t, "{") {
				// The block form: ENV.fetch('X') { 5 }.
				if e := strings.IndexByte(t, '}'); e > 0 {
					d, ok = erbLiteral(t[1:e])
				}
			}
		case strings.HasPrefix(rest, "["):
			e := strings.IndexByte(rest, ']')
			if e < 0 {
				continue
			}
			name = unquote(rest[1:e])
			rest = strings.TrimPrefix(rest[e+1:], ".presence")
			if t := strings.TrimSpace(rest); strings.HasPrefix(t, "||") {
				arg := strings.TrimSpace(t[2:])
				if end := strings.IndexAny(arg, ")?:"); end >= 0 && !isQuoted(arg) {
					arg = strings.TrimSpace(arg[:end])
				}
				d, ok = erbLiteral(arg)
			}
		default:
			continue
		}
		if refs == 0 {
			v, def = name, d
		}
		refs++
		all = all && ok
	}
	if refs == 0 || !all {
		return v, "", false
	}
	return v, def, true
}

// erbLiteral reads a Ruby literal usable as a default: a quoted string, a
// number, true or false (nil is none).
func erbLiteral(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch {
	case isQuoted(s):
		return s[1 : len(s)-1], true
	case s == "true" || s == "false":
		return s, true
	}
	if _, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil && s != "" && s[0] != '_' {
		return s, true
	}
	return "", false
}

func matchBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func matchParen(s string, open int) int {
	depth := 0
	var q byte
	for i := open; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func splitArgs(s string) []string { return splitOutside(s, ',') }

// splitOutside splits s at each sep that is outside quotes and brackets.
func splitOutside(s string, sep byte) []string {
	var out []string
	var q byte
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == sep && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

func isQuoted(s string) bool {
	return len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'')
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if isQuoted(s) {
		return s[1 : len(s)-1]
	}
	return s
}

func isVarStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isVarChar(c byte) bool  { return isVarStart(c) || c >= '0' && c <= '9' }

func isVarName(s string) bool {
	if s == "" || !isVarStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isVarChar(s[i]) {
			return false
		}
	}
	return true
}
