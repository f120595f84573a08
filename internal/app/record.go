package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/service"
	"github.com/dbguard/dbguard/internal/store"
)

// RecordRequest records the files under Paths that hold a profile.
type RecordRequest struct {
	Paths  []string
	Config *config.Config
	Store  StoreRequest
	// Actor is --actor; ResolveActor decides the rest.
	Actor string
}

// RecordResult says what record did with each file.
type RecordResult struct {
	Store string
	Actor store.Actor
	Files []RecordedFile
	// Problems are files that could not be read; their content was not
	// recorded.
	Problems []profile.Problem
}

// RecordedFile is one file record looked at.
type RecordedFile struct {
	// File is the stable key: relative to the repository root, absolute
	// outside one.
	File     string
	Revision string
	Previous string
	// Baseline: the first revision recorded of this file; Unchanged: the
	// content is the last recorded one, so nothing was written.
	Baseline, Unchanged bool
	Profiles            int
	Changes             []store.FieldChange
	Risk                string
	Fingerprint         string
	Event               int64 // the change event's sequence number

	// profiles are the file's profiles as events name them, keyed and
	// assigned their service from the file's stable key.
	profiles []store.EventProfile
}

// eventProfile is the profile with this key path as events name it;
// false when the file recorded has none.
func (rf *RecordedFile) eventProfile(keyPath string) (store.EventProfile, bool) {
	for _, p := range rf.profiles {
		if p.KeyPath == keyPath {
			return p, true
		}
	}
	return store.EventProfile{}, false
}

// Record stores, for every file under the paths that holds a profile, its
// content (encrypted) when it differs from the last recorded content,
// with the redacted profiles extracted from it, and appends a change event
// against the previous revision (the first is the baseline). Errors:
// *StoreError, *scan.UsageError.
func Record(ctx context.Context, req RecordRequest) (*RecordResult, error) {
	cfg := configOrDefault(req.Config)
	req.Store.Config = cfg
	files, problems, err := profileFiles(ctx, req.Paths, cfg)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, req.Store, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	res := &RecordResult{Store: st.Where, Problems: problems}
	res.Actor = ResolveActor(ctx, req.Actor, req.Store.Getenv, req.Store.Dir)
	for _, disk := range files {
		rf, err := recordFile(ctx, st, cfg, disk, res.Actor)
		if err != nil {
			return res, err
		}
		res.Files = append(res.Files, rf)
	}
	return res, nil
}

// profileFiles lists, absolute and sorted, the files under paths that hold
// at least one profile.
func profileFiles(ctx context.Context, paths []string, cfg *config.Config) ([]string, []profile.Problem, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	seen := map[string]bool{}
	var out []string
	var problems []profile.Problem
	for _, arg := range paths {
		r, err := scan.Run(ctx, scan.Options{Paths: []string{arg}, Config: cfg})
		if err != nil {
			return nil, nil, err
		}
		problems = append(problems, r.Problems...)
		st, err := os.Stat(arg)
		if err != nil {
			return nil, nil, &scan.UsageError{Err: err}
		}
		for _, p := range r.Profiles {
			disk := arg
			if st.IsDir() {
				disk = filepath.Join(arg, filepath.FromSlash(p.File))
			}
			abs, err := filepath.Abs(disk)
			if err != nil {
				return nil, nil, err
			}
			if !seen[abs] {
				seen[abs] = true
				out = append(out, abs)
			}
		}
	}
	sort.Strings(out)
	return out, problems, nil
}

// FileKey is a file's stable identity in the store: its path relative to
// the repository root, slash-separated, or its absolute path outside one.
func FileKey(root, abs string) string {
	if root != "" && within(root, abs) {
		if rel, err := filepath.Rel(root, abs); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(abs)
}

func recordFile(ctx context.Context, st *OpenedStore, cfg *config.Config, disk string, actor store.Actor) (RecordedFile, error) {
	key := FileKey(RepoRoot(filepath.Dir(disk)), disk)
	rf := RecordedFile{File: key}
	content, err := os.ReadFile(disk)
	if err != nil {
		return rf, fmt.Errorf("record %s: %w", key, err)
	}
	side, err := scan.LoadSide(ctx, memFile{name: key, data: content}, cfg, nil)
	if err != nil {
		return rf, fmt.Errorf("record %s: %w", key, err)
	}
	profiles := side.Profiles()
	rf.Profiles = len(profiles)
	rf.profiles = eventProfiles(key, profiles)
	revs, err := st.Revisions(ctx, key)
	if err != nil {
		return rf, err
	}
	var prev []byte
	if len(revs) > 0 {
		last := revs[len(revs)-1]
		rf.Previous = last.ID
		if prev, _, err = st.Content(ctx, last.ID); err != nil {
			return rf, fmt.Errorf("record %s: read the last revision: %w", key, err)
		}
		if bytes.Equal(prev, content) {
			rf.Revision, rf.Unchanged = last.ID, true
			return rf, nil
		}
	}
	views := make([]profile.View, len(profiles))
	for i, p := range profiles {
		views[i] = p.View()
	}
	redacted, err := json.Marshal(views)
	if err != nil {
		return rf, fmt.Errorf("record %s: %w", key, err)
	}
	body := store.ChangeBody{SchemaVersion: store.BodyVersion, File: key, Previous: rf.Previous, Baseline: prev == nil}
	rf.Baseline = body.Baseline
	evProfiles := append([]store.EventProfile(nil), rf.profiles...)
	if prev != nil {
		d, err := diff.Compare(ctx, scan.NewSide(memFile{name: key, data: prev}, cfg, nil), scan.NewSide(memFile{name: key, data: content}, cfg, nil), diff.Options{})
		if err != nil {
			return rf, fmt.Errorf("record %s: compare with the last revision: %w", key, err)
		}
		body.Fingerprint, body.Risk = d.Fingerprint, d.Risk.String()
		for _, c := range d.Changes {
			body.Changes = append(body.Changes, fieldChange(c))
			if c.Kind == diff.Removed && c.Field == "profile" {
				evProfiles = append(evProfiles, store.EventProfile{ProfileKey: store.ProfileKey{File: key, KeyPath: c.KeyPath}, Service: c.Service, Env: string(c.Environment)})
			}
		}
	}
	rev, err := st.PutRevision(ctx, key, content, redacted)
	if err != nil {
		return rf, err
	}
	rf.Revision, body.Revision = rev.ID, rev.ID
	rf.Changes, rf.Risk, rf.Fingerprint = body.Changes, body.Risk, body.Fingerprint
	raw, err := json.Marshal(body)
	if err != nil {
		return rf, err
	}
	evs, err := st.Append(ctx, store.Event{Kind: store.KindChange, Time: time.Now(), Actor: actor, Profiles: evProfiles, Body: raw})
	if err != nil {
		return rf, err
	}
	rf.Event = evs[0].Seq
	return rf, nil
}

// eventProfiles are the stable keys of a file's profiles.
func eventProfiles(file string, ps []*profile.Profile) []store.EventProfile {
	out := make([]store.EventProfile, 0, len(ps))
	for _, p := range ps {
		out = append(out, eventProfile(file, p))
	}
	return out
}

// eventProfile is p as an event names it: its stable key (file is the
// store's key of its file, never scan's display id), with the service and
// environment it has now, so that history --service and --env find the
// event later whatever the profile becomes.
func eventProfile(file string, p *profile.Profile) store.EventProfile {
	svc := p.Service
	if svc == "" {
		// A profile that did not come through the scan: the same
		// inference scan makes.
		svc = service.Of(p)
	}
	return store.EventProfile{ProfileKey: store.ProfileKey{File: file, KeyPath: p.KeyPath}, Service: svc, Env: string(p.Environment)}
}

// fieldChange is a change as events keep it, redacted as review prints it.
func fieldChange(c diff.Change) store.FieldChange {
	return store.FieldChange{KeyPath: c.KeyPath, Field: c.Field, Kind: string(c.Kind), Old: c.Old, New: c.New, Risk: c.Risk.String()}
}
