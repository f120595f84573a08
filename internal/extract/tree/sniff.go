package tree

import "strings"

// Sniff guesses a file's format so that a directory scan reads each file
// with the right parser: "yaml", "json", "toml", "env", "properties",
// "ini", "conf" or "" (not a configuration file, or no idea).
//
// The name decides when it can. "conf" is returned for *.conf because
// those files are of many kinds (PgBouncer's is INI, Odyssey's and
// nginx's are not): the caller decides from the name. Only when the name
// says nothing is the content looked at; head is the start of the file (a
// few hundred bytes are enough).
func Sniff(name string, head []byte) string {
	base := name
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	lower := strings.ToLower(base)
	ext := ""
	if i := strings.LastIndexByte(lower, '.'); i > 0 {
		ext = lower[i+1:]
	}
	switch ext {
	case "yaml", "yml":
		return "yaml"
	case "json", "jsonc":
		return "json"
	case "toml":
		return "toml"
	case "properties":
		return "properties"
	case "ini", "cnf":
		return "ini"
	case "env":
		return "env"
	case "conf":
		return "conf"
	}
	switch {
	case lower == ".env", strings.HasPrefix(lower, ".env."), lower == "env.example", lower == "env.sample":
		return "env"
	case strings.HasPrefix(lower, "dockerfile"), strings.HasSuffix(lower, ".dockerfile"),
		lower == "makefile", lower == "procfile", lower == "jenkinsfile", lower == "vagrantfile":
		return ""
	}
	switch ext {
	case "", "cfg", "txt", "config", "example", "sample", "template", "dist", "local":
		return sniffContent(head)
	}
	return ""
}

// sniffContent decides from the first significant line of a file.
func sniffContent(head []byte) string {
	s := strings.TrimPrefix(string(head), bom)
	for len(s) > 0 {
		var line string
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			line, s = s, ""
		}
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t[0] == '#' || t[0] == ';' || strings.HasPrefix(t, "//"):
			continue
		case t[0] == '{':
			return "json"
		case t[0] == '[':
			if isSectionHeader(t) {
				return "ini"
			}
			return "json"
		case t == "---" || strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "- ") || t == "-" || strings.HasPrefix(t, "%YAML"):
			return "yaml"
		}
		return sniffAssignment(t)
	}
	return ""
}

func isSectionHeader(t string) bool {
	if len(t) < 3 || t[len(t)-1] != ']' {
		return false
	}
	inner := strings.Trim(t[1:len(t)-1], "[]")
	if inner == "" {
		return false
	}
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if !(c == '_' || c == '-' || c == '.' || c == ' ' || c == '"' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')) {
			return false
		}
	}
	return true
}

func sniffAssignment(t string) string {
	t = strings.TrimPrefix(t, "export ")
	eq := strings.IndexByte(t, '=')
	colon := strings.IndexByte(t, ':')
	if colon > 0 && (eq < 0 || colon < eq) {
		key := t[:colon]
		if strings.IndexByte(key, ' ') < 0 && (colon+1 == len(t) || t[colon+1] == ' ') {
			return "yaml"
		}
		return ""
	}
	if eq <= 0 {
		return ""
	}
	key := t[:eq]
	if strings.HasSuffix(key, " ") {
		v := strings.TrimSpace(t[eq+1:])
		if v != "" && (v[0] == '"' || v[0] == '[' || v[0] == '{' || v == "true" || v == "false") {
			return "toml"
		}
		return "ini"
	}
	upper := true
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c == '_' || isDigit(c) || (c >= 'A' && c <= 'Z')) {
			upper = false
			break
		}
	}
	switch {
	case upper:
		return "env"
	case strings.IndexByte(key, '.') > 0:
		return "properties"
	}
	return "env"
}
