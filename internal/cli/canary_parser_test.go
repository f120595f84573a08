package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// parserCanaryBody is the password of TestCanaryParserErrors after its
// first character. It is made of the characters a YAML anchor may hold,
// so that *body is an alias yaml.v3 reads to the end (and then cannot
// resolve), and it mixes cases and digits so that no honest output holds
// one of its 4-character runs by chance.
const parserCanaryBody = `Zq7Xw9Kp-Vj3R_t`

// parserCanaryCase is a file that holds a password where its parser is
// likely to stop: the password starts with a character that means
// something to the format, or the value around it is malformed.
type parserCanaryCase struct {
	name, file, text, secret string
	// unreadable is set when the file cannot be parsed, so that the
	// test proves the parser's error was reached.
	unreadable bool
}

// parserCanaryCases builds the cases; host and port are a loopback
// address where nothing listens, for verify.
func parserCanaryCases(host, port string) []parserCanaryCase {
	var cs []parserCanaryCase
	add := func(name, file, before, secret, after string, unreadable bool) {
		cs = append(cs, parserCanaryCase{name: name, file: file, text: before + secret + after, secret: secret, unreadable: unreadable})
	}
	yamlHead := "database:\n  driver: postgres\n  host: " + host + "\n  port: " + port + "\n  user: app\n  password: "
	for _, ind := range "*&!|>%@`[{" {
		// A tag or an anchor before a value is valid YAML: those
		// files are read, the others are not.
		add(fmt.Sprintf("yaml %c", ind), "app.yaml", yamlHead, string(ind)+parserCanaryBody, "\n", ind != '&' && ind != '!')
	}
	s := "*" + parserCanaryBody
	add("yaml alias in a flow map", "app.yaml", "database: {host: "+host+", password: ", s, "}\n", true)
	add("yaml alias in a list", "app.yaml", "database:\n  passwords:\n    - ", s, "\n", true)
	add("yaml env key", "compose.yaml", "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ", s, "\n", true)
	add("yaml value on the next line", "app.yaml", "database:\n  host: "+host+"\n  password:\n    ", s, "\n", true)
	add("yaml block scalar", "app.yaml", "database:\n  host: "+host+"\n  password: |\n    ", "\t"+parserCanaryBody, "\n  x: [\n", true)

	jsonHead := `{"database": {"driver": "postgres", "host": "` + host + `", "password": `
	s = "S" + parserCanaryBody
	add("json unquoted", "appsettings.json", jsonHead, s, "}}\n", true)
	add("json single-quoted", "appsettings.json", jsonHead, "'"+s+"'", "}}\n", true)
	add("json unterminated", "appsettings.json", jsonHead+`"`, s, "\n", true)
	add("json text after the string", "appsettings.json", jsonHead+`"ok" `, s, "}}\n", true)
	add("json bad escape", "appsettings.json", jsonHead+`"`, `Zq7\qXw9Kp-Vj3R`, `"}}`+"\n", true)
	add("json minified", "settings.json", `{"db":{"host":"`+host+`","password":`, s, `,"user":"app"}}`, true)

	tomlHead := "[database]\nhost = \"" + host + "\"\nport = " + port + "\nuser = \"app\"\npassword = "
	add("toml unquoted", "config.toml", tomlHead, s, "\n", true)
	add("toml unterminated", "config.toml", tomlHead+`"`, s, "\n", true)
	add("toml text after the string", "config.toml", tomlHead+`'ok'`, s, "\n", true)
	add("toml multiline unterminated", "config.toml", tomlHead+`"""`, s, "\n", true)
	add("toml bad escape", "config.toml", tomlHead+`"`, `Zq7\qXw9Kp-Vj3R`, "\"\n", true)
	add("toml inline table", "config.toml", "database = { host = \""+host+"\", password = ", s, " }\n", true)

	envHead := "DB_HOST=" + host + "\nDB_PORT=" + port + "\nDB_USER=app\n"
	add("env quote after", ".env", envHead+"DB_PASSWORD=", s, "\"tail\n", false)
	add("env unterminated", ".env", envHead+"DB_PASSWORD=\"", s, "\n", false)
	add("env no equals", ".env", envHead+"export DB_PASSWORD ", s, "\n", false)
	add("env quoted then text", ".env", envHead+"DB_PASSWORD='", s, "'tail\n", false)

	propHead := "spring.datasource.url=jdbc:postgresql://" + host + ":" + port + "/app\nspring.datasource.username=app\n"
	add("properties space separator", "application.properties", propHead+"spring.datasource.password ", s, "\n", false)
	add("properties bad escape", "application.properties", propHead+`spring.datasource.password=\uZZ`, s, "\n", false)
	add("properties continued at the end", "application.properties", propHead+"spring.datasource.password=", s, "\\", false)

	iniHead := "[databases]\napp = host=" + host + " port=" + port + " dbname=app\n[pgbouncer]\nauth_type = md5\n"
	add("ini unclosed section", "pgbouncer.ini", iniHead+"[password ", s, "\n", false)
	add("ini empty key", "pgbouncer.ini", iniHead+"= ", s, "\n", false)
	add("ini quoted", "php.ini", "[db]\nhost = "+host+"\npassword = \"", s, "\n", false)
	return append(cs, templateCanaryCases(host, port)...)
}

// TestCanaryParserErrors runs scan, check, diff, verify and review over
// files whose password sits where a parser stops, in every output
// format, and fails if the password or any 4-character run of it is in
// stdout or stderr. Parsers quote what they find where they fail (yaml's
// "unknown anchor 'S3cret'", "unexpected character 'S'"): this is the
// test that each such quote goes through extract's scrubber.
func TestCanaryParserErrors(t *testing.T) {
	host, port := "127.0.0.1", closedPort(t)
	root := t.TempDir()
	clean := filepath.Join(root, "clean")
	if err := canaryWriteTree(clean, map[string]string{"app.yaml": "database:\n  host: " + host + "\n"}); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	t.Setenv("HOME", filepath.Join(root, "home"))
	noForge(t)
	tree := NewRootCommand(&env{ctx: context.Background()})
	formats := map[string][][]string{}
	for _, c := range canaryRunnable(tree) {
		switch name := c.Name(); name {
		case "scan", "check", "diff", "verify", "review":
			formats[name] = canaryFormatsOf(t, c)
		}
	}
	if len(formats) != 5 {
		t.Fatalf("commands found: %v, want scan, check, diff, verify and review", formats)
	}
	run := func(t *testing.T, secrets []string, dir string, args ...string) string {
		t.Helper()
		if dir != "" {
			t.Chdir(dir)
		}
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		code := Run(ctx, args, strings.NewReader(""), &stdout, &stderr)
		cancel()
		what := fmt.Sprintf("dbguard %s (exit %d)", strings.Join(args, " "), code)
		if code == ExitUsage && !strings.Contains(stderr.String(), "no readable input") {
			t.Errorf("%s: usage error: %s", what, canaryFirstLine(stderr.String()))
		}
		for _, out := range []*bytes.Buffer{&stdout, &stderr} {
			for _, leak := range canaryLeaksOf(out.Bytes(), 4, secrets...) {
				t.Errorf("LEAK from %s: %s\n%s", what, leak, canaryExcerpt(out.String(), leak))
			}
			for _, leak := range parserCanaryChars(out.String(), secrets) {
				t.Errorf("LEAK from %s: a character of the password quoted: %s", what, leak)
			}
		}
		return stdout.String() + stderr.String()
	}
	cases := parserCanaryCases(host, port)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, fmt.Sprintf("case%02d", i))
			if err := canaryWriteTree(dir, map[string]string{tc.file: tc.text}); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, tc.file)
			var all strings.Builder
			for _, cmd := range []string{"scan", "check", "verify"} {
				for _, f := range formats[cmd] {
					args := append(append([]string{cmd, "--no-config"}, f...), file)
					if cmd == "verify" {
						args = append(args[:len(args)-1], "--timeout", "2s", file)
					}
					all.WriteString(run(t, []string{tc.secret}, root, args...))
				}
			}
			for _, f := range formats["diff"] {
				all.WriteString(run(t, []string{tc.secret}, root, append(append([]string{"diff"}, f...), clean, dir)...))
				all.WriteString(run(t, []string{tc.secret}, root, append(append([]string{"diff"}, f...), dir, clean)...))
			}
			if tc.unreadable && !strings.Contains(all.String(), "input-unreadable") {
				t.Errorf("no input-unreadable problem for %q: the parser's error was not reached", tc.text)
			}
		})
	}
	t.Run("review", func(t *testing.T) {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git is not installed")
		}
		repo := filepath.Join(root, "repo")
		git := func(args ...string) { gitIn(t, repo, args...) }
		files := map[string]string{}
		var secrets []string
		for i, tc := range cases {
			files[fmt.Sprintf("case%02d/%s", i, tc.file)] = "# nothing yet\n"
			secrets = append(secrets, tc.secret)
		}
		if err := os.MkdirAll(repo, 0o755); err != nil {
			t.Fatal(err)
		}
		git("init", "-q", "-b", "main")
		if err := canaryWriteTree(repo, files); err != nil {
			t.Fatal(err)
		}
		git("add", "-A")
		git("commit", "-q", "-m", "base")
		for i, tc := range cases {
			files[fmt.Sprintf("case%02d/%s", i, tc.file)] = tc.text
		}
		if err := canaryWriteTree(repo, files); err != nil {
			t.Fatal(err)
		}
		git("commit", "-q", "-a", "-m", "head")
		for _, f := range formats["review"] {
			for _, base := range [][]string{{"--base", "HEAD~1", "--head", "HEAD"}, {"--base", "HEAD", "--head", "HEAD~1"}} {
				args := append(append([]string{"review", "--no-config"}, f...), base...)
				out := run(t, secrets, repo, args...)
				if !regexp.MustCompile(`input-unreadable|unreadable`).MatchString(out) {
					t.Errorf("dbguard %s: no unreadable input reported, so no parser error was reached", strings.Join(args, " "))
				}
			}
		}
	})
}

// parserCanaryChars finds a single character of a secret quoted as the
// parsers quote what they stopped at ('S', U+0053): one character is a
// leak too, and too short for canaryLeaksOf.
func parserCanaryChars(out string, secrets []string) []string {
	var leaks []string
	for _, s := range secrets {
		for _, r := range s {
			for _, q := range []string{"'" + string(r) + "'", fmt.Sprintf("U+%04X", r)} {
				if strings.Contains(out, q) {
					leaks = append(leaks, q)
				}
			}
		}
	}
	return leaks
}
