package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Kinds compaction never removes: the history rollback and review stand on.
var keptKinds = []Kind{KindChange, KindReview, KindApproval, KindRollback, KindCheckpoint}

// Compaction is what Compact removed.
type Compaction struct {
	Removed    int
	Checkpoint Event // zero when nothing was removed
}

// Compact removes the events of kinds older than before, keeping the chain
// checkable: it first appends a checkpoint event listing them, with the
// MAC each surviving successor chains from, then deletes them. The
// newest event is never removed, so that every removed run has a
// survivor after it. Changes, reviews, approvals, rollbacks and
// checkpoints are never removed. It needs the key.
func (s *Store) Compact(ctx context.Context, kinds []Kind, before time.Time) (*Compaction, error) {
	for _, k := range kinds {
		if slices.Contains(keptKinds, k) {
			return nil, fmt.Errorf("compact: %s events are kept for good", k)
		}
	}
	if len(kinds) == 0 {
		return &Compaction{}, nil
	}
	if err := s.bindKey(ctx); err != nil {
		return nil, err
	}
	head, err := s.b.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	body := CheckpointBody{SchemaVersion: BodyVersion, Before: before.UTC().Format(time.RFC3339Nano), ByKind: map[string]int{}, Bridges: map[string]string{}}
	for _, k := range kinds {
		body.Kinds = append(body.Kinds, string(k))
	}
	var seqs []int64
	var prev *Event // the event before the current one, removed or not
	removing := false
	err = s.b.Scan(ctx, Query{BeforeSeq: head.Seq + 1}, func(e Event) error {
		drop := e.Seq < head.Seq && slices.Contains(kinds, e.Kind) && e.Time.Before(before)
		switch {
		case drop && !removing:
			body.Ranges = append(body.Ranges, [2]int64{e.Seq, e.Seq})
		case drop:
			body.Ranges[len(body.Ranges)-1][1] = e.Seq
		case removing && prev != nil:
			body.Bridges[strconv.FormatInt(e.Seq, 10)] = hex.EncodeToString(prev.MAC)
		}
		if drop {
			seqs = append(seqs, e.Seq)
			body.ByKind[string(e.Kind)]++
		}
		removing = drop
		prev = &e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	if len(seqs) == 0 {
		return &Compaction{}, nil
	}
	body.Removed = len(seqs)
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	cp, err := s.Append(ctx, Event{Kind: KindCheckpoint, Actor: Actor{Name: "dbguard", Origin: "compaction"}, Body: raw})
	if err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	if err := s.b.Remove(ctx, seqs); err != nil {
		return nil, fmt.Errorf("compact: the checkpoint is recorded but the events were not removed: %w", err)
	}
	return &Compaction{Removed: len(seqs), Checkpoint: cp[0]}, nil
}

// authorized is what the checkpoints allow Check to find missing.
type authorized struct {
	removed map[int64]bool
	bridges map[int64][]byte
}

func (s *Store) checkpoints(ctx context.Context) (*authorized, error) {
	a := &authorized{removed: map[int64]bool{}, bridges: map[int64][]byte{}}
	err := s.b.Scan(ctx, Query{Kinds: []Kind{KindCheckpoint}}, func(e Event) error {
		var b CheckpointBody
		if json.Unmarshal(e.Body, &b) != nil {
			return nil // a forged or garbled checkpoint shows in the chain walk
		}
		for _, r := range b.Ranges {
			for q := r[0]; q <= r[1] && q-r[0] < 1<<24; q++ {
				a.removed[q] = true
			}
		}
		for k, v := range b.Bridges {
			seq, err1 := strconv.ParseInt(k, 10, 64)
			mac, err2 := hex.DecodeString(v)
			if err1 == nil && err2 == nil {
				a.bridges[seq] = mac
			}
		}
		return nil
	})
	return a, err
}
