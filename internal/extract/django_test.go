package extract_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
)

const djangoSettings = "# -*- coding: utf-8 -*-\r\nimport os\r\n" +
	`import dj_database_url
SECRET_KEY = env("SECRET_KEY")
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',  # a comment
        'NAME': os.environ.get('DB_NAME', 'app'),
        'USER': env.str("DB_USER", default=r'app'),
        'PASSWORD': os.getenv('DB_PASSWORD'),
        'HOST': os.environ['DB_HOST'],
        "PORT": 5432,
        'OPTIONS': {'sslmode': 'require', 'connect_timeout': 5},
        'CONN_MAX_AGE': 60,
    },
    'replica': {
        'ENGINE': 'django.db.backends.mysql', 'NAME': """reports""",
        'USER': u'ro' \
            'user', 'PASSWORD': 'Lit3ralPw',
        'HOST': ('db2.internal'), 'PORT': '3307',
        'TEST': {'NAME': BASE_DIR / 'x'},
        'EXTRA': [f'{x}', {k: v for k, v in y}, 1],
    },
    'url': dj_database_url.config(default='postgres://u:Url5ecret@h3:5434/d', conn_max_age=600, ssl_require=True),
    'parsed': dj_database_url.parse(os.environ['PRIMARY_URL']),
    'computed': {'ENGINE': get_engine(), 'NAME': 'x' + y},
    **more,
}
if DEBUG:
    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'dev.db'}}
`

func TestDjangoSettings(t *testing.T) {
	res := extract.File("config/settings.py", []byte(djangoSettings))
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	want := map[string]map[string]string{
		"DATABASES.default": {
			"driver": "postgres", "host": "${DB_HOST}", "port": "5432", "database": "${DB_NAME:-app}",
			"user": "${DB_USER:-app}", "password_set": "true", "password_source": "env:DB_PASSWORD",
			"tls": "require", "pool.max_lifetime": "60", "timeouts.connect": "5",
			"loc.driver": "config/settings.py:7:20", "loc.host": "config/settings.py:11:17",
			"loc.port": "config/settings.py:12:17", "loc.tls": "config/settings.py:13:33",
		},
		"DATABASES.replica": {
			"driver": "mysql", "host": "db2.internal", "port": "3307", "database": "reports",
			"user": "rouser", "password_set": "true", "password_source": "literal",
			"loc.host": "config/settings.py:20:19", "loc.database": "config/settings.py:17:58",
		},
		"DATABASES.url": {
			"driver": "postgres", "host": "h3", "port": "5434", "database": "d", "user": "u",
			"tls": "require", "pool.max_lifetime": "600", "password_set": "true",
		},
		// dj_database_url.parse of a variable: the connection string is that
		// variable, unresolved.
		"DATABASES.parsed": {"format": "django", "params.url": "${PRIMARY_URL}"},
	}
	got := map[string]bool{}
	for _, p := range res.Profiles {
		got[p.Name] = true
		w, ok := want[p.Name]
		if !ok {
			t.Errorf("unexpected profile %s", p.Name)
			continue
		}
		if p.Format != "django" {
			t.Errorf("%s: format %q", p.Name, p.Format)
		}
		v := p.View()
		raw, _ := json.Marshal(v)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		for k, wv := range w {
			var gv any
			switch {
			case strings.HasPrefix(k, "loc."):
				gv = m["locations"].(map[string]any)[k[4:]]
			case strings.HasPrefix(k, "params."):
				gv = m["params"].(map[string]any)[k[7:]]
			case strings.HasPrefix(k, "pool."):
				gv = m["pool"].(map[string]any)[k[5:]]
			case strings.HasPrefix(k, "timeouts."):
				gv = m["timeouts"].(map[string]any)[k[9:]]
			default:
				gv = m[k]
			}
			if s := strings.Trim(string(must(json.Marshal(gv))), `"`); s != wv {
				t.Errorf("%s: %s = %s, want %s", p.Name, k, s, wv)
			}
		}
		if strings.Contains(string(raw), "Lit3ralPw") || strings.Contains(string(raw), "Url5ecret") {
			t.Errorf("%s: output holds a password: %s", p.Name, raw)
		}
	}
	for name := range want {
		if !got[name] {
			t.Errorf("profile %s missing", name)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestDjangoSettingsErrors(t *testing.T) {
	for _, src := range []string{
		"DATABASES = {'default': {'PASSWORD': 'Hid3n\n",
		"X = '''Hid3n",
		"DATABASES = {'default': {'PASSWORD': 'Hid3n'}\n",
	} {
		res := extract.File("settings.py", []byte(src))
		if len(res.Problems) == 0 {
			t.Errorf("%q: no problem", src)
		}
		for _, pr := range res.Problems {
			if strings.Contains(pr.String(), "Hid3n") {
				t.Errorf("problem quotes the input: %s", pr)
			}
			if pr.Loc.Line == 0 {
				t.Errorf("problem without a line: %s", pr)
			}
		}
	}
}

func FuzzDjangoSettingsPassword(f *testing.F) {
	const pw = "Zk7Mv3Qp9Lx"
	f.Add("DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': 'h', 'PASSWORD': '", "'}}\n")
	f.Add("DATABASES = {\n 'default': dj_database_url.config(default=\"postgres://u:", "@h/d\")}\n")
	f.Add("DATABASES = {'a': {'PASSWORD': r'''", "''', 'NAME': os.getenv('X', 'd')}}")
	f.Add("DATABASES = {'a': {'PASSWORD': b\"", "\" \\\n 'x', 'PORT': -1_0, 'USER': (None, True, 1e3)}}")
	f.Add("DATABASES = {'a': {'PASSWORD': env('P', default='", "')}}")
	f.Fuzz(func(t *testing.T, pre, post string) {
		if strings.Contains(pre, pw[:4]) || strings.Contains(post, pw[:4]) {
			return
		}
		res := extract.File("settings.py", []byte(pre+pw+post))
		noPlantedPassword(t, pw[:6], res.Profiles, res.Problems)
	})
}
