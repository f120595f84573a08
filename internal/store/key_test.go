package store_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dbguard/dbguard/internal/store"
)

const keyB64 = "c3RvcmV0ZXN0IHN0b3JldGVzdCBzdG9yZXRlc3QgMzI="

func TestParseKey(t *testing.T) {
	k1, err := store.ParseKey([]byte("  " + keyB64 + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := store.ParseKey([]byte(hex.EncodeToString([]byte("storetest storetest storetest 32"))))
	if err != nil {
		t.Fatal(err)
	}
	if k1.ID() != k2.ID() || len(k1.ID()) != 16 {
		t.Fatalf("the same key in base64 and hex has ids %s and %s", k1.ID(), k2.ID())
	}
	for _, bad := range []string{"", "short", keyB64[:20], strings.Repeat("zz", 32)} {
		if _, err := store.ParseKey([]byte(bad)); !errors.Is(err, store.ErrBadKey) {
			t.Errorf("ParseKey(%q) = %v, want ErrBadKey", bad, err)
		}
	}
}

// TestKeyPrintsMasked: a key printed any way shows its id only.
func TestKeyPrintsMasked(t *testing.T) {
	k, err := store.ParseKey([]byte(keyB64))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(struct{ K *store.Key }{k})
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "key", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %q %x", k, k, k, k, k, k), string(js), logged.String()} {
		if strings.Contains(s, keyB64) || !strings.Contains(s, k.ID()) {
			t.Fatalf("printed key: %s", s)
		}
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dbguard", "store.key")
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := store.CreateKeyFile(path)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = k.ID()
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("racing creators got different keys: %v", ids)
		}
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
		t.Errorf("key folder mode %v, want 0700", dst.Mode().Perm())
	}
	k, err := store.ReadKeyFile(path)
	if err != nil || k.ID() != ids[0] {
		t.Fatalf("ReadKeyFile = %v, %v", k, err)
	}
	os.Chmod(path, 0o640)
	if _, err := store.ReadKeyFile(path); !errors.Is(err, store.ErrKeyFileOpen) {
		t.Fatalf("ReadKeyFile of a group-readable key = %v, want ErrKeyFileOpen", err)
	}
}

func FuzzParseKey(f *testing.F) {
	f.Add([]byte(keyB64))
	f.Add([]byte(hex.EncodeToString(make([]byte, 32))))
	f.Add([]byte("=="))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := store.ParseKey(b)
		if err == nil && len(k.ID()) != 16 {
			t.Fatalf("key id %q", k.ID())
		}
		if err != nil && strings.Contains(err.Error(), string(b)) && len(b) > 4 {
			t.Fatalf("error repeats the key text: %v", err)
		}
	})
}
