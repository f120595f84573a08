package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
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
