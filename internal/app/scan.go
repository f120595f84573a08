package app

import (
	"context"
	"io"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/scan"
)

// ScanRequest says which files to read: paths (files, folders, "-" for
// Stdin), globs to exclude on top of Config's, and dbguard.yaml (nil:
// defaults).
type ScanRequest struct {
	Paths   []string
	Exclude []string
	Config  *config.Config
	Stdin   io.Reader
}

// Scan reads every configuration file under the paths (the current folder
// when there are none) and returns the profiles found, linked across
// files, each file named as every command prints it (displayScan). An
// argument that cannot be used at all is a *scan.UsageError.
func Scan(ctx context.Context, req ScanRequest) (*scan.Result, error) {
	paths := req.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	res, err := scan.Run(ctx, scan.Options{Paths: paths, Exclude: req.Exclude, Config: configOrDefault(req.Config), Stdin: req.Stdin})
	if err != nil {
		return nil, err
	}
	displayScan(res, newPathResolver(paths, nil))
	return res, nil
}
