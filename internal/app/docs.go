package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dbguard/dbguard/internal/docsgen"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/verify"
)

// DocsRequest says what to document: the files of Check's scan, judged by
// check's rules with its baseline, and, when UseStore is set, the store
// whose verified-good revisions to show. Generated, when not zero, is
// printed as the generation time (--timestamp).
type DocsRequest struct {
	Check     CheckRequest
	Store     StoreRequest
	UseStore  bool
	Generated time.Time
}

// DocsResult is the reference and what was read.
type DocsResult struct {
	Reference *docsgen.Reference
	Files     int
	Readable  int
}

// Docs builds the configuration reference. Each PATH is scanned and
// checked on its own, as record keys files (by their path relative to the
// repository root), so that a connection's name in the reference is the
// one the store and rollback know. Errors: *RequestError,
// *scan.UsageError, *StoreError, ErrNoReadableInput.
func Docs(ctx context.Context, req DocsRequest) (*DocsResult, error) {
	cfg := configOrDefault(req.Check.Scan.Config)
	req.Check.Scan.Config, req.Store.Config = cfg, cfg
	rules, settings, err := Rules(cfg, req.Check.RulesDir)
	if err != nil {
		return nil, err
	}
	var baselineData []byte
	var baseline *policy.Baseline
	if req.Check.Baseline != nil {
		if baselineData, err = io.ReadAll(req.Check.Baseline); err != nil {
			return nil, requestError("--baseline %s: %v", req.Check.BaselineName, err)
		}
		if baseline, err = policy.ReadBaseline(bytes.NewReader(baselineData)); err != nil {
			return nil, requestError("--baseline %s: %v", req.Check.BaselineName, err)
		}
	}
	paths := req.Check.Scan.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	// Drivers are made once: each parses a base configuration.
	drivers := Drivers()
	in := docsgen.Input{Rules: rules, Settings: settings, Review: cfg.ReviewSettings(), Generated: req.Generated,
		DefaultPort: func(driver string) (int, bool) {
			d, ok := drivers[driver]
			if !ok {
				return 0, false
			}
			return d.DefaultPort(), true
		}}
	out := &DocsResult{}
	seen := map[store.ProfileKey]bool{}
	roots := map[string]string{} // folder → its repository root
	var keys []store.ProfileKey
	for _, arg := range paths {
		creq := req.Check
		creq.Scan.Paths = []string{arg}
		if baselineData != nil {
			creq.Baseline = bytes.NewReader(baselineData)
		}
		checked, err := Check(ctx, creq)
		if err != nil {
			return nil, err
		}
		out.Files += checked.Files
		out.Readable += checked.Readable
		scanned, err := Scan(ctx, creq.Scan)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(arg); err != nil {
			return nil, requestError("%s: %v", arg, err)
		}
		// ids maps the id scan printed for a profile to its
		// id in the reference (relative to the repository root).
		ids := map[string]string{}
		for _, p := range scanned.Profiles {
			// The scan prints a file by the name every command prints
			// (arg joined with it, or below "." and absolute folders):
			// diskOf turns that name back into the file.
			disk, ok := diskOf([]string{arg}, p.File)
			if !ok {
				continue
			}
			abs, err := filepath.Abs(disk)
			if err != nil {
				return nil, err
			}
			dir := filepath.Dir(abs)
			root, ok := roots[dir]
			if !ok {
				root = RepoRoot(dir)
				roots[dir] = root
			}
			key := store.ProfileKey{File: FileKey(root, abs), KeyPath: p.KeyPath}
			id := key.File + "#" + p.KeyPath
			if seen[key] {
				ids[p.ID] = ""
				continue
			}
			seen[key] = true
			ids[p.ID] = id
			p.ID = id
			keys = append(keys, key)
			e := docsgen.Entry{Profile: p, File: key.File, RollbackCommand: "dbguard rollback " + ShellQuote(id)}
			drv, _ := p.Driver.Effective()
			if _, known := drivers[profile.CanonicalDriver(drv)]; known && verify.Probeable(p) {
				e.VerifyCommand = "dbguard verify --profile " + ShellQuote(id) + " " + ShellQuote(key.File)
			}
			in.Entries = append(in.Entries, e)
		}
		for _, f := range checked.Report.Findings {
			switch id, ok := ids[f.Profile]; {
			case f.Profile == "":
				in.Unreadable = append(in.Unreadable, f.Loc.String()+": "+f.Rule+": "+f.Message)
			case ok && id != "":
				f.Profile = id
				in.Findings = append(in.Findings, f)
			}
		}
		accept := func(f policy.Finding, e *policy.BaselineEntry) {
			if id := ids[f.Profile]; id != "" {
				in.Accepted = append(in.Accepted, docsgen.AcceptedOf(f, e))
				in.AcceptedProfile = append(in.AcceptedProfile, id)
			}
		}
		for _, f := range checked.Report.Baselined {
			e := &policy.BaselineEntry{}
			if baseline != nil {
				if be, ok := baseline.Entry(f); ok {
					e = &be
				}
			}
			accept(f, e)
		}
		for _, f := range checked.Report.Suppressed {
			accept(f, nil)
		}
	}
	if out.Readable == 0 {
		return out, ErrNoReadableInput
	}
	if req.UseStore {
		st, err := OpenStore(ctx, req.Store, false)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		in.Store = st.Where
		for i, key := range keys {
			rev, ev, ok, err := st.VerifiedGood(ctx, key)
			if err != nil {
				return nil, &StoreError{Err: err}
			}
			if ok {
				in.Entries[i].Verified = &docsgen.Verified{Revision: rev, Time: ev.Time.UTC(), Event: ev.Seq}
			}
		}
	}
	out.Reference = docsgen.Build(in)
	return out, nil
}

// WriteDocs writes the generated files under dir and removes the files
// an earlier run generated there that are no longer generated (pages
// written by hand, without docsgen.Marker, are left alone). It returns
// the names it changed and removed.
func WriteDocs(dir string, files []docsgen.File) (changed, removed []string, err error) {
	stale, err := CheckDocs(dir, files)
	if err != nil {
		return nil, nil, err
	}
	todo := map[string]string{}
	for _, s := range stale {
		todo[s.Name] = s.State
	}
	for _, f := range files {
		if _, ok := todo[f.Name]; !ok {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return changed, removed, fmt.Errorf("write the reference: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return changed, removed, fmt.Errorf("write the reference: %w", err)
		}
		changed = append(changed, f.Name)
	}
	for _, s := range stale {
		if s.State != "extra" {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(s.Name))); err != nil {
			return changed, removed, fmt.Errorf("remove a page no longer generated: %w", err)
		}
		removed = append(removed, s.Name)
	}
	return changed, removed, nil
}

// CheckDocs compares the generated files with what dir holds: the files
// that differ or are missing, and the generated files no longer
// generated. A folder that does not exist holds nothing.
func CheckDocs(dir string, files []docsgen.File) ([]docsgen.Stale, error) {
	return docsgen.Compare(os.DirFS(dir), files)
}
