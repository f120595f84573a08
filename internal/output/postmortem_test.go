package output_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/store/sqlite"
)

// outageStore appends the fixed outage history to a new SQLite store in a
// temporary folder, through the store's own API, and returns the request
// that opens it.
func outageStore(t *testing.T) app.StoreRequest {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	keyText, err := store.NewKeyText()
	if err != nil {
		t.Fatal(err)
	}
	key, err := store.ParseKey(keyText)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(ctx, b, store.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, incidenttest.Events()...); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{app.EnvStoreKey: string(keyText), "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "HOME": dir}
	return app.StoreRequest{Location: path, Dir: dir, Config: config.Default(), Getenv: func(k string) string { return env[k] }}
}

// TestPostmortemGolden drafts the outage's postmortem at a fixed clock in
// UTC and in Africa/Lagos, in Markdown, JSON and HTML.
func TestPostmortemGolden(t *testing.T) {
	req := outageStore(t)
	for _, zone := range []string{"UTC", "Africa/Lagos"} {
		d, err := app.DraftPostmortem(context.Background(), app.IncidentRequest{Store: req, ID: incidenttest.IncidentID, Zone: zone, Now: incidenttest.Now})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range output.PostmortemFormats() {
			t.Run(zone+"/"+f.Name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := f.Render(&buf, d, output.Options{}); err != nil {
					t.Fatal(err)
				}
				got := strings.ReplaceAll(buf.String(), req.Location, "STORE")
				ext := map[string]string{"markdown": "md", "json": "json", "html": "html"}[f.Name]
				golden(t, filepath.Join("testdata", "golden", "postmortem-"+strings.ReplaceAll(strings.ToLower(zone), "/", "-")+"."+ext), []byte(got))
			})
		}
	}
}
