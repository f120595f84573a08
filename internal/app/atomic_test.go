package app_test

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/app"
)

// envAtomicChild makes the test binary a process that restores a file
// over and over (WriteFileAtomic), for TestWriteFileAtomicSurvivesSIGKILL.
const envAtomicChild = "DBGUARD_ATOMIC_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(envAtomicChild); path != "" {
		a, b := atomicContents()
		os.Stdout.WriteString("ready\n")
		for i := 0; ; i++ {
			data := a
			if i%2 == 1 {
				data = b
			}
			if err := app.WriteFileAtomic(path, data); err != nil {
				os.Stderr.WriteString(err.Error() + "\n")
				os.Exit(1)
			}
		}
	}
	os.Exit(m.Run())
}

// atomicContents are two revisions large enough that a write takes a while.
func atomicContents() ([]byte, []byte) {
	return bytes.Repeat([]byte("password: old-revision\n"), 40000), bytes.Repeat([]byte("password: new\n"), 70000)
}

// TestWriteFileAtomicSurvivesSIGKILL kills a process restoring a file at
// random moments: the file is always one revision or the other, whole,
// with its mode.
func TestWriteFileAtomicSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.yaml")
	a, b := atomicContents()
	if err := os.WriteFile(path, a, 0o640); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 8))
	for round := range 20 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envAtomicChild+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
			t.Fatalf("round %d: the child said %q", round, line)
		}
		time.Sleep(time.Duration(rng.IntN(30_000)) * time.Microsecond)
		cmd.Process.Kill()
		cmd.Wait()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
			t.Fatalf("round %d: the file is neither revision (%d bytes)", round, len(got))
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
			t.Fatalf("round %d: mode %v, want 0640", round, st.Mode().Perm())
		}
	}
	// A kill before the rename leaves the temporary file behind: the next
	// restore removes those older than a minute.
	stale := filepath.Join(dir, ".app.yaml.dbguard-stale")
	if err := os.WriteFile(stale, a[:100], 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Minute)
	left, _ := filepath.Glob(filepath.Join(dir, ".app.yaml.dbguard-*"))
	for _, l := range left {
		os.Chtimes(l, old, old)
	}
	if err := app.WriteFileAtomic(path, a); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".app.yaml.dbguard-*")); len(left) != 0 {
		t.Fatalf("leftover temporary files: %v", left)
	}
}
