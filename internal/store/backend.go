package store

import (
	"context"
	"errors"
)

// Backend is what a store driver implements: rows in, rows out, and one
// appender at a time. It computes no MAC, holds no key and decrypts
// nothing; Store does. Every method takes ctx first and must return when it
// is canceled. Every backend must pass the suite in internal/store/storetest.
type Backend interface {
	// Append is called by the core once per Store.Append, with the events
	// of one batch. The backend opens a transaction that excludes every
	// other appender in every process, reads the head, calls seal(head),
	// inserts the events seal returns (with their profiles) and the new
	// head (the last event's Seq and MAC), and commits. The events were
	// durable when Append returns nil; on error none of them is stored.
	// seal may be called again if the backend retries the transaction.
	Append(ctx context.Context, seal func(head Head) ([]Event, error)) error

	// Scan is called by the core to read events (history, check, the
	// verified-good lookup). It calls fn with each event matching q in
	// sequence order and stops at fn's first error, which it returns.
	Scan(ctx context.Context, q Query, fn func(Event) error) error

	// Head is called by the core when it checks the chain: the sequence
	// and MAC the backend last committed as the head.
	Head(ctx context.Context) (Head, error)

	// PutRevision is called by the core to store an encrypted revision
	// before the event that refers to it is appended. Ids are unique; a
	// second put of the same id is an error.
	PutRevision(ctx context.Context, r Revision) error

	// Revisions is called by the core to list the revisions of one file,
	// oldest first; with id set, only that revision (of any file).
	Revisions(ctx context.Context, file, id string) ([]Revision, error)

	// Meta is called by the core when it opens the store, to read a
	// setting of the store (the key id). ok is false when it is unset.
	Meta(ctx context.Context, name string) (value string, ok bool, err error)

	// InitMeta is called by the core to set a setting once: it stores
	// value when name is unset and returns what is stored afterwards, so
	// that two processes racing to set it agree on the winner.
	InitMeta(ctx context.Context, name, value string) (string, error)

	// Remove is called by the core when it compacts, after it appended the
	// checkpoint event that lists seqs: it deletes those events and their
	// profiles in one transaction. Seqs already gone are no error.
	Remove(ctx context.Context, seqs []int64) error

	// Location is called by the core when it opens the store, to name the
	// store's witness: the SQLite file's absolute path, or PostgreSQL's
	// host, port and database. It must hold no credential.
	Location() string

	// Close releases the backend's connections.
	Close() error
}

// Head is the newest event's sequence number and MAC; the zero Head is an
// empty store.
type Head struct {
	Seq int64
	MAC []byte
}

// Revision is one recorded content of a file, encrypted. Profiles are the
// redacted profiles extracted from it, as JSON, the only part in clear.
type Revision struct {
	ID      string
	File    string
	TimeNS  int64
	KeyID   string
	Nonce   []byte
	Sealed  []byte
	Profile []byte // JSON array of redacted profiles
}

// ErrNotFound is returned when a revision or setting asked for by id does
// not exist.
var ErrNotFound = errors.New("not found")
