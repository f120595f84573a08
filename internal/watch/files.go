package watch

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// fileWatcher turns fsnotify's events into the paths they name. It
// watches folders, never files: an editor that saves by writing a new file
// and renaming it over the old one, and Kubernetes swapping a ConfigMap's
// ..data symbolic link, both replace the file, and a watch on the old file
// would go silent. Every event in a watched folder is passed on; the
// caller decides which files it touches.
type fileWatcher struct {
	fw      *fsnotify.Watcher
	watched map[string]bool
	events  chan string
	errors  chan error
	log     *slog.Logger
	done    chan struct{}
}

func newFileWatcher(log *slog.Logger) (*fileWatcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	f := &fileWatcher{fw: fw, watched: map[string]bool{}, events: make(chan string, 256), errors: make(chan error, 8), log: log, done: make(chan struct{})}
	go f.pump()
	return f, nil
}

// pump forwards events until the watcher is closed. A full events channel
// drops the event: the loop is already due to rescan.
func (f *fileWatcher) pump() {
	defer close(f.done)
	for {
		select {
		case ev, ok := <-f.fw.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			select {
			case f.events <- ev.Name:
			default:
			}
		case err, ok := <-f.fw.Errors:
			if !ok {
				return
			}
			select {
			case f.errors <- err:
			default:
			}
		}
	}
}

// add watches dir and, when recursive, the folders below it (not .git).
func (f *fileWatcher) add(dir string, recursive bool) {
	if !recursive {
		f.addOne(dir)
		return
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if d.Name() == ".git" || d.Name() == ".dbguard" {
			return filepath.SkipDir
		}
		f.addOne(p)
		return nil
	})
}

func (f *fileWatcher) addOne(dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil || f.watched[abs] {
		return
	}
	if err := f.fw.Add(abs); err != nil {
		f.log.Warn("cannot watch a folder", "folder", abs, "error", err.Error())
		return
	}
	f.watched[abs] = true
}

func (f *fileWatcher) close() {
	_ = f.fw.Close()
	<-f.done
}

// watchFiles watches the folders of every source and of dbguard.yaml;
// called again after each rescan, so that new folders are watched too.
func (w *Watcher) watchFiles(f *fileWatcher) {
	for _, s := range w.srcs {
		st, err := os.Stat(s.Arg)
		switch {
		case err != nil:
			continue
		case st.IsDir():
			f.add(s.Arg, true)
		default:
			f.add(filepath.Dir(s.Arg), false)
		}
	}
	if w.o.ConfigPath != "" {
		f.add(filepath.Dir(w.o.ConfigPath), false)
	}
}
