package extract_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract"
)

// TestProblemScrubbed: a parser's error about a file becomes a problem
// that names what the parser found only where the file holds no secret,
// and keeps its position either way.
func TestProblemScrubbed(t *testing.T) {
	tests := []struct {
		name, file, text string
		loc              string // line:column
		msg              string // the whole message
	}{
		{"yaml alias as a password", "a.yaml", "database:\n  host: h\n  password: *S3cret\n",
			"3:13", "alias to an unknown anchor"},
		{"yaml alias elsewhere", "a.yaml", "database:\n  host: *nope\n  password: x\n",
			"2:9", "alias to an unknown anchor (found 'nope')"},
		{"yaml alias in a secret block", "a.yaml", "secrets:\n  db:\n    value: *S3cret\n",
			"3:12", "alias to an unknown anchor"},
		{"yaml alias under a password key", "a.yaml", "password:\n  *S3cret\n",
			"2:3", "alias to an unknown anchor"},
		{"json unquoted password", "a.json", `{"database": {"host": "h", "password": S3cret}}`,
			"1:40", "unexpected character, expected a value"},
		{"json minified", "a.json", `{"host":"h","db_password":S3cret,"user":"u"}`,
			"1:27", "unexpected character, expected a value"},
		{"json elsewhere", "a.json", "{\"host\": x,\n\"password\": \"S3cret\"}",
			"1:10", "unexpected character, expected a value (found 'x')"},
		{"json char of the password elsewhere", "a.json", "{\"host\": S,\n\"password\": \"S3cret\"}",
			"1:10", "unexpected character, expected a value"},
		{"toml unquoted password", "a.toml", "[database]\nhost = \"h\"\npassword = S3cret\n",
			"3:12", "unexpected character at start of value"},
		{"toml elsewhere", "a.toml", "a = 1\nb = Sx\n",
			"2:5", "unexpected character at start of value (found 'S')"},
		{"toml escape in a password", "a.toml", "DB_PASS = \"S3\\qcret\"\n",
			"1:14", "invalid escape character"},
		{"toml escape elsewhere", "a.toml", "name = \"a\\qb\"\n",
			"1:10", "invalid escape character (found 'q')"},
		{"toml redefined key", "a.toml", "a = 1\na.b = 2\n",
			"2:1", "key is already defined as a value (found 'a')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := extract.File(tt.file, []byte(tt.text))
			if len(res.Problems) != 1 {
				t.Fatalf("problems = %+v, want one", res.Problems)
			}
			p := res.Problems[0]
			loc := itoa(p.Loc.Line) + ":" + itoa(p.Loc.Column)
			if loc != tt.loc || p.Msg != tt.msg {
				t.Errorf("problem = %s %q, want %s %q", loc, p.Msg, tt.loc, tt.msg)
			}
			if strings.Contains(p.Msg, "S3c") {
				t.Errorf("problem %q holds the password", p.Msg)
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// FuzzProblemQuotesNoSecret plants a password after a password key in a
// file of random text, in each format, and fails if a problem's message
// holds the password or any 4-character run of it.
func FuzzProblemQuotesNoSecret(f *testing.F) {
	for i, pw := range []string{"*S3cret", "&S3cret", "!S3cret", "|S3cret", ">S3cret", "%S3cret", "@S3cret",
		"`S3cret", "[S3cret", "{S3cret", "S3cret", `"S3cret`, `'S3cret'tail`, `"""S3cret`, `S3\qcret`} {
		f.Add(uint8(i), "database:\n  host: h\n", pw, "\n  user: u\n")
		f.Add(uint8(i), `{"database": {"host": "h",`, pw, "}}\n")
		f.Add(uint8(i), "[database]\nhost = \"h\"", pw, "\nuser = \"u\"\n")
		f.Add(uint8(i), "a: &S3cret x\nb: ", pw, "\n")
	}
	f.Fuzz(func(t *testing.T, format uint8, before, pw, after string) {
		pw = strings.TrimSpace(strings.NewReplacer("\n", "", "\r", "", "\u0085", "", "\u2028", "", "\u2029", "").Replace(pw))
		if utf8.RuneCountInString(pw) < 4 || !utf8.ValidString(pw) {
			return
		}
		forms := []struct{ file, key string }{
			{"app.yaml", "password: "}, {"app.yaml", "  db_password: "}, {"settings.json", `"password": `},
			{"config.toml", "password = "}, {".env", "DB_PASSWORD="}, {"application.properties", "db.password="},
			{"php.ini", "password = "}, {"compose.yaml", "      POSTGRES_PASSWORD: "},
		}
		form := forms[int(format)%len(forms)]
		data := before + "\n" + form.key + pw + "\n" + after
		res := extract.File(form.file, []byte(data))
		rs := []rune(pw)
		for _, p := range res.Problems {
			for i := 0; i+4 <= len(rs); i++ {
				if run := string(rs[i : i+4]); strings.Contains(p.Msg, run) {
					t.Fatalf("problem %d:%d %q holds %q of the password %q in\n%s", p.Loc.Line, p.Loc.Column, p.Msg, run, pw, data)
				}
			}
		}
	})
}
