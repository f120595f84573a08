package incidenttest

import (
	"bytes"
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/sqlite"
)

// Store puts the revisions (content by placeholder id) and appends evs,
// in batches of 1,000, to a new SQLite store under a new key in a
// temporary folder, through the store's own API. Revision ids are random,
// so every placeholder in the events' bodies is replaced by the id the
// store gave; Placeholders turns them back in an output, for golden
// files. It returns the request that opens the store with that key (given
// as the environment gives it: DBGUARD_STORE_KEY).
func Store(tb testing.TB, evs []store.Event, revisions map[string]string) (app.StoreRequest, Placeholders) {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	path := filepath.Join(dir, "state.db")
	keyText, err := store.NewKeyText()
	if err != nil {
		tb.Fatal(err)
	}
	key, err := store.ParseKey(keyText)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.New(ctx, b, store.Options{Key: key})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	ph := Placeholders{}
	for _, id := range slices.Sorted(maps.Keys(revisions)) {
		rev, err := st.PutRevision(ctx, FileEU, []byte(revisions[id]), nil)
		if err != nil {
			tb.Fatal(err)
		}
		ph[rev.ID] = id
	}
	evs = slices.Clone(evs)
	for i := range evs {
		for real, id := range ph {
			evs[i].Body = bytes.ReplaceAll(evs[i].Body, []byte(id), []byte(real))
		}
	}
	for i := 0; i < len(evs); i += 1000 {
		if _, err := st.Append(ctx, evs[i:min(i+1000, len(evs))]...); err != nil {
			tb.Fatal(err)
		}
	}
	env := map[string]string{app.EnvStoreKey: string(keyText), "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "HOME": dir}
	return app.StoreRequest{Location: path, Dir: dir, Config: config.Default(), Getenv: func(k string) string { return env[k] }}, ph
}

// Placeholders maps the revision ids a store gave to the placeholders
// the history was written with.
type Placeholders map[string]string

// Restore writes the placeholders back into text, the ids in full and
// shortened to 12 characters as outputs print them.
func (ph Placeholders) Restore(text string) string {
	for real, id := range ph {
		text = strings.ReplaceAll(text, real, id)
		text = strings.ReplaceAll(text, real[:12], id[:12])
	}
	return text
}
