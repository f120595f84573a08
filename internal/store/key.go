package store

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Key is the store key, kept outside the store: DBGUARD_STORE_KEY or a key
// file. Only keys derived from it are held: one for the MAC chain, one for
// the revisions' encryption, and a public id that names it. It prints as a
// mask.
type Key struct {
	id  string
	mac []byte
	enc []byte
}

// keyBytes is the length of a store key.
const keyBytes = 32

// ErrBadKey is wrapped by errors about the text of a store key.
var ErrBadKey = errors.New("bad store key")

// ParseKey reads a store key: 32 bytes written in standard base64 or hex,
// surrounded by white space or not.
func ParseKey(text []byte) (*Key, error) {
	s := strings.TrimSpace(string(text))
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != keyBytes {
		raw, err = hex.DecodeString(s)
	}
	if err != nil || len(raw) != keyBytes {
		return nil, fmt.Errorf("%w: want %d bytes in base64 or hex", ErrBadKey, keyBytes)
	}
	k := &Key{}
	id, err := hkdf.Key(sha256.New, raw, nil, "dbguard store key id v1", 8)
	if err != nil {
		return nil, fmt.Errorf("derive the key id: %w", err)
	}
	k.id = hex.EncodeToString(id)
	if k.mac, err = hkdf.Key(sha256.New, raw, nil, "dbguard store event mac v1", 32); err != nil {
		return nil, fmt.Errorf("derive the mac key: %w", err)
	}
	if k.enc, err = hkdf.Key(sha256.New, raw, nil, "dbguard store revision aes-256-gcm v1", 32); err != nil {
		return nil, fmt.Errorf("derive the encryption key: %w", err)
	}
	clear(raw)
	return k, nil
}

// NewKeyText returns a new random store key as it is written in a key file.
func NewKeyText() ([]byte, error) {
	raw := make([]byte, keyBytes)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("make a store key: %w", err)
	}
	out := []byte(base64.StdEncoding.EncodeToString(raw) + "\n")
	clear(raw)
	return out, nil
}

// ID names the key without revealing it: stored beside each ciphertext and
// in the store, so that a store refuses a key it was not written with.
func (k *Key) ID() string { return k.id }

func (k *Key) String() string                { return "store key " + k.id }
func (k *Key) GoString() string              { return k.String() }
func (k *Key) LogValue() slog.Value          { return slog.StringValue(k.String()) }
func (k *Key) MarshalJSON() ([]byte, error)  { return []byte(`"` + k.String() + `"`), nil }
func (k *Key) Format(f fmt.State, verb rune) { fmt.Fprint(f, k.String()) }

// KeyFileError reports a key file that cannot be used.
type KeyFileError struct {
	Path string
	Err  error
}

func (e *KeyFileError) Error() string { return "store key file " + e.Path + ": " + e.Err.Error() }
func (e *KeyFileError) Unwrap() error { return e.Err }

// ErrKeyFileOpen is wrapped when a key file can be read by others than its
// owner.
var ErrKeyFileOpen = errors.New("readable by group or others (chmod 600)")

// ReadKeyFile reads a key file. A file readable by group or others is
// refused, as ssh refuses such a private key.
func ReadKeyFile(path string) (*Key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &KeyFileError{Path: path, Err: err}
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, &KeyFileError{Path: path, Err: ErrKeyFileOpen}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, &KeyFileError{Path: path, Err: err}
	}
	defer clear(text)
	k, err := ParseKey(text)
	if err != nil {
		return nil, &KeyFileError{Path: path, Err: err}
	}
	return k, nil
}

// CreateKeyFile writes a new random key to path, which must not exist,
// with mode 0600 in a folder created 0700 where missing. The key is
// written to a temporary file and linked into place, so that a process
// racing to create the same file reads a whole key, whichever wins.
func CreateKeyFile(path string) (*Key, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &KeyFileError{Path: path, Err: err}
	}
	text, err := NewKeyText()
	if err != nil {
		return nil, err
	}
	defer clear(text)
	f, err := os.CreateTemp(dir, ".store.key-*")
	if err != nil {
		return nil, &KeyFileError{Path: path, Err: err}
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, werr := f.Write(text)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return nil, &KeyFileError{Path: path, Err: err}
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ReadKeyFile(path)
		}
		return nil, &KeyFileError{Path: path, Err: err}
	}
	if err := syncDir(dir); err != nil {
		return nil, &KeyFileError{Path: path, Err: err}
	}
	return ParseKey(text)
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	return errors.Join(serr, d.Close())
}
