package policy

import (
	"cmp"
	"hash/maphash"
	"path"
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
// A file whose verdict another file may change — a Kubernetes profile (a
// server-side profile in another manifest of the same folder may be the
// server it names, an envFrom elsewhere may give it replicas) or a profile
// of a workload (an autoscaler in another file raises its replicas) — is
// judged at once like any other, and a digest of it is kept: its link keys
// (StreamOptions.LinkKeys), its folder and whether it defines a server.
// Finish reads again, links and judges again the files whose digest meets
// another file's reference, and only those; when the options name no link
// keys, such files are kept whole until Finish instead. A set rule the
// stream does not know keeps every file whole.
type Stream struct {
	settings  *Settings
	rules     []streamRule
	infos     []RuleInfo
	byID      map[string]*streamRule
	keepAll   bool
	uniqueIDs bool

	linkKeys func(*profile.Profile) []string
	reread   func(arg int, rel string) ([]*profile.Profile, bool)
	seed     maphash.Seed
	scratch  sync.Pool // of *fileScratch

	mu       sync.Mutex
	found    chunks[orderedFinding]
	records  []orderedRecord
	kept     []keptFile
	digests  []fileDigest
	texts    map[string]string
	fleet    chunks[fleetEntry]
	refs     chunks[fileRefAt]
	profiles int

	strs *recordStrings
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
	rule, file, prof, seq int32
	phase                 int8
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
	file, prof int32
	r          setRecord
}

type keptFile struct {
	index    int
	profiles []*profile.Profile // all of the file's profiles, inactive ones too
}

// fileRefAt is the fileRef of the file of index.
type fileRefAt struct {
	index int
	ref   fileRef
}

// fileDigest is what Finish needs of a file judged at once whose verdict
// another file may change: whether one does (how to read it again is its
// entry in Stream.refs).
type fileDigest struct {
	index int
	keys  []string
	dir   string
	// kube: the file has an active Kubernetes profile; kubeServer: one of
	// them is server-side, a server other manifests of the folder may name.
	kube, kubeServer bool
}

// fileRef names a file for StreamOptions.Reread.
type fileRef struct {
	arg int
	rel string
}

// fleetEntry stands for a client profile judged in File until Finish: the
// fleet rule compares copies of one service, and nearly every profile turns
// out to have none, so only its group's hash is kept. Finish reads again
// the files of the entries whose hash another entry shares, and builds
// their records (setRecord) then.
type fleetEntry struct {
	hash       uint64 // maphash of fleetKey
	file, prof int32
	// record is the index in Stream.records of the profile's record when
	// it was made whole, -1 when the file must be read again.
	record int32
}

type idEnv struct {
	file, prof int
	env        profile.Environment
}

// streamSetRules are the set rules Stream runs without the profiles.
func streamSetRules() []string {
	return []string{DuplicateKey, KeyOutsideBlock, PasswordSharedAcross, FleetInconsistent}
}

// StreamOptions tune a streamed evaluation.
type StreamOptions struct {
	// UniqueNames tells that no two files of the run share a name (one
	// path argument), so that profile ids are unique across files.
	UniqueNames bool
	// LinkKeys names what linking across files could change a profile for
	// (check passes extract.LinkKeys).
	LinkKeys func(*profile.Profile) []string
	// Reread reads a file again (FileInput.Arg and Rel) and returns its
	// profiles as FileInput.Profiles were; ok is false when it no longer
	// can (check passes scan.Reread). Without it, or without LinkKeys, the
	// stream keeps every file another file may change whole until Finish,
	// and the fleet rule's records of every client profile.
	Reread func(arg int, rel string) (profiles []*profile.Profile, ok bool)
}

// NewStream prepares a streamed evaluation. Rules and settings are as for
// Evaluate.
func NewStream(rules []*Rule, s *Settings, o StreamOptions) *Stream {
	if s == nil {
		s = DefaultSettings()
	}
	uniqueNames := o.UniqueNames
	st := &Stream{settings: s, byID: map[string]*streamRule{}, uniqueIDs: uniqueNames, strs: newRecordStrings(), texts: map[string]string{}, linkKeys: o.LinkKeys,
		reread: o.Reread, seed: maphash.MakeSeed()}
	if !uniqueNames {
		st.envByID = map[string]idEnv{}
	}
	for i, r := range rules {
		rs, configured := s.Rules[r.ID]
		if configured && rs.Disabled {
			continue
		}
		sr := streamRule{idx: i, rule: *r}
		sr.rule.help = HelpPath(r.ID)
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
	Problems []profile.Problem
	// Arg and Rel name the file for StreamOptions.Reread.
	Arg int
	Rel string
}

// File judges one file. It is safe to call from several goroutines at
// once. It reports whether it kept the profiles (the file must wait for
// Finish); when it did not, nothing of the stream points at them, and
// the caller may reuse them (extract.Release).
func (st *Stream) File(in FileInput) (kept bool) {
	sc, _ := st.scratch.Get().(*fileScratch)
	if sc == nil {
		sc = new(fileScratch)
	}
	defer st.scratch.Put(sc)
	found, out := sc.found[:0], sc.out[:0]
	defer func() { sc.found, sc.out = clearFor(found), clearFor(out) }()
	c := &sc.c
	*c = Context{Settings: st.settings, Servers: clearFor(c.Servers), out: &out}
	emit := func(sr *streamRule, key order) {
		for i, f := range out {
			// A key note's environment may still change in Finish when
			// ids repeat across files; its scope is applied there.
			notes := st.envByID != nil && key.phase == 2
			if notes || sr.keep(f) {
				key.seq = int32(i)
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
			emit(sr, order{rule: int32(sr.idx), phase: 0, file: int32(in.Index), prof: int32(k)})
		}
	}

	active := sc.active[:0]
	defer func() { sc.active = clearFor(active) }()
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
	c.Notes = profileNotes(in.Profiles)
	if len(c.Notes) > 0 {
		c.envs = make(map[string]profile.Environment, len(active))
		for _, p := range active {
			c.envs[p.ID] = p.Environment
		}
		for _, id := range []string{DuplicateKey, KeyOutsideBlock} {
			if sr := st.byID[id]; sr != nil && sr.rule.Set != nil {
				c.rule = &sr.rule
				sr.rule.Set(c, nil)
				emit(sr, order{rule: int32(sr.idx), phase: 2, file: int32(in.Index)})
			}
		}
	}

	// A file another file may change waits whole for Finish only when
	// the stream cannot tell which files do (no link keys, or an unknown
	// set rule); otherwise it is judged now and a digest kept.
	var digest *fileDigest
	if wait && !st.keepAll && st.linkKeys != nil && st.reread != nil {
		wait = false
		digest = st.digestOf(in, active)
	}
	records, entries := sc.records[:0], sc.entries[:0]
	defer func() { sc.records, sc.entries = clearFor(records), entries }()
	if !wait {
		st.profileRules(c, active, emit, func(k int) (int, int) { return in.Index, k })
		st.strs.mu.Lock()
		for pi, p := range active {
			records, entries = st.record(&sc.key, p, in.Index, pi, st.reread != nil, records, entries)
		}
		st.strs.mu.Unlock()
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	st.profiles += len(active)
	// Most findings repeat a message and a key another file's finding
	// has ("no statement timeout ...", "database:timeouts.statement"):
	// one copy of each is kept.
	for i := range found {
		found[i].f.Message = st.share(found[i].f.Message)
		found[i].f.Key = st.share(found[i].f.Key)
	}
	st.found.add(found...)
	for i := range entries {
		if entries[i].record >= 0 {
			entries[i].record += int32(len(st.records))
		}
	}
	st.records = append(st.records, records...)
	st.fleet.add(entries...)
	if digest != nil || len(entries) > 0 && entries[0].record < 0 {
		st.refs.add(fileRefAt{in.Index, fileRef{in.Arg, in.Rel}})
	}
	if wait {
		st.kept = append(st.kept, keptFile{index: in.Index, profiles: in.Profiles})
		kept = true
	}
	if digest != nil {
		st.digests = append(st.digests, *digest)
	}
	if st.envByID != nil {
		for pi, p := range active {
			if e, ok := st.envByID[p.ID]; !ok || e.file < in.Index || e.file == in.Index && e.prof < pi {
				st.envByID[p.ID] = idEnv{file: in.Index, prof: pi, env: p.Environment}
			}
		}
	}
	return kept
}

// profileRules runs the per-profile rules over active, knowing the
// inventory's servers and active's own; at gives each profile's file
// index and place among its file's active profiles, the findings' order.
func (st *Stream) profileRules(c *Context, active []*profile.Profile, emit func(*streamRule, order), at func(k int) (file, prof int)) {
	c.Servers = append(c.Servers, st.settings.Inventory...)
	c.Servers = append(c.Servers, serversFromProfiles(active)...)
	c.peers, c.budgets = active, nil
	for i := range st.rules {
		sr := &st.rules[i]
		if sr.rule.Profile == nil {
			continue
		}
		c.rule = &sr.rule
		for k, p := range active {
			sr.rule.Profile(c, p)
			file, prof := at(k)
			emit(sr, order{rule: int32(sr.idx), phase: 1, file: int32(file), prof: int32(prof)})
		}
	}
}

// refsOf returns the references of the files of the indexes in want, by
// index (every file judged at once with a digest or lazy fleet entries
// has one).
func (st *Stream) refsOf(want map[int]bool) map[int]fileRef {
	refs := make(map[int]fileRef, len(want))
	if len(want) == 0 {
		return refs
	}
	for i := range st.refs.len() {
		if r := st.refs.at(i); want[r.index] {
			refs[r.index] = r.ref
		}
	}
	return refs
}

// fileScratch is the memory File works in, reused from file to file
// (Stream.scratch): what it keeps is copied out under the lock.
type fileScratch struct {
	found   []orderedFinding
	out     []Finding
	active  []*profile.Profile
	records []orderedRecord
	entries []fleetEntry
	key     keyBuf
	c       Context
}

// keyBuf collects a fleet key's text to hash (writeFleetKey), reused from
// profile to profile.
type keyBuf []byte

func (b *keyBuf) WriteString(s string) (int, error) {
	*b = append(*b, s...)
	return len(s), nil
}

func (b *keyBuf) WriteByte(c byte) error {
	*b = append(*b, c)
	return nil
}

// clearFor empties s for its next use, its elements zeroed so that it
// holds on to nothing of the last file.
func clearFor[T any](s []T) []T {
	clear(s)
	return s[:0]
}

// share returns the kept copy of a finding's text equal to s. The caller
// holds st.mu.
func (st *Stream) share(s string) string {
	if v, ok := st.texts[s]; ok {
		return v
	}
	st.texts[s] = s
	return s
}

// digestOf is the digest of a file judged at once that another file may
// change.
func (st *Stream) digestOf(in FileInput, active []*profile.Profile) *fileDigest {
	d := &fileDigest{index: in.Index}
	for _, p := range active {
		d.keys = append(d.keys, st.linkKeys(p)...)
		if p.Format == "kubernetes" {
			d.kube = true
			d.dir = path.Dir(p.File)
			if p.ServerSide {
				d.kubeServer = true
			}
		}
	}
	return d
}

// rejudged returns the digests of the files whose verdict another file
// changes: a reference points at one of their keys (targeted), a "spring:"
// key of theirs is another file's too, or they are among several
// Kubernetes manifests of a folder where one defines a server (which the
// others may name; the server's own profile is judged with them, since
// Finish finds servers among the profiles it judges).
func rejudged(digests []fileDigest, targeted func(string) bool) []fileDigest {
	spring := map[string]int{}
	kube := map[string]int{}
	servers := map[string]bool{}
	for _, d := range digests {
		seen := map[string]bool{}
		for _, k := range d.keys {
			if strings.HasPrefix(k, "spring:") && !seen[k] {
				seen[k] = true
				spring[k]++
			}
		}
		if d.kube {
			kube[d.dir]++
		}
		if d.kubeServer {
			servers[d.dir] = true
		}
	}
	var out []fileDigest
	for _, d := range digests {
		again := d.kube && servers[d.dir] && kube[d.dir] > 1
		for _, k := range d.keys {
			if again {
				break
			}
			again = targeted != nil && targeted(k) || spring[k] > 1
		}
		if again {
			out = append(out, d)
		}
	}
	return out
}

// record adds p's record and fleet entry, if any, to records and entries
// (an entry's record indexes records). lazy keeps of a client profile only
// its fleet entry, read again in Finish when another shares its hash, and
// a record only for a literal password (setRecord), its fleet part left
// to the entry. The caller holds st.strs.mu.
func (st *Stream) record(kb *keyBuf, p *profile.Profile, file, prof int, lazy bool, records []orderedRecord, entries []fleetEntry) ([]orderedRecord, []fleetEntry) {
	if !needsRecord(p) {
		return records, entries
	}
	e := fleetEntry{file: int32(file), prof: int32(prof), record: -1}
	if client(p) {
		*kb = (*kb)[:0]
		writeFleetKey(kb, p)
		e.hash = maphash.Bytes(st.seed, *kb)
	}
	if lazy {
		if client(p) {
			entries = append(entries, e)
		}
		if literalSecret(p) {
			r, _ := recordOf(st.strs, p)
			r.client, r.fleet = false, fleetRecord{}
			records = append(records, orderedRecord{file: int32(file), prof: int32(prof), r: r})
		}
		return records, entries
	}
	r, _ := recordOf(st.strs, p)
	if r.client {
		e.record = int32(len(records))
		entries = append(entries, e)
	}
	return append(records, orderedRecord{file: int32(file), prof: int32(prof), r: r}), entries
}

// fleetCandidates returns, in file and profile order, the records of the
// client profiles whose fleet entry shares its hash with another: the only
// ones the fleet rule can find a copy of. Records made in File or Finish
// are taken as they are; the others are made from their file, read again
// once.
func (st *Stream) fleetCandidates() []*setRecord {
	// The hashes alone, sorted, show which repeat (usually none).
	hashes := make([]uint64, 0, st.fleet.len())
	for i := range st.fleet.len() {
		hashes = append(hashes, st.fleet.at(i).hash)
	}
	slices.Sort(hashes)
	shared := map[uint64]bool{}
	for i := 1; i < len(hashes); i++ {
		if hashes[i] == hashes[i-1] {
			shared[hashes[i]] = true
		}
	}
	var picked []fleetEntry
	if len(shared) > 0 {
		for i := range st.fleet.len() {
			if e := st.fleet.at(i); shared[e.hash] {
				picked = append(picked, *e)
			}
		}
	}
	st.fleet = chunks[fleetEntry]{}
	slices.SortFunc(picked, func(a, b fleetEntry) int {
		if c := cmp.Compare(a.file, b.file); c != 0 {
			return c
		}
		return cmp.Compare(a.prof, b.prof)
	})
	want := map[int]bool{}
	for _, e := range picked {
		if e.record < 0 {
			want[int(e.file)] = true
		}
	}
	refs := st.refsOf(want)
	var out []*setRecord
	var file = -1
	var active []*profile.Profile
	st.strs.mu.Lock()
	defer st.strs.mu.Unlock()
	for _, e := range picked {
		if e.record >= 0 {
			out = append(out, &st.records[e.record].r)
			continue
		}
		if int(e.file) != file {
			file, active = int(e.file), nil
			if ref, ok := refs[file]; ok {
				if ps, ok := st.reread(ref.arg, ref.rel); ok {
					for _, p := range ps {
						if !p.Inactive {
							active = append(active, p)
						}
					}
				}
			}
		}
		// A file changed since it was judged may have lost the profile.
		if int(e.prof) >= len(active) {
			continue
		}
		if r, ok := recordOf(st.strs, active[e.prof]); ok && r.client {
			out = append(out, &r)
		}
	}
	return out
}

// Links is what Finish needs to link files across the scan.
type Links struct {
	// Targeted reports a link key (StreamOptions.LinkKeys) that some
	// file's reference points at.
	Targeted func(key string) bool
	// Link links profiles across files (check passes extract.Link with
	// the scan's autoscalers and envFrom references); Finish calls it
	// once, with the profiles it judges itself.
	Link func([]*profile.Profile)
}

// Finish judges the files kept whole and the files another file changes
// (read again), runs the set rules over every record and returns the
// report, as Evaluate would. files is the number of files read. Finish
// must be called once, after the last File.
func (st *Stream) Finish(files int, l Links) *Report {
	st.mu.Lock()
	defer st.mu.Unlock()
	if again := rejudged(st.digests, l.Targeted); len(again) > 0 {
		// Their verdicts of File give way to a judgement linked with the
		// rest of the scan; their input problems and key notes stand.
		want := map[int]bool{}
		for _, d := range again {
			want[d.index] = true
		}
		refs := st.refsOf(want)
		drop := map[int]bool{}
		for _, d := range again {
			ref, ok := refs[d.index]
			if !ok {
				continue
			}
			ps, ok := st.reread(ref.arg, ref.rel)
			if !ok {
				continue
			}
			drop[d.index] = true
			st.kept = append(st.kept, keptFile{index: d.index, profiles: ps})
		}
		st.found.filter(func(f *orderedFinding) bool { return f.key.phase != 1 || !drop[int(f.key.file)] })
		// Records and entries made in File (lazily: no entry points at a
		// record) give way to those made below.
		st.records = slices.DeleteFunc(st.records, func(r orderedRecord) bool { return drop[int(r.file)] })
		st.fleet.filter(func(e *fleetEntry) bool { return !drop[int(e.file)] })
	}
	st.digests = nil
	link := l.Link
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
				key.seq = int32(i)
				st.found.add(orderedFinding{f: f, key: key})
			}
		}
		out = out[:0]
	}
	if len(active) > 0 {
		st.profileRules(c, active, emit, func(k int) (int, int) { return where[k].file, where[k].prof })
		st.strs.mu.Lock()
		var entries []fleetEntry
		var kb keyBuf
		for k, p := range active {
			// Linked, these profiles may differ from their file read
			// again: their records are made whole now.
			st.records, entries = st.record(&kb, p, where[k].file, where[k].prof, false, st.records, entries)
		}
		st.fleet.add(entries...)
		st.strs.mu.Unlock()
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
			emit(sr, order{rule: int32(sr.idx), phase: 2})
		}
	}

	// The fleet rule first: its entries index records as they were made.
	if sr := st.byID[FleetInconsistent]; sr != nil && sr.rule.Set != nil {
		c.rule = &sr.rule
		fleetRecords(c, st.strs, st.fleetCandidates())
		emit(sr, order{rule: int32(sr.idx), phase: 2})
	}
	if sr := st.byID[PasswordSharedAcross]; sr != nil && sr.rule.Set != nil {
		slices.SortFunc(st.records, func(a, b orderedRecord) int {
			if c := cmp.Compare(a.file, b.file); c != 0 {
				return c
			}
			return cmp.Compare(a.prof, b.prof)
		})
		records := make([]*setRecord, len(st.records))
		for i := range st.records {
			records[i] = &st.records[i].r
		}
		c.rule = &sr.rule
		sharedPasswords(c, st.strs, records)
		emit(sr, order{rule: int32(sr.idx), phase: 2})
	}
	st.records, st.refs = nil, chunks[fileRefAt]{}

	if st.envByID != nil {
		// Profile ids may repeat across files: a key note takes the
		// environment of the last profile with its id, as in Evaluate.
		var kept chunks[orderedFinding]
		for i := range st.found.len() {
			f := *st.found.at(i)
			if (f.f.Rule == DuplicateKey || f.f.Rule == KeyOutsideBlock) && f.key.phase == 2 {
				f.f.Environment = st.envByID[f.f.Profile].env
				if !st.byID[f.f.Rule].keep(f.f) {
					continue
				}
			}
			kept.add(f)
		}
		st.found = kept
	}

	// Sorted by their place, not moved: a finding is 200-odd bytes.
	perm := make([]int32, st.found.len())
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(i, j int32) int {
		a, b := st.found.at(int(i)), st.found.at(int(j))
		if c := compareFindingPtrs(&a.f, &b.f); c != 0 {
			return c
		}
		return compareOrder(a.key, b.key)
	})
	fs := make([]Finding, st.found.len())
	for i, k := range perm {
		fs[i] = st.found.at(int(k)).f
	}
	st.found, st.kept, st.records, st.strs, st.texts = chunks[orderedFinding]{}, nil, nil, nil, nil
	return &Report{Files: files, Profiles: st.profiles, Rules: st.infos, Findings: dedupe(fs)}
}
