package store

import (
	"bytes"
	"os"
	"sync"
	"testing"
)

func TestWitnessMovesForwardOnly(t *testing.T) {
	w := NewWitness(t.TempDir(), "/some/state.db")
	if _, ok, err := w.Read(); ok || err != nil {
		t.Fatalf("Read of no witness = %v, %v", ok, err)
	}
	mac := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
	var wg sync.WaitGroup
	for i := 1; i <= 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Advance(Head{Seq: int64(i), MAC: mac(byte(i))}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	h, ok, err := w.Read()
	if err != nil || !ok || h.Seq != 20 || !bytes.Equal(h.MAC, mac(20)) {
		t.Fatalf("witness = %+v, %v, %v; want the newest head", h, ok, err)
	}
	if NewWitness(t.TempDir(), "/other/state.db").Path() == w.Path() {
		t.Fatal("two stores share a witness file")
	}
}

func FuzzParseWitness(f *testing.F) {
	f.Add([]byte("12 " + string(bytes.Repeat([]byte("ab"), 32)) + "\n"))
	f.Add([]byte("-1 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseWitness(b)
		if err == nil && (h.Seq < 1 || len(h.MAC) != 32) {
			t.Fatalf("accepted %q as %+v", b, h)
		}
	})
}

func TestWitnessUnreadable(t *testing.T) {
	w := NewWitness(t.TempDir(), "x")
	if err := os.WriteFile(w.Path(), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Read(); err == nil {
		t.Fatal("a garbage witness was read")
	}
}
