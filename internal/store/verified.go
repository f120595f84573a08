package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// VerifiedGood returns the newest revision of p's file that a successful
// verification of p was recorded against, and that event; ok is false
// when there is none. It reads p's verification events only, newest
// first, in pages.
func (s *Store) VerifiedGood(ctx context.Context, p ProfileKey) (rev string, ev Event, ok bool, err error) {
	q := Query{Profile: &p, Kinds: []Kind{KindVerification}, Limit: 200, Newest: true}
	for {
		evs, err := s.Events(ctx, q)
		if err != nil {
			return "", Event{}, false, err
		}
		for i := len(evs) - 1; i >= 0; i-- {
			var b VerificationBody
			if err := json.Unmarshal(evs[i].Body, &b); err != nil {
				return "", Event{}, false, fmt.Errorf("read verification event %d: %w", evs[i].Seq, err)
			}
			if b.OK && b.Revision != "" {
				return b.Revision, evs[i], true, nil
			}
		}
		if len(evs) < q.Limit {
			return "", Event{}, false, nil
		}
		q.BeforeSeq = evs[0].Seq // the next older page
	}
}
