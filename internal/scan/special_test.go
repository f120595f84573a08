//go:build unix

package scan_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/scan"
)

// within runs f and fails the test if it has not returned within a second:
// the bug these tests guard against is a read that never returns.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatalf("%s: still blocked after 1s", what)
	}
}

// specialFiles makes a FIFO, a socket and symbolic links to them in dir,
// and returns them by name with the mode bit each must be refused for,
// /dev/null (a character device) included.
func specialFiles(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	fifo := filepath.Join(dir, "f.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s.yaml")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	return map[string]fs.FileMode{
		fifo:        fs.ModeNamedPipe,
		sock:        fs.ModeSocket,
		link:        fs.ModeNamedPipe,
		"/dev/null": fs.ModeCharDevice,
		"/dev/zero": fs.ModeCharDevice,
		dir:         fs.ModeDir,
	}
}

// TestReadFileRefusesSpecialFiles: ReadFile, which every command reads
// input files through, refuses what is not a regular file at once, with
// the path as given and the kind of file, and still reads a regular file
// and a link to one.
func TestReadFileRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	for name, bit := range specialFiles(t, dir) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			var err error
			within(t, "ReadFile "+name, func() { _, err = scan.ReadFile(name) })
			var sf *scan.SpecialFileError
			if !errors.As(err, &sf) {
				t.Fatalf("ReadFile(%s) = %v, want a *SpecialFileError", name, err)
			}
			if sf.Path != name || sf.Mode&bit == 0 {
				t.Errorf("error = %+v, want path %s and mode %v", sf, name, bit)
			}
			if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("message %q does not name the file and say why", err)
			}
		})
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	goodLink := filepath.Join(dir, "good-link.yaml")
	if err := os.Symlink(good, goodLink); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{good, goodLink} {
		if data, err := scan.ReadFile(name); err != nil || string(data) != "a: 1\n" {
			t.Errorf("ReadFile(%s) = %q, %v", name, data, err)
		}
	}
}

// TestRunRefusesSpecialFileArgs: a special file named on the command line
// is an unreadable input, reported under its name as given, while the
// other arguments are read (`scan FIFO` used to hang forever).
func TestRunRefusesSpecialFileArgs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("database:\n  host: db\n  user: app\n  password: ${P}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, bit := range specialFiles(t, dir) {
		if bit == fs.ModeDir {
			continue // a folder is walked, not refused
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			var res *scan.Result
			var err error
			within(t, "scan "+name, func() {
				res, err = scan.Run(context.Background(), scan.Options{Paths: []string{name, good}})
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Files != 2 || res.Readable != 1 || len(res.Profiles) != 1 {
				t.Errorf("files %d, readable %d, profiles %d: want 2, 1, 1", res.Files, res.Readable, len(res.Profiles))
			}
			if len(res.Problems) != 1 {
				t.Fatalf("problems = %v, want one", res.Problems)
			}
			p := res.Problems[0]
			if p.Loc.File != name || !strings.Contains(p.Msg, "not a regular file") {
				t.Errorf("problem = %v, want one at %s saying it is not a regular file", p, name)
			}
		})
	}
}

// TestReadStdinHonoursContext: scan - over a pipe nobody writes to or
// closes returns when the context ends.
func TestReadStdinHonoursContext(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var err error
	within(t, "scan -", func() {
		_, err = scan.Run(ctx, scan.Options{Paths: []string{"-"}, Stdin: r})
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's", err)
	}
	// Without a deadline it still reads to the end.
	data, err := scan.ReadStdin(context.Background(), strings.NewReader("a: 1\n"))
	if err != nil || string(data) != "a: 1\n" {
		t.Errorf("ReadStdin = %q, %v", data, err)
	}
	if data, err := scan.ReadStdin(context.Background(), nil); err != nil || data == nil || len(data) != 0 {
		t.Errorf("ReadStdin(nil) = %#v, %v; want an empty document", data, err)
	}
}
