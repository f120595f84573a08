package docsgen

import (
	"slices"

	"github.com/dbguard/dbguard/internal/verify"
)

// Runbooks are the pages of verify's taxonomy, in its order: one per
// class, made from verify.Classes() and verify.Stages() alone, so that a
// class added, moved or reworded there changes the runbook with it.
func Runbooks() []Runbook {
	classes := verify.Classes()
	stages := verify.Stages()
	out := make([]Runbook, 0, len(classes))
	for _, ci := range classes {
		rb := Runbook{Class: string(ci.Class), Stage: string(ci.Stage), Remediation: ci.Remediation,
			MistakenFor: ci.MistakenFor, Passed: []string{}, Siblings: []string{}}
		if i := slices.Index(stages, ci.Stage); i > 0 {
			for _, s := range stages[:i] {
				rb.Passed = append(rb.Passed, string(s))
			}
		}
		for _, o := range classes {
			if o.Stage == ci.Stage && o.Class != ci.Class {
				rb.Siblings = append(rb.Siblings, string(o.Class))
			}
		}
		out = append(out, rb)
	}
	return out
}
