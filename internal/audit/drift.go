package audit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
)

// DriftReport compares the files on disk with their last recorded
// revisions. It compares the redacted profiles every revision keeps in
// clear (no key needed), field by field; a literal password's value is
// not among them, so with the store key the decrypted content is compared
// too, and a difference no field explains is reported as such.
type DriftReport struct {
	// Computed is false when no store could be read (Note says why).
	Computed bool        `json:"computed"`
	Note     string      `json:"note,omitempty"`
	Files    []DriftFile `json:"files"`
}

// DriftFile is one file's drift from its last recorded revision.
type DriftFile struct {
	File     string    `json:"file"`
	Revision string    `json:"revision,omitempty"`
	Recorded time.Time `json:"recorded,omitzero"`
	// State is "drifted", "unrecorded" (no revision in the store) or
	// "recorded" (on disk as recorded).
	State  string       `json:"state"`
	Fields []DriftField `json:"fields,omitempty"`
	// ContentOnly is set when the content differs but no profile field
	// does (comments, other keys, a literal password's value).
	ContentOnly bool `json:"content_only,omitempty"`
}

// DriftField is one field of one profile that differs from the recorded
// revision; Old or New is nil when the field or the profile is absent on
// that side. Values are from redacted profiles: never a secret.
type DriftField struct {
	KeyPath string  `json:"key_path"`
	Field   string  `json:"field"`
	Old     *string `json:"old"`
	New     *string `json:"new"`
}

// viewNoise are the members of a redacted profile that move with edits
// that change nothing (lines, display ids) or repeat other members.
var viewNoise = []string{"id", "file", "locations", "notes", "effective", "service_from", "environment_from"}

// flatten turns a redacted profile into field → JSON value.
func flatten(v json.RawMessage) map[string]string {
	var m map[string]any
	if json.Unmarshal(v, &m) != nil {
		return nil
	}
	for _, k := range viewNoise {
		delete(m, k)
	}
	out := map[string]string{}
	var walk func(prefix string, x any)
	walk = func(prefix string, x any) {
		if obj, ok := x.(map[string]any); ok && len(obj) > 0 {
			for k, y := range obj {
				walk(prefix+k+".", y)
			}
			return
		}
		b, _ := json.Marshal(x)
		if s := string(b); s != "null" && s != "{}" && s != "[]" {
			out[strings.TrimSuffix(prefix, ".")] = s
		}
	}
	walk("", m)
	return out
}

// CompareProfiles compares the redacted profiles of a recorded revision
// (a JSON array, as the store keeps them) with the ones on disk now, by
// key path and field.
func CompareProfiles(recorded json.RawMessage, now []profile.View) ([]DriftField, error) {
	var old []json.RawMessage
	if err := json.Unmarshal(recorded, &old); err != nil {
		return nil, fmt.Errorf("read the recorded profiles: %w", err)
	}
	byKey := func(list []json.RawMessage) map[string]map[string]string {
		m := map[string]map[string]string{}
		for _, v := range list {
			var head struct {
				KeyPath string `json:"key_path"`
			}
			if json.Unmarshal(v, &head) == nil {
				m[head.KeyPath] = flatten(v)
			}
		}
		return m
	}
	cur := make([]json.RawMessage, 0, len(now))
	for _, v := range now {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode a profile: %w", err)
		}
		cur = append(cur, b)
	}
	a, b := byKey(old), byKey(cur)
	var out []DriftField
	for _, kp := range unionKeys(a, b) {
		fa, fb := a[kp], b[kp]
		switch {
		case fa == nil:
			out = append(out, DriftField{KeyPath: kp, Field: "profile", New: ptr("added")})
			continue
		case fb == nil:
			out = append(out, DriftField{KeyPath: kp, Field: "profile", Old: ptr("present"), New: ptr("removed")})
			continue
		}
		for _, f := range unionKeys(fa, fb) {
			va, oka := fa[f]
			vb, okb := fb[f]
			if oka && okb && va == vb {
				continue
			}
			d := DriftField{KeyPath: kp, Field: f}
			if oka {
				d.Old = ptr(va)
			}
			if okb {
				d.New = ptr(vb)
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func ptr(s string) *string { return &s }

func unionKeys[T any](a, b map[string]T) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]T{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Findings are the drift's findings: one per drifted field, naming the
// revision and the time it drifted from.
func (d *DriftReport) Findings(zone *time.Location) []Finding {
	var out []Finding
	for _, f := range d.Files {
		if f.State != "drifted" {
			continue
		}
		since := fmt.Sprintf("revision %s recorded %s", short(f.Revision), f.Recorded.In(zone).Format("2006-01-02 15:04 MST"))
		if f.ContentOnly {
			fd := newFinding(SectionDrift, ConfigDrift, "", f.File, fmt.Sprintf("%s differs from %s outside any profile field (comments, other keys, or a literal password's value)", f.File, since))
			fd.Location = f.File
			out = append(out, fd)
		}
		for _, c := range f.Fields {
			id := f.File + "#" + c.KeyPath
			fd := newFinding(SectionDrift, ConfigDrift, "", id+"|"+c.Field,
				fmt.Sprintf("%s: %s is %s on disk, %s in %s", id, c.Field, show(c.New), show(c.Old), since))
			fd.Profile, fd.Field, fd.Location = id, c.Field, f.File
			out = append(out, fd)
		}
	}
	return out
}

func show(s *string) string {
	if s == nil {
		return "absent"
	}
	return *s
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
