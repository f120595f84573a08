package app

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDiskOfPrintedNames: diskOf finds a verified profile's file from the
// name every command prints (pathResolver.place), whichever argument
// found it, so that verify --record records the file scan printed.
func TestDiskOfPrintedNames(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "conf", "prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "conf", "prod", "app.yaml")
	if err := os.WriteFile(file, []byte("x: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	tests := []struct {
		args  []string
		shown string
		ok    bool
	}{
		{[]string{"."}, "conf/prod/app.yaml", true},
		{[]string{"conf"}, "conf/prod/app.yaml", true},
		{[]string{"./conf/"}, "conf/prod/app.yaml", true},
		{[]string{"conf/prod/app.yaml"}, "conf/prod/app.yaml", true},
		{[]string{filepath.Join(dir, "conf")}, "prod/app.yaml", true},
		// The name below the folder is not what a relative folder prints.
		{[]string{"conf"}, "prod/app.yaml", false},
		{[]string{"-", "conf"}, "<stdin>", false},
	}
	for _, tt := range tests {
		got, ok := diskOf(tt.args, tt.shown)
		if ok != tt.ok || ok && got != file {
			t.Errorf("diskOf(%q, %q) = %q, %v; want %q, %v", tt.args, tt.shown, got, ok, file, tt.ok)
		}
	}
}
