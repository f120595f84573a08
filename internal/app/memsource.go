package app

import (
	"context"
	"strconv"

	"github.com/dbguard/dbguard/internal/scan"
)

// memFile is a scan.Source of one file's content held in memory: a
// recorded revision, or a file read once from disk, under its stable name
// (the path relative to the repository root), so that dbguard.yaml's
// path rules classify it as they would in the repository.
type memFile struct {
	name string
	data []byte
}

var (
	_ scan.Source = memFile{}
	_ scan.Single = memFile{}
)

func (m memFile) Entries(context.Context) ([]scan.Entry, error) {
	// The size only makes equality possible; the diff compares bytes.
	return []scan.Entry{{Path: m.name, ID: "size:" + strconv.Itoa(len(m.data))}}, nil
}

func (m memFile) Read(_ context.Context, paths []string) (map[string]scan.Content, error) {
	out := make(map[string]scan.Content, 1)
	for _, p := range paths {
		if p == m.name {
			out[p] = scan.Content{Data: m.data}
		}
	}
	return out, nil
}

func (m memFile) SingleFile() bool { return true }
