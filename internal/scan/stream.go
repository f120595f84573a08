package scan

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// FileResult is one file of a Walk, handed over while its bytes are still
// in memory, so that a consumer can judge it and let it go instead of
// holding every profile of the run.
type FileResult struct {
	// Index is the file's place in the order Run reports profiles in:
	// arguments in order, each directory's files sorted by name. Callbacks
	// arrive in any order; sorting by Index restores Run's.
	Index int
	// Arg is the index in Options.Paths of the argument the file was found
	// under.
	Arg int
	// Rel is the file's name in reports; Path the file on disk ("" for
	// standard input).
	Rel  string
	Path string
	// Data is the file's text, valid only during the callback; nil when
	// the file could not be read.
	Data []byte
	// Profiles have dbguard.yaml applied but are not linked to other
	// files (extract.Link): an autoscaler elsewhere may still raise their
	// replicas.
	Profiles []*profile.Profile
	Problems []profile.Problem
	Scalers  []extract.Scaler
	EnvFrom  []extract.EnvFrom
	Readable bool
	Size     int64
}

// Reread reads again the file a Walk over opts reported as rel under its
// argument arg, and returns its profiles as Walk gave them, dbguard.yaml
// applied; ok is false when it no longer gives any (it was removed or
// broken since). Standard input is read from stdin, the bytes the Walk
// read. A caller that judged the file alone calls it when another file
// turns out to change it, or when it needs a profile it let go
// (policy.Stream).
func Reread(opts Options, arg int, rel string, stdin []byte) (profiles []*profile.Profile, ok bool) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	if arg < 0 || arg >= len(opts.Paths) {
		return nil, false
	}
	j := job{rel: rel, explicit: true}
	switch a := opts.Paths[arg]; {
	case a == "-":
		j.data = stdin
	default:
		st, err := os.Stat(a)
		if err != nil {
			return nil, false
		}
		j.abs = a
		if st.IsDir() {
			j.abs, j.explicit = filepath.Join(a, filepath.FromSlash(rel)), false
		}
	}
	_, r := readJob(j, cfg, nil)
	if r.skipped || len(r.profiles) == 0 {
		return nil, false
	}
	return r.profiles, true
}

// Summary counts what a Walk read, as Result does.
type Summary struct {
	Files    int
	Readable int
	Bytes    int64
}

// Walk reads the same files as Run and calls fn once per file that Run
// would count, from several goroutines at once (Options.Workers). Files
// that Run skips without a word do not reach fn. Unlike Run, Walk does not
// link profiles across files; a caller that needs extract.Link's effects
// collects the scalers and envFrom references and links the profiles it
// keeps.
func Walk(ctx context.Context, opts Options, fn func(FileResult)) (Summary, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	// Every argument must name something before any file is judged.
	// Standard input is read here, once per "-" (a second one reads what
	// the first left: nothing).
	stdin := map[int][]byte{}
	for ai, arg := range opts.Paths {
		if arg == "-" {
			data, err := ReadStdin(ctx, opts.Stdin)
			if err != nil {
				return Summary{}, err
			}
			stdin[ai] = data
			continue
		}
		if _, err := statArg(arg); err != nil {
			return Summary{}, err
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	// The tree is listed while the workers read: walkSorted gives the
	// files in their final order, so each has its index at once, and
	// batches of them go to whichever worker is free.
	type item struct {
		j          job
		index, arg int
	}
	const batchSize = 16
	batches := make(chan []item, 2*workers)
	sums := make([]Summary, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(sum *Summary) {
			defer wg.Done()
			// The bytes of each file, valid during fn only (FileResult.Data):
			// one buffer a worker instead of one allocation a file.
			var buf []byte
			for batch := range batches {
				for _, it := range batch {
					if ctx.Err() != nil {
						it.j.dir.release()
						continue
					}
					data, r := readJob(it.j, cfg, &buf)
					it.j.dir.release()
					if r.skipped {
						continue
					}
					sum.Files++
					sum.Bytes += r.size
					if r.readable {
						sum.Readable++
					}
					fn(FileResult{Index: it.index, Arg: it.arg, Rel: it.j.rel, Path: it.j.abs, Data: data,
						Profiles: r.profiles, Problems: r.problems, Scalers: r.scalers, EnvFrom: r.envFrom, Readable: r.readable, Size: r.size})
				}
			}
		}(&sums[w])
	}
	var batch []item
	index := 0
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case batches <- batch:
			batch = make([]item, 0, batchSize)
			return true
		case <-ctx.Done():
			for _, it := range batch {
				it.j.dir.release()
			}
			batch = batch[:0]
			return false
		}
	}
	add := func(j job, arg int) bool {
		batch = append(batch, item{j, index, arg})
		index++
		return len(batch) < batchSize || send()
	}
	var walkErr error
	for ai, arg := range opts.Paths {
		if ctx.Err() != nil {
			break
		}
		if arg == "-" {
			add(job{rel: StdinName, explicit: true, data: stdin[ai]}, ai)
			continue
		}
		if err := walkSorted(arg, cfg, opts.Exclude, true, func(j job) bool { return add(j, ai) }); err != nil {
			walkErr = err
			break
		}
	}
	send()
	close(batches)
	wg.Wait()
	if walkErr != nil {
		return Summary{}, walkErr
	}
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	var total Summary
	for _, s := range sums {
		total.Files += s.Files
		total.Readable += s.Readable
		total.Bytes += s.Bytes
	}
	return total, nil
}

// Linker gathers what Walk's files say about other files — autoscalers and
// envFrom references — so that a caller keeping some profiles links them
// as Run links its result. Add is safe to call from Walk's callback.
type Linker struct {
	mu      sync.Mutex
	files   []fileLinks
	targets map[string]bool
}

type fileLinks struct {
	index   int
	scalers []extract.Scaler
	envFrom []extract.EnvFrom
}

// Add records a file's references.
func (l *Linker) Add(fr FileResult) {
	if len(fr.Scalers) == 0 && len(fr.EnvFrom) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.files = append(l.files, fileLinks{fr.Index, fr.Scalers, fr.EnvFrom})
}

// Targeted reports a key of extract.LinkKeys that one of the references
// gathered points at. Call it after the last Add.
func (l *Linker) Targeted(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.targets == nil {
		l.targets = extract.Targets(l.refs())
	}
	return l.targets[key]
}

// refs gathers the references in scan order; the caller holds mu.
func (l *Linker) refs() (scalers []extract.Scaler, envFrom []extract.EnvFrom) {
	slices.SortFunc(l.files, func(a, b fileLinks) int { return cmp.Compare(a.index, b.index) })
	for _, f := range l.files {
		scalers = append(scalers, f.scalers...)
		envFrom = append(envFrom, f.envFrom...)
	}
	return scalers, envFrom
}

// Link links ps with the references in scan order, as Run applies them.
func (l *Linker) Link(ps []*profile.Profile) {
	l.mu.Lock()
	defer l.mu.Unlock()
	scalers, envFrom := l.refs()
	extract.Link(ps, scalers, envFrom)
}
