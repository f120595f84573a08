package storetest

import (
	"crypto/sha256"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/store"
)

// tamperCase edits the database behind a store of 10 events (seq 1..10)
// with SQL only, as someone without the key would, and says what Check
// must find.
type tamperCase struct {
	name string
	edit func(t *testing.T, h *Harness, db *sql.DB)
	want []store.Finding // Problem, From, To (Detail ignored)
}

func tamperCases() []tamperCase {
	return []tamperCase{
		{
			name: "an event edited",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				h.exec(t, db, `UPDATE dbguard_events SET body = ? WHERE seq = 4`, `{"schema_version":1,"note":"rewritten"}`)
			},
			want: []store.Finding{{Problem: store.Altered, From: 4, To: 4}},
		},
		{
			name: "an actor edited",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				h.exec(t, db, `UPDATE dbguard_events SET actor = ? WHERE seq = 7`, `someone else`)
			},
			want: []store.Finding{{Problem: store.Altered, From: 7, To: 7}},
		},
		{
			name: "a profile edited",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				h.exec(t, db, `UPDATE dbguard_event_profiles SET env = ? WHERE seq = 2`, `development`)
			},
			want: []store.Finding{{Problem: store.Altered, From: 2, To: 2}},
		},
		{
			name: "an event deleted",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				h.exec(t, db, `DELETE FROM dbguard_events WHERE seq = 5`)
			},
			want: []store.Finding{{Problem: store.Removed, From: 5, To: 5}},
		},
		{
			name: "an event inserted at the end",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				h.exec(t, db, `INSERT INTO dbguard_events (seq, id, time_ns, kind, actor, actor_origin, body, mac) SELECT 11, 'forged', time_ns, kind, actor, actor_origin, body, mac FROM dbguard_events WHERE seq = 10`)
				h.exec(t, db, `UPDATE dbguard_head SET seq = 11`)
			},
			want: []store.Finding{{Problem: store.Inserted, From: 11, To: 11}},
		},
		{
			name: "an event inserted at the start",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				h.exec(t, db, `INSERT INTO dbguard_events (seq, id, time_ns, kind, actor, actor_origin, body, mac) SELECT 0, 'forged', time_ns, kind, actor, actor_origin, body, mac FROM dbguard_events WHERE seq = 1`)
			},
			want: []store.Finding{{Problem: store.Inserted, From: 0, To: 0}},
		},
		{
			name: "the chain rewritten with a plain hash",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				// Recompute every MAC from event 6 on as SHA-256 over the
				// body and the previous MAC: consistent, but not keyed.
				var prev []byte
				if err := db.QueryRow(`SELECT mac FROM dbguard_events WHERE seq = 5`).Scan(&prev); err != nil {
					t.Fatal(err)
				}
				h.exec(t, db, `UPDATE dbguard_events SET body = ? WHERE seq = 6`, `{"schema_version":1,"note":"nothing happened"}`)
				for seq := 6; seq <= 10; seq++ {
					var body string
					if err := db.QueryRow(rebind(h, `SELECT body FROM dbguard_events WHERE seq = ?`), seq).Scan(&body); err != nil {
						t.Fatal(err)
					}
					sum := sha256.Sum256(append([]byte(body), prev...))
					prev = sum[:]
					h.exec(t, db, `UPDATE dbguard_events SET mac = ? WHERE seq = ?`, prev, seq)
				}
				h.exec(t, db, `UPDATE dbguard_head SET mac = ?`, prev)
			},
			want: []store.Finding{{Problem: store.Forged, From: 6, To: 10}, {Problem: store.Forged, From: 10, To: 10}},
		},
		{
			name: "the newest events truncated, head moved back",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				var mac []byte
				if err := db.QueryRow(`SELECT mac FROM dbguard_events WHERE seq = 7`).Scan(&mac); err != nil {
					t.Fatal(err)
				}
				h.exec(t, db, `DELETE FROM dbguard_events WHERE seq > 7`)
				h.exec(t, db, `UPDATE dbguard_head SET seq = 7, mac = ?`, mac)
			},
			want: []store.Finding{{Problem: store.Removed, From: 8, To: 10}},
		},
		{
			name: "the newest events truncated, head left",
			edit: func(t *testing.T, h *Harness, db *sql.DB) {
				h.exec(t, db, `DELETE FROM dbguard_events WHERE seq > 8`)
			},
			want: []store.Finding{{Problem: store.Removed, From: 9, To: 10}},
		},
	}
}

func testTamper(t *testing.T, h *Harness) {
	for _, tc := range tamperCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := h.Fresh(t)
			s := h.open(t, addr, t.TempDir())
			ctx := ctxFor(t, 30*time.Second)
			for i := range 10 {
				e := Event(store.KindChange, "svc/app.yaml", "db", "svc", "production", string(rune('a'+i)))
				if _, err := s.Append(ctx, e); err != nil {
					t.Fatalf("Append: %v", err)
				}
			}
			if rep, err := s.Check(ctx); err != nil || !rep.OK() {
				t.Fatalf("Check before tampering = %+v, %v", rep, err)
			}
			tc.edit(t, h, h.Raw(t, addr))
			rep, err := s.Check(ctx)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			var got []store.Finding
			for _, f := range rep.Findings {
				got = append(got, store.Finding{Problem: f.Problem, From: f.From, To: f.To})
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Check found %v, want %v", rep.Findings, tc.want)
			}
		})
	}
}
