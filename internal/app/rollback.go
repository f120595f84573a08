package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/store"
)

// RollbackRequest restores the file behind Target (a profile id as scan
// prints it, or a file) to its last verified-good revision, or to To (a
// revision id or a unique prefix of one).
type RollbackRequest struct {
	Store  StoreRequest
	Target string
	To     string
	// DryRun changes nothing; Force restores over a file that differs
	// from every recorded revision; Commit commits the restored file on
	// the current branch (never pushes).
	DryRun, Force, Commit bool
	Actor                 string
}

// RollbackResult says what rollback did, or would do.
type RollbackResult struct {
	Store string
	// File is the stable key, Disk the path written.
	File, Disk string
	Profile    string // the key path when the target was a profile
	To         string
	// VerifiedAt is the verification that made To verified-good (zero
	// when --to chose it).
	VerifiedAt time.Time
	// From is the recorded revision the file held, "" when its content
	// was not recorded (--force); Backup then names the revision it was
	// kept as before being replaced.
	From, Backup string
	// Changes are the field changes the rollback undoes (current → To).
	Changes []store.FieldChange
	// Already: the file holds To already; nothing was written.
	Already bool
	DryRun  bool
	Event   int64
	// Git are the commands that commit the restored file (in a git work
	// tree); Committed when --commit ran them.
	Git       []string
	Committed bool
	// Verify is the command that proves the restored settings.
	Verify string
}

// RollbackRefusedError is a rollback refused because of the file's state:
// it differs from every recorded revision (an edit nobody recorded), so
// restoring would lose it. --force overrides.
type RollbackRefusedError struct {
	File string
}

func (e *RollbackRefusedError) Error() string {
	return fmt.Sprintf("%s differs from every recorded revision: an edit nobody recorded would be lost (record it first, or give --force: it is kept as an encrypted revision before being replaced)", e.File)
}

// ErrNoVerifiedGood: nothing to roll back to.
var ErrNoVerifiedGood = errors.New("no revision was verified good (record a successful verification with verify --record, or name one with --to)")

// Rollback restores a file. It needs the key (the contents are
// encrypted); without it, it says it cannot restore. Errors:
// *RollbackRefusedError, ErrNoVerifiedGood, *RequestError, *StoreError.
func Rollback(ctx context.Context, req RollbackRequest) (*RollbackResult, error) {
	if req.Target == "" {
		return nil, requestError("rollback needs a PROFILE or FILE")
	}
	cfg := configOrDefault(req.Store.Config)
	req.Store.Config = cfg
	st, err := OpenStore(ctx, req.Store, false)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if st.KeyFrom == "" {
		return nil, storeErrorf("cannot restore: the revisions are encrypted and the store key is not here (set %s or give --store-key); history still works", EnvStoreKey)
	}
	key := profileKey(req.Target, req.Store.Dir, st.Root)
	res := &RollbackResult{Store: st.Where, File: key.File, Profile: key.KeyPath, DryRun: req.DryRun}
	res.Disk = filepath.FromSlash(key.File)
	if !filepath.IsAbs(res.Disk) {
		if st.Root == "" {
			return nil, requestError("%s is not a path in this repository", req.Target)
		}
		res.Disk = filepath.Join(st.Root, res.Disk)
	}
	revs, err := st.Revisions(ctx, key.File)
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	if len(revs) == 0 {
		return nil, requestError("no revision of %s is recorded", key.File)
	}
	if res.To, res.VerifiedAt, err = rollbackTarget(ctx, st, key, revs, req.To); err != nil {
		return nil, err
	}
	target, _, err := st.Content(ctx, res.To)
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	current, err := os.ReadFile(res.Disk)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", res.Disk, err)
	}
	for _, r := range revs {
		c, _, err := st.Content(ctx, r.ID)
		if err != nil {
			return nil, &StoreError{Err: err}
		}
		if current != nil && bytes.Equal(c, current) {
			res.From = r.ID
		}
	}
	if current != nil && bytes.Equal(current, target) {
		res.Already = true
		res.Verify = verifyCommand(res)
		return res, nil
	}
	if current != nil && res.From == "" && !req.Force {
		return nil, &RollbackRefusedError{File: key.File}
	}
	if res.Changes, err = fieldChanges(ctx, cfg, key.File, current, target); err != nil {
		return nil, err
	}
	res.Verify = verifyCommand(res)
	if st.Root != "" {
		rel, _ := filepath.Rel(st.Root, res.Disk)
		res.Git = []string{
			"git -C " + ShellQuote(st.Root) + " add -- " + ShellQuote(rel),
			"git -C " + ShellQuote(st.Root) + " commit -m " + ShellQuote("dbguard rollback: "+key.File+" to revision "+res.To) + " -- " + ShellQuote(rel),
		}
	}
	if req.DryRun {
		return res, nil
	}
	if current != nil && res.From == "" {
		views, _ := json.Marshal([]any{})
		b, err := st.PutRevision(ctx, key.File, current, views)
		if err != nil {
			return nil, &StoreError{Err: err}
		}
		res.Backup = b.ID
	}
	if err := WriteFileAtomic(res.Disk, target); err != nil {
		return nil, err
	}
	body, err := json.Marshal(store.RollbackBody{SchemaVersion: store.BodyVersion, File: key.File, From: res.From, To: res.To, Backup: res.Backup})
	if err != nil {
		return nil, err
	}
	actor := ResolveActor(ctx, req.Actor, req.Store.Getenv, req.Store.Dir)
	var profiles []store.EventProfile
	side, err := scan.LoadSide(ctx, memFile{name: key.File, data: target}, cfg, nil)
	if err == nil {
		profiles = eventProfiles(key.File, side.Profiles())
	}
	if len(profiles) == 0 {
		profiles = []store.EventProfile{{ProfileKey: key}}
	}
	evs, err := st.Append(ctx, store.Event{Kind: store.KindRollback, Time: time.Now(), Actor: actor, Profiles: profiles, Body: body})
	if err != nil {
		return res, &StoreError{Err: fmt.Errorf("the file is restored, but the rollback event was not recorded: %w", err)}
	}
	res.Event = evs[0].Seq
	if req.Commit {
		if st.Root == "" {
			return res, requestError("--commit needs a git work tree")
		}
		rel, _ := filepath.Rel(st.Root, res.Disk)
		for _, args := range [][]string{{"add", "--", rel}, {"commit", "-q", "-m", "dbguard rollback: " + key.File + " to revision " + res.To, "--", rel}} {
			cmd := exec.CommandContext(ctx, "git", append([]string{"-C", st.Root}, args...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				return res, fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
			}
		}
		res.Committed = true
	}
	return res, nil
}

// rollbackTarget is --to (a revision id or a unique prefix of one) or the
// last verified-good revision of the profile (or of any profile of the
// file).
func rollbackTarget(ctx context.Context, st *OpenedStore, key store.ProfileKey, revs []store.RevisionInfo, to string) (string, time.Time, error) {
	if to != "" {
		var match []string
		for _, r := range revs {
			if strings.HasPrefix(r.ID, to) {
				match = append(match, r.ID)
			}
		}
		switch len(match) {
		case 1:
			return match[0], time.Time{}, nil
		case 0:
			return "", time.Time{}, requestError("--to %s: no revision of %s starts so", to, key.File)
		default:
			return "", time.Time{}, requestError("--to %s: %d revisions of %s start so; give more of the id", to, len(match), key.File)
		}
	}
	rev, ev, ok, err := st.VerifiedGood(ctx, key)
	if err != nil {
		return "", time.Time{}, &StoreError{Err: err}
	}
	if !ok {
		return "", time.Time{}, ErrNoVerifiedGood
	}
	return rev, ev.Time, nil
}

// fieldChanges is the field diff from current to target, as review prints
// it (secrets masked).
func fieldChanges(ctx context.Context, cfg *config.Config, file string, current, target []byte) ([]store.FieldChange, error) {
	d, err := diff.Compare(ctx, scan.NewSide(memFile{name: file, data: current}, cfg, nil), scan.NewSide(memFile{name: file, data: target}, cfg, nil), diff.Options{})
	if err != nil {
		return nil, fmt.Errorf("compare with the revision: %w", err)
	}
	var out []store.FieldChange
	for _, c := range d.Changes {
		out = append(out, fieldChange(c))
	}
	return out, nil
}

func verifyCommand(r *RollbackResult) string {
	cmd := "dbguard verify --record " + ShellQuote(r.Disk)
	if r.Profile != "" {
		cmd += " --profile " + ShellQuote(filepath.ToSlash(r.Disk)+"#"+r.Profile)
	}
	return cmd
}

// ShellQuote quotes s for a POSIX shell when it needs it: every command
// dbguard prints for a person to run (rollback, verify, git) goes through it.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@#=+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// WriteFileAtomic replaces path with data so that a crash at any moment
// leaves the old content or the new, whole: a temporary file in the same
// folder, written and synced, given the old file's mode and (where
// permitted) owner, renamed over it, and the folder synced.
//
// A process killed between creating the temporary file and renaming it
// leaves that file behind, holding (part of) a revision in clear; the next
// restore of the same file removes such leftovers older than a minute.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmpPattern := "." + filepath.Base(path) + ".dbguard-*"
	if left, err := filepath.Glob(filepath.Join(dir, tmpPattern)); err == nil {
		for _, l := range left {
			if st, err := os.Lstat(l); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > time.Minute {
				os.Remove(l)
			}
		}
	}
	mode := os.FileMode(0o600)
	var old os.FileInfo
	if st, err := os.Stat(path); err == nil {
		mode, old = st.Mode().Perm(), st
	}
	f, err := os.CreateTemp(dir, tmpPattern)
	if err != nil {
		return fmt.Errorf("restore %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, werr := f.Write(data)
	cherr := f.Chmod(mode)
	if old != nil {
		keepOwner(f, old)
	}
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, cherr, serr, cerr); err != nil {
		return fmt.Errorf("restore %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("restore %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("restore %s: sync the folder: %w", path, err)
	}
	serr = d.Sync()
	return errors.Join(serr, d.Close())
}
