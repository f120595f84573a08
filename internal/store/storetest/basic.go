package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/sqlstore"
)

func testAppendSingle(t *testing.T, h *Harness) {
	s := h.open(t, h.Fresh(t), t.TempDir())
	ctx := ctxFor(t, 30*time.Second)
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.FixedZone("WAT", 3600))
	e := Event(store.KindChange, "deploy/app.yaml", "spec.db", "billing", "production", "first")
	e.Time = at
	e.Profiles = append(e.Profiles, store.EventProfile{ProfileKey: store.ProfileKey{File: "a.env", KeyPath: "DATABASE_URL"}})
	got, err := s.Append(ctx, e)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if len(got) != 1 || got[0].Seq != 1 || got[0].ID == "" || len(got[0].MAC) != 32 {
		t.Fatalf("Append returned %+v", got)
	}
	if _, err := s.Append(ctx, Event(store.Kind("note"), "x", "", "", "", "second")); err != nil {
		t.Fatalf("Append: %v", err)
	}
	evs, err := s.Events(ctx, store.Query{})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(evs) != 2 {
		t.Fatalf("Events: %d events, want 2", len(evs))
	}
	r := evs[0]
	if !r.Time.Equal(at) || r.Time.Location() != time.UTC || r.Time.Nanosecond() != 123456789 {
		t.Errorf("time = %v, want %v in UTC with its nanoseconds", r.Time, at.UTC())
	}
	if r.ID != got[0].ID || r.Kind != store.KindChange || r.Actor != e.Actor || !bytes.Equal(r.Body, e.Body) || !bytes.Equal(r.MAC, got[0].MAC) {
		t.Errorf("read back %+v, appended %+v", r, got[0])
	}
	if !slices.Equal(r.Profiles, e.Profiles) {
		t.Errorf("profiles = %+v, want %+v in order", r.Profiles, e.Profiles)
	}
	if evs[1].Seq != 2 || evs[1].Kind != "note" {
		t.Errorf("second event = %+v", evs[1])
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() || rep.Events != 2 || rep.Witness != store.WitnessMatched {
		t.Fatalf("Check = %+v, %v; want ok over 2 events, witness matched", rep, err)
	}
}

func testAppendBatch(t *testing.T, h *Harness) {
	s := h.open(t, h.Fresh(t), t.TempDir())
	ctx := ctxFor(t, 60*time.Second)
	for round := range 3 {
		batch := make([]store.Event, 250)
		for i := range batch {
			batch[i] = Event(store.KindVerification, fmt.Sprintf("f%d.yaml", i%7), "db", "svc", "staging", fmt.Sprint(round, i))
		}
		got, err := s.Append(ctx, batch...)
		if err != nil {
			t.Fatalf("Append batch: %v", err)
		}
		for i, e := range got {
			if want := int64(round*250 + i + 1); e.Seq != want {
				t.Fatalf("batch %d event %d: seq %d, want %d", round, i, e.Seq, want)
			}
		}
	}
	evs, err := s.Events(ctx, store.Query{})
	if err != nil || len(evs) != 750 {
		t.Fatalf("Events: %d, %v; want 750", len(evs), err)
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() || rep.Events != 750 {
		t.Fatalf("Check = %+v, %v", rep, err)
	}
}

func testInvalid(t *testing.T, h *Harness) {
	s := h.open(t, h.Fresh(t), t.TempDir())
	ctx := ctxFor(t, 30*time.Second)
	good := Event(store.KindChange, "a.yaml", "db", "", "", "ok")
	cases := map[string]func(e *store.Event){
		"no schema_version": func(e *store.Event) { e.Body = []byte(`{"a":1}`) },
		"not an object":     func(e *store.Event) { e.Body = []byte(`[1]`) },
		"not JSON":          func(e *store.Event) { e.Body = []byte(`{`) },
		"kind":              func(e *store.Event) { e.Kind = "Bad Kind" },
		"actor origin":      func(e *store.Event) { e.Actor.Origin = "" },
		"profile file":      func(e *store.Event) { e.Profiles[0].File = "" },
	}
	for name, spoil := range cases {
		bad := Event(store.KindChange, "a.yaml", "db", "", "", "bad")
		spoil(&bad)
		if _, err := s.Append(ctx, good, bad); !errors.Is(err, store.ErrInvalidEvent) {
			t.Errorf("%s: Append = %v, want ErrInvalidEvent", name, err)
		}
	}
	if evs, _ := s.Events(ctx, store.Query{}); len(evs) != 0 {
		t.Fatalf("%d events stored from refused batches", len(evs))
	}
}

func testQueries(t *testing.T, h *Harness) {
	s := h.open(t, h.Fresh(t), t.TempDir())
	ctx := ctxFor(t, 30*time.Second)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []store.Event
	for i := range 40 {
		kind := []store.Kind{store.KindChange, store.KindVerification, store.KindApproval, store.KindRollback}[i%4]
		e := Event(kind, fmt.Sprintf("svc%d/values.yaml", i%2), fmt.Sprintf("db%d", i%3), fmt.Sprintf("svc%d", i%2), []string{"production", "staging"}[i%5/4], fmt.Sprint(i))
		e.Time = t0.Add(time.Duration(i) * time.Hour)
		batch = append(batch, e)
	}
	if _, err := s.Append(ctx, batch...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	want := func(name string, q store.Query, keep func(i int, e store.Event) bool) {
		t.Helper()
		got, err := s.Events(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var seqs, wantSeqs []int64
		for _, e := range got {
			seqs = append(seqs, e.Seq)
		}
		for i, e := range batch {
			if keep(i, e) {
				wantSeqs = append(wantSeqs, int64(i+1))
			}
		}
		if q.Limit > 0 && len(wantSeqs) > q.Limit {
			if q.Newest {
				wantSeqs = wantSeqs[len(wantSeqs)-q.Limit:]
			} else {
				wantSeqs = wantSeqs[:q.Limit]
			}
		}
		if !slices.Equal(seqs, wantSeqs) {
			t.Errorf("%s: seqs %v, want %v", name, seqs, wantSeqs)
		}
	}
	p := func(e store.Event) store.EventProfile { return e.Profiles[0] }
	want("profile", store.Query{Profile: &store.ProfileKey{File: "svc1/values.yaml", KeyPath: "db2"}},
		func(_ int, e store.Event) bool { return p(e).File == "svc1/values.yaml" && p(e).KeyPath == "db2" })
	want("file", store.Query{Profile: &store.ProfileKey{File: "svc0/values.yaml"}},
		func(_ int, e store.Event) bool { return p(e).File == "svc0/values.yaml" })
	want("service", store.Query{Service: "svc1"}, func(_ int, e store.Event) bool { return p(e).Service == "svc1" })
	want("env", store.Query{Env: "staging"}, func(_ int, e store.Event) bool { return p(e).Env == "staging" })
	want("service and env", store.Query{Service: "svc0", Env: "production"},
		func(_ int, e store.Event) bool { return p(e).Service == "svc0" && p(e).Env == "production" })
	want("kinds", store.Query{Kinds: []store.Kind{store.KindChange, store.KindRollback}},
		func(_ int, e store.Event) bool { return e.Kind == store.KindChange || e.Kind == store.KindRollback })
	want("since until", store.Query{Since: t0.Add(10 * time.Hour), Until: t0.Add(20 * time.Hour)},
		func(i int, _ store.Event) bool { return i >= 10 && i < 20 })
	want("after", store.Query{AfterSeq: 35}, func(i int, _ store.Event) bool { return i+1 > 35 })
	want("limit", store.Query{Limit: 5}, func(int, store.Event) bool { return true })
	want("newest", store.Query{Limit: 5, Newest: true, Kinds: []store.Kind{store.KindApproval}},
		func(_ int, e store.Event) bool { return e.Kind == store.KindApproval })
}

func testNoKey(t *testing.T, h *Harness) {
	addr := h.Fresh(t)
	w := t.TempDir()
	s := h.open(t, addr, w)
	ctx := ctxFor(t, 30*time.Second)
	if _, err := s.Append(ctx, Event(store.KindChange, "a", "b", "", "", "x")); err != nil {
		t.Fatalf("Append: %v", err)
	}
	b, err := h.Open(ctx, addr, 0)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	ro, err := store.New(ctx, b, store.Options{WitnessDir: w})
	if err != nil {
		t.Fatalf("New without a key: %v", err)
	}
	defer ro.Close()
	if evs, err := ro.Events(ctx, store.Query{}); err != nil || len(evs) != 1 {
		t.Fatalf("Events without the key = %d, %v", len(evs), err)
	}
	if _, err := ro.Append(ctx, Event(store.KindChange, "a", "b", "", "", "x")); !errors.Is(err, store.ErrNoKey) {
		t.Errorf("Append without the key = %v, want ErrNoKey", err)
	}
	if _, err := ro.Check(ctx); !errors.Is(err, store.ErrNoKey) {
		t.Errorf("Check without the key = %v, want ErrNoKey", err)
	}
}

func testOtherKey(t *testing.T, h *Harness) {
	addr := h.Fresh(t)
	s := h.open(t, addr, t.TempDir())
	ctx := ctxFor(t, 30*time.Second)
	if _, err := s.PutRevision(ctx, "a.yaml", []byte("x"), nil); err != nil {
		t.Fatalf("PutRevision: %v", err)
	}
	other, err := store.NewKeyText()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := store.ParseKey(other)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Open(ctx, addr, 0)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer b.Close()
	var km *store.KeyMismatchError
	if _, err := store.New(ctx, b, store.Options{Key: k2}); !errors.As(err, &km) || km.Store != Key(t).ID() {
		t.Fatalf("New with another key = %v, want *KeyMismatchError naming %s", err, Key(t).ID())
	}
}

func testRevisions(t *testing.T, h *Harness) {
	addr := h.Fresh(t)
	s := h.open(t, addr, t.TempDir())
	ctx := ctxFor(t, 30*time.Second)
	content := []byte("DATABASE_URL=postgres://app:storetest-canary-pw@db:5432/app\n")
	r1, err := s.PutRevision(ctx, "svc/.env", content, []byte(`[{"key":"DATABASE_URL"}]`))
	if err != nil {
		t.Fatalf("PutRevision: %v", err)
	}
	r2, err := s.PutRevision(ctx, "svc/.env", []byte("changed"), nil)
	if err != nil {
		t.Fatalf("PutRevision: %v", err)
	}
	list, err := s.Revisions(ctx, "svc/.env")
	if err != nil || len(list) != 2 || list[0].ID != r1.ID || list[1].ID != r2.ID || list[0].KeyID != Key(t).ID() {
		t.Fatalf("Revisions = %+v, %v", list, err)
	}
	got, info, err := s.Content(ctx, r1.ID)
	if err != nil || !bytes.Equal(got, content) || string(info.Profiles) != `[{"key":"DATABASE_URL"}]` {
		t.Fatalf("Content = %q, %+v, %v", got, info, err)
	}
	raw := h.Raw(t, addr)
	var sealed []byte
	row := raw.QueryRow(rebind(h, `SELECT sealed FROM dbguard_revisions WHERE id = ?`), r1.ID)
	if err := row.Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("canary")) {
		t.Fatal("the revision is stored in clear")
	}
	// Swapping ciphertexts between rows is caught: the row is bound into
	// the authenticated data.
	h.exec(t, raw, `UPDATE dbguard_revisions SET profiles = ? WHERE id = ?`, `[]`, r1.ID)
	if _, _, err := s.Content(ctx, r1.ID); !errors.Is(err, store.ErrTampered) {
		t.Fatalf("Content after tampering = %v, want ErrTampered", err)
	}
	rep, err := s.Check(ctx)
	if err != nil || rep.OK() || rep.Findings[0].Problem != store.Undecryptable || rep.Findings[0].Revision != r1.ID {
		t.Fatalf("Check after tampering a revision = %+v, %v", rep, err)
	}
	// A revision a change names, deleted, is found.
	body := fmt.Sprintf(`{"schema_version":1,"file":"svc/.env","revision":%q}`, r2.ID)
	e := Event(store.KindChange, "svc/.env", "DATABASE_URL", "", "", "")
	e.Body = []byte(body)
	if _, err := s.Append(ctx, e); err != nil {
		t.Fatal(err)
	}
	h.exec(t, raw, `DELETE FROM dbguard_revisions WHERE id = ?`, r2.ID)
	rep, err = s.Check(ctx)
	if err != nil || len(rep.Findings) != 2 || rep.Findings[0].Problem != store.Removed || rep.Findings[0].Revision != r2.ID {
		t.Fatalf("Check after deleting a named revision = %+v, %v", rep, err)
	}
}

func rebind(h *Harness, q string) string {
	if !h.Dollar {
		return q
	}
	return sqlstore.Dollar(q)
}

func testSchemaNewer(t *testing.T, h *Harness) {
	addr := h.Fresh(t)
	h.open(t, addr, t.TempDir())
	raw := h.Raw(t, addr)
	h.exec(t, raw, `INSERT INTO dbguard_schema_version (version_id, is_applied) VALUES (?, ?)`, h.Latest+1, true)
	ctx := ctxFor(t, 30*time.Second)
	b, err := h.Open(ctx, addr, 0)
	var newer *store.SchemaNewerError
	if !errors.As(err, &newer) || newer.Store != h.Latest+1 || newer.Binary != h.Latest {
		if b != nil {
			b.Close()
		}
		t.Fatalf("Open of a newer schema = %v, want *SchemaNewerError", err)
	}
}

func testUpgrade(t *testing.T, h *Harness) {
	for v := int64(0); v < h.Latest; v++ {
		t.Run(fmt.Sprint("from ", v), func(t *testing.T) {
			addr := h.Fresh(t)
			ctx := ctxFor(t, 30*time.Second)
			if v > 0 {
				b, err := h.Open(ctx, addr, v)
				if err != nil {
					t.Fatalf("open at version %d: %v", v, err)
				}
				b.Close()
			}
			s := h.open(t, addr, t.TempDir())
			if _, err := s.Append(ctx, Event(store.KindChange, "a", "b", "", "", "x")); err != nil {
				t.Fatalf("Append after upgrading from %d: %v", v, err)
			}
			var got int64
			if err := h.Raw(t, addr).QueryRow(`SELECT MAX(version_id) FROM dbguard_schema_version`).Scan(&got); err != nil || got != h.Latest {
				t.Fatalf("schema version = %d, %v; want %d", got, err, h.Latest)
			}
		})
	}
}

func testVerifiedGood(t *testing.T, h *Harness) {
	s := h.open(t, h.Fresh(t), t.TempDir())
	ctx := ctxFor(t, 30*time.Second)
	key := store.ProfileKey{File: "svc/app.yaml", KeyPath: "database"}
	if _, _, ok, err := s.VerifiedGood(ctx, key); ok || err != nil {
		t.Fatalf("VerifiedGood of a new store = %v, %v", ok, err)
	}
	verification := func(file, rev string, ok bool) store.Event {
		e := Event(store.KindVerification, file, "database", "svc", "production", "")
		e.Body = []byte(fmt.Sprintf(`{"schema_version":1,"revision":%q,"ok":%v}`, rev, ok))
		return e
	}
	var batch []store.Event
	batch = append(batch, verification("svc/app.yaml", "r1", true))
	// More than a page of failures after it, and another file's success.
	for range 450 {
		batch = append(batch, verification("svc/app.yaml", "r2", false), verification("other.yaml", "x", true))
	}
	if _, err := s.Append(ctx, batch...); err != nil {
		t.Fatal(err)
	}
	rev, ev, ok, err := s.VerifiedGood(ctx, key)
	if err != nil || !ok || rev != "r1" || ev.Seq != 1 {
		t.Fatalf("VerifiedGood = %q, event %d, %v, %v; want r1 from event 1", rev, ev.Seq, ok, err)
	}
	if _, err := s.Append(ctx, verification("svc/app.yaml", "r3", true)); err != nil {
		t.Fatal(err)
	}
	if rev, _, _, _ := s.VerifiedGood(ctx, key); rev != "r3" {
		t.Fatalf("VerifiedGood after a newer success = %q, want r3", rev)
	}
}

// testCompaction: compaction removes old events of the kinds asked,
// keeps changes and the newest event, and leaves a chain that checks;
// deleting more than the checkpoint lists is still found.
func testCompaction(t *testing.T, h *Harness) {
	addr := h.Fresh(t)
	s := h.open(t, addr, t.TempDir())
	ctx := ctxFor(t, 60*time.Second)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []store.Event
	for i := range 60 {
		kind := store.Kind("probe_summary")
		if i%10 == 0 {
			kind = store.KindChange
		}
		e := Event(kind, "svc/app.yaml", "db", "svc", "production", fmt.Sprint(i))
		e.Time = t0.Add(time.Duration(i) * time.Hour)
		batch = append(batch, e)
	}
	if _, err := s.Append(ctx, batch...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compact(ctx, []store.Kind{store.KindChange}, t0.Add(100*time.Hour)); err == nil {
		t.Fatal("Compact removed changes")
	}
	c, err := s.Compact(ctx, []store.Kind{"probe_summary"}, t0.Add(40*time.Hour))
	if err != nil {
		t.Fatalf("Compact: %v", err)
	}
	if c.Removed != 36 || c.Checkpoint.Seq != 61 || c.Checkpoint.Kind != store.KindCheckpoint {
		t.Fatalf("Compact = %d removed, checkpoint %+v; want 36 and event 61", c.Removed, c.Checkpoint)
	}
	evs, err := s.Events(ctx, store.Query{})
	if err != nil || len(evs) != 60-36+1 {
		t.Fatalf("after compaction: %d events, %v", len(evs), err)
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("Check after compaction = %+v, %v", rep, err)
	}
	// A second compaction up to the newest event keeps the newest one.
	if _, err := s.Compact(ctx, []store.Kind{"probe_summary"}, t0.Add(1000*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("Check after a second compaction = %+v, %v", rep, err)
	}
	h.exec(t, h.Raw(t, addr), `DELETE FROM dbguard_events WHERE seq = 51`)
	rep, err = s.Check(ctx)
	if err != nil || rep.OK() || len(rep.Findings) != 1 || rep.Findings[0].Problem != store.Removed || rep.Findings[0].From != 51 || rep.Findings[0].To != 51 {
		t.Fatalf("Check after deleting a change a checkpoint does not list = %+v, %v", rep, err)
	}
}
