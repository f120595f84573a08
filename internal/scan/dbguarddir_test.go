package scan_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/scan"
)

// The .dbguard folder holds dbguard's own store; a scan never reads it,
// even where a file in it looks like configuration.
func TestScanSkipsDbguardFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(".env", "DATABASE_URL=postgres://app@db:5432/app\n")
	write(".dbguard/.env", "DATABASE_URL=postgres://app@other:5432/app\n")
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 1 || len(res.Profiles) != 1 {
		t.Fatalf("read %d files, found %d profiles; want .env only", res.Files, len(res.Profiles))
	}
}
