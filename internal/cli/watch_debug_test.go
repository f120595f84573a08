package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// --debug-listen serves Go's profiles and nothing else: a heap profile
// (what bench/README.md's watch memory figures were read from), no
// metrics, health or API route beside it, and not the command line,
// where --webhook may carry a token.
func TestWatchDebugHandler(t *testing.T) {
	srv := httptest.NewServer(debugHandler())
	defer srv.Close()
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	code, body := get("/debug/pprof/heap")
	if code != http.StatusOK || len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		t.Fatalf("heap profile: %d, %d bytes (want a gzipped profile)", code, len(body))
	}
	if code, _ := get("/debug/pprof/goroutine?debug=1"); code != http.StatusOK {
		t.Fatalf("goroutine profile: %d", code)
	}
	for _, path := range []string{"/metrics", "/healthz", "/readyz", "/", "/debug/pprof/cmdline"} {
		if code, _ := get(path); code != http.StatusNotFound {
			t.Errorf("%s on the debug address: %d, want 404", path, code)
		}
	}
}

// Nothing the debug address serves holds a secret that lives in the
// process: with the canary password in a live heap object and as the
// argument of a parked goroutine, no profile, in its text or its gzipped
// form, carries it in any encoding canaryLeaks knows.
func TestCanaryWatchDebugHandler(t *testing.T) {
	held := []byte("password=" + canary) // a live heap object holding the secret
	park := make(chan struct{})
	done := make(chan struct{})
	go func(secret string) { // a goroutine parked with the secret as its argument
		<-park
		_ = len(secret)
		close(done)
	}(strings.Clone(canary))
	defer func() { close(park); <-done }()
	srv := httptest.NewServer(debugHandler())
	defer srv.Close()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/heap?debug=1", "/debug/pprof/allocs?debug=1",
		"/debug/pprof/goroutine?debug=1", "/debug/pprof/goroutine?debug=2", "/debug/pprof/threadcreate?debug=1",
		"/debug/pprof/block?debug=1", "/debug/pprof/mutex?debug=1"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d, %v", path, resp.StatusCode, err)
		}
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: gunzip: %v", path, err)
			}
		}
		if leaks := canaryLeaks(body); len(leaks) > 0 {
			t.Errorf("%s carries the canary: %v", path, leaks)
		}
	}
	runtime.KeepAlive(held)
}
