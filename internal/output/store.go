package output

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/store"
)

// RecordFormats lists the output formats of record, in help order.
func RecordFormats() Registry[*app.RecordResult] {
	return Registry[*app.RecordResult]{
		{"text", "one line per file: baseline, changed (with its field changes) or unchanged", renderRecordText},
		{"json", "one JSON document with schema_version, for tools", renderRecordJSON},
	}
}

func renderRecordText(w io.Writer, r *app.RecordResult, _ Options) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "store %s, as %s (%s)\n", r.Store, r.Actor.Name, r.Actor.Origin)
	for _, f := range r.Files {
		switch {
		case f.Unchanged:
			fmt.Fprintf(b, "  unchanged  %s  (revision %s)\n", f.File, short(f.Revision))
		case f.Baseline:
			fmt.Fprintf(b, "  baseline   %s  revision %s, %d profile(s), event %d\n", f.File, short(f.Revision), f.Profiles, f.Event)
		default:
			fmt.Fprintf(b, "  changed    %s  revision %s after %s, risk %s, event %d\n", f.File, short(f.Revision), short(f.Previous), f.Risk, f.Event)
			for _, c := range f.Changes {
				fmt.Fprintf(b, "               %s %s %s: %s → %s\n", c.KeyPath, c.Kind, c.Field, val(c.Old), val(c.New))
			}
		}
	}
	if len(r.Files) == 0 {
		b.WriteString("  no file holds a profile: nothing recorded\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

type recordJSON struct {
	SchemaVersion int              `json:"schema_version"`
	Store         string           `json:"store"`
	Actor         store.Actor      `json:"actor"`
	Files         []recordFileJSON `json:"files"`
	Problems      []problemJSON    `json:"problems"`
}

type recordFileJSON struct {
	File        string              `json:"file"`
	Status      string              `json:"status"`
	Revision    string              `json:"revision"`
	Previous    string              `json:"previous,omitempty"`
	Profiles    int                 `json:"profiles"`
	Event       int64               `json:"event,omitempty"`
	Risk        string              `json:"risk,omitempty"`
	Fingerprint string              `json:"fingerprint,omitempty"`
	Changes     []store.FieldChange `json:"changes,omitempty"`
}

func renderRecordJSON(w io.Writer, r *app.RecordResult, _ Options) error {
	out := recordJSON{SchemaVersion: SchemaVersion, Store: r.Store, Actor: r.Actor, Files: []recordFileJSON{}, Problems: []problemJSON{}}
	for _, f := range r.Files {
		status := "changed"
		if f.Unchanged {
			status = "unchanged"
		} else if f.Baseline {
			status = "baseline"
		}
		out.Files = append(out.Files, recordFileJSON{File: f.File, Status: status, Revision: f.Revision, Previous: f.Previous,
			Profiles: f.Profiles, Event: f.Event, Risk: f.Risk, Fingerprint: f.Fingerprint, Changes: f.Changes})
	}
	for _, p := range r.Problems {
		out.Problems = append(out.Problems, problemJSON{Rule: "input-unreadable", Severity: "error", File: p.Loc.File, Line: p.Loc.Line, Column: p.Loc.Column, Message: p.Msg})
	}
	return encodeIndented(w, out)
}

// StoreCheckFormats lists the output formats of store check.
func StoreCheckFormats() Registry[*app.StoreCheckResult] {
	return Registry[*app.StoreCheckResult]{
		{"text", "what was checked and each problem found", renderStoreCheckText},
		{"json", "one JSON document with schema_version, for tools", renderStoreCheckJSON},
	}
}

func renderStoreCheckText(w io.Writer, r *app.StoreCheckResult, _ Options) error {
	b := &strings.Builder{}
	rep := r.Report
	fmt.Fprintf(b, "store %s (key from %s)\n", r.Where, r.KeyFrom)
	fmt.Fprintf(b, "  %d event(s), head %d, %d revision(s); witness: %s\n", rep.Events, rep.Head, rep.Revisions, rep.Witness)
	if rep.OK() {
		b.WriteString("  ok: every MAC chains and every revision authenticates\n")
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(b, "  %s\n", f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type storeCheckJSON struct {
	SchemaVersion int    `json:"schema_version"`
	Store         string `json:"store"`
	OK            bool   `json:"ok"`
	*store.CheckReport
}

func renderStoreCheckJSON(w io.Writer, r *app.StoreCheckResult, _ Options) error {
	rep := *r.Report
	if rep.Findings == nil {
		rep.Findings = []store.Finding{}
	}
	out := storeCheckJSON{SchemaVersion: SchemaVersion, Store: r.Where, OK: rep.OK(), CheckReport: &rep}
	return encodeIndented(w, out)
}

// encodeIndented writes v as one indented JSON document.
func encodeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ApproveFormats lists the output formats of approve.
func ApproveFormats() Registry[*app.Approval] {
	return Registry[*app.Approval]{
		{"text", "the approval recorded, and the recorded changes it concerns", renderApproveText},
		{"json", "one JSON document with schema_version, for tools", renderApproveJSON},
	}
}

func renderApproveText(w io.Writer, a *app.Approval, _ Options) error {
	var b store.ApprovalBody
	if err := json.Unmarshal(a.Event.Body, &b); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "recorded approval of %s by %s (unverified; review does not count store approvals yet), event %d in %s; it concerns %d recorded change(s)\n",
		b.Fingerprint, b.By, a.Event.Seq, a.Store, a.Changes)
	return err
}

func renderApproveJSON(w io.Writer, a *app.Approval, _ Options) error {
	return encodeIndented(w, struct {
		SchemaVersion int             `json:"schema_version"`
		Store         string          `json:"store"`
		Event         int64           `json:"event"`
		Actor         store.Actor     `json:"actor"`
		Approval      json.RawMessage `json:"approval"`
		Verified      bool            `json:"verified"`
		Changes       int             `json:"changes"`
	}{SchemaVersion, a.Store, a.Event.Seq, a.Event.Actor, a.Event.Body, false, a.Changes})
}

// StoreCompactFormats lists the output formats of store compact.
func StoreCompactFormats() Registry[*app.Compacted] {
	return Registry[*app.Compacted]{
		{"text", "per kind: its retention, how many events were removed, the checkpoint", renderCompactText},
		{"json", "one JSON document with schema_version, for tools", renderCompactJSON},
	}
}

func renderCompactText(w io.Writer, c *app.Compacted, _ Options) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "store %s\n", c.Where)
	for _, k := range c.Kinds {
		fmt.Fprintf(b, "  %-16s kept %s: %d removed", k.Kind, k.Keep, k.Removed)
		if k.Checkpoint > 0 {
			fmt.Fprintf(b, " behind checkpoint event %d", k.Checkpoint)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderCompactJSON(w io.Writer, c *app.Compacted, _ Options) error {
	type kind struct {
		Kind        string  `json:"kind"`
		KeepSeconds float64 `json:"keep_seconds"`
		Removed     int     `json:"removed"`
		Checkpoint  int64   `json:"checkpoint,omitempty"`
	}
	ks := []kind{}
	for _, k := range c.Kinds {
		ks = append(ks, kind{k.Kind, k.Keep.Seconds(), k.Removed, k.Checkpoint})
	}
	return encodeIndented(w, struct {
		SchemaVersion int    `json:"schema_version"`
		Store         string `json:"store"`
		Kinds         []kind `json:"kinds"`
	}{SchemaVersion, c.Where, ks})
}
