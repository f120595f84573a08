package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// RevisionInfo is a recorded revision without its content.
type RevisionInfo struct {
	ID       string
	File     string
	Time     time.Time
	KeyID    string
	Profiles json.RawMessage
}

// revisionAAD binds a ciphertext to its row, so that swapping ids, files,
// times or redacted profiles between rows makes decryption fail.
func revisionAAD(r *Revision) []byte {
	var b bytes.Buffer
	var buf [binary.MaxVarintLen64]byte
	str := func(s []byte) { b.Write(buf[:binary.PutUvarint(buf[:], uint64(len(s)))]); b.Write(s) }
	b.WriteString("dbguard/revision/v1\x00")
	str([]byte(r.ID))
	str([]byte(r.File))
	str([]byte(r.KeyID))
	str(r.Profile)
	b.Write(buf[:binary.PutVarint(buf[:], r.TimeNS)])
	return b.Bytes()
}

func (k *Key) aead() (cipher.AEAD, error) {
	blk, err := aes.NewCipher(k.enc)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(blk)
}

// PutRevision encrypts content and stores it as a new revision of file,
// with the redacted profiles extracted from it (a JSON array, stored in
// clear). It returns the revision's id, which a change event then names.
func (s *Store) PutRevision(ctx context.Context, file string, content []byte, profiles json.RawMessage) (RevisionInfo, error) {
	if err := s.bindKey(ctx); err != nil {
		return RevisionInfo{}, err
	}
	if len(profiles) == 0 {
		profiles = json.RawMessage("[]")
	}
	if !json.Valid(profiles) {
		return RevisionInfo{}, errors.New("put revision: profiles are not JSON")
	}
	r := Revision{ID: newID(), File: file, TimeNS: s.now().UTC().UnixNano(), KeyID: s.key.ID(), Profile: profiles}
	aead, err := s.key.aead()
	if err != nil {
		return RevisionInfo{}, fmt.Errorf("put revision: %w", err)
	}
	r.Nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(r.Nonce); err != nil {
		return RevisionInfo{}, fmt.Errorf("put revision: %w", err)
	}
	r.Sealed = aead.Seal(nil, r.Nonce, content, revisionAAD(&r))
	if err := s.b.PutRevision(ctx, r); err != nil {
		return RevisionInfo{}, fmt.Errorf("put revision: %w", err)
	}
	return r.info(), nil
}

func (r *Revision) info() RevisionInfo {
	return RevisionInfo{ID: r.ID, File: r.File, Time: time.Unix(0, r.TimeNS).UTC(), KeyID: r.KeyID, Profiles: r.Profile}
}

// Revisions lists the revisions of file, oldest first; of every file when
// file is empty (history --profile NAME looks names up in all of them).
func (s *Store) Revisions(ctx context.Context, file string) ([]RevisionInfo, error) {
	rs, err := s.b.Revisions(ctx, file, "")
	if err != nil {
		return nil, fmt.Errorf("list revisions: %w", err)
	}
	out := make([]RevisionInfo, len(rs))
	for i := range rs {
		out[i] = rs[i].info()
	}
	return out, nil
}

// RevisionKeyError reports a revision encrypted under another key.
type RevisionKeyError struct {
	ID, KeyID string
}

func (e *RevisionKeyError) Error() string {
	return fmt.Sprintf("revision %s is encrypted under key %s, not this one", e.ID, e.KeyID)
}

// ErrTampered is wrapped when a ciphertext fails authentication.
var ErrTampered = errors.New("ciphertext fails authentication")

// Content decrypts revision id. It needs the key.
func (s *Store) Content(ctx context.Context, id string) ([]byte, RevisionInfo, error) {
	if s.key == nil {
		return nil, RevisionInfo{}, ErrNoKey
	}
	rs, err := s.b.Revisions(ctx, "", id)
	if err != nil {
		return nil, RevisionInfo{}, fmt.Errorf("read revision %s: %w", id, err)
	}
	if len(rs) == 0 {
		return nil, RevisionInfo{}, fmt.Errorf("read revision %s: %w", id, ErrNotFound)
	}
	plain, err := s.open(&rs[0])
	if err != nil {
		return nil, RevisionInfo{}, err
	}
	return plain, rs[0].info(), nil
}

func (s *Store) open(r *Revision) ([]byte, error) {
	if r.KeyID != s.key.ID() {
		return nil, &RevisionKeyError{ID: r.ID, KeyID: r.KeyID}
	}
	aead, err := s.key.aead()
	if err != nil {
		return nil, fmt.Errorf("decrypt revision %s: %w", r.ID, err)
	}
	if len(r.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("decrypt revision %s: %w", r.ID, ErrTampered)
	}
	plain, err := aead.Open(nil, r.Nonce, r.Sealed, revisionAAD(r))
	if err != nil {
		return nil, fmt.Errorf("decrypt revision %s: %w", r.ID, ErrTampered)
	}
	return plain, nil
}

// checkRevisions authenticates every revision's ciphertext and finds the
// revisions that events name (named: id → the first event naming it) and
// the store lacks.
func (s *Store) checkRevisions(ctx context.Context, rep *CheckReport, named map[string]int64) error {
	rs, err := s.b.Revisions(ctx, "", "")
	if err != nil {
		return fmt.Errorf("check revisions: %w", err)
	}
	rep.Revisions = len(rs)
	present := make(map[string]bool, len(rs))
	for _, r := range rs {
		present[r.ID] = true
	}
	ids := make([]string, 0, len(named))
	for id := range named {
		if !present[id] {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return named[ids[i]] < named[ids[j]] })
	for _, id := range ids {
		rep.add(Finding{Problem: Removed, Revision: id, Detail: fmt.Sprintf("named by event %d, not in the store", named[id])})
	}
	for i := range rs {
		plain, err := s.open(&rs[i])
		clear(plain)
		if err == nil {
			continue
		}
		var ke *RevisionKeyError
		detail := "its ciphertext, file or profiles were altered"
		if errors.As(err, &ke) {
			detail = "encrypted under key " + ke.KeyID + ", not the store's"
		}
		rep.add(Finding{Problem: Undecryptable, Revision: rs[i].ID, Detail: detail + " (file " + rs[i].File + ")"})
	}
	return nil
}
