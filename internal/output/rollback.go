package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/store"
)

// RollbackFormats lists the output formats of rollback.
func RollbackFormats() Registry[*app.RollbackResult] {
	return Registry[*app.RollbackResult]{
		{"text", "the field changes undone, what was written, the git commands and the verify command", renderRollbackText},
		{"json", "one JSON document with schema_version, for tools", renderRollbackJSON},
	}
}

func renderRollbackText(w io.Writer, r *app.RollbackResult, _ Options) error {
	b := &strings.Builder{}
	verb := "restored"
	switch {
	case r.Already:
		verb = "already holds"
	case r.DryRun:
		verb = "would restore (dry run: nothing written)"
	}
	fmt.Fprintf(b, "%s: %s revision %s", r.File, verb, short(r.To))
	if !r.VerifiedAt.IsZero() {
		fmt.Fprintf(b, ", verified good at %s", r.VerifiedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	b.WriteString("\n")
	if len(r.Changes) > 0 {
		b.WriteString("  undoes:\n")
		for _, c := range r.Changes {
			fmt.Fprintf(b, "    %s %s %s: %s → %s\n", c.KeyPath, c.Kind, c.Field, val(c.Old), val(c.New))
		}
	}
	if r.Backup != "" {
		fmt.Fprintf(b, "  the replaced content is kept as revision %s (encrypted)\n", short(r.Backup))
	}
	if r.Event > 0 {
		fmt.Fprintf(b, "  recorded as event %d in %s\n", r.Event, r.Store)
	}
	if len(r.Git) > 0 && !r.Already {
		if r.Committed {
			b.WriteString("  committed on the current branch (not pushed):\n")
		} else {
			b.WriteString("  to commit it:\n")
		}
		for _, g := range r.Git {
			fmt.Fprintf(b, "    %s\n", g)
		}
	}
	fmt.Fprintf(b, "  prove it: %s\n", r.Verify)
	_, err := io.WriteString(w, b.String())
	return err
}

func renderRollbackJSON(w io.Writer, r *app.RollbackResult, _ Options) error {
	changes := r.Changes
	if changes == nil {
		changes = []store.FieldChange{}
	}
	verified := ""
	if !r.VerifiedAt.IsZero() {
		verified = r.VerifiedAt.UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	return encodeIndented(w, struct {
		SchemaVersion int                 `json:"schema_version"`
		Store         string              `json:"store"`
		File          string              `json:"file"`
		Path          string              `json:"path"`
		Profile       string              `json:"profile,omitempty"`
		To            string              `json:"to"`
		VerifiedAt    string              `json:"verified_at,omitempty"`
		From          string              `json:"from,omitempty"`
		Backup        string              `json:"backup,omitempty"`
		Already       bool                `json:"already"`
		DryRun        bool                `json:"dry_run"`
		Event         int64               `json:"event,omitempty"`
		Changes       []store.FieldChange `json:"changes"`
		Git           []string            `json:"git,omitempty"`
		Committed     bool                `json:"committed"`
		Verify        string              `json:"verify"`
	}{SchemaVersion, r.Store, r.File, r.Disk, r.Profile, r.To, verified, r.From, r.Backup, r.Already, r.DryRun, r.Event, changes, r.Git, r.Committed, r.Verify})
}
