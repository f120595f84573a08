package policy

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/dbguard/dbguard/internal/profile"
)

// Stream evaluates rules file by file while a scan is still reading, and
// gives the same Report as Evaluate over all the files' profiles (after
// extract.Link): the per-profile rules run as soon as a file's profiles
// are known, from the scan's worker goroutines, and a file's profiles are
// let go afterwards. What the rules over several files need is kept in
// compact records (setRecord).
//
// A file is kept whole until Finish, and judged there, when a rule's
// verdict on it can depend on another file: a Kubernetes profile (a
// server-side profile in another manifest of the same folder may be the
// server it names) or a profile of a workload (an autoscaler in another
// file raises its replicas, and with them its first location). A set rule
// the stream does not know keeps every file whole.
type Stream struct {
	settings  *Settings
	rules     []streamRule
	infos     []RuleInfo
	byID      map[string]*streamRule
	keepAll   bool
	uniqueIDs bool

	mu       sync.Mutex
	found    []orderedFinding
	records  []orderedRecord
	kept     []keptFile
	profiles int

	internMu sync.Mutex
	intern   map[string]string
	// envByID is the environment of the last active profile with each
	// id, kept only when profile ids may repeat across files.
	envByID map[string]idEnv
}

type streamRule struct {
	idx  int
	rule Rule
	envs []profile.Environment
}

// keep applies the rule's environments scope from dbguard.yaml.
func (sr *streamRule) keep(f Finding) bool {
	return len(sr.envs) == 0 || f.Profile == "" || slices.Contains(sr.envs, f.Environment)
}

// order is a finding's place in Evaluate's output before sorting: by rule,
// then inputs (phase 0), per-profile checks (1) and set checks (2), then
// file, profile and the order of the rule's reports.
type order struct {
	rule, phase, file, prof, seq int
}

func compareOrder(a, b order) int {
	if c := cmp.Compare(a.rule, b.rule); c != 0 {
		return c
	}
	if c := cmp.Compare(a.phase, b.phase); c != 0 {
		return c
	}
	if c := cmp.Compare(a.file, b.file); c != 0 {
		return c
	}
	if c := cmp.Compare(a.prof, b.prof); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

type orderedFinding struct {
	f   Finding
	key order
}

type orderedRecord struct {
	file, prof int
	r          *setRecord
}

type keptFile struct {
	index    int
	profiles []*profile.Profile // all of the file's profiles, inactive ones too
}

type idEnv struct {
	file, prof int
	env        profile.Environment
}

// streamSetRules are the set rules Stream runs without the profiles.
func streamSetRules() []string {
	return []string{DuplicateKey, KeyOutsideBlock, PasswordSharedAcross, FleetInconsistent}
}

// NewStream prepares a streamed evaluation. Rules and settings are as for
// Evaluate. uniqueNames tells that no two files of the run share a name
// (one path argument), so that profile ids are unique across files.
func NewStream(rules []*Rule, s *Settings, uniqueNames bool) *Stream {
	if s == nil {
		s = DefaultSettings()
	}
	st := &Stream{settings: s, byID: map[string]*streamRule{}, uniqueIDs: uniqueNames, intern: map[string]string{}}
	if !uniqueNames {
		st.envByID = map[string]idEnv{}
	}
	for i, r := range rules {
		rs, configured := s.Rules[r.ID]
		if configured && rs.Disabled {
			continue
		}
		sr := streamRule{idx: i, rule: *r}
		if configured && rs.Severity != 0 {
			sr.rule.Severity = rs.Severity
		}
		if configured {
			sr.envs = rs.Environments
		}
		if sr.rule.Set != nil && !slices.Contains(streamSetRules(), r.ID) {
			st.keepAll = true
		}
		st.rules = append(st.rules, sr)
		st.infos = append(st.infos, sr.rule.info())
	}
	for i := range st.rules {
		st.byID[st.rules[i].rule.ID] = &st.rules[i]
	}
	return st
}

// FileInput is one file's share of a run.
type FileInput struct {
	// Index orders the files as Evaluate would see their profiles.
	Index int
	// Profiles are the file's profiles in the file's order, dbguard.yaml
	// applied, inactive ones included.
	Profiles []*profile.Profile
	// Problems are the file's unreadable parts.
	Problems []Problem
}

// File judges one file. It is safe to call from several goroutines at
// once; the profiles are not kept unless the file must wait for Finish.
func (st *Stream) File(in FileInput) {
	var found []orderedFinding
	var out []Finding
	c := &Context{Settings: st.settings, out: &out}
	emit := func(sr *streamRule, key order) {
		for i, f := range out {
			// A key note's environment may still change in Finish when
			// ids repeat across files; its scope is applied there.
			notes := st.envByID != nil && key.phase == 2
			if notes || sr.keep(f) {
				key.seq = i
				found = append(found, orderedFinding{f: f, key: key})
			}
		}
		out = out[:0]
	}
	if sr := st.byID[InputUnreadable]; sr != nil {
		c.rule = &sr.rule
		for k, pr := range in.Problems {
			c.Report(nil, "", pr.Loc, "cannot be read: %s", pr.Msg)
			out[len(out)-1].Key = "input"
			emit(sr, order{rule: sr.idx, phase: 0, file: in.Index, prof: k})
		}
	}

	active := make([]*profile.Profile, 0, len(in.Profiles))
	wait := st.keepAll
	for _, p := range in.Profiles {
		if p.Inactive {
			continue
		}
		active = append(active, p)
		if _, workload := p.Params["workload"]; workload || p.Format == "kubernetes" {
			wait = true
		}
	}

	// Key notes: the set rules of family 10 read nothing but the notes of
	// each profile and the environment of the profile they name.
	c.envs = make(map[string]profile.Environment, len(active))
	for _, p := range active {
		c.envs[p.ID] = p.Environment
	}
	c.Notes = profileNotes(in.Profiles)
	if len(c.Notes) > 0 {
		for _, id := range []string{DuplicateKey, KeyOutsideBlock} {
			if sr := st.byID[id]; sr != nil && sr.rule.Set != nil {
				c.rule = &sr.rule
				sr.rule.Set(c, nil)
				emit(sr, order{rule: sr.idx, phase: 2, file: in.Index})
			}
		}
	}

	var records []orderedRecord
	if !wait {
		c.Servers = append(c.Servers, st.settings.Inventory...)
		c.Servers = append(c.Servers, serversFromProfiles(active)...)
		for i := range st.rules {
			sr := &st.rules[i]
			if sr.rule.Profile == nil {
				continue
			}
			c.rule = &sr.rule
			for pi, p := range active {
				sr.rule.Profile(c, p)
				emit(sr, order{rule: sr.idx, phase: 1, file: in.Index, prof: pi})
			}
		}
		for pi, p := range active {
			if r := recordOf(p); r != nil {
				st.internRecord(r)
				records = append(records, orderedRecord{file: in.Index, prof: pi, r: r})
			}
		}
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	st.profiles += len(active)
	st.found = append(st.found, found...)
	st.records = append(st.records, records...)
	if wait {
		st.kept = append(st.kept, keptFile{index: in.Index, profiles: in.Profiles})
	}
	if st.envByID != nil {
		for pi, p := range active {
			if e, ok := st.envByID[p.ID]; !ok || e.file < in.Index || e.file == in.Index && e.prof < pi {
				st.envByID[p.ID] = idEnv{file: in.Index, prof: pi, env: p.Environment}
			}
		}
	}
}

// internRecord shares the strings records repeat (key paths, fleet keys,
// compared values) and copies them out of the file's text, so that a
// record does not keep its file in memory.
func (st *Stream) internRecord(r *setRecord) {
	st.internMu.Lock()
	defer st.internMu.Unlock()
	r.strings(func(s *string) {
		if v, ok := st.intern[*s]; ok {
			*s = v
			return
		}
		v := strings.Clone(*s)
		st.intern[v] = v
		*s = v
	})
}

// Finish judges the files kept whole, runs the set rules over every
// record and returns the report, as Evaluate would. link is called once
// with the kept profiles before they are judged (check passes
// extract.Link with the scan's autoscalers); files is the number of files
// read. Finish must be called once, after the last File.
func (st *Stream) Finish(files int, link func([]*profile.Profile)) *Report {
	st.mu.Lock()
	defer st.mu.Unlock()
	slices.SortFunc(st.kept, func(a, b keptFile) int { return cmp.Compare(a.index, b.index) })
	var all, active []*profile.Profile
	type at struct{ file, prof int }
	var where []at
	for _, kf := range st.kept {
		pi := 0
		for _, p := range kf.profiles {
			all = append(all, p)
			if !p.Inactive {
				active = append(active, p)
				where = append(where, at{kf.index, pi})
				pi++
			}
		}
	}
	if link != nil && len(all) > 0 {
		link(all)
	}

	var out []Finding
	c := &Context{Settings: st.settings, out: &out}
	emit := func(sr *streamRule, key order) {
		for i, f := range out {
			if sr.keep(f) {
				key.seq = i
				st.found = append(st.found, orderedFinding{f: f, key: key})
			}
		}
		out = out[:0]
	}
	if len(active) > 0 {
		c.Servers = append(c.Servers, st.settings.Inventory...)
		c.Servers = append(c.Servers, serversFromProfiles(active)...)
		for i := range st.rules {
			sr := &st.rules[i]
			if sr.rule.Profile == nil {
				continue
			}
			c.rule = &sr.rule
			for k, p := range active {
				sr.rule.Profile(c, p)
				emit(sr, order{rule: sr.idx, phase: 1, file: where[k].file, prof: where[k].prof})
			}
		}
		for k, p := range active {
			if r := recordOf(p); r != nil {
				st.internRecord(r)
				st.records = append(st.records, orderedRecord{file: where[k].file, prof: where[k].prof, r: r})
			}
		}
	}
	if st.keepAll {
		c.envs = make(map[string]profile.Environment, len(active))
		for _, p := range active {
			c.envs[p.ID] = p.Environment
		}
		for i := range st.rules {
			sr := &st.rules[i]
			if sr.rule.Set == nil || slices.Contains(streamSetRules(), sr.rule.ID) {
				continue
			}
			c.rule = &sr.rule
			sr.rule.Set(c, active)
			emit(sr, order{rule: sr.idx, phase: 2})
		}
	}

	slices.SortFunc(st.records, func(a, b orderedRecord) int {
		if c := cmp.Compare(a.file, b.file); c != 0 {
			return c
		}
		return cmp.Compare(a.prof, b.prof)
	})
	records := make([]*setRecord, len(st.records))
	for i, r := range st.records {
		records[i] = r.r
	}
	st.records = nil
	if sr := st.byID[PasswordSharedAcross]; sr != nil && sr.rule.Set != nil {
		c.rule = &sr.rule
		sharedPasswords(c, records)
		emit(sr, order{rule: sr.idx, phase: 2})
	}
	if sr := st.byID[FleetInconsistent]; sr != nil && sr.rule.Set != nil {
		c.rule = &sr.rule
		fleetRecords(c, records)
		emit(sr, order{rule: sr.idx, phase: 2})
	}

	if st.envByID != nil {
		// Profile ids may repeat across files: a key note takes the
		// environment of the last profile with its id, as in Evaluate.
		kept := st.found[:0]
		for _, f := range st.found {
			if (f.f.Rule == DuplicateKey || f.f.Rule == KeyOutsideBlock) && f.key.phase == 2 {
				f.f.Environment = st.envByID[f.f.Profile].env
				if !st.byID[f.f.Rule].keep(f.f) {
					continue
				}
			}
			kept = append(kept, f)
		}
		st.found = kept
	}

	slices.SortFunc(st.found, func(a, b orderedFinding) int {
		if c := compareFindings(a.f, b.f); c != 0 {
			return c
		}
		return compareOrder(a.key, b.key)
	})
	fs := make([]Finding, len(st.found))
	for i, f := range st.found {
		fs[i] = f.f
	}
	st.found, st.kept, st.intern = nil, nil, nil
	return &Report{Files: files, Profiles: st.profiles, Rules: st.infos, Findings: dedupe(fs)}
}
