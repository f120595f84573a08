package extract

import (
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

// The fast paths of the hot lookups must answer exactly as the plain
// definitions they replace; these tests keep the plain definitions as the
// reference.

func TestKeyOfMatchesKeyTable(t *testing.T) {
	for k, want := range keyTable {
		if got := keyOf(k); got != want {
			t.Errorf("keyOf(%q) = %+v, want %+v", k, got, want)
		}
		upper := strings.ToUpper(k)
		if got := keyOf(upper); got != want {
			t.Errorf("keyOf(%q) = %+v, want %+v", upper, got, want)
		}
	}
	for _, k := range []string{"", "hostx", "xhost", "app", "logging", "max_open_connections_per_host_and_more_than_forty_eight_bytes", "pass word!", strings.Repeat("Ab_", 30)} {
		var buf [64]byte
		want := keyTable[string(fold(buf[:0], k))]
		if got := keyOf(k); got != want {
			t.Errorf("keyOf(%q) = %+v, want %+v", k, got, want)
		}
	}
}

// splitEnvKeyLinear is splitEnvKey as first written: every suffix tried
// in the order of the list.
func splitEnvKeyLinear(key string) (string, field, bool) {
	up := strings.ToUpper(key)
	if f, ok := libpqEnv[up]; ok {
		return "PG", f, true
	}
	for _, s := range envSuffixes {
		if strings.HasSuffix(up, s.suffix) && len(up) > len(s.suffix) {
			return key[:len(key)-len(s.suffix)], s.f, true
		}
	}
	switch up {
	case "DATABASE_URL", "DB_URL":
		return key[:len(key)-4], fURL, true
	}
	return "", fNone, false
}

func TestSplitEnvKeyMatchesLinear(t *testing.T) {
	for _, s := range envSuffixes {
		if !strings.HasPrefix(s.suffix, "_") {
			t.Fatalf("suffix %q does not start with '_': splitEnvKey only looks at underscores", s.suffix)
		}
	}
	names := []string{"", "_", "__", "DB", "DB_", "_HOST", "DB_HOST", "db_host", "DB_HOSTNAME", "REDIS_SENTINEL_HOSTS",
		"DB_DB_NAME", "APP_NAME", "PGHOST", "pgport", "DATABASE_URL", "DB_URL", "SPRING_DATASOURCE_URL", "DB_SSL_CA",
		"MYSQL_ATTR_SSL_CA", "DB_CONN_MAX_LIFETIME", "DB_MAX_LIFETIME", "X__PORT", "DB_PASSWORD_FILE", "Db_Pass_File",
		"LOG_LEVEL", "HTTP_PORT", "CACHE_TYPE", "ſ_HOST", "ı_PORT"}
	for _, s := range envSuffixes {
		names = append(names, "X"+s.suffix, s.suffix, "A_B"+s.suffix, strings.ToLower("x"+s.suffix))
	}
	for _, n := range names {
		p1, f1, ok1 := splitEnvKey(n)
		p2, f2, ok2 := splitEnvKeyLinear(n)
		if p1 != p2 || f1 != f2 || ok1 != ok2 {
			t.Errorf("splitEnvKey(%q) = %q, %v, %v; want %q, %v, %v", n, p1, f1, ok1, p2, f2, ok2)
		}
	}
}

func FuzzMaybeInterp(f *testing.F) {
	for _, s := range []string{"${DB_HOST}", "$(X)", "$X", "$$X", "{{ .Values.x }}", "{% x %}", "<%= ENV['X'] %>", "<netloc>",
		"__HOST__", "_HOST_", "audit_app", "a __HOST__", "os.getenv(\"X\", \"y\")", "os.environ.get('X')", "{x}", "a<b", "$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if maybeInterp(s) {
			return
		}
		if _, _, _, _, _, ok := nextInterp(s, 0); ok {
			t.Errorf("maybeInterp(%q) is false, but nextInterp finds an interpolation", s)
		}
	})
}

func TestParseInterpWhole(t *testing.T) {
	for _, tc := range []struct {
		in         string
		expanded   string
		resolvable bool
	}{
		{"${DB_HOST}", "${DB_HOST}", false},
		{"${DB_HOST:-db}", "db", true},
		{"__HOST__", "__HOST__", false},
		{"x${A:-1}y", "x1y", true},
		{"${A:-1}${B}", "1${B}", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			in := ParseInterp(tc.in)
			if !in.Any || in.Expanded != tc.expanded || in.Resolvable != tc.resolvable {
				t.Errorf("ParseInterp(%q) = %+v, want Expanded %q, Resolvable %v", tc.in, in, tc.expanded, tc.resolvable)
			}
		})
	}
}

func TestPartLocatorMatchesSubLoc(t *testing.T) {
	for _, tc := range []struct {
		data string
		line int
		col  int
		raw  string
	}{
		{"url: postgres://u:p@db:5432/app?sslmode=require\n", 1, 6, "postgres://u:p@db:5432/app?sslmode=require"},
		{"url: \"postgres://u:p@db:5432/app\"\n", 1, 6, "postgres://u:p@db:5432/app"},
		{"a: b\nurl: pp postgres://pp@h/d\n", 2, 6, "postgres://pp@h/d"},
		{"url: pppostgres://postgres@h/d\n", 1, 6, "postgres://postgres@h/d"},
		{"\"dsn\": \"host=a password=x\\\\y dbname=d\"\n", 1, 9, "host=a password=x\\y dbname=d"},
		{"dsn: héllo://ü@h:1/d\n", 1, 6, "héllo://ü@h:1/d"},
		{"dsn: |\n  postgres://a@b/c\n", 1, 6, "postgres://a@b/c\n"},
		{"x\n", 3, 1, "postgres://a@b/c"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			fc := &fileCtx{path: "f.yaml", data: []byte(tc.data)}
			n := &tree.Node{Kind: tree.Scalar, Value: tc.raw, Line: tc.line, Col: tc.col}
			pl := fc.partLocator(n, tc.raw)
			for off := -1; off <= len(tc.raw)+1; off++ {
				if got, want := pl.loc(off), fc.subLoc(n, tc.raw, off); got != want {
					t.Errorf("offset %d: %+v, want %+v", off, got, want)
				}
			}
		})
	}
}

func TestWordsOfMatchesParts(t *testing.T) {
	for _, s := range []string{"", "db", "database", "mysql8", "postgres16", "app", "redisCache", "cache.redis", "primary-db", "sqlite3",
		"pgbouncer", "my_db_postgres", "storage", "server", "mongo2db", "DB_HOST", "x9"} {
		db, d := wordsOf(s, false)
		if db != isDBWord(s) || d != driverFromWordsRef(s) || driverFromWords(s) != d {
			t.Errorf("wordsOf(%q) = %v, %q; want %v, %q", s, db, d, isDBWord(s), driverFromWordsRef(s))
		}
	}
}

// driverFromWordsRef is driverFromWords as first written.
func driverFromWordsRef(s string) string {
	for _, w := range words(s) {
		if d := wordDrivers[strings.TrimRight(w, "0123456789")]; d != "" {
			return d
		}
	}
	return ""
}

func TestLineGrowsAsAsked(t *testing.T) {
	for _, data := range []string{"", "a", "a\n", "a\nb", "a\r\nb\r\n\nc", "\n\n\n"} {
		want := strings.Split(data, "\n")
		for _, order := range [][]int{{1, 2, 3, 4, 5}, {5, 1, 3}, {3, 0, -1, 2, 9, 1}} {
			fc := &fileCtx{data: []byte(data)}
			for _, n := range order {
				w := ""
				if n >= 1 && n <= len(want) {
					w = strings.TrimSuffix(want[n-1], "\r")
				}
				if got := fc.line(n); got != w {
					t.Errorf("%q: line(%d) = %q, want %q", data, n, got, w)
				}
			}
		}
	}
}

// TestERBDefaults: ERB references and their defaults, as erbBody reads
// them (a default is what the variable's absence falls back to).
func TestERBDefaults(t *testing.T) {
	for _, c := range []struct {
		body, v, def string
		hasDef       bool
	}{
		{"= ENV['DB_HOST'] ", "DB_HOST", "", false},
		{"= ENV['DB_HOST'] || 'localhost' ", "DB_HOST", "localhost", true},
		{`= ENV["DB_HOST"].presence || "db" `, "DB_HOST", "db", true},
		{"= ENV.fetch('POSTGRES_HOST', 'localhost') ", "POSTGRES_HOST", "localhost", true},
		{"= ENV.fetch('POOL', 10) ", "POOL", "10", true},
		{`= ENV.fetch("RAILS_MAX_THREADS") { 5 } `, "RAILS_MAX_THREADS", "5", true},
		{"= ENV.fetch('X') ", "X", "", false},
		{"= ENV.fetch('X', nil) ", "X", "", false},
		{"= ENV.fetch('X', ENV['Y']) ", "X", "", false},
		{"= Sidekiq.server? ? ENV.fetch('SIDEKIQ_CONCURRENCY', 10) : ENV.fetch('RAILS_MAX_THREADS', 5) ", "SIDEKIQ_CONCURRENCY", "10", true},
		{"= cond ? ENV.fetch('A', 1) : ENV['B'] ", "A", "", false},
		{`= ENV["POSTGRES_STATEMENT_TIMEOUT"] || "14s" `, "POSTGRES_STATEMENT_TIMEOUT", "14s", true},
		{"= 42 ", "", "", false},
	} {
		v, def, hasDef := erbBody(c.body)
		if v != c.v || def != c.def || hasDef != c.hasDef {
			t.Errorf("erbBody(%q) = %q, %q, %v; want %q, %q, %v", c.body, v, def, hasDef, c.v, c.def, c.hasDef)
		}
	}
}
