package cli

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shapeCanaryFiles writes issue 12's shapes that carry a password in a new
// place: base64 in a Secret that a Deployment's envFrom and $(VAR)
// reference pull into a URL, a PgBouncer value with a doubled quote, a
// .env password that ${VAR} expands into a URL, an umbrella chart's
// subchart, StackExchange.Redis strings in appsettings.json, and a Prisma
// schema's literal url. Every host is loopback, though no command here connects.
func shapeCanaryFiles(pw string) map[string]string {
	b64 := base64.StdEncoding.EncodeToString([]byte(pw))
	return map[string]string{
		"k8s/app.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: app-db
data:
  DB_PASSWORD: ` + b64 + `
  DB_USER: YXBw
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels:
    environment: production
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: example/app:1
          envFrom:
            - secretRef:
                name: app-db
          env:
            - name: DATABASE_URL
              value: postgres://$(DB_USER):$(DB_PASSWORD)@127.0.0.1:5432/app
`,
		"pgbouncer.ini": "[databases]\napp = host=127.0.0.1 dbname=app user=app password='" + strings.ReplaceAll(pw, "'", "''") + "''x y'\n[pgbouncer]\nlisten_port = 6432\n",
		"app.env":       "DB_PASSWORD=" + pw + "\nDATABASE_URL=postgres://app:${DB_PASSWORD}@127.0.0.1:5432/app\n",
		// StackExchange.Redis strings: well formed, and with a ',' that
		// cuts the password where the client would.
		"dotnet/appsettings.json": "\ufeff{\r\n  \"ConnectionStrings\": {\r\n    \"Cache\": \"127.0.0.1:6380,password=" + pw +
			",ssl=True,abortConnect=false\",\r\n    \"Cut\": \"127.0.0.1:6381,password=" + pw[:5] + "," + pw[5:] + ",ssl=True\"\r\n  }\r\n}\r\n",
		// A Prisma schema with a literal url, next to one read from the
		// environment.
		"prisma/schema.prisma": "datasource db {\n  provider  = \"postgresql\"\n  url       = \"postgresql://app:" + pw +
			"@127.0.0.1:5432/app?sslmode=require\"\n  directUrl = env(\"DIRECT_URL\")\n}\n",
		// A Django settings module with a literal PASSWORD.
		"web/settings.py": "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n" +
			"        'HOST': '127.0.0.1', 'NAME': 'app', 'USER': 'app',\n        'PASSWORD': '" +
			strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(pw) + "',\n    },\n}\n",
		"chart/values.yaml": `api:
  database:
    host: "{{ .Release.Name }}-postgresql"
    user: app
postgresql:
  auth:
    username: app
    password: ` + pw + `
  primary:
    extendedConfiguration: |
      max_connections = 50
`,
	}
}

// TestCanaryShapes runs scan, check and diff in every output format over
// those files and fails if any output holds a run of 4 characters of the
// password, as written, in base64, or encoded as the canary test knows.
func TestCanaryShapes(t *testing.T) {
	const pw, pwNew = "Zr8Kx2Qw7Mn", "Pv3Jt9Ls4Hd"
	root := t.TempDir()
	in, changed, empty := filepath.Join(root, "in"), filepath.Join(root, "changed"), filepath.Join(root, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := canaryWriteTree(in, shapeCanaryFiles(pw)); err != nil {
		t.Fatal(err)
	}
	if err := canaryWriteTree(changed, shapeCanaryFiles(pwNew)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	secrets := []string{pw, pwNew, base64.StdEncoding.EncodeToString([]byte(pw)), base64.StdEncoding.EncodeToString([]byte(pwNew))}
	runs := map[string][][]string{
		"scan":  {{in}, {filepath.Join(in, "k8s")}, {filepath.Join(in, "pgbouncer.ini")}},
		"check": {{in}},
		"diff":  {{empty, in}, {in, changed}},
	}
	ran := canaryRunCommands(t, runs, secrets)
	if ran < 6 {
		t.Errorf("only %d runs", ran)
	}
}
