package app

import (
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// displayScan renames the files of a scan's profiles and problems from
// their names relative to the argument they were found under to the names
// every command prints (pathResolver.place: the argument as given joined
// with that name), so that scan, check and verify print one path for one
// file whatever argument found it (docs/scan.md, "Names in reports").
func displayScan(res *scan.Result, paths *pathResolver) {
	for _, p := range res.Profiles {
		displayProfile(p, paths.name)
	}
	for i := range res.Problems {
		res.Problems[i].Loc.File = paths.name(res.Problems[i].Loc.File)
	}
}

// displayProfile renames the file of a profile, of its id and of every
// location it holds. A location in another file (an override written in
// an env file) is renamed by that file's own name.
func displayProfile(p *profile.Profile, name func(string) string) {
	old := p.File
	shown := name(old)
	if shown == old {
		return
	}
	p.File = shown
	p.ID = displayID(p.ID, old, shown)
	loc := func(l *profile.Location) {
		switch l.File {
		case "":
		case old:
			l.File = shown
		default:
			l.File = name(l.File)
		}
	}
	val := func(v *profile.Value) { loc(&v.Loc) }
	val(&p.Driver)
	for i := range p.Hosts {
		val(&p.Hosts[i].Host)
		val(&p.Hosts[i].Port)
		val(&p.Hosts[i].Extra)
	}
	val(&p.Database)
	val(&p.User)
	loc(&p.Password.Loc)
	for _, v := range []*profile.Value{&p.TLS.Mode, &p.TLS.CA, &p.TLS.Cert, &p.TLS.KeyFile, &p.TLS.Verify,
		&p.Pool.MaxOpen, &p.Pool.MaxIdle, &p.Pool.MaxLifetime, &p.Pool.MaxIdleTime,
		&p.Timeouts.Connect, &p.Timeouts.Statement, &p.Timeouts.IdleInTransaction,
		&p.Replicas.Count, &p.Replicas.Surge} {
		val(v)
	}
	for k, v := range p.Params {
		val(&v)
		p.Params[k] = v
	}
	for k, o := range p.Overrides {
		val(&o.Value)
		loc(&o.Written)
		p.Overrides[k] = o
	}
	for i := range p.Notes {
		loc(&p.Notes[i].Loc)
		loc(&p.Notes[i].Other)
	}
}

// displayID is a profile id (file#key.path) with its file renamed.
func displayID(id, old, shown string) string {
	if rest, ok := strings.CutPrefix(id, old); ok && strings.HasPrefix(rest, "#") {
		return shown + rest
	}
	return id
}
