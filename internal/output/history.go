package output

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/store"
)

// HistoryFormats lists the output formats of history.
func HistoryFormats() Registry[*app.Timeline] {
	return Registry[*app.Timeline]{
		{"text", "the timeline, oldest first, every time in the zone named in the header", renderHistoryText},
		{"json", "one JSON document with schema_version, for tools", renderHistoryJSON},
	}
}

const historyTime = "2006-01-02 15:04:05.000"

func renderHistoryText(w io.Writer, h *app.Timeline, _ Options) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "history of %s, times in %s\n", h.Store, h.Zone)
	if len(h.Entries) == 0 {
		b.WriteString("  no event matches\n")
	}
	for _, en := range h.Entries {
		e := en.Event
		fmt.Fprintf(b, "%s  #%-5d %-12s by %s (%s)\n", e.Time.Format(historyTime), e.Seq, e.Kind, e.Actor.Name, e.Actor.Origin)
		fmt.Fprintf(b, "    %s\n", en.Summary)
		if len(e.Profiles) > 0 {
			ids := make([]string, len(e.Profiles))
			for i, p := range e.Profiles {
				ids[i] = p.File + "#" + p.KeyPath
			}
			fmt.Fprintf(b, "    profiles: %s\n", strings.Join(ids, ", "))
		}
		for _, c := range en.Changes {
			fmt.Fprintf(b, "    %s %s %s: %s → %s\n", c.KeyPath, c.Kind, c.Field, val(c.Old), val(c.New))
		}
		if en.Related != "" {
			fmt.Fprintf(b, "    %s after the %s\n", en.After.Round(time.Millisecond), en.Related)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type historyJSON struct {
	SchemaVersion int                `json:"schema_version"`
	Store         string             `json:"store"`
	Zone          string             `json:"zone"`
	Events        []historyEventJSON `json:"events"`
}

type historyEventJSON struct {
	Seq          int64                `json:"seq"`
	ID           string               `json:"id"`
	Time         string               `json:"time"`
	Kind         store.Kind           `json:"kind"`
	Actor        store.Actor          `json:"actor"`
	Profiles     []store.EventProfile `json:"profiles"`
	Summary      string               `json:"summary"`
	AfterSeconds float64              `json:"after_seconds,omitempty"`
	Related      string               `json:"related,omitempty"`
	Body         json.RawMessage      `json:"body"`
}

func renderHistoryJSON(w io.Writer, h *app.Timeline, _ Options) error {
	out := historyJSON{SchemaVersion: SchemaVersion, Store: h.Store, Zone: h.Zone.String(), Events: []historyEventJSON{}}
	for _, en := range h.Entries {
		e := en.Event
		ps := e.Profiles
		if ps == nil {
			ps = []store.EventProfile{}
		}
		out.Events = append(out.Events, historyEventJSON{Seq: e.Seq, ID: e.ID, Time: e.Time.Format(time.RFC3339Nano), Kind: e.Kind,
			Actor: e.Actor, Profiles: ps, Summary: en.Summary, AfterSeconds: en.After.Seconds(), Related: en.Related, Body: e.Body})
	}
	return encodeIndented(w, out)
}
