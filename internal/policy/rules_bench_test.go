package policy_test

import (
	"context"
	"testing"

	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/testenv"
)

// BenchmarkBuiltins evaluates the built-in rules over the profiles of the
// synthetic corpus's 10,000 files (testenv.BenchCorpus: seed
// 42), scanned once before timing: the cost of the
// rules alone.
//
//   - all: Evaluate with every built-in rule over every profile;
//   - profile-rules: only the rules that look at one profile at a time;
//   - per-file: those rules file by file, as check's stream runs them,
//     each file's profiles together.
func BenchmarkBuiltins(b *testing.B) {
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{testenv.BenchCorpus(b, 10000)}})
	if err != nil {
		b.Fatal(err)
	}
	var byFile [][]*profile.Profile
	for i, p := range res.Profiles {
		if i == 0 || p.File != res.Profiles[i-1].File {
			byFile = append(byFile, nil)
		}
		byFile[len(byFile)-1] = append(byFile[len(byFile)-1], p)
	}
	profileRules := func() []*policy.Rule {
		var rs []*policy.Rule
		for _, r := range policy.Builtins() {
			if r.Set == nil {
				rs = append(rs, r)
			}
		}
		return rs
	}
	b.Run("all", func(b *testing.B) {
		in := policy.Input{Profiles: res.Profiles}
		b.ReportAllocs()
		for b.Loop() {
			policy.Evaluate(in, policy.Builtins(), nil)
		}
	})
	b.Run("profile-rules", func(b *testing.B) {
		in := policy.Input{Profiles: res.Profiles}
		b.ReportAllocs()
		for b.Loop() {
			policy.Evaluate(in, profileRules(), nil)
		}
	})
	b.Run("per-file", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rules := profileRules()
			for _, ps := range byFile {
				policy.Evaluate(policy.Input{Profiles: ps}, rules, nil)
			}
		}
	})
}
