// Package storetest is the conformance suite every store.Backend must pass,
// run by each backend's own tests against a real database (the way
// golang-migrate tests its drivers): appends single and batched, reads by
// profile, service, environment, kind and time, the MAC chain and its
// tamper cases, revisions, concurrent writers in several processes and the
// schema migrations.
//
// A backend's test package wires it with a Harness and calls Run, and
// calls Child from its TestMain so that the suite can start appender
// processes from the test binary.
package storetest

import (
	"context"
	"database/sql"
	"encoding/base64"
	"strconv"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/store"
)

// Harness is how the suite reaches one backend.
type Harness struct {
	// Name names the backend in messages ("sqlite").
	Name string
	// Fresh makes a new, empty store for one test and returns its address
	// (a file path, a URL), removed when the test ends.
	Fresh func(t testing.TB) string
	// Open opens the store at addr, migrated to schema version v (0: the
	// newest).
	Open func(ctx context.Context, addr string, v int64) (store.Backend, error)
	// Raw opens the store's database for the tamper tests; Dollar says
	// that its placeholders are $1, $2 rather than ?.
	Raw    func(t testing.TB, addr string) *sql.DB
	Dollar bool
	// Latest is the newest schema version of the backend.
	Latest int64
}

// testKey is a fixed store key for the suite (never a real one).
var testKeyText = base64.StdEncoding.EncodeToString([]byte("storetest storetest storetest 32"))

// Key returns the suite's store key.
func Key(t testing.TB) *store.Key {
	t.Helper()
	k, err := store.ParseKey([]byte(testKeyText))
	if err != nil {
		t.Fatalf("parse the test key: %v", err)
	}
	return k
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// open opens addr as a Store with the suite key and a witness in witness.
func (h *Harness) open(t testing.TB, addr, witness string) *store.Store {
	t.Helper()
	ctx := ctxFor(t, 30*time.Second)
	b, err := h.Open(ctx, addr, 0)
	if err != nil {
		t.Fatalf("open %s store: %v", h.Name, err)
	}
	s, err := store.New(ctx, b, store.Options{Key: Key(t), WitnessDir: witness})
	if err != nil {
		b.Close()
		t.Fatalf("new store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// exec runs a tamper statement written with ? placeholders.
func (h *Harness) exec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	q = rebind(h, q)
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("exec %s: %v", q, err)
	}
}

// Event makes an event of kind about profile file#key for service in env.
func Event(kind store.Kind, file, key, service, env, body string) store.Event {
	return store.Event{
		Kind:     kind,
		Actor:    store.Actor{Name: "storetest", Origin: "flag"},
		Profiles: []store.EventProfile{{ProfileKey: store.ProfileKey{File: file, KeyPath: key}, Service: service, Env: env}},
		Body:     []byte(`{"schema_version":1,"note":` + strconv.Quote(body) + `}`),
	}
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Run("append single and read back", func(t *testing.T) { t.Parallel(); testAppendSingle(t, &h) })
	t.Run("append batched", func(t *testing.T) { t.Parallel(); testAppendBatch(t, &h) })
	t.Run("invalid events are refused whole", func(t *testing.T) { t.Parallel(); testInvalid(t, &h) })
	t.Run("queries", func(t *testing.T) { t.Parallel(); testQueries(t, &h) })
	t.Run("read without the key", func(t *testing.T) { t.Parallel(); testNoKey(t, &h) })
	t.Run("another key is refused", func(t *testing.T) { t.Parallel(); testOtherKey(t, &h) })
	t.Run("revisions", func(t *testing.T) { t.Parallel(); testRevisions(t, &h) })
	t.Run("verified-good", func(t *testing.T) { t.Parallel(); testVerifiedGood(t, &h) })
	t.Run("retention with checkpoint", func(t *testing.T) { t.Parallel(); testCompaction(t, &h) })
	t.Run("tamper", func(t *testing.T) { testTamper(t, &h) })
	t.Run("schema newer than the binary", func(t *testing.T) { t.Parallel(); testSchemaNewer(t, &h) })
	t.Run("upgrade from every earlier schema", func(t *testing.T) { t.Parallel(); testUpgrade(t, &h) })
	t.Run("concurrent writers in several processes", func(t *testing.T) { testConcurrent(t, &h) })
}
