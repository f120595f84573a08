package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
)

// scanDoc is the part of scan's JSON these tests read.
type scanDoc struct {
	SchemaVersion int `json:"schema_version"`
	Profiles      []struct {
		ID          string `json:"id"`
		File        string `json:"file"`
		Format      string `json:"format"`
		PasswordSet *bool  `json:"password_set"`
	} `json:"profiles"`
	Problems []issueDoc `json:"problems"`
	Summary  struct {
		Files    int `json:"files"`
		Readable int `json:"readable"`
		Profiles int `json:"profiles"`
		Problems int `json:"problems"`
	} `json:"summary"`
}

// issueDoc is a scan problem or a check finding: the two carry the same
// keys in scan's and check's JSON.
type issueDoc struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

func decodeScan(t *testing.T, out string) scanDoc { return decodeDoc[scanDoc](t, "scan", out) }

// decodeDoc decodes a command's JSON output, failing the test with the
// output when it is not one JSON document.
func decodeDoc[T any](t *testing.T, command, out string) T {
	t.Helper()
	var d T
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("decode %s's JSON: %v\n%s", command, err, out)
	}
	return d
}

func extractorNames() []string { return extract.Extractors() }

// writeTree writes files (slash paths) under dir.
func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goodFiles are readable inputs that sit beside each bad one: their
// profiles must survive the bad file.
func goodFiles() map[string][]byte {
	return map[string][]byte{
		"config/app.yaml": []byte("database:\n  driver: postgres\n  host: db.internal\n  port: 5432\n  user: app\n"),
		".env":            []byte("DATABASE_URL=mysql://shop@mysql.internal:3306/shop\n"),
	}
}

// oversized returns a YAML file just over scan's 10 MB limit.
func oversized() []byte {
	var b bytes.Buffer
	b.WriteString("items:\n")
	for i := 0; b.Len() <= 10<<20; i++ {
		fmt.Fprintf(&b, "  - name: item-%08d\n", i)
	}
	return b.Bytes()
}

// TestScanUnreadableInput: each unreadable file is one input-unreadable
// finding at file:line:column, the exit code is 1, and every profile of the
// good files beside it is still reported.
func TestScanUnreadableInput(t *testing.T) {
	tests := []struct {
		name string
		file string
		data []byte
		msg  string // a word the message must hold
		// pendingColumn names a known gap: the finding has no line or
		// column yet. The test logs it and fails once it is fixed, so that
		// the entry is removed then.
		pendingColumn string
	}{
		{name: "binary", file: "bin.yaml", data: []byte("a: 1\n\x00\x01\x02\x03"), msg: "binary"},
		{name: "oversized", file: "big.yaml", data: oversized(), msg: "limit"},
		{name: "malformed YAML", file: "bad.yaml", data: []byte("db:\n  host: a\n  port: [1, 2\n  user: x\n"), msg: ""},
		{name: "YAML tab indentation", file: "tab.yaml", data: []byte("db:\n  host: h\n\tport: 1\n"), msg: "tab"},
		{name: "helm template", file: "templates/configmap.yaml",
			data: []byte("apiVersion: v1\nkind: ConfigMap\ndata:\n{{- range .Values.dbs }}\n  {{ .name }}: {{ .url | quote }}\n{{- end }}\n  x: {{ if\n")},
		{name: "unterminated template", file: "tpl.yaml", data: []byte("database:\n  host: \"{{ .Values.host }}\n  port: 5432\n")},
		{name: "malformed JSON", file: "bad.json", data: []byte("{\"db\": {\"host\": \"x\",}\n"), msg: ""},
		{name: "malformed TOML", file: "bad.toml", data: []byte("[db]\nhost = \"x\n"), msg: "new lines"},
	}
	goodCode, goodOut, goodErr := func() (int, string, string) {
		dir := t.TempDir()
		writeTree(t, dir, goodFiles())
		return runCLI(t, "", "scan", "--no-config", "--format", "json", dir)
	}()
	if goodCode != ExitOK {
		t.Fatalf("good files alone: exit %d: %s", goodCode, goodErr)
	}
	goodIDs := profileIDs(decodeScan(t, goodOut))
	if len(goodIDs) < 2 {
		t.Fatalf("good files alone give %d profiles, want 2 at least", len(goodIDs))
	}
	locRE := regexp.MustCompile(`^(.+):(\d+):(\d+): input-unreadable: `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := goodFiles()
			files[tt.file] = tt.data
			writeTree(t, dir, files)
			code, stdout, stderr := runCLI(t, "", "scan", "--no-config", "--format", "json", dir)
			if code != ExitFindings {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
			}
			doc := decodeScan(t, stdout)
			if got := profileIDs(doc); strings.Join(got, " ") != strings.Join(goodIDs, " ") {
				t.Errorf("profiles of the good files changed beside %s:\n got %v\nwant %v", tt.file, got, goodIDs)
			}
			if len(doc.Problems) != 1 {
				t.Fatalf("problems = %+v, want one", doc.Problems)
			}
			p := doc.Problems[0]
			if p.Rule != "input-unreadable" || p.Severity != "error" || p.File != tt.file {
				t.Errorf("problem = %+v, want input-unreadable error in %s", p, tt.file)
			}
			if !strings.Contains(strings.ToLower(p.Message), tt.msg) || p.Message == "" {
				t.Errorf("message %q does not say %q", p.Message, tt.msg)
			}
			if doc.Summary.Problems != 1 || doc.Summary.Files != 3 || doc.Summary.Readable != 2 {
				t.Errorf("summary = %+v, want 3 files, 2 readable, 1 problem", doc.Summary)
			}
			located := p.Line >= 1 && p.Column >= 1
			if tt.pendingColumn == "" && !located {
				t.Errorf("problem at %s:%d:%d: want a 1-based line and column", p.File, p.Line, p.Column)
			}
			if tt.pendingColumn != "" {
				if located {
					t.Errorf("known gap %q is fixed: remove pendingColumn from this case", tt.pendingColumn)
				} else {
					t.Logf("KNOWN GAP (a value without its own file:line:column): %s: got %s:%d:%d", tt.pendingColumn, p.File, p.Line, p.Column)
				}
			}
			if located {
				m := locRE.FindStringSubmatch(stderr)
				if m == nil || m[1] != tt.file {
					t.Errorf("stderr does not name %s:LINE:COLUMN: %q", tt.file, stderr)
				}
			}
			if !strings.Contains(stderr, tt.file) {
				t.Errorf("stderr does not name %s: %q", tt.file, stderr)
			}
		})
	}
}

func profileIDs(d scanDoc) []string {
	var ids []string
	for _, p := range d.Profiles {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	return ids
}

// TestExitCodes checks the contract shared by every command
// (docs/exit-codes.md) on scan.
func TestExitCodes(t *testing.T) {
	empty := t.TempDir()
	onlyBinary := t.TempDir()
	writeTree(t, onlyBinary, map[string][]byte{"a.yaml": []byte("\x00\x01"), "b.json": []byte("{")})
	clean := t.TempDir()
	writeTree(t, clean, goodFiles())
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  int
		err   string // text stderr must hold
	}{
		{name: "clean tree", args: []string{"scan", "--no-config", clean}, want: ExitOK},
		{name: "golden tree", args: []string{"scan", "--no-config", goldenScanDir}, want: ExitOK},
		{name: "clean stdin", stdin: "db:\n  url: postgres://u@h:5432/d\n", args: []string{"scan", "--no-config", "-"}, want: ExitOK},
		{name: "missing path", args: []string{"scan", "--no-config", filepath.Join(empty, "nope")}, want: ExitUsage, err: "no such file"},
		{name: "missing path beside a good one", args: []string{"scan", "--no-config", clean, filepath.Join(empty, "nope")}, want: ExitUsage, err: "no such file"},
		{name: "no configuration file", args: []string{"scan", "--no-config", empty}, want: ExitUsage, err: "no configuration files"},
		{name: "no readable input", args: []string{"scan", "--no-config", onlyBinary}, want: ExitUsage, err: "no readable input"},
		{name: "unreadable stdin", stdin: "\x00\x01", args: []string{"scan", "--no-config", "-"}, want: ExitUsage, err: "no readable input"},
		{name: "unknown flag", args: []string{"scan", "--no-such-flag", clean}, want: ExitUsage, err: "unknown flag"},
		{name: "unknown format", args: []string{"scan", "--format", "xml", clean}, want: ExitUsage, err: "xml"},
		{name: "unknown command", args: []string{"no-such-command"}, want: ExitUsage, err: "unknown command"},
		{name: "missing config file", args: []string{"scan", "--config", filepath.Join(empty, "dbguard.yaml"), clean}, want: ExitUsage},
		{name: "version", args: []string{"version"}, want: ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.stdin, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.err) {
				t.Errorf("stderr %q does not hold %q", stderr, tt.err)
			}
			if tt.want == ExitUsage && stderr == "" {
				t.Error("a usage error says nothing on stderr")
			}
		})
	}
}

// TestScanSkips: .git, vendor, node_modules, --exclude globs and dbguard's
// own configuration are not read.
func TestScanSkips(t *testing.T) {
	dir := t.TempDir()
	db := []byte("database:\n  url: postgres://u@h.internal:5432/d\n")
	writeTree(t, dir, map[string][]byte{
		"app.yaml":                  db,
		".git/config.yaml":          db,
		"vendor/lib/app.yaml":       db,
		"node_modules/x/app.yaml":   db,
		"fixtures/app.yaml":         db,
		"dbguard.yaml":              []byte("version: 1\n"),
		"deploy/old/app.yaml":       db,
		"deploy/current/app.yaml":   db,
		"deploy/current/skip.yaml":  db,
		"deploy/current/notes.text": []byte("database: postgres://u@h/d\n"),
	})
	code, stdout, stderr := runCLI(t, "", "scan", "--no-config", "--format", "json",
		"--exclude", "fixtures/**", "--exclude", "deploy/old/*", "--exclude", "skip.yaml", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var files []string
	for _, p := range decodeScan(t, stdout).Profiles {
		files = append(files, p.File)
	}
	sort.Strings(files)
	want := []string{"app.yaml", "deploy/current/app.yaml"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files read = %v, want %v", files, want)
	}
}
