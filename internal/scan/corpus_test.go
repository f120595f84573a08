package scan_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/testenv"
)

// scanCorpus scans the real-world corpus and returns the profiles as scan
// --format json writes them.
func scanCorpus(t *testing.T) (dir string, views []profile.View) {
	t.Helper()
	shared := testenv.SharedDir(t)
	dir = filepath.Join(shared, "corpus", "real-world")
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatalf("scan corpus: %v", err)
	}
	for _, p := range res.Problems {
		t.Errorf("corpus file unreadable: %s", p)
	}
	for _, p := range res.Profiles {
		views = append(views, p.View())
	}
	return dir, views
}

// TestRealWorldCorpusScore runs the hand-written truth's scorer over scan's
// output: precision and recall must both reach 0.95.
func TestRealWorldCorpusScore(t *testing.T) {
	_, views := scanCorpus(t)
	shared := testenv.SharedDir(t)
	out := filepath.Join(t.TempDir(), "actual.json")
	data, err := json.Marshal(map[string]any{"schema_version": 1, "profiles": views})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testenv.Python3(t), filepath.Join(shared, "tools", "corpus-score"),
		"--expected", filepath.Join(shared, "corpus", "real-world.expected.jsonl"), "--min", "0.95", "-v", out)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	report := buf.String()
	m := regexp.MustCompile(`precision ([0-9.]+) recall ([0-9.]+)`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("scorer printed no figure (%v):\n%s", err, report)
	}
	t.Logf("real-world corpus: precision %s recall %s", m[1], m[2])
	if err != nil {
		t.Errorf("corpus score below 0.95 (%v):\n%s", err, report)
	}
}

// TestRealWorldCorpusLocations checks that every reported location points at
// the value's own text in the file.
func TestRealWorldCorpusLocations(t *testing.T) {
	dir, views := scanCorpus(t)
	lines := map[string][]string{}
	read := func(file string) []string {
		if ls, ok := lines[file]; ok {
			return ls
		}
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		var ls []string
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			ls = append(ls, strings.TrimSuffix(sc.Text(), "\r"))
		}
		lines[file] = ls
		return ls
	}
	checked, bad := 0, 0
	for _, v := range views {
		fields := map[string]any{"host": v.Host, "port": v.Port, "database": v.Database, "user": v.User, "tls": v.TLS}
		for name, val := range fields {
			locText, ok := v.Locations[name]
			if !ok || val == nil {
				continue
			}
			want := fmt.Sprint(deref(val))
			if want == "" {
				continue
			}
			file, line, col := parseLoc(t, locText)
			ls := read(file)
			if line < 1 || line > len(ls) {
				t.Errorf("%s %s: line %d out of range", v.ID, name, line)
				bad++
				continue
			}
			text := ls[line-1]
			i := byteIndex(text, col-1)
			checked++
			if i < 0 || !startsWithValue(text[i:], want) {
				bad++
				t.Errorf("%s: %s = %q, but %s holds %q", v.ID, name, want, locText, clip(text, i))
			}
		}
	}
	t.Logf("%d locations checked, %d wrong", checked, bad)
	if checked < 300 {
		t.Errorf("only %d locations checked: the corpus should give hundreds", checked)
	}
}

// TestRealWorldCorpusEnvironment compares environment_raw with the truth's
// params.environment where it gives one: at least 90% agree.
func TestRealWorldCorpusEnvironment(t *testing.T) {
	_, views := scanCorpus(t)
	shared := testenv.SharedDir(t)
	f, err := os.Open(filepath.Join(shared, "corpus", "real-world.expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type exp struct {
		File   string         `json:"file"`
		Name   string         `json:"name"`
		Params map[string]any `json:"params"`
	}
	byFile := map[string][]profile.View{}
	for _, v := range views {
		byFile[v.File] = append(byFile[v.File], v)
	}
	total, agree := 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e exp
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		env, ok := e.Params["environment"].(string)
		if !ok {
			continue
		}
		total++
		got := ""
		for _, v := range byFile[e.File] {
			if strings.EqualFold(v.EnvironmentRaw, env) {
				got = v.EnvironmentRaw
				break
			}
		}
		if got != "" {
			agree++
		} else {
			t.Logf("%s [%s]: environment %q not reported", e.File, e.Name, env)
		}
	}
	if total == 0 {
		t.Fatal("the truth names no environment")
	}
	ratio := float64(agree) / float64(total)
	t.Logf("environment_raw agrees on %d of %d (%.2f)", agree, total, ratio)
	if ratio < 0.9 {
		t.Errorf("environment_raw agrees on %.2f of profiles, want at least 0.90", ratio)
	}
}

func deref(v any) any {
	if s, ok := v.(*string); ok {
		if s == nil {
			return ""
		}
		return *s
	}
	return v
}

func parseLoc(t *testing.T, s string) (string, int, int) {
	t.Helper()
	parts := strings.Split(s, ":")
	if len(parts) < 3 {
		t.Fatalf("location %q is not file:line:column", s)
	}
	line, err1 := strconv.Atoi(parts[len(parts)-2])
	col, err2 := strconv.Atoi(parts[len(parts)-1])
	if err1 != nil || err2 != nil {
		t.Fatalf("location %q is not file:line:column", s)
	}
	return strings.Join(parts[:len(parts)-2], ":"), line, col
}

// byteIndex converts a 0-based rune column to a byte offset.
func byteIndex(s string, runes int) int {
	i := 0
	for n := 0; n < runes; n++ {
		if i >= len(s) {
			return -1
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// startsWithValue accepts the value itself, the value after an opening
// quote, its percent-encoded form, or its form escaped inside a JSON string.
func startsWithValue(s, want string) bool {
	jsonEscaped := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(want)
	for _, cand := range []string{want, strings.ReplaceAll(want, "%", "%25"), jsonEscaped} {
		if strings.HasPrefix(s, cand) {
			return true
		}
		if len(s) > 0 && (s[0] == '"' || s[0] == '\'') && strings.HasPrefix(s[1:], cand) {
			return true
		}
	}
	return false
}

func clip(s string, i int) string {
	if i < 0 {
		return s
	}
	s = s[i:]
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}
