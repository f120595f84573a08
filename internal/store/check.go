package store

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
)

// Problem is what Check can find.
type Problem string

const (
	// Altered: the event's content no longer matches its MAC, while the
	// next event still chains from that MAC.
	Altered Problem = "altered"
	// Inserted: the event was never appended by a key holder: it does not
	// chain, and the next event chains from the one before it (or it lies
	// beyond the witnessed head).
	Inserted Problem = "inserted"
	// Removed: events are missing from the sequence (a gap, or the newest
	// ones gone below the head or the witness).
	Removed Problem = "removed"
	// Forged: the event does not chain and nothing tells whether it was
	// altered or put in its place; a chain rewritten without the key
	// (with a plain hash, say) shows as a run of these.
	Forged Problem = "forged"
	// Undecryptable: a revision's ciphertext fails authentication.
	Undecryptable Problem = "undecryptable"
)

// Finding is one problem over a run of events, From to To inclusive (From
// == To for one event, whose ID is then set).
type Finding struct {
	Problem  Problem `json:"problem"`
	From     int64   `json:"from"`
	To       int64   `json:"to"`
	ID       string  `json:"id,omitempty"`
	Revision string  `json:"revision,omitempty"`
	Detail   string  `json:"detail"`
}

func (f Finding) String() string {
	var what string
	switch {
	case f.Revision != "":
		what = "revision " + f.Revision
	case f.From == f.To && f.ID != "":
		what = fmt.Sprintf("event %d (id %s)", f.From, f.ID)
	case f.From == f.To:
		what = fmt.Sprintf("event %d", f.From)
	default:
		what = fmt.Sprintf("events %d-%d", f.From, f.To)
	}
	return what + ": " + string(f.Problem) + ": " + f.Detail
}

// WitnessState says what the witness told Check.
type WitnessState string

const (
	WitnessNone    WitnessState = "not configured"
	WitnessEmpty   WitnessState = "nothing witnessed yet"
	WitnessMatched WitnessState = "matched"
	WitnessFailed  WitnessState = "contradicted"
)

// CheckReport is the result of Check.
type CheckReport struct {
	Events    int64        `json:"events"`
	Revisions int          `json:"revisions"`
	Head      int64        `json:"head"`
	Witness   WitnessState `json:"witness"`
	Findings  []Finding    `json:"findings"`
}

// OK reports that nothing was found.
func (r *CheckReport) OK() bool { return len(r.Findings) == 0 }

func (r *CheckReport) add(f Finding) {
	for _, g := range r.Findings {
		if g.Problem == f.Problem && g.From == f.From && g.To == f.To && g.Revision == f.Revision {
			return // seen already, from another angle
		}
	}
	if n := len(r.Findings); n > 0 {
		last := &r.Findings[n-1]
		if last.Problem == f.Problem && last.Revision == "" && f.Revision == "" && last.To+1 == f.From && last.Detail == f.Detail {
			last.To, last.ID = f.To, ""
			return
		}
	}
	r.Findings = append(r.Findings, f)
}

// Check recomputes the whole chain and every revision's authentication and
// names each event altered, inserted or removed. It needs the key.
func (s *Store) Check(ctx context.Context) (*CheckReport, error) {
	if s.key == nil {
		return nil, ErrNoKey
	}
	rep := &CheckReport{Witness: WitnessNone}
	w := Head{}
	haveWitness := false
	if s.witness != nil {
		h, ok, err := s.witness.Read()
		if err != nil {
			return nil, err
		}
		rep.Witness = WitnessEmpty
		w, haveWitness = h, ok
	}
	auth, err := s.checkpoints(ctx)
	if err != nil {
		return nil, fmt.Errorf("check the chain: %w", err)
	}
	c := &chainCheck{s: s, ch: newChainHash(s.key), rep: rep, w: w, haveW: haveWitness, auth: auth, named: map[string]int64{}}
	err = s.b.Scan(ctx, Query{}, func(e Event) error {
		if c.pending != nil {
			c.judge(c.pending, &e)
		}
		c.noteRevisions(&e)
		c.pending = &e
		rep.Events++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check the chain: %w", err)
	}
	if c.pending != nil {
		c.judge(c.pending, nil)
	}
	head, err := s.b.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("check the chain: %w", err)
	}
	rep.Head = c.rowSeq
	if head.Seq > c.rowSeq {
		rep.add(Finding{Problem: Removed, From: c.rowSeq + 1, To: head.Seq,
			Detail: fmt.Sprintf("the store's head is event %d but the newest event is %d", head.Seq, c.rowSeq)})
	} else if head.Seq != c.rowSeq || !hmac.Equal(head.MAC, c.rowMAC) {
		rep.add(Finding{Problem: Forged, From: head.Seq, To: head.Seq, Detail: "the store's head row does not match the newest event"})
	}
	if haveWitness {
		c.witnessVerdict()
	}
	if err := s.checkRevisions(ctx, rep, c.named); err != nil {
		return nil, err
	}
	return rep, nil
}

// chainCheck walks the chain with one event of look-ahead: whether the next
// event chains from this one's MAC or from the one before tells an altered
// event from an inserted one.
type chainCheck struct {
	s       *Store
	ch      chainHash
	rep     *CheckReport
	pending *Event
	// lastSeq and lastMAC are the event the next one should chain from.
	lastSeq int64
	lastMAC []byte
	// rowSeq and rowMAC are the newest row, authentic or not.
	rowSeq int64
	rowMAC []byte
	// wSeen is set when the event at the witnessed sequence was seen;
	// wMatch when its MAC was the witnessed one.
	w     Head
	haveW bool
	// auth is what compaction checkpoints removed on purpose.
	auth *authorized
	// named are the revisions events name, with the first event naming
	// each: every one must be in the store.
	named         map[string]int64
	wSeen, wMatch bool
}

func (c *chainCheck) verifies(e *Event, prev []byte) bool {
	return hmac.Equal(c.ch.mac(e, prev), e.MAC)
}

func (c *chainCheck) judge(e, next *Event) {
	c.rowSeq, c.rowMAC = e.Seq, e.MAC
	if c.haveW && e.Seq == c.w.Seq {
		c.wSeen, c.wMatch = true, hmac.Equal(e.MAC, c.w.MAC)
	}
	one := func(p Problem, detail string) Finding {
		return Finding{Problem: p, From: e.Seq, To: e.Seq, ID: e.ID, Detail: detail}
	}
	switch {
	case e.Seq > c.lastSeq+1 && c.compacted(c.lastSeq+1, e.Seq-1) && c.verifies(e, c.auth.bridges[e.Seq]):
		// Removed by compaction, as a checkpoint says; e chains from the
		// bridge the checkpoint kept.
	case e.Seq > c.lastSeq+1:
		c.missing(c.lastSeq+1, e.Seq-1, e.Seq)
		// Its predecessor is gone, so its own MAC cannot be checked: the
		// chain resumes from it.
	case c.verifies(e, c.lastMAC):
	case next != nil && c.verifies(next, c.lastMAC):
		c.rep.add(one(Inserted, fmt.Sprintf("not appended by a key holder; event %d chains from the event before it", next.Seq)))
		return // the chain goes on from the event before e
	case next != nil && c.verifies(next, e.MAC):
		c.rep.add(one(Altered, "its content no longer matches its MAC"))
	case c.haveW && c.wMatch && e.Seq > c.w.Seq:
		c.rep.add(one(Inserted, fmt.Sprintf("does not chain, and lies beyond the witnessed head (event %d)", c.w.Seq)))
		return
	default:
		c.rep.add(one(Forged, "its MAC does not verify under the store key"))
	}
	c.lastSeq, c.lastMAC = e.Seq, e.MAC
}

// noteRevisions remembers the revisions a change or rollback names.
func (c *chainCheck) noteRevisions(e *Event) {
	var ids []string
	switch e.Kind {
	case KindChange:
		var b ChangeBody
		if json.Unmarshal(e.Body, &b) == nil {
			ids = append(ids, b.Revision)
		}
	case KindRollback:
		var b RollbackBody
		if json.Unmarshal(e.Body, &b) == nil {
			ids = append(ids, b.To, b.Backup)
		}
	}
	for _, id := range ids {
		if _, ok := c.named[id]; id != "" && !ok {
			c.named[id] = e.Seq
		}
	}
}

// missing reports the events from..to that no checkpoint removed, as
// runs; when a checkpoint removed them all, the survivor next failed to
// chain from the bridge it kept.
func (c *chainCheck) missing(from, to, next int64) {
	start := int64(-1)
	flush := func(end int64) {
		if start >= 0 {
			c.rep.add(Finding{Problem: Removed, From: start, To: end, Detail: fmt.Sprintf("missing before event %d", next)})
			start = -1
		}
	}
	unlisted := false
	for q := from; q <= to; q++ {
		if c.auth.removed[q] {
			flush(q - 1)
			continue
		}
		unlisted = true
		if start < 0 {
			start = q
		}
	}
	flush(to)
	if !unlisted {
		c.rep.add(Finding{Problem: Forged, From: next, To: next, Detail: "it does not chain from the MAC the compaction checkpoint kept for it"})
	}
}

// compacted reports whether a checkpoint removed every event from..to.
func (c *chainCheck) compacted(from, to int64) bool {
	if _, ok := c.auth.bridges[to+1]; !ok {
		return false
	}
	for q := from; q <= to; q++ {
		if !c.auth.removed[q] {
			return false
		}
	}
	return true
}

func (c *chainCheck) witnessVerdict() {
	rep := c.rep
	switch {
	case c.w.Seq > c.rowSeq:
		rep.Witness = WitnessFailed
		rep.add(Finding{Problem: Removed, From: c.rowSeq + 1, To: c.w.Seq,
			Detail: fmt.Sprintf("the witness beside the key saw event %d; the newest in the store is %d", c.w.Seq, c.rowSeq)})
	case !c.wSeen:
		rep.Witness = WitnessFailed
		rep.add(Finding{Problem: Removed, From: c.w.Seq, To: c.w.Seq, Detail: "the witnessed event is missing"})
	case !c.wMatch:
		rep.Witness = WitnessFailed
		rep.add(Finding{Problem: Forged, From: c.w.Seq, To: c.w.Seq, Detail: "the event differs from the one the witness saw (the chain was rewritten)"})
	default:
		rep.Witness = WitnessMatched
	}
}
