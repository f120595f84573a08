package extract

import (
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

// templateSuffixes are endings that copies and templates of configuration
// files carry (database.yml.sample, .env.example, settings.json.docker).
// The format is that of the name without them.
var templateSuffixes = []string{
	".sample", ".example", ".dist", ".template", ".tmpl", ".tpl", ".default", ".defaults", ".orig",
	".complete", ".docker", ".local", ".dev", ".development", ".prod", ".production", ".staging",
	".test", ".ci", ".in", ".j2", ".jinja", ".jinja2", ".erb",
}

// NameFormat returns the configuration format a file name promises, or ""
// when the name says nothing. A directory walk reads only files whose name
// promises a format; a file named on the command line is also sniffed.
func NameFormat(name string) string {
	if f := tree.Sniff(name, nil); f != "" {
		return f
	}
	lower := strings.ToLower(name)
	if isEnvName(lower) {
		return "env"
	}
	if strings.HasSuffix(lower, "settings.py") || strings.HasPrefix(lower, "settings_") && strings.HasSuffix(lower, ".py") {
		return "python" // Django settings modules: settings.py, prod_settings.py, settings_local.py
	}
	if strings.HasSuffix(lower, ".prisma") {
		return "prisma" // schema.prisma, and the files of a prismaSchemaFolder
	}
	for changed := true; changed; {
		changed = false
		for _, s := range templateSuffixes {
			if strings.HasSuffix(lower, s) && len(lower) > len(s) {
				lower = lower[:len(lower)-len(s)]
				changed = true
				if f := tree.Sniff(lower, nil); f != "" {
					return f
				}
				if isEnvName(lower) {
					return "env"
				}
			}
		}
	}
	return ""
}

// isEnvName recognises dotenv files by their many names: .env, .env.local,
// app.env, env.example, flagsmith-api.env-local, bookstack.env.example.
func isEnvName(lower string) bool {
	switch {
	case lower == ".env" || lower == "env" || strings.HasSuffix(lower, ".env"):
		return true
	case strings.HasPrefix(lower, ".env.") || strings.HasPrefix(lower, ".env-") || strings.HasPrefix(lower, "env."):
		return true
	case strings.Contains(lower, ".env.") || strings.Contains(lower, ".env-"):
		return true
	}
	return false
}

// formatOf decides the format of a file from its name, then its content.
func formatOf(name string, data []byte) string {
	if f := NameFormat(name); f != "" {
		return f
	}
	return tree.Sniff(name, head(data))
}
