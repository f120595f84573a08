package incidenttest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/sqlite"
)

// Store appends evs, in batches of 1,000, to a new SQLite store under a
// new key in a temporary folder, through the store's own API, and returns
// the request that opens it with that key (given as the environment
// gives it: DBGUARD_STORE_KEY).
func Store(tb testing.TB, evs []store.Event) app.StoreRequest {
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
	for i := 0; i < len(evs); i += 1000 {
		if _, err := st.Append(ctx, evs[i:min(i+1000, len(evs))]...); err != nil {
			tb.Fatal(err)
		}
	}
	env := map[string]string{app.EnvStoreKey: string(keyText), "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "HOME": dir}
	return app.StoreRequest{Location: path, Dir: dir, Config: config.Default(), Getenv: func(k string) string { return env[k] }}
}
