package cli

import (
	"regexp"
	"slices"
	"testing"
)

// TestFileArgNamesDistinct: two files of one name in different folders,
// both named on the command line, are told apart by scan (each profile's
// id and file) and by check (each finding at its own file). scan used to
// call both x.yaml, and check then put b/x.yaml's finding in a/x.yaml.
func TestFileArgNamesDistinct(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"a/x.yaml": []byte("database:\n  host: h\n  sslmode: disable\n  password: s\n"),
		"b/x.yaml": []byte("x: 1\ndatabase:\n  host: h\n  sslmode: disable\n  password: s\n"),
	})
	t.Chdir(dir)

	code, stdout, stderr := runCLI(t, "", "scan", "--no-config", "--format", "json", "a/x.yaml", "./b//x.yaml")
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	if got, want := profileIDs(decodeScan(t, stdout)), []string{"a/x.yaml#database", "b/x.yaml#database"}; !slices.Equal(got, want) {
		t.Errorf("scan ids = %q, want %q", got, want)
	}

	_, stdout, stderr = runCLI(t, "", "check", "--no-config", "--format", "github", "a/x.yaml", "b/x.yaml")
	got := regexp.MustCompile(`file=([^,]+),line=(\d+),col=\d+,title=dbguard password-literal`).FindAllStringSubmatch(stdout, -1)
	var locs []string
	for _, m := range got {
		locs = append(locs, m[1]+":"+m[2])
	}
	if want := []string{"a/x.yaml:4", "b/x.yaml:5"}; !slices.Equal(locs, want) {
		t.Errorf("check password-literal findings at %q, want %q\n%s%s", locs, want, stdout, stderr)
	}
}
