package extract_test

import (
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/testenv"
)

// TestFileReuse: File lends itself pooled memory (its context, trees,
// scratch buffers) and fills released profiles (Release). Whatever file
// came before, and whatever was released, a file's result must be the
// same: every test file, and the real-world corpus when ../shared is
// there (TestFileReuseRealWorld), extracted fresh in order, then in a
// shuffled order three times over, the input bytes overwritten afterwards
// and each result released as check releases it, must give equal
// profiles, problems, autoscalers and envFrom references.
func TestFileReuse(t *testing.T) { checkReuse(t, "testdata") }

func TestFileReuseRealWorld(t *testing.T) {
	checkReuse(t, filepath.Join(testenv.SharedDir(t), "corpus", "real-world"))
}

func checkReuse(t *testing.T, roots ...string) {
	type file struct {
		rel  string
		data []byte
	}
	var files []file
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			files = append(files, file{filepath.ToSlash(rel), data})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	encode := func(r extract.Result) string {
		views := make([]any, len(r.Profiles))
		for i, p := range r.Profiles {
			views[i] = p.View()
		}
		b, err := json.Marshal(struct {
			Format   string
			Profiles []any
			Problems []profile.Problem
			Scalers  []extract.Scaler
			EnvFrom  []extract.EnvFrom
		}{r.Format, views, r.Problems, r.Scalers, r.EnvFrom})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := make([]string, len(files))
	for i, f := range files {
		want[i] = encode(extract.File(f.rel, f.data))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 3 {
		for _, i := range rng.Perm(len(files)) {
			// The bytes are scribbled over before the result is read, as
			// scan's reused read buffers are: nothing File returns may
			// point into them.
			data := append([]byte(nil), files[i].data...)
			r := extract.File(files[i].rel, data)
			for k := range data {
				data[k] = 'x'
			}
			if got := encode(r); got != want[i] {
				t.Fatalf("round %d: %s extracted after other files differs from a fresh extraction:\n%s\nwant\n%s", round, files[i].rel, got, want[i])
			}
			extract.Release(r.Profiles)
		}
	}
	t.Logf("%d files, 3 shuffled rounds", len(files))
}
