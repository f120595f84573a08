package output

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// TestScanJSONStreamMatchesEncoder checks that scan's streamed JSON is byte
// for byte what json.Encoder writes for the whole scanJSON document.
func TestScanJSONStreamMatchesEncoder(t *testing.T) {
	res, err := scan.Run(context.Background(), scan.Options{Paths: []string{"../cli/testdata/scan"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Problems = append(res.Problems, profile.Problem{Loc: profile.Location{File: "x.yaml", Line: 1, Column: 1}, Msg: `bad <"file">`})
	var streamed bytes.Buffer
	if err := renderScanJSON(&streamed, res, Options{}); err != nil {
		t.Fatal(err)
	}
	doc := scanJSON{SchemaVersion: profile.SchemaVersion, Profiles: []profile.View{}, Problems: []problemJSON{}}
	for _, p := range res.Profiles {
		doc.Profiles = append(doc.Profiles, p.View())
	}
	for _, p := range res.Problems {
		doc.Problems = append(doc.Problems, problemJSON{Rule: "input-unreadable", Severity: "error",
			File: p.Loc.File, Line: p.Loc.Line, Column: p.Loc.Column, Message: p.Msg})
	}
	doc.Summary = scanSummary{Files: res.Files, Readable: res.Readable, Bytes: res.Bytes,
		Profiles: len(res.Profiles), Problems: len(res.Problems)}
	var whole bytes.Buffer
	enc := json.NewEncoder(&whole)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(streamed.Bytes(), whole.Bytes()) {
		t.Errorf("streamed scan JSON differs from the encoder's (%d vs %d bytes)", streamed.Len(), whole.Len())
	}
}
