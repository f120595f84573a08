package policy

import (
	"path"
	"slices"
	"strings"
	"unicode"
	"unsafe"

	"github.com/dbguard/dbguard/internal/profile"
)

// Severity follows consequence: a missing connect timeout in production
// is an outage waiting; the same line in a test fixture, a CI job or a
// sample file is a remark. Rules about availability and capacity keep
// their severity for production and unknown environments and are capped
// below that (EnvironmentCaps); every other rule keeps its severity
// everywhere. docs/rules/README.md has the table; dbguard.yaml's
// rules.environment_severity changes it.

// Sample is the context of a profile found in a sample, template or
// fixture file (SampleFile), whatever environment its name gives.
const Sample = "sample"

// Contexts lists the contexts a cap may name: the canonical environments
// and Sample, in the order of the documentation's table.
func Contexts() []string {
	return []string{string(profile.Production), string(profile.Unknown), string(profile.Staging),
		string(profile.Development), string(profile.Test), string(profile.CI), Sample}
}

// DefaultEnvironmentCaps is the documented table: the highest severity an
// availability or capacity rule reports in each context. Production and
// unknown are not capped.
func DefaultEnvironmentCaps() map[string]Severity {
	return map[string]Severity{
		string(profile.Staging):     Warning,
		string(profile.Development): Info,
		string(profile.Test):        Info,
		string(profile.CI):          Info,
		Sample:                      Info,
	}
}

// AvailabilityRule reports the built-in rules about availability and
// capacity: what they find makes connections fail, hang or run out, which
// matters as much as the environment the profile serves.
func AvailabilityRule(id string) bool {
	switch id {
	case PortInvalid, HostEmpty,
		ConnectTimeoutMissing, ConnectTimeoutDriverOnly, ConnectTimeoutTooLong, StatementTimeoutMissing,
		PoolUnbounded, PoolTooLarge, PoolIdleAboveOpen, PoolLifetimeMissing, PoolLifetimeAboveIdle,
		PoolExceedsServer, PoolExceedsBouncerClient, PoolExceedsBouncerPool,
		MultiHostNoTargetSession, WriterUsesReader, FleetInconsistent,
		ClientServerPort, ClientServerTLS, ClientServerDatabase, ClientServerUser:
		return true
	}
	return false
}

// contextOf is the context a finding's severity is capped by: Sample for
// a sample file, the profile's environment otherwise.
func contextOf(env profile.Environment, file string) string {
	if SampleFile(file) {
		return Sample
	}
	if env == "" {
		return string(profile.Unknown)
	}
	return string(env)
}

// severityFor is the severity the current rule reports a finding about a
// profile of env found in file with.
func (c *Context) severityFor(env profile.Environment, file string) Severity {
	sev := c.rule.Severity
	if !AvailabilityRule(c.rule.ID) {
		return sev
	}
	var caps map[string]Severity
	if c.Settings != nil {
		caps = c.Settings.EnvironmentCaps
	}
	if caps == nil {
		caps = DefaultEnvironmentCaps()
	}
	if limit, ok := caps[contextOf(env, file)]; ok && limit < sev {
		return limit
	}
	return sev
}

// SampleFile reports a file that is a sample, a template or a test
// fixture: *.sample, *.example, .env.*.example, *.dist, *.tmpl, and files
// under testdata/, fixtures/, examples/ or samples/ folders. Its settings
// are there to be copied and changed.
func SampleFile(file string) bool {
	// Called for every finding of an availability rule: lower-cased in a
	// buffer on the stack, most paths being short.
	var buf [256]byte
	lower := file
	if len(file) <= len(buf) {
		b := buf[:len(file)]
		for i := 0; i < len(file); i++ {
			c := file[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		lower = unsafe.String(&b[0], len(b))
	} else {
		lower = strings.ToLower(file)
	}
	if lower == "" {
		return false
	}
	for _, s := range templateMarks() {
		if strings.Contains(lower, s) {
			return true
		}
	}
	dir := path.Dir(lower)
	for dir != "" {
		seg, rest, _ := strings.Cut(dir, "/")
		switch seg {
		case "testdata", "fixtures", "fixture", "__fixtures__", "examples", "example", "samples", "sample":
			return true
		}
		dir = rest
	}
	return false
}

// placeholderPasswords are the values that stand for "put your password
// here" (changeme, <password>) and the sample values the database images'
// own documentation shows (mysecretpassword for postgres, my-secret-pw for
// mysql, example in compose samples). Compared in memory, lower-cased.
func placeholderPasswords() []string {
	return []string{"password", "pass", "passwd", "pwd", "changeme", "change-me", "change_me", "changeit",
		"secret", "example", "sample", "placeholder", "your_password", "your-password", "yourpassword",
		"mysecretpassword", "my-secret-pw", "xxx", "xxxx", "xxxxx", "xxxxxx", "***", "*****", "..."}
}

// placeholderPassword reports a literal password that is a placeholder:
// one of placeholderPasswords, a value in angle brackets (<password>), or
// "your" followed by sample words (your_database_password).
func placeholderPassword(s profile.Secret) bool {
	v := strings.ToLower(strings.TrimSpace(s.Reveal()))
	if len(v) > 2 && v[0] == '<' && v[len(v)-1] == '>' {
		return true
	}
	for _, w := range placeholderPasswords() {
		if v == w {
			return true
		}
	}
	words := passwordWords(v)
	return len(words) > 1 && words[0] == "your" && allSampleWords(words[1:], "", "")
}

// passwordWords splits a lower-cased password at every character that is
// not a letter.
func passwordWords(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) })
}

// allSampleWords reports whether every word is a sample word, or the
// profile's user or database name (when not empty).
func allSampleWords(words []string, user, db string) bool {
	for _, w := range words {
		if (w != user || user == "") && (w != db || db == "") && !slices.Contains(sampleWords(), w) {
			return false
		}
	}
	return true
}

// sampleValueContext reports the contexts where a password that is a
// documented sample value (samplePassword) is a throwaway: a test
// database, a CI job's service container, a developer's own machine, a
// file meant to be copied. Production, staging and unknown environments
// are not among them: there a guessable password is as much a finding as
// a leaked one.
func sampleValueContext(ctx string) bool {
	switch ctx {
	case string(profile.Test), string(profile.CI), string(profile.Development), Sample:
		return true
	}
	return false
}

// sampleWords are the words documented sample passwords are made of: the
// database images' and tools' defaults (postgres, root, mysql), the words
// test fixtures use (test, dummy, foo, wrong). docs/rules/password-literal.md
// lists them; keep the two together.
func sampleWords() []string {
	return []string{"password", "pass", "passwd", "pwd", "secret", "test", "testing", "tests", "example", "sample",
		"demo", "dummy", "fake", "dev", "local", "changeme", "root", "admin", "postgres", "postgresql", "pg", "mysql",
		"mariadb", "db", "database", "user", "foo", "bar", "baz", "wrong", "invalid"}
}

// samplePassword reports a literal password that is a documented sample
// value: split at every character that is not a letter (digits, -, _,
// .), it has at least one word and each is a sample word or the profile's
// own user or database name (saleor:saleor, ghost-test-password,
// postgres, Shop_2024); or it is one lower-case word of at most
// maxThrowawayWord letters (kama, kcpass), which nobody generated as a
// secret. Compared in memory, lower-cased; never stored.
func samplePassword(p *profile.Profile) bool {
	raw := p.Password.Secret.Reveal()
	if len(raw) <= maxThrowawayWord && strings.IndexFunc(raw, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 && raw != "" {
		return true
	}
	user, _ := p.User.Effective()
	db, _ := p.Database.Effective()
	words := passwordWords(strings.ToLower(raw))
	return len(words) > 0 && allSampleWords(words, strings.ToLower(user), strings.ToLower(db))
}

// maxThrowawayWord is the longest lower-case word taken for a throwaway
// password in a test, CI, development or sample file: 8 letters are under
// 38 bits, a word a person typed, not a secret a generator made.
const maxThrowawayWord = 8
