package verify

import (
	"fmt"

	"github.com/dbguard/dbguard/internal/profile"
)

// Verdict is what a changed profile's old and new settings did against the
// live server, under verify --diff-base.
type Verdict string

const (
	VerdictOK           Verdict = "ok"            // old ok, new ok
	VerdictRegression   Verdict = "regression"    // old ok, new fails: the change breaks it
	VerdictFixed        Verdict = "fixed"         // old fails, new ok
	VerdictStillFailing Verdict = "still_failing" // both fail
	VerdictNewOK        Verdict = "new_ok"        // no old side to probe (added, or switched on): new ok
	VerdictNewFailing   Verdict = "new_failing"   // no old side to probe: new fails
	VerdictRemoved      Verdict = "removed"       // no new side (removed or switched off): not probed
	VerdictNotVerified  Verdict = "not_verified"  // the new side's probe did not finish, or its profile was not found
)

// Verdicts lists every verdict, failing ones first, in the order a
// summary counts them.
func Verdicts() []Verdict {
	return []Verdict{VerdictRegression, VerdictStillFailing, VerdictNewFailing, VerdictNotVerified, VerdictFixed, VerdictOK, VerdictNewOK, VerdictRemoved}
}

// Fails reports the verdicts that fail a deploy gate: every one whose new
// side fails or could not be proved. An old side's failure alone never
// does: it was broken before the change, and a gate that refused a fix for
// it would keep it broken.
func (v Verdict) Fails() bool {
	switch v {
	case VerdictRegression, VerdictStillFailing, VerdictNewFailing, VerdictNotVerified:
		return true
	}
	return false
}

// Pair is one profile a change touches, with both sides: the profile each
// revision holds, why a side is not probed, and each side's result once
// probed.
type Pair struct {
	OldID, NewID string
	// Change is what happened to the profile: changed, moved, added or
	// removed; Fields the fields that changed.
	Change      string
	Fields      []string
	Name        string
	Environment profile.Environment
	File        string
	Old, New    *profile.Profile
	// OldNote and NewNote say why a side is not probed.
	OldNote, NewNote string
	// NewMissing: the change names a new profile that reading the head
	// whole did not find, so it cannot be proved.
	NewMissing bool
	// OldProbe and NewProbe say which sides are to be probed; OldResult
	// and NewResult hold their answers (nil: no answer).
	OldProbe, NewProbe   bool
	OldResult, NewResult *Result
}

// Probeable reports whether verify connects with p at all: server-side
// settings and switched-off blocks are not connections.
func Probeable(p *profile.Profile) bool {
	return p != nil && !p.ServerSide && !p.Inactive
}

// ID is the pair's profile id: the new side's, or the old one's when the
// profile was removed.
func (p *Pair) ID() string {
	if p.NewID != "" {
		return p.NewID
	}
	return p.OldID
}

// Verdict is the pair's outcome.
func (p *Pair) Verdict() Verdict {
	switch {
	case p.NewID == "" || (p.New != nil && !Probeable(p.New)):
		return VerdictRemoved
	case p.NewResult == nil:
		return VerdictNotVerified
	}
	newOK := p.NewResult.OK()
	if p.OldResult == nil {
		if newOK {
			return VerdictNewOK
		}
		return VerdictNewFailing
	}
	switch oldOK := p.OldResult.OK(); {
	case oldOK && newOK:
		return VerdictOK
	case oldOK:
		return VerdictRegression
	case newOK:
		return VerdictFixed
	}
	return VerdictStillFailing
}

// Summary is the pair in one line: "old: ok; new: auth_failed (...)".
func (p *Pair) Summary() string {
	return "old: " + sideText(p.OldResult, p.OldNote) + "; new: " + sideText(p.NewResult, p.NewNote)
}

// sideText is one side in a word or a class with its remediation: "ok",
// "auth_failed (credentials were rejected ...)", or why it was not probed.
func sideText(r *Result, note string) string {
	if r == nil {
		if note == "" {
			return "not probed"
		}
		return note
	}
	if r.OK() {
		return "ok"
	}
	a := r.Final()
	if a == nil {
		return "failed"
	}
	if rem := Remediation(a.Class); rem != "" {
		return fmt.Sprintf("%s (%s)", a.Class, rem)
	}
	return string(a.Class)
}

// PairView is a pair as verify --diff-base --format json writes it.
type PairView struct {
	Profile     string              `json:"profile"`
	OldProfile  string              `json:"old_profile,omitempty"`
	Name        string              `json:"name"`
	Environment profile.Environment `json:"environment"`
	File        string              `json:"file"`
	Change      string              `json:"change"`
	Fields      []string            `json:"fields"`
	Verdict     Verdict             `json:"verdict"`
	Summary     string              `json:"summary"`
	Old         *View               `json:"old"`
	New         *View               `json:"new"`
	OldNote     string              `json:"old_note,omitempty"`
	NewNote     string              `json:"new_note,omitempty"`
}

// View returns the pair's JSON view.
func (p *Pair) View() PairView {
	v := PairView{Profile: p.ID(), Name: p.Name, Environment: p.Environment, File: p.File, Change: p.Change,
		Fields: append([]string{}, p.Fields...), Verdict: p.Verdict(), Summary: p.Summary(), OldNote: p.OldNote, NewNote: p.NewNote}
	if p.NewID != "" && p.OldID != "" && p.OldID != p.NewID {
		v.OldProfile = p.OldID
	}
	if p.OldResult != nil {
		r := p.OldResult.View()
		v.Old = &r
	}
	if p.NewResult != nil {
		r := p.NewResult.View()
		v.New = &r
	}
	return v
}
