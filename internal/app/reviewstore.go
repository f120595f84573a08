package app

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/review"
	"github.com/dbguard/dbguard/internal/store"
)

// storeApprovals are the approvals recorded in the store for the change
// with this fingerprint, oldest first, one per name. They are unverified:
// anyone with access to the store could type any name. The fingerprint
// ties each to the change's meaning, so none is ever stale.
func storeApprovals(ctx context.Context, st *OpenedStore, fingerprint string) ([]review.Approval, error) {
	evs, err := st.Events(ctx, store.Query{Kinds: []store.Kind{store.KindApproval}})
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	var out []review.Approval
	seen := map[string]bool{}
	for _, e := range evs {
		var b store.ApprovalBody
		if json.Unmarshal(e.Body, &b) != nil || b.Fingerprint != fingerprint || b.By == "" {
			continue
		}
		if u := strings.ToLower(b.By); !seen[u] {
			seen[u] = true
			out = append(out, review.Approval{User: b.By, Source: review.SourceStore})
		}
	}
	return out, nil
}

// recordReview appends the review event: the fingerprint, the risk, and
// the approvals that counted towards some requirement of the policy,
// concerning every profile the change touches.
func recordReview(ctx context.Context, st *OpenedStore, ch *Change, req ReviewRequest) (*store.Event, error) {
	body := store.ReviewBody{SchemaVersion: store.BodyVersion, Fingerprint: ch.Result.Fingerprint, Risk: ch.Result.Risk.String(),
		Base: ch.Base, Head: ch.Head, Policy: ch.Policy, Approvals: []store.ReviewApproval{}}
	counted := map[string]bool{}
	for _, r := range ch.Requirements {
		for _, u := range r.ApprovedBy {
			counted[strings.ToLower(u)] = true
		}
		body.Missing += r.Missing
	}
	for _, a := range ch.Approvals {
		if u := strings.ToLower(a.User); counted[u] && !a.Stale {
			delete(counted, u)
			body.Approvals = append(body.Approvals, store.ReviewApproval{User: a.User, Source: a.Source, Verified: a.Verified})
		}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var profiles []store.EventProfile
	seen := map[store.ProfileKey]bool{}
	for _, c := range ch.Result.Changes {
		k := store.ProfileKey{File: c.File, KeyPath: c.KeyPath}
		if !seen[k] {
			seen[k] = true
			profiles = append(profiles, store.EventProfile{ProfileKey: k, Service: c.Service, Env: string(c.Environment)})
		}
	}
	actor := ResolveActor(ctx, req.Actor, req.Store.Getenv, req.Store.Dir)
	evs, err := st.Append(ctx, store.Event{Kind: store.KindReview, Time: time.Now(), Actor: actor, Profiles: profiles, Body: raw})
	if err != nil {
		return nil, &StoreError{Err: err}
	}
	return &evs[0], nil
}
