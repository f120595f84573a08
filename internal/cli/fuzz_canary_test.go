package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzPassword is planted in every fuzzed file. Its characters are ones
// that end tokens, open quotes and start escapes in one format or another,
// so that a parser tripping over it has something to quote.
const fuzzPassword = `Pz9!k#Qv"w;Xr'm{T7}`

// fuzzKeys and fuzzSeps are how the password is written: after a key scan
// treats as a password, with one of the separators the formats use.
var (
	fuzzKeys = []string{"password", "DB_PASSWORD", "spring.datasource.password", "Password", "pass", "passwd", "pwd",
		"db.password", "POSTGRES_PASSWORD", "url: postgres://app:", "DATABASE_URL=mysql://app:", "Server=h;Password", "password='", "jdbc:postgresql://h/app?password"}
	fuzzSeps = []string{": ", "=", " = ", `": "`, ":", " ", "\t", `="`, ": '", ": |\n  ", ": >\n  ", ": [", ": {", ": *", ": &", ": !", ": %", ": @", ": `"}
	fuzzExts = []string{"yaml", "json", "toml", "env", "properties", "ini", "conf"}
)

// FuzzCanaryOutputs writes a file of random text with the password planted
// in it, runs scan and check (json and text) and diff over it, and fails if
// stdout or stderr holds the password or any 4-character run of it that
// the random text around it does not hold itself.
func FuzzCanaryOutputs(f *testing.F) {
	f.Add([]byte("database:\n  host: db\n"), []byte("\n  port: 5432\n"), uint8(0), uint8(0), uint8(0))
	f.Add([]byte(`{"db": {"host": "h", "`), []byte(`"}}`), uint8(3), uint8(3), uint8(1))
	f.Add([]byte("[database]\nhost = \"h\"\n"), []byte("\"\n"), uint8(0), uint8(4), uint8(2))
	f.Add([]byte("DB_HOST=db\n"), []byte("\nDB_PORT=5432\n"), uint8(1), uint8(1), uint8(3))
	f.Add([]byte("a:\n b: ["), []byte("]]]\n"), uint8(0), uint8(13), uint8(0))
	f.Add([]byte(""), []byte("@db:5432/app\n"), uint8(9), uint8(4), uint8(0))
	f.Add([]byte("[client]\nhost=h\n"), []byte(""), uint8(5), uint8(1), uint8(5))
	f.Fuzz(func(t *testing.T, prefix, suffix []byte, key, sep, ext uint8) {
		if len(prefix)+len(suffix) > 4096 {
			return
		}
		k, s := fuzzKeys[int(key)%len(fuzzKeys)], fuzzSeps[int(sep)%len(fuzzSeps)]
		file := "app." + fuzzExts[int(ext)%len(fuzzExts)]
		var b bytes.Buffer
		b.Write(prefix)
		b.WriteString(k + s + fuzzPassword)
		b.Write(suffix)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, file), b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		empty := filepath.Join(t.TempDir(), "empty")
		if err := os.Mkdir(empty, 0o755); err != nil {
			t.Fatal(err)
		}
		around := string(prefix) + k + s + string(suffix)
		for _, args := range [][]string{
			{"scan", "--no-config", "--format", "json", dir},
			{"scan", "--no-config", dir},
			{"check", "--no-config", "--fail-on", "none", "--format", "json", dir},
			{"check", "--no-config", "--fail-on", "none", dir},
			{"diff", "--no-config", "--format", "json", empty, dir},
		} {
			var stdout, stderr bytes.Buffer
			Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			for _, out := range []string{stdout.String(), stderr.String()} {
				if run := leakedRun(out, fuzzPassword, around, 4); run != "" {
					t.Fatalf("dbguard %s prints %q of the planted password over\n%q\n\noutput:\n%s", strings.Join(args[:len(args)-1], " "), run, b.String(), out)
				}
			}
		}
	})
}

// leakedRun returns the first run of n characters of secret that out holds
// and the text around the secret does not, or "".
func leakedRun(out, secret, around string, n int) string {
	r := []rune(secret)
	for i := 0; i+n <= len(r); i++ {
		run := string(r[i : i+n])
		if strings.Contains(out, run) && !strings.Contains(around, run) {
			return run
		}
	}
	return ""
}
