package tree_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

// parseFunc parses one format, either afresh or in a Reader.
type parseFunc func(r *tree.Reader, data []byte) ([]tree.Document, error)

func byFormat(name string) parseFunc {
	one := func(d tree.Document, err error) ([]tree.Document, error) { return []tree.Document{d}, err }
	switch strings.TrimPrefix(filepath.Ext(name), ".") {
	case "yaml", "yml":
		return func(r *tree.Reader, d []byte) ([]tree.Document, error) {
			if r == nil {
				return tree.ParseYAML(d)
			}
			return r.ParseYAML(d)
		}
	case "json":
		return func(r *tree.Reader, d []byte) ([]tree.Document, error) {
			if r == nil {
				return one(tree.ParseJSON(d))
			}
			return one(r.ParseJSON(d))
		}
	case "toml":
		return func(r *tree.Reader, d []byte) ([]tree.Document, error) {
			if r == nil {
				return one(tree.ParseTOML(d))
			}
			return one(r.ParseTOML(d))
		}
	case "env":
		return func(r *tree.Reader, d []byte) ([]tree.Document, error) {
			if r == nil {
				return one(tree.ParseEnv(d))
			}
			return one(r.ParseEnv(d))
		}
	case "properties":
		return func(r *tree.Reader, d []byte) ([]tree.Document, error) {
			if r == nil {
				return one(tree.ParseProperties(d))
			}
			return one(r.ParseProperties(d))
		}
	case "ini", "cnf":
		return func(r *tree.Reader, d []byte) ([]tree.Document, error) {
			if r == nil {
				return one(tree.ParseINI(d))
			}
			return one(r.ParseINI(d))
		}
	}
	return nil
}

// TestReaderReuse parses many files one after another in one Reader, in
// both orders so that small files follow large ones and the reverse, and
// wants exactly the trees (and errors) that parsing each afresh gives: the
// memory a Reader reuses must come back zero.
func TestReaderReuse(t *testing.T) {
	type file struct {
		name string
		data []byte
		fn   parseFunc
	}
	var files []file
	for _, root := range []string{"testdata", "../testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			fn := byFormat(p)
			if fn == nil {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files = append(files, file{p, data, fn})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Files past the blocks a Reader keeps, and one whose estimate is
	// short of its nodes (a sequence item is two nodes on one line).
	var big, items strings.Builder
	for i := range 6000 {
		fmt.Fprintf(&big, "key%d: value%d\n", i, i)
	}
	items.WriteString("list:\n")
	for i := range 3000 {
		fmt.Fprintf(&items, "  - name: n%d\n    port: %d\n", i, i)
	}
	files = append(files,
		file{"big.yaml", []byte(big.String()), byFormat("big.yaml")},
		file{"items.yaml", []byte(items.String()), byFormat("items.yaml")})

	order := make([]file, 0, 2*len(files))
	order = append(order, files...)
	for i := len(files) - 1; i >= 0; i-- {
		order = append(order, files[i])
	}
	var r tree.Reader
	for _, f := range order {
		want, wantErr := f.fn(nil, f.data)
		got, gotErr := f.fn(&r, f.data)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("%s: error %v, want %v", f.name, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the Reader's tree differs from a fresh parse", f.name)
		}
		r.Reset()
	}
}
