package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Store is the core over a Backend: it assigns ids, times and MACs, keeps
// the witness, encrypts revisions and checks the chain. It holds no
// package-level state; several Stores may share a process.
type Store struct {
	b       Backend
	key     *Key
	witness *Witness
	now     func() time.Time
}

// Options configure a Store.
type Options struct {
	// Key is the store key; nil opens the store for reading only (history
	// works, appends, decryption and the MAC check do not).
	Key *Key
	// WitnessDir is where the head witness is kept, beside the key file.
	// Empty: no witness, and Check says that it cannot see truncation.
	WitnessDir string
	// Now is the clock for events that carry no time; nil is time.Now.
	Now func() time.Time
}

// Meta names.
const metaKeyID = "key_id"

// ErrNoKey is returned when an operation needs the store key and the store
// was opened without one.
var ErrNoKey = errors.New("the store key is needed")

// KeyMismatchError reports a key other than the one the store was written
// with.
type KeyMismatchError struct {
	Store, Key string // key ids
}

func (e *KeyMismatchError) Error() string {
	return fmt.Sprintf("the store was written under key %s, not under this key (%s)", e.Store, e.Key)
}

// New opens the core over b, which it owns from now on (Close closes it).
// With a key, it refuses a store written under another key.
func New(ctx context.Context, b Backend, o Options) (*Store, error) {
	s := &Store{b: b, key: o.Key, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if o.WitnessDir != "" {
		s.witness = NewWitness(o.WitnessDir, b.Location())
	}
	if o.Key != nil {
		stored, ok, err := b.Meta(ctx, metaKeyID)
		if err != nil {
			return nil, fmt.Errorf("read the store's key id: %w", err)
		}
		if ok && stored != o.Key.ID() {
			return nil, &KeyMismatchError{Store: stored, Key: o.Key.ID()}
		}
	}
	return s, nil
}

// KeyID returns the id of the key the store was written under; ok is false
// for a store nothing was written to yet.
func (s *Store) KeyID(ctx context.Context) (id string, ok bool, err error) {
	return s.b.Meta(ctx, metaKeyID)
}

// Close closes the backend.
func (s *Store) Close() error { return s.b.Close() }

// Backend returns the backend, for tests and tools that read it raw.
func (s *Store) Backend() Backend { return s.b }

// bindKey records the key id on first write and refuses another key.
func (s *Store) bindKey(ctx context.Context) error {
	if s.key == nil {
		return ErrNoKey
	}
	got, err := s.b.InitMeta(ctx, metaKeyID, s.key.ID())
	if err != nil {
		return fmt.Errorf("record the key id: %w", err)
	}
	if got != s.key.ID() {
		return &KeyMismatchError{Store: got, Key: s.key.ID()}
	}
	return nil
}

// WitnessError reports that events were appended but the witness could not
// be advanced: they are in the store, and Check will not see a truncation
// of them.
type WitnessError struct{ Err error }

func (e *WitnessError) Error() string { return "events appended; " + e.Err.Error() }
func (e *WitnessError) Unwrap() error { return e.Err }

// Append adds events as one batch, in order, and returns them as stored
// (with Seq and MAC, and an ID and a UTC time where they had none). Either
// all of them are stored or none; when it returns a nil error or a
// *WitnessError, they are durable.
func (s *Store) Append(ctx context.Context, evs ...Event) ([]Event, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	if err := s.bindKey(ctx); err != nil {
		return nil, err
	}
	out := make([]Event, len(evs))
	for i, e := range evs {
		if e.ID == "" {
			e.ID = newEventID(s.now())
		}
		if e.Time.IsZero() {
			e.Time = s.now()
		}
		e.Time = e.Time.UTC()
		if err := e.validate(); err != nil {
			return nil, err
		}
		e.Profiles = append([]EventProfile(nil), e.Profiles...)
		out[i] = e
	}
	err := s.b.Append(ctx, func(h Head) ([]Event, error) {
		prev := h.MAC
		ch := newChainHash(s.key)
		for i := range out {
			out[i].Seq = h.Seq + 1 + int64(i)
			out[i].MAC = ch.mac(&out[i], prev)
			prev = out[i].MAC
		}
		return out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("append events: %w", err)
	}
	if s.witness != nil {
		last := out[len(out)-1]
		if err := s.witness.Advance(Head{Seq: last.Seq, MAC: last.MAC}); err != nil {
			return out, &WitnessError{Err: err}
		}
	}
	return out, nil
}

// Events returns the events q selects, oldest first.
func (s *Store) Events(ctx context.Context, q Query) ([]Event, error) {
	var out []Event
	err := s.b.Scan(ctx, q, func(e Event) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// newID returns a random 128-bit revision id. Revisions are few, and
// users name them by a prefix (rollback --to), which must tell them apart.
func newID() string {
	var b [16]byte
	// crypto/rand.Read never fails on supported systems (Go 1.24+).
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newEventID returns a 128-bit event id: the current time in milliseconds
// (48 bits, big-endian) then 80 random bits, the layout of a UUIDv7. Ids
// that grow with time land at the end of the unique index on id, where a
// random id would dirty a random page of it per event: at a few hundred
// thousand events that was most of what a batched append wrote to the
// WAL. The 80 random bits keep ids unguessable and distinct. Events are
// named by sequence number, never by an id prefix.
func newEventID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	// crypto/rand.Read never fails on supported systems (Go 1.24+).
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}

// SchemaNewerError reports a store whose schema a newer dbguard wrote: this
// one would misread it, so it refuses to open it.
type SchemaNewerError struct {
	Store, Binary int64
}

func (e *SchemaNewerError) Error() string {
	return fmt.Sprintf("the store's schema is version %d, newer than this dbguard's %d: upgrade dbguard", e.Store, e.Binary)
}
