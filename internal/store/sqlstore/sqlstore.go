// Package sqlstore is the store.Backend both SQL backends share: the
// statements are the same on SQLite and PostgreSQL but for placeholders
// and how the head is locked, which a Dialect says. internal/store/sqlite
// and internal/store/postgres open the database, run their migrations and
// hand the *sql.DB here.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/dbguard/dbguard/internal/store"
)

// Dialect is what differs between the SQL backends.
type Dialect struct {
	// Dollar numbers placeholders $1, $2 (PostgreSQL) instead of ?.
	Dollar bool
	// LockHead reads the head row (seq, mac) and holds, until the
	// transaction ends, a lock that excludes every other appender. On
	// SQLite the transaction itself is the lock (BEGIN IMMEDIATE).
	LockHead string
}

// DB is a store.Backend over a migrated database.
type DB struct {
	db       *sql.DB
	d        Dialect
	location string
	// closers run after the database is closed (a lock file, say).
	closers []func() error

	// stmts holds the multi-row INSERTs prepared so far, by their text
	// (one per table and row count; at most maxStmts of them).
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

var _ store.Backend = (*DB)(nil)

// New returns the backend over db, which it owns from now on.
func New(db *sql.DB, d Dialect, location string, closers ...func() error) *DB {
	return &DB{db: db, d: d, location: location, closers: closers}
}

// SQL returns the database, for tests that tamper with it.
func (b *DB) SQL() *sql.DB { return b.db }

// Location implements store.Backend.
func (b *DB) Location() string { return b.location }

// Close implements store.Backend.
func (b *DB) Close() error {
	var errs []error
	b.stmtMu.Lock()
	for _, st := range b.stmts {
		errs = append(errs, st.Close())
	}
	b.stmts = nil
	b.stmtMu.Unlock()
	errs = append(errs, b.db.Close())
	for _, c := range b.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// q rewrites ? placeholders for the dialect.
func (b *DB) q(s string) string {
	if !b.d.Dollar {
		return s
	}
	return Dollar(s)
}

// Dollar rewrites ? placeholders as $1, $2, ...; the statements it is
// given hold no other question mark.
func Dollar(s string) string {
	var out strings.Builder
	n := 0
	for _, r := range s {
		if r == '?' {
			n++
			out.WriteString("$" + strconv.Itoa(n))
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}

// inTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise.
func (b *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Append implements store.Backend.
func (b *DB) Append(ctx context.Context, seal func(store.Head) ([]store.Event, error)) error {
	return b.inTx(ctx, func(tx *sql.Tx) error { return b.appendTx(ctx, tx, seal) })
}

func (b *DB) appendTx(ctx context.Context, tx *sql.Tx, seal func(store.Head) ([]store.Event, error)) error {
	var h store.Head
	if err := tx.QueryRowContext(ctx, b.d.LockHead).Scan(&h.Seq, &h.MAC); err != nil {
		return fmt.Errorf("lock the head: %w", err)
	}
	evs, err := seal(h)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	if err := b.insertEvents(ctx, tx, evs); err != nil {
		return err
	}
	last := evs[len(evs)-1]
	if _, err := tx.ExecContext(ctx, b.q(`UPDATE dbguard_head SET seq = ?, mac = ? WHERE id = 1`), last.Seq, last.MAC); err != nil {
		return fmt.Errorf("move the head: %w", err)
	}
	return nil
}

// rowsPerInsert bounds one multi-row INSERT: 8 parameters a row stays far
// below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const rowsPerInsert = 500

// insertEvents writes evs and their profiles with multi-row INSERTs: one
// round trip per few hundred rows rather than one per row.
func (b *DB) insertEvents(ctx context.Context, tx *sql.Tx, evs []store.Event) error {
	var rows [][]any
	for _, e := range evs {
		rows = append(rows, []any{e.Seq, e.ID, e.Time.UnixNano(), string(e.Kind), e.Actor.Name, e.Actor.Origin, string(e.Body), e.MAC})
	}
	if err := b.insertRows(ctx, tx, `INSERT INTO dbguard_events (seq, id, time_ns, kind, actor, actor_origin, body, mac) VALUES `, rows); err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	rows = rows[:0]
	for _, e := range evs {
		for i, p := range e.Profiles {
			rows = append(rows, []any{e.Seq, i, p.File, p.KeyPath, p.Service, p.Env})
		}
	}
	if err := b.insertRows(ctx, tx, `INSERT INTO dbguard_event_profiles (seq, pos, file, key_path, service, env) VALUES `, rows); err != nil {
		return fmt.Errorf("insert the events' profiles: %w", err)
	}
	return nil
}

func (b *DB) insertRows(ctx context.Context, tx *sql.Tx, head string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), rowsPerInsert)
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, n*len(rows[0]))
		mark := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
		for i, r := range rows[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(mark)
			args = append(args, r...)
		}
		st, err := b.prepared(ctx, tx, b.q(q.String()))
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// maxStmts bounds the prepared INSERTs a DB keeps: batches come in a few
// sizes, and a statement beyond the bound is prepared for its transaction
// only.
const maxStmts = 32

// prepared returns query prepared for tx. SQLite (modernc) does not cache
// statements: re-parsing and compiling a 500-row INSERT was 8% of a
// batched append. The statement is prepared once per DB and, by
// database/sql, once per connection, then reused.
func (b *DB) prepared(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	b.stmtMu.Lock()
	defer b.stmtMu.Unlock()
	st, ok := b.stmts[query]
	if !ok && len(b.stmts) < maxStmts {
		var err error
		if st, err = b.db.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		if b.stmts == nil {
			b.stmts = make(map[string]*sql.Stmt)
		}
		b.stmts[query] = st
		ok = true
	}
	if !ok {
		return tx.PrepareContext(ctx, query)
	}
	return tx.StmtContext(ctx, st), nil
}

// Remove implements store.Backend.
func (b *DB) Remove(ctx context.Context, seqs []int64) error {
	return b.inTx(ctx, func(tx *sql.Tx) error { return b.removeTx(ctx, tx, seqs) })
}

func (b *DB) removeTx(ctx context.Context, tx *sql.Tx, seqs []int64) error {
	for len(seqs) > 0 {
		n := min(len(seqs), rowsPerInsert)
		args := make([]any, n)
		for i, s := range seqs[:n] {
			args[i] = s
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
		for _, table := range []string{"dbguard_event_profiles", "dbguard_events"} {
			if _, err := tx.ExecContext(ctx, b.q(`DELETE FROM `+table+` WHERE seq IN (`+marks+`)`), args...); err != nil {
				return fmt.Errorf("remove events: %w", err)
			}
		}
		seqs = seqs[n:]
	}
	return nil
}

// Head implements store.Backend.
func (b *DB) Head(ctx context.Context) (store.Head, error) {
	var h store.Head
	err := b.db.QueryRowContext(ctx, `SELECT seq, mac FROM dbguard_head WHERE id = 1`).Scan(&h.Seq, &h.MAC)
	if err != nil {
		return h, fmt.Errorf("read the head: %w", err)
	}
	return h, nil
}

// page is how many events Scan reads per query: it never holds a cursor
// open while the caller works, and reads a store of any size in bounded
// memory.
const page = 2000

// Scan implements store.Backend.
func (b *DB) Scan(ctx context.Context, q store.Query, fn func(store.Event) error) error {
	where, args := b.where(q)
	if q.Newest && q.Limit > 0 {
		evs, err := b.events(ctx, where, args, "DESC", q.Limit)
		if err != nil {
			return err
		}
		for i := len(evs) - 1; i >= 0; i-- {
			if err := fn(evs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	after, left := q.AfterSeq, q.Limit
	if after == 0 {
		// No bound: rows an intruder put below 1 are read too.
		after = math.MinInt64
	}
	for {
		n := page
		if q.Limit > 0 && left < n {
			n = left
		}
		evs, err := b.events(ctx, append(where, "e.seq > ?"), append(args, after), "ASC", n)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(evs) < n {
			return nil
		}
		after = evs[len(evs)-1].Seq
		if q.Limit > 0 {
			if left -= len(evs); left == 0 {
				return nil
			}
		}
	}
}

func (b *DB) where(q store.Query) ([]string, []any) {
	var where []string
	var args []any
	var prof []string
	if q.Profile != nil {
		prof = append(prof, "p.file = ?")
		args = append(args, q.Profile.File)
		if q.Profile.KeyPath != "" {
			prof = append(prof, "p.key_path = ?")
			args = append(args, q.Profile.KeyPath)
		}
	}
	if q.Service != "" {
		prof = append(prof, "p.service = ?")
		args = append(args, q.Service)
	}
	if q.Env != "" {
		prof = append(prof, "p.env = ?")
		args = append(args, q.Env)
	}
	if len(prof) > 0 {
		where = append(where, "e.seq IN (SELECT p.seq FROM dbguard_event_profiles p WHERE "+strings.Join(prof, " AND ")+")")
	}
	if len(q.Kinds) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(q.Kinds)), ", ")
		where = append(where, "e.kind IN ("+marks+")")
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if !q.Since.IsZero() {
		where = append(where, "e.time_ns >= ?")
		args = append(args, q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		where = append(where, "e.time_ns < ?")
		args = append(args, q.Until.UnixNano())
	}
	if q.BeforeSeq != 0 {
		where = append(where, "e.seq < ?")
		args = append(args, q.BeforeSeq)
	}
	if q.AfterSeq > 0 && q.Newest {
		where = append(where, "e.seq > ?")
		args = append(args, q.AfterSeq)
	}
	return where, args
}

// events reads up to limit events and their profiles.
func (b *DB) events(ctx context.Context, where []string, args []any, order string, limit int) ([]store.Event, error) {
	s := `SELECT e.seq, e.id, e.time_ns, e.kind, e.actor, e.actor_origin, e.body, e.mac FROM dbguard_events e`
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	s += " ORDER BY e.seq " + order + " LIMIT " + strconv.Itoa(limit)
	rows, err := b.db.QueryContext(ctx, b.q(s), args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var ns int64
		var kind, body string
		if err := rows.Scan(&e.Seq, &e.ID, &ns, &kind, &e.Actor.Name, &e.Actor.Origin, &body, &e.MAC); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.Time = unixNano(ns)
		e.Kind = store.Kind(kind)
		e.Body = []byte(body)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	return out, b.profiles(ctx, out)
}

// profiles fills in the profiles of evs from one range query.
func (b *DB) profiles(ctx context.Context, evs []store.Event) error {
	lo, hi := evs[0].Seq, evs[len(evs)-1].Seq
	if lo > hi {
		lo, hi = hi, lo
	}
	idx := make(map[int64]int, len(evs))
	for i, e := range evs {
		idx[e.Seq] = i
	}
	var rows *sql.Rows
	var err error
	if len(evs) == 1 || hi-lo > int64(4*len(evs)) {
		// A sparse selection (one profile's history): ask for its events
		// only rather than a range full of others'.
		seqs := make([]any, len(evs))
		for i, e := range evs {
			seqs[i] = e.Seq
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(seqs)), ", ")
		rows, err = b.db.QueryContext(ctx, b.q(`SELECT seq, file, key_path, service, env FROM dbguard_event_profiles WHERE seq IN (`+marks+`) ORDER BY seq, pos`), seqs...)
	} else {
		rows, err = b.db.QueryContext(ctx, b.q(`SELECT seq, file, key_path, service, env FROM dbguard_event_profiles WHERE seq BETWEEN ? AND ? ORDER BY seq, pos`), lo, hi)
	}
	if err != nil {
		return fmt.Errorf("read profiles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var p store.EventProfile
		if err := rows.Scan(&seq, &p.File, &p.KeyPath, &p.Service, &p.Env); err != nil {
			return fmt.Errorf("read profiles: %w", err)
		}
		if i, ok := idx[seq]; ok {
			evs[i].Profiles = append(evs[i].Profiles, p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read profiles: %w", err)
	}
	return nil
}

// PutRevision implements store.Backend.
func (b *DB) PutRevision(ctx context.Context, r store.Revision) error {
	_, err := b.db.ExecContext(ctx, b.q(`INSERT INTO dbguard_revisions (id, file, time_ns, key_id, nonce, sealed, profiles) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.File, r.TimeNS, r.KeyID, r.Nonce, r.Sealed, string(r.Profile))
	if err != nil {
		return fmt.Errorf("insert revision: %w", err)
	}
	return nil
}

// Revisions implements store.Backend.
func (b *DB) Revisions(ctx context.Context, file, id string) ([]store.Revision, error) {
	s := `SELECT id, file, time_ns, key_id, nonce, sealed, profiles FROM dbguard_revisions`
	var args []any
	switch {
	case id != "":
		s += ` WHERE id = ?`
		args = append(args, id)
	case file != "":
		s += ` WHERE file = ?`
		args = append(args, file)
	}
	rows, err := b.db.QueryContext(ctx, b.q(s+` ORDER BY time_ns, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	defer rows.Close()
	var out []store.Revision
	for rows.Next() {
		var r store.Revision
		var prof string
		if err := rows.Scan(&r.ID, &r.File, &r.TimeNS, &r.KeyID, &r.Nonce, &r.Sealed, &prof); err != nil {
			return nil, fmt.Errorf("read revisions: %w", err)
		}
		r.Profile = []byte(prof)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	return out, nil
}

// Meta implements store.Backend.
func (b *DB) Meta(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := b.db.QueryRowContext(ctx, b.q(`SELECT value FROM dbguard_meta WHERE name = ?`), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, true, nil
}

// InitMeta implements store.Backend.
func (b *DB) InitMeta(ctx context.Context, name, value string) (string, error) {
	if _, err := b.db.ExecContext(ctx, b.q(`INSERT INTO dbguard_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, value); err != nil {
		return "", fmt.Errorf("set setting %s: %w", name, err)
	}
	v, ok, err := b.Meta(ctx, name)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("set setting %s: %w", name, store.ErrNotFound)
	}
	return v, nil
}
