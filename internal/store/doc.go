// Package store is dbguard's event store: an append-only, MAC-chained log of
// what happened to the connection settings (changes, reviews, approvals,
// verifications, rollbacks) and the encrypted revisions of the files that
// hold them. Everything that reads history — history, rollback, and later
// watch, incidents and audits — reads this one log.
//
// # Drivers are dumb, the core decides
//
// A Backend (internal/store/sqlite, internal/store/postgres) stores rows and
// serialises appenders; it never computes a MAC, never sees a key and never
// decrypts. The core, Store, decides everything else: event ids and times,
// the MAC chain, encryption of revisions, the check. Every backend passes the
// conformance suite in internal/store/storetest.
//
// # The chain and its order
//
// Events are ordered by their sequence number, which the backend assigns
// under an exclusive lock held from reading the head to committing the
// batch (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE on the
// one head row). The chain order is therefore the commit order: gap-free,
// one writer at a time, whichever process it is. Event times are the times
// the callers give and are not required to grow with the sequence (two
// processes' clocks, or an event recorded late); history sorts by sequence.
//
// Each event carries HMAC-SHA-256 over its canonical encoding (sequence,
// id, time, kind, actor, profiles, body) and the previous event's MAC, keyed
// with a key derived from the store key. The store key is never in the
// store, so someone with only SQL access cannot rewrite the chain
// consistently. After each append the core also writes the head's sequence
// and MAC to a witness file kept beside the key (Witness), so that
// deleting the newest events — which leaves a consistent shorter chain —
// is caught too. The witness only ever moves forward; it may lag the store
// by the appends of a process killed between commit and witness write,
// which Check accepts (the events beyond it still chain).
//
// # Secrets
//
// A file's content is stored only encrypted (AES-256-GCM under a key derived
// from the store key, with the key id beside each ciphertext); only redacted
// profiles are in clear. Revision ids are random, never derived from the
// content, so that nothing in the store is a function of a password that
// could be tested against guesses.
package store
