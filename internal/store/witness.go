package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Witness keeps the newest head a process has committed, outside the store
// (beside the key), so that deleting the newest events — which leaves a
// shorter chain that still verifies — is caught. One file per store, named
// after the store's location (Backend.Location, which holds no credential).
type Witness struct {
	path string
}

// NewWitness returns the witness of the store at location, kept in dir.
func NewWitness(dir, location string) *Witness {
	sum := sha256.Sum256([]byte(location))
	return &Witness{path: filepath.Join(dir, hex.EncodeToString(sum[:12])+".head")}
}

// Path is the witness file.
func (w *Witness) Path() string { return w.path }

// Read returns the witnessed head; ok is false when nothing was witnessed.
func (w *Witness) Read() (h Head, ok bool, err error) {
	data, err := os.ReadFile(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Head{}, false, nil
	}
	if err != nil {
		return Head{}, false, fmt.Errorf("read witness: %w", err)
	}
	h, err = parseWitness(data)
	if err != nil {
		return Head{}, false, fmt.Errorf("read witness %s: %w", w.path, err)
	}
	return h, true, nil
}

func parseWitness(data []byte) (Head, error) {
	f := bytes.Fields(data)
	if len(f) != 2 {
		return Head{}, errors.New("want a sequence number and a MAC")
	}
	seq, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || seq < 1 {
		return Head{}, errors.New("bad sequence number")
	}
	mac, err := hex.DecodeString(string(f[1]))
	if err != nil || len(mac) != sha256.Size {
		return Head{}, errors.New("bad MAC")
	}
	return Head{Seq: seq, MAC: mac}, nil
}

// Advance records h unless the witness already holds a newer head. A lock
// file serialises the processes that advance it; the new head is written
// to a temporary file, synced and renamed, so that a crash leaves the old
// head or the new one, whole.
func (w *Witness) Advance(h Head) error {
	dir := filepath.Dir(w.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("advance witness: %w", err)
	}
	lock, err := os.OpenFile(w.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("advance witness: %w", err)
	}
	defer lock.Close()
	if err := LockFile(lock); err != nil {
		return fmt.Errorf("advance witness: lock: %w", err)
	}
	cur, ok, err := w.Read()
	if err != nil {
		return err
	}
	if ok && cur.Seq >= h.Seq {
		return nil
	}
	tmp, err := os.CreateTemp(dir, ".head-*")
	if err != nil {
		return fmt.Errorf("advance witness: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := fmt.Fprintf(tmp, "%d %s\n", h.Seq, hex.EncodeToString(h.MAC))
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("advance witness: %w", err)
	}
	// The folder is not synced after the rename: a power cut may undo
	// the rename and leave the previous head, which Check accepts (the
	// witness is a lower bound); what it must never see is a half-written
	// file, and the synced temporary file rules that out.
	if err := os.Rename(tmp.Name(), w.path); err != nil {
		return fmt.Errorf("advance witness: %w", err)
	}
	return nil
}
