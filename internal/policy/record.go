package policy

import (
	"fmt"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// setRecord is what the rules that compare profiles across files read of
// one profile. Check keeps one per profile instead of the profile itself
// (about 2 KB with its maps), so that its memory does not grow with the
// size of the profiles it has already judged.
//
// Fields read, rule by rule:
//   - password-shared-across-environments: environment, file, id, and for
//     a literal password of a production or non-production profile the
//     secret (held in memory as profile.Secret, never hashed), its location,
//     the effective user and database (passwordRecord);
//   - fleet-inconsistent: for client profiles the group key (fleetKey:
//     environment, driver, file stem, key path, format, name, app
//     parameter), file, id, and the nine compared values as the rule prints
//     them with their locations (fleetRecord);
//   - both report through reportRecord: id, environment, key path, file,
//     and the profile's first location for a finding whose field has none.
type setRecord struct {
	id, file, keyPath string
	env               profile.Environment
	// first is firstLoc of the profile (zero when it has none).
	first    profile.Location
	fleet    *fleetRecord
	password *passwordRecord
}

type fleetRecord struct {
	key  string
	vals [fleetFieldCount]fleetVal
}

// fleetVal is one compared value: as fleetValue prints it, and where it is.
type fleetVal struct {
	text string
	loc  profile.Location
}

type passwordRecord struct {
	secret         profile.Secret
	loc            profile.Location
	user, database effValue
}

// effValue is profile.Value.Effective's result.
type effValue struct {
	s  string
	ok bool
}

// needsRecord reports whether a set rule reads p at all.
func needsRecord(p *profile.Profile) bool { return client(p) || literalSecret(p) }

// literalSecret reports a profile whose password the shared-password rule
// compares: a literal in a production or non-production profile.
func literalSecret(p *profile.Profile) bool {
	return p.Password.Set && p.Password.Source == "literal" && !p.Password.Secret.Empty() && (isProd(p) || isNonProd(p))
}

// recordOf builds p's record, or nil when no set rule reads p. Strings
// that may point into the file's text are copied, so that a record does
// not keep the file in memory.
func recordOf(p *profile.Profile, intern func(string) string) *setRecord {
	if !needsRecord(p) {
		return nil
	}
	r := &setRecord{id: p.ID, file: p.File, keyPath: intern(p.KeyPath), env: p.Environment}
	r.first, _ = firstLoc(p)
	if client(p) {
		f := &fleetRecord{key: intern(fleetKey(p))}
		for i, v := range fleetFields(p) {
			f.vals[i] = fleetVal{text: intern(fleetValue(v)), loc: v.Loc}
		}
		r.fleet = f
	}
	if literalSecret(p) {
		eff := func(v profile.Value) effValue {
			s, ok := v.Effective()
			return effValue{s: intern(s), ok: ok}
		}
		r.password = &passwordRecord{secret: p.Password.Secret, loc: p.Password.Loc, user: eff(p.User), database: eff(p.Database)}
	}
	return r
}

// recordsOf builds the records of ps in their order.
func recordsOf(ps []*profile.Profile) []*setRecord {
	var out []*setRecord
	for _, p := range ps {
		if r := recordOf(p, strings.Clone); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// reportRecord is ReportRelated for a profile known by its record. The
// set rules pass the field's own location, so when it has no line the
// field has none either and the profile's first location stands in, as
// ReportRelated's fieldLoc and firstLoc would decide.
func (c *Context) reportRecord(r *setRecord, field string, loc profile.Location, rel []Related, format string, args ...any) {
	f := Finding{
		Rule:        c.rule.ID,
		Severity:    c.rule.Severity,
		Message:     fmt.Sprintf(format, args...),
		Field:       field,
		Loc:         loc,
		Related:     rel,
		Remediation: c.rule.Remediation,
		Help:        HelpPath(c.rule.ID),
		Profile:     r.id,
		Environment: r.env,
		Key:         r.keyPath,
	}
	if f.Loc.Line == 0 && r.first.Line > 0 {
		f.Loc = r.first
	}
	if f.Loc.File == "" {
		f.Loc.File = r.file
	}
	if field != "" {
		f.Key += ":" + field
	}
	*c.out = append(*c.out, f)
}
