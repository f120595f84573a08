package diff_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/diff"
)

// noChange lists the pairs whose two sides mean the same.
var noChange = map[string]bool{"reformat": true, "reorder-blocks": true}

// Every pair that changes meaning has its own fingerprint; the pairs that
// do not change meaning have no change and the fingerprint of no change.
func TestFingerprints(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "pairs", "*"))
	seen := map[string]string{}
	empty := diff.Fingerprint(nil)
	for _, dir := range dirs {
		name := filepath.Base(dir)
		res := compareDirs(t, dir)
		if noChange[name] {
			if len(res.Changes) != 0 || res.Fingerprint != empty || res.Risk != diff.None {
				t.Errorf("%s: %d changes, risk %s, fingerprint %s; want none and %s", name, len(res.Changes), res.Risk, res.Fingerprint, empty)
			}
			continue
		}
		if len(res.Changes) == 0 || res.Fingerprint == empty {
			t.Errorf("%s: no change found", name)
		}
		if other, dup := seen[res.Fingerprint]; dup {
			t.Errorf("%s and %s share fingerprint %s", name, other, res.Fingerprint)
		}
		seen[res.Fingerprint] = name
	}
}

// Comparing twice, or with the sides' locations shifted, gives the same
// fingerprint; swapping the sides gives another.
func TestFingerprintStable(t *testing.T) {
	dir := filepath.Join("testdata", "pairs", "host-typo")
	a, b := compareDirs(t, dir), compareDirs(t, dir)
	if a.Fingerprint != b.Fingerprint {
		t.Fatalf("fingerprint differs between runs: %s, %s", a.Fingerprint, b.Fingerprint)
	}
	shifted := append([]diff.Change(nil), a.Changes...)
	for i := range shifted {
		shifted[i].NewLoc.Line += 10
		shifted[i].Reason = "another wording"
		shifted[i].Risk = diff.Low
	}
	if diff.Fingerprint(shifted) != a.Fingerprint {
		t.Errorf("locations, reasons or risks changed the fingerprint")
	}
}

// The canary passwords of the fixtures never appear in a result, however
// it is printed.
func TestNoSecretInResult(t *testing.T) {
	for _, name := range []string{"password-shared", "password-env"} {
		res := compareDirs(t, filepath.Join("testdata", "pairs", name))
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{fmt.Sprintf("%+v", res), fmt.Sprintf("%#v", res), string(js)} {
			if strings.Contains(out, "hunter2") {
				t.Fatalf("%s: a canary password is in the result", name)
			}
		}
	}
}
