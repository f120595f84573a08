package policy

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/service"
)

// setRecord is what the rules that compare profiles across files read of
// one profile. Check keeps one per profile instead of the profile itself
// (about 2 KB with its maps), so that its memory does not grow with the
// size of the profiles it has already judged. Its text lives in a
// recordStrings table, as numbers: a client's record is about 200 bytes,
// holds no pointer but the rare password's (the garbage collector does not
// scan the rest) and repeats no text another record has.
//
// Fields read, rule by rule:
//   - password-shared-across-environments: environment, file, id, and for
//     a literal password of a production or non-production profile the
//     secret (held in memory as profile.Secret, never hashed), its location,
//     the effective user and database (passwordRecord);
//   - fleet-inconsistent: for client profiles the group (fleetGroup:
//     environment, driver, file stem, key path, name, app parameter), file,
//     id, and the nine compared values as the rule prints them with their
//     locations (fleetRecord);
//   - both report through reportRecord: id, environment, key path, file,
//     and the profile's first location for a finding whose field has none.
type setRecord struct {
	// file, keyPath and env are string numbers; the profile's id is
	// file#keyPath, with ~dup when dup > 0, unless oddID names it.
	file, keyPath, env, oddID uint32
	dup                       uint32
	// first is firstLoc of the profile (no file when it has none).
	first    packedLoc
	client   bool
	fleet    fleetRecord // when client
	password *passwordRecord
}

// packedLoc is a profile.Location whose file is a string number (noFile
// when it has none). A line or column fits in 32 bits: files over
// MaxFileSize (10 MB) are not read.
type packedLoc struct {
	file      uint32
	line, col int32
}

const noFile = ^uint32(0)

// fleetRecord holds the compared values of a client profile, as
// fleetValue prints them, and their locations.
type fleetRecord struct {
	group fleetGroup
	text  [fleetFieldCount]uint32
	loc   [fleetFieldCount]packedLoc
}

// fleetGroup is fleetKey as numbers: environment, driver, the service
// and the connection within it.
type fleetGroup struct {
	env, driver uint32
	a, b        uint32 // service, connection
}

type passwordRecord struct {
	secret         profile.Secret
	loc            packedLoc
	user, database effValue
}

// effValue is profile.Value.Effective's result, its text a string number.
type effValue struct {
	s  uint32
	ok bool
}

// recordStrings numbers the strings of records. Its strings are copies,
// so that a record does not keep its file's text in memory.
type recordStrings struct {
	mu   sync.Mutex
	strs []string
	ids  map[string]uint32
}

func newRecordStrings() *recordStrings {
	return &recordStrings{strs: []string{""}, ids: map[string]uint32{"": 0}}
}

// id numbers s; the caller holds mu.
func (t *recordStrings) id(s string) uint32 {
	if n, ok := t.ids[s]; ok {
		return n
	}
	s = strings.Clone(s)
	n := uint32(len(t.strs))
	t.strs = append(t.strs, s)
	t.ids[s] = n
	return n
}

// str is the string numbered n. It is read once every record is made.
func (t *recordStrings) str(n uint32) string { return t.strs[n] }

func (t *recordStrings) pack(l profile.Location) packedLoc {
	pl := packedLoc{file: noFile, line: int32(l.Line), col: int32(l.Column)}
	if l.File != "" {
		pl.file = t.id(l.File)
	}
	return pl
}

func (t *recordStrings) loc(pl packedLoc) profile.Location {
	l := profile.Location{Line: int(pl.line), Column: int(pl.col)}
	if pl.file != noFile {
		l.File = t.str(pl.file)
	}
	return l
}

// recID is the id of the record's profile.
func (t *recordStrings) recID(r *setRecord) string {
	if r.oddID != 0 {
		return t.str(r.oddID)
	}
	id := t.str(r.file) + "#" + t.str(r.keyPath)
	if r.dup > 0 {
		id += "~" + strconv.Itoa(int(r.dup))
	}
	return id
}

// groupKey is fleetKey's text of a group, for ordering groups as fleetKey
// strings order.
func (t *recordStrings) groupKey(g fleetGroup) string {
	return t.str(g.env) + "|" + t.str(g.driver) + "|" + t.str(g.a) + "#" + t.str(g.b)
}

// needsRecord reports whether a set rule reads p at all.
func needsRecord(p *profile.Profile) bool { return client(p) || literalSecret(p) }

// literalSecret reports a profile whose password the shared-password rule
// compares: a literal in a production or non-production profile.
func literalSecret(p *profile.Profile) bool {
	return p.Password.Set && p.Password.Source == "literal" && !p.Password.Secret.Empty() && (isProd(p) || isNonProd(p)) &&
		!placeholderPassword(p.Password.Secret) && !SampleFile(p.File)
}

// recordOf builds p's record, or false when no set rule reads p. The
// caller holds t.mu.
func recordOf(t *recordStrings, p *profile.Profile) (setRecord, bool) {
	if !needsRecord(p) {
		return setRecord{}, false
	}
	r := setRecord{file: t.id(p.File), keyPath: t.id(p.KeyPath), env: t.id(string(p.Environment))}
	if base := p.File + "#" + p.KeyPath; p.ID != base {
		if n, err := strconv.Atoi(strings.TrimPrefix(p.ID, base+"~")); err == nil && n > 0 && p.ID == base+"~"+strconv.Itoa(n) {
			r.dup = uint32(n)
		} else {
			r.oddID = t.id(p.ID)
		}
	}
	first, _ := firstLoc(p)
	r.first = t.pack(first)
	if client(p) {
		r.client = true
		r.fleet.group = fleetGroupOf(t, p)
		for i, v := range fleetFields(p) {
			r.fleet.text[i] = t.id(fleetValue(v))
			r.fleet.loc[i] = t.pack(v.Loc)
		}
	}
	if literalSecret(p) {
		eff := func(v profile.Value) effValue {
			s, ok := v.Effective()
			return effValue{s: t.id(s), ok: ok}
		}
		r.password = &passwordRecord{secret: p.Password.Secret, loc: t.pack(p.Password.Loc), user: eff(p.User), database: eff(p.Database)}
	}
	return r, true
}

// fleetGroupOf is fleetKey(p) as numbers.
func fleetGroupOf(t *recordStrings, p *profile.Profile) fleetGroup {
	svc := p.Service
	if svc == "" {
		svc = service.Of(p)
	}
	return fleetGroup{env: t.id(string(p.Environment)), driver: t.id(driver(p)), a: t.id(svc), b: t.id(service.Connection(p))}
}

// recordsOf builds the records of ps in their order, with their table.
func recordsOf(ps []*profile.Profile) (*recordStrings, []*setRecord) {
	t := newRecordStrings()
	var out []*setRecord
	for _, p := range ps {
		if r, ok := recordOf(t, p); ok {
			out = append(out, &r)
		}
	}
	return t, out
}

// reportRecord is ReportRelated for a profile known by its record. The
// set rules pass the field's own location, so when it has no line the
// field has none either and the profile's first location stands in, as
// ReportRelated's fieldLoc and firstLoc would decide.
func (c *Context) reportRecord(t *recordStrings, r *setRecord, field string, loc profile.Location, rel []Related, format string, args ...any) {
	f := Finding{
		Rule:        c.rule.ID,
		Severity:    c.rule.Severity,
		Message:     fmt.Sprintf(format, args...),
		Field:       field,
		Loc:         loc,
		Related:     rel,
		Remediation: c.rule.Remediation,
		Help:        c.rule.helpPath(),
		Profile:     t.recID(r),
		Environment: profile.Environment(t.str(r.env)),
		Key:         t.str(r.keyPath),
	}
	f.Severity = c.severityFor(f.Environment, t.str(r.file))
	if f.Loc.Line == 0 && r.first.line > 0 {
		f.Loc = t.loc(r.first)
	}
	if f.Loc.File == "" {
		f.Loc.File = t.str(r.file)
	}
	if field != "" {
		f.Key += ":" + field
	}
	*c.out = append(*c.out, f)
}
