package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/verify"
)

// RecordVerificationRequest records a verify run (verify --record): the
// files of the verified profiles first, as record does, then one
// verification event per profile naming the revision it verified.
type RecordVerificationRequest struct {
	Store  StoreRequest
	Paths  []string
	Config *config.Config
	Actor  string
	Result *VerifyResult
}

// VerificationRecord says what verify --record wrote.
type VerificationRecord struct {
	Store string
	Files []RecordedFile
	// Events are the verification events appended, one per profile.
	Events []store.Event
	// Skipped are profiles whose file could not be recorded (standard
	// input).
	Skipped []string
}

// RecordVerification records the content each verified profile was read
// from (a change event when it differs from the last revision) and a
// verification event per profile with verify's outcome; a successful one
// makes that revision verified-good for the profile. Errors: *StoreError.
func RecordVerification(ctx context.Context, req RecordVerificationRequest) (*VerificationRecord, error) {
	cfg := configOrDefault(req.Config)
	req.Store.Config = cfg
	st, err := OpenStore(ctx, req.Store, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := &VerificationRecord{Store: st.Where}
	actor := ResolveActor(ctx, req.Actor, req.Store.Getenv, req.Store.Dir)
	revs := map[string]RecordedFile{} // by disk path
	var evs []store.Event
	for i, p := range req.Result.Targets {
		r := req.Result.Results[i]
		disk, ok := diskOf(req.Paths, p.File)
		if !ok {
			out.Skipped = append(out.Skipped, p.ID)
			continue
		}
		rf, seen := revs[disk]
		if !seen {
			if rf, err = recordFile(ctx, st, cfg, disk, actor); err != nil {
				return out, err
			}
			revs[disk] = rf
			out.Files = append(out.Files, rf)
		}
		body := store.VerificationBody{SchemaVersion: store.BodyVersion, Revision: rf.Revision, OK: r.OK()}
		if a := r.Final(); a != nil && !a.OK {
			body.Stage, body.Class = string(a.Stage), string(a.Class)
		}
		body.Result, err = json.Marshal(verificationSummary(&r))
		if err != nil {
			return out, err
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return out, err
		}
		at := r.Start
		if at.IsZero() {
			at = time.Now()
		}
		// The profile as record named it: the service then comes from
		// the file's stable key, as for every other event, not from the
		// path relative to verify's argument.
		ep, ok := rf.eventProfile(p.KeyPath)
		if !ok {
			ep = eventProfile(rf.File, p)
		}
		evs = append(evs, store.Event{Kind: store.KindVerification, Time: at, Actor: actor, Body: raw, Profiles: []store.EventProfile{ep}})
	}
	if len(evs) > 0 {
		if out.Events, err = st.Append(ctx, evs...); err != nil {
			return out, &StoreError{Err: err}
		}
	}
	return out, nil
}

// verificationSummary is what a verification event keeps of verify's
// result: per host the outcome, and where and why it failed (the detail
// is already scrubbed of secrets by verify).
func verificationSummary(r *verify.Result) any {
	type host struct {
		Host   string `json:"host"`
		Port   int    `json:"port"`
		OK     bool   `json:"ok"`
		Stage  string `json:"stage,omitempty"`
		Class  string `json:"class,omitempty"`
		Code   string `json:"code,omitempty"`
		Detail string `json:"detail,omitempty"`
	}
	hosts := make([]host, 0, len(r.Attempts))
	for _, a := range r.Attempts {
		h := host{Host: a.Host, Port: a.Port, OK: a.OK}
		if !a.OK {
			h.Stage, h.Class, h.Code, h.Detail = string(a.Stage), string(a.Class), a.Code, a.Detail
		}
		hosts = append(hosts, h)
	}
	return struct {
		Tries      int    `json:"tries"`
		DurationMS int64  `json:"duration_ms"`
		Hosts      []host `json:"hosts"`
	}{r.Tries, r.Duration.Milliseconds(), hosts}
}

// diskOf finds the file a profile was read from by its printed name: the
// first argument under which it exists. Standard input has none.
func diskOf(paths []string, shown string) (string, bool) {
	if shown == scan.StdinName {
		return "", false
	}
	for _, a := range paths {
		if a == "-" {
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			continue
		}
		// The inverse of pathResolver.place: a file found under a
		// relative folder is printed after it, so the printed name is
		// the path from here; under "." or an absolute folder it is
		// printed relative to the folder.
		cand := a
		switch {
		case !st.IsDir():
			if scan.ArgName(a) != shown {
				continue
			}
		case filepath.IsAbs(a) || filepath.Clean(a) == ".":
			cand = filepath.Join(a, filepath.FromSlash(shown))
		default:
			cand = filepath.FromSlash(shown)
			if !within(filepath.Clean(a), cand) {
				continue
			}
		}
		if fi, err := os.Stat(cand); err == nil && fi.Mode().IsRegular() {
			abs, err := filepath.Abs(cand)
			return abs, err == nil
		}
	}
	return "", false
}
