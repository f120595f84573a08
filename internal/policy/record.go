package policy

import (
	"fmt"

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

// fleetRecord holds the compared values of a client profile, as
// fleetValue prints them, and their locations packed: a location's file is
// the record's file unless its noFile bit says it has none or other keeps
// it whole (another file, or a line beyond 32 bits; both rare).
type fleetRecord struct {
	key    string
	text   [fleetFieldCount]string
	line   [fleetFieldCount]int32
	col    [fleetFieldCount]int32
	noFile uint16
	other  *[fleetFieldCount]*profile.Location
}

// setLoc packs the location of value i of a record of file.
func (f *fleetRecord) setLoc(i int, file string, l profile.Location) {
	f.line[i], f.col[i] = int32(l.Line), int32(l.Column)
	if l.File == file && int(f.line[i]) == l.Line && int(f.col[i]) == l.Column {
		return
	}
	if l.File == "" && int(f.line[i]) == l.Line && int(f.col[i]) == l.Column {
		f.noFile |= 1 << i
		return
	}
	if f.other == nil {
		f.other = new([fleetFieldCount]*profile.Location)
	}
	f.other[i] = &l
}

// loc unpacks the location of value i of a record of file.
func (f *fleetRecord) loc(i int, file string) profile.Location {
	if f.other != nil && f.other[i] != nil {
		return *f.other[i]
	}
	l := profile.Location{File: file, Line: int(f.line[i]), Column: int(f.col[i])}
	if f.noFile&(1<<i) != 0 {
		l.File = ""
	}
	return l
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

// recordOf builds p's record, or nil when no set rule reads p. Its
// strings may point into the file's text; Stream interns them.
func recordOf(p *profile.Profile) *setRecord {
	if !needsRecord(p) {
		return nil
	}
	r := &setRecord{id: p.ID, file: p.File, keyPath: p.KeyPath, env: p.Environment}
	r.first, _ = firstLoc(p)
	if client(p) {
		f := &fleetRecord{key: fleetKey(p)}
		for i, v := range fleetFields(p) {
			f.text[i] = fleetValue(v)
			f.setLoc(i, p.File, v.Loc)
		}
		r.fleet = f
	}
	if literalSecret(p) {
		eff := func(v profile.Value) effValue {
			s, ok := v.Effective()
			return effValue{s: s, ok: ok}
		}
		r.password = &passwordRecord{secret: p.Password.Secret, loc: p.Password.Loc, user: eff(p.User), database: eff(p.Database)}
	}
	return r
}

// strings calls fn on each string of the record that may point into a
// file's text or repeat across records.
func (r *setRecord) strings(fn func(*string)) {
	fn(&r.keyPath)
	if r.fleet != nil {
		fn(&r.fleet.key)
		for i := range r.fleet.text {
			fn(&r.fleet.text[i])
		}
	}
	if r.password != nil {
		fn(&r.password.user.s)
		fn(&r.password.database.s)
	}
}

// recordsOf builds the records of ps in their order.
func recordsOf(ps []*profile.Profile) []*setRecord {
	var out []*setRecord
	for _, p := range ps {
		if r := recordOf(p); r != nil {
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
