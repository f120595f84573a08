package policy

import (
	"strings"
	"testing"
	"unicode"

	"github.com/dbguard/dbguard/internal/profile"
)

// hasWordRef is how hasWord split words before it stopped allocating: the
// reference FuzzHasWord holds it to.
func hasWordRef(s string, set ...string) (string, bool) {
	ws := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range ws {
		for _, x := range set {
			if w == x {
				return w, true
			}
		}
	}
	return "", false
}

var wordSets = [][]string{{"staging", "stage", "stg", "dev", "test", "qa", "uat"}, {"prod", "production", "live"}}

var hasWordCases = []string{"", "db.prod.internal", "orders-STAGING-db", "Ünïcode-dev", "dev", "devops", "x_test_y", "ﬁ-dev", "KELVIN-\u212Aqa", "prod1", "ǅev"}

func TestHasWord(t *testing.T) {
	for _, s := range hasWordCases {
		checkHasWord(t, s)
	}
}

func FuzzHasWord(f *testing.F) {
	for _, s := range hasWordCases {
		f.Add(s)
	}
	f.Fuzz(checkHasWord)
}

// checkHasWord holds hasWord to hasWordRef on s, for each set of words the
// rules use.
func checkHasWord(t *testing.T, s string) {
	for _, set := range wordSets {
		gw, gok := hasWord(s, set...)
		ww, wok := hasWordRef(s, set...)
		if gw != ww || gok != wok {
			t.Errorf("hasWord(%q, %v) = %q, %v; want %q, %v", s, set, gw, gok, ww, wok)
		}
	}
}

// TestFleetKeyForms: the fleet group's text (recordStrings.groupKey) and
// the hash check keeps (writeFleetKey) both follow fleetKey, in each of
// its forms.
func TestFleetKeyForms(t *testing.T) {
	mk := func(file, format, name, app string) *profile.Profile {
		p := &profile.Profile{File: file, KeyPath: "database", Format: format, Name: name, Environment: profile.Production,
			Driver: profile.Value{Text: "postgres", Set: true}}
		if app != "" {
			p.SetParam("app", profile.Value{Text: app, Set: true})
		}
		return p
	}
	for _, c := range []struct {
		p    *profile.Profile
		want string
	}{
		{mk("deploy/eu/orders.yaml", "generic", "", ""), "production|postgres|orders#database"},
		{mk("k8s/cm.yaml", "kubernetes", "ConfigMap/orders-db DB_*", ""), "production|postgres|orders-db#DB_*"},
		{mk("k8s/cm.yaml", "kubernetes", "ConfigMap/orders-db DB_*", "orders"), "production|postgres|orders#DB_*"},
	} {
		if got := fleetKey(c.p); got != c.want {
			t.Errorf("fleetKey = %q, want %q", got, c.want)
		}
		strs := newRecordStrings()
		if got := strs.groupKey(fleetGroupOf(strs, c.p)); got != c.want {
			t.Errorf("groupKey = %q, want %q", got, c.want)
		}
	}
}
