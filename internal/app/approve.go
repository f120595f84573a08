package app

import (
	"context"
	"encoding/json"
	"regexp"
	"time"

	"github.com/dbguard/dbguard/internal/store"
)

// ApproveRequest records an approval of the change with Fingerprint (as
// review prints it) by By, with an optional Note.
type ApproveRequest struct {
	Store       StoreRequest
	Fingerprint string
	By          string
	Note        string
	Actor       string
}

// Approval is what approve recorded.
type Approval struct {
	Store string
	Event store.Event
	// Changes are the recorded change events with that fingerprint; the
	// approval concerns their profiles.
	Changes int
}

var fingerprintForm = regexp.MustCompile(`^v[0-9]+:[0-9a-f]{32}$`)

// Approve appends an approval event. Such an approval is unverified:
// anyone with access to the store could type any name, so review counts
// it only where the base revision's review policy says
// accept_store_approvals: true, and labels it unverified (store). Errors:
// *RequestError (a malformed fingerprint, no --by), *StoreError.
func Approve(ctx context.Context, req ApproveRequest) (*Approval, error) {
	if !fingerprintForm.MatchString(req.Fingerprint) {
		return nil, requestError("%q is not a change fingerprint (v1: and 32 hex digits, as review prints it)", req.Fingerprint)
	}
	if req.By == "" {
		return nil, requestError("approve needs --by NAME")
	}
	req.Store.Config = configOrDefault(req.Store.Config)
	st, err := OpenStore(ctx, req.Store, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	changes, err := st.Events(ctx, store.Query{Kinds: []store.Kind{store.KindChange}})
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	var profiles []store.EventProfile
	seen := map[store.ProfileKey]bool{}
	n := 0
	for _, e := range changes {
		var b store.ChangeBody
		if json.Unmarshal(e.Body, &b) != nil || b.Fingerprint != req.Fingerprint {
			continue
		}
		n++
		for _, p := range e.Profiles {
			if !seen[p.ProfileKey] {
				seen[p.ProfileKey] = true
				profiles = append(profiles, p)
			}
		}
	}
	body, err := json.Marshal(store.ApprovalBody{SchemaVersion: store.BodyVersion, Fingerprint: req.Fingerprint, By: req.By, Note: req.Note})
	if err != nil {
		return nil, err
	}
	actor := ResolveActor(ctx, req.Actor, req.Store.Getenv, req.Store.Dir)
	evs, err := st.Append(ctx, store.Event{Kind: store.KindApproval, Time: time.Now(), Actor: actor, Profiles: profiles, Body: body})
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	return &Approval{Store: st.Where, Event: evs[0], Changes: n}, nil
}
