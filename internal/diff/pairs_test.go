package diff_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// compareDirs runs a diff of a pair folder's old/ and new/ with the pair's
// dbguard.yaml when it has one.
func compareDirs(t *testing.T, dir string) *diff.Result {
	t.Helper()
	cfg := config.Default()
	if _, err := os.Stat(filepath.Join(dir, "dbguard.yaml")); err == nil {
		c, err := config.Load(filepath.Join(dir, "dbguard.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		cfg = c
	}
	return compareFolders(t, filepath.Join(dir, "old"), filepath.Join(dir, "new"), cfg, diff.Options{Settings: settingsOf(cfg)})
}

// summary is what a pair's golden file holds.
type summary struct {
	Risk        string   `json:"risk"`
	Reason      string   `json:"reason"`
	Fingerprint string   `json:"fingerprint"`
	Changes     []string `json:"changes"`
	Introduced  []string `json:"findings_introduced"`
	Fixed       []string `json:"findings_fixed"`
}

func summarize(r *diff.Result) summary {
	s := summary{Risk: r.Risk.String(), Reason: r.Reason, Fingerprint: r.Fingerprint, Changes: []string{}, Introduced: []string{}, Fixed: []string{}}
	v := func(p *string) string {
		if p == nil {
			return "(unset)"
		}
		return *p
	}
	for _, c := range r.Changes {
		s.Changes = append(s.Changes, strings.Join([]string{c.Profile, c.Field, string(c.Kind), v(c.Old) + " -> " + v(c.New), c.OldLoc.String() + " -> " + c.NewLoc.String(), c.Risk.String(), c.Reason}, " | "))
	}
	for _, f := range r.FindingsIntroduced {
		s.Introduced = append(s.Introduced, f.Rule+" "+f.Profile+" "+f.Field)
	}
	for _, f := range r.FindingsFixed {
		s.Fixed = append(s.Fixed, f.Rule+" "+f.Profile+" "+f.Field)
	}
	return s
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("mismatch with %s (run go test -update to accept)\n--- got\n%s--- want\n%s", file, got, want)
	}
}

func TestPairsGolden(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "pairs", "*"))
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res := compareDirs(t, dir)
			b, _ := json.MarshalIndent(summarize(res), "", "  ")
			golden(t, filepath.Join(dir, "want.json"), append(b, '\n'))
		})
	}
}

// Every reason is one sentence: what changed and why it is risky, without
// a second clause glued on with a semicolon, and the overall reason is the
// riskiest change's profile and reason, not its field twice.
func TestReasonsAreOneSentence(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "pairs", "*"))
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res := compareDirs(t, dir)
			for _, c := range res.Changes {
				r := c.Reason
				if r == "" || strings.Contains(r, "; ") || strings.HasSuffix(r, ".") || !strings.Contains(r, ": ") || strings.ToLower(r[:1]) != r[:1] && !strings.HasPrefix(r, "TLS") {
					t.Errorf("%s %s: reason is not one sentence saying what changed and why: %q", c.Profile, c.Field, r)
				}
				if strings.HasPrefix(res.Reason, c.Profile+" "+c.Field+": ") {
					t.Errorf("overall reason names the field before a reason that names it again: %q", res.Reason)
				}
			}
		})
	}
}
