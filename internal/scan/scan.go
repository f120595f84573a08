// Package scan walks files and directories, reads each configuration file
// once and collects the connection profiles found in it. It is the input
// stage that check, review and verify share.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// MaxFileSize is the largest file scan reads; a larger one is reported as
// unreadable rather than read into memory.
const MaxFileSize = 10 << 20

// StdinName is the file name given to what scan - reads.
const StdinName = "<stdin>"

// skipDirs are never descended into.
var skipDirs = map[string]bool{".git": true, "vendor": true, "node_modules": true, ".hg": true, ".svn": true}

// Options says what to scan.
type Options struct {
	// Paths are files, directories, or "-" for standard input.
	Paths []string
	// Exclude are globs of paths (relative to each argument) to skip, on
	// top of dbguard.yaml's exclude.
	Exclude []string
	// Config is dbguard.yaml; nil means defaults.
	Config *config.Config
	// Stdin is read for "-".
	Stdin io.Reader
	// Workers bounds parallel reading; 0 means GOMAXPROCS.
	Workers int
}

// Problem is an input that could not be read (the CLI's input-unreadable
// finding).
type Problem struct {
	Loc profile.Location
	Msg string
}

func (p Problem) String() string { return p.Loc.String() + ": " + p.Msg }

// Result is everything a scan found.
type Result struct {
	Profiles []*profile.Profile
	Problems []Problem
	// Files is how many files were read; Readable how many of them
	// could be parsed.
	Files    int
	Readable int
	Bytes    int64
}

// UsageError is an argument that names nothing readable: a missing path.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// job is one file to read: its path on disk and its name in reports.
type job struct {
	abs, rel string
	explicit bool // named on the command line: read even without a known format
	data     []byte
}

// Run scans the paths.
func Run(ctx context.Context, opts Options) (*Result, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	var jobs []job
	for _, arg := range opts.Paths {
		if arg == "-" {
			in := opts.Stdin
			if in == nil {
				in = strings.NewReader("")
			}
			data, err := io.ReadAll(io.LimitReader(in, MaxFileSize+1))
			if err != nil {
				return nil, fmt.Errorf("read standard input: %w", err)
			}
			jobs = append(jobs, job{rel: StdinName, explicit: true, data: data})
			continue
		}
		js, err := collect(arg, cfg, opts.Exclude)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, js...)
	}
	res := &Result{}
	results := make([]fileResult, len(jobs))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = readOne(jobs[i])
			}
		}()
	}
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var scalers []extract.Scaler
	var envFrom []extract.EnvFrom
	for i, r := range results {
		if r.skipped {
			continue
		}
		scalers = append(scalers, r.scalers...)
		envFrom = append(envFrom, r.envFrom...)
		res.Files++
		res.Bytes += r.size
		if r.readable {
			res.Readable++
		}
		res.Problems = append(res.Problems, r.problems...)
		for _, p := range r.profiles {
			applyConfig(cfg, jobs[i].rel, p)
			res.Profiles = append(res.Profiles, p)
		}
	}
	extract.Link(res.Profiles, scalers, envFrom)
	return res, nil
}

// collect lists the files of one argument.
func collect(arg string, cfg *config.Config, exclude []string) ([]job, error) {
	st, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &UsageError{Err: fmt.Errorf("%s: no such file or directory", arg)}
		}
		return nil, &UsageError{Err: fmt.Errorf("stat %s: %w", arg, err)}
	}
	if !st.IsDir() {
		return []job{{abs: arg, rel: filepath.ToSlash(filepath.Base(arg)), explicit: true}}, nil
	}
	var jobs []job
	err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(arg, p)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(p, rel) {
			// The same text as part of the path: one string a file, not
			// two.
			rel = p[len(p)-len(rel):]
		}
		if err != nil {
			// An unreadable directory or file: report it, go on.
			jobs = append(jobs, job{abs: p, rel: rel, explicit: true})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != arg && (skipDirs[d.Name()] || excluded(cfg, exclude, rel)) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || excluded(cfg, exclude, rel) || isOwnConfig(d.Name()) {
			return nil
		}
		jobs = append(jobs, job{abs: p, rel: rel})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", arg, err)
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].rel < jobs[j].rel })
	return jobs, nil
}

func excluded(cfg *config.Config, extra []string, rel string) bool {
	if cfg.Excluded(rel) {
		return true
	}
	for _, g := range extra {
		if ok, _ := path.Match(g, rel); ok {
			return true
		}
		if ok, _ := path.Match(g, path.Base(rel)); ok {
			return true
		}
		if strings.HasSuffix(g, "/**") && strings.HasPrefix(rel, strings.TrimSuffix(g, "**")) {
			return true
		}
	}
	return false
}

type fileResult struct {
	skipped  bool
	readable bool
	size     int64
	profiles []*profile.Profile
	problems []Problem
	scalers  []extract.Scaler
	envFrom  []extract.EnvFrom
}

// readOne reads and extracts one file. A file found by walking a directory
// whose name says no configuration format is skipped without a word; one
// named on the command line is always read.
func readOne(j job) fileResult {
	if !j.explicit && extract.NameFormat(path.Base(j.rel)) == "" {
		return fileResult{skipped: true}
	}
	data := j.data
	if data == nil {
		var err error
		if data, err = ReadFile(j.abs); err != nil {
			r := fileResult{problems: []Problem{ReadProblem(j.rel, err)}}
			var tl *TooLargeError
			if errors.As(err, &tl) {
				r.size = tl.Size
			}
			return r
		}
	}
	r := fileResult{size: int64(len(data))}
	if p, bad := Unreadable(j.rel, data); bad {
		r.problems = append(r.problems, p)
		return r
	}
	res := extract.File(j.rel, data)
	if res.Format == "" {
		if j.explicit {
			// A whole-file problem is reported at the file's start.
			loc := profile.Location{File: j.rel, Line: 1, Column: 1}
			r.problems = append(r.problems, Problem{loc, "unrecognised format: not YAML, JSON, TOML, INI, .env or .properties"})
		} else {
			r.skipped = true
		}
		return r
	}
	r.profiles = res.Profiles
	r.scalers = res.Scalers
	r.envFrom = res.EnvFrom
	for _, p := range res.Problems {
		r.problems = append(r.problems, Problem{p.Loc, p.Msg})
	}
	r.readable = len(res.Problems) == 0 || len(res.Profiles) > 0
	return r
}

// latin1Text accepts ISO-8859-1 text (old .properties files) as readable.
func latin1Text(data []byte) bool {
	for _, c := range data {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			return false
		}
	}
	return true
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// applyConfig applies dbguard.yaml: an environment override by path wins
// over whatever the file says; replicas fill in where no manifest says.
func applyConfig(cfg *config.Config, rel string, p *profile.Profile) {
	if env, ok := cfg.EnvironmentFor(rel); ok {
		p.Environment = profile.CanonicalEnvironment(env)
		if p.EnvironmentRaw == "" {
			p.EnvironmentRaw = env
		}
		p.EnvironmentFrom = "dbguard.yaml"
	}
	if !p.Replicas.Count.Set {
		if n, ok := cfg.ReplicasFor(p.ID, p.Name); ok {
			p.Replicas = profile.Replicas{Count: profile.Value{Text: fmt.Sprint(n), Set: true}, Source: "dbguard.yaml"}
		}
	}
}

// isOwnConfig reports dbguard's own configuration file, which is not an
// application's configuration.
func isOwnConfig(name string) bool {
	for _, n := range config.FileNames() {
		if name == n {
			return true
		}
	}
	return false
}

// binaryAt locates the first byte that makes a file binary.
func binaryAt(rel string, data []byte) profile.Location {
	line, col := 1, 1
	for _, c := range data {
		if c == 0 || c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			break
		}
		if c == '\n' {
			line, col = line+1, 1
		} else if c < 0x80 || c >= 0xC0 {
			col++
		}
	}
	return profile.Location{File: rel, Line: line, Column: col}
}

// readSized reads a file whose size is known in one allocation of that
// size (io.ReadAll grows its buffer by doubling), still bounded by
// MaxFileSize should the file grow while it is read.
func readSized(f *os.File, st os.FileInfo) ([]byte, error) {
	if st == nil || st.Size() <= 0 {
		return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	}
	buf := make([]byte, st.Size()+1)
	n, err := io.ReadFull(f, buf)
	switch err {
	case io.ErrUnexpectedEOF, io.EOF:
		return buf[:n], nil
	case nil:
		// Larger than it said: read the rest, bounded.
		rest, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1-int64(n)))
		return append(buf, rest...), err
	}
	return nil, err
}
