package store

import (
	"encoding/json"
	"testing"
)

// FuzzSchemaVersion: any body gets an answer, never a panic, and a body
// accepted is a valid JSON object whose schema_version is what was said.
func FuzzSchemaVersion(f *testing.F) {
	for _, s := range []string{`{"schema_version":1}`, ` {"schema_version":2,"x":[1,2]} `, `{"schema_version":0}`, `{"schema_version":1.5}`,
		`{"schema_version":1} {}`, `[{"schema_version":1}]`, `{"schema_version":"1"}`, `{`, ``, `{"schema_version":1,"schema_version":3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := SchemaVersion(body)
		if err != nil {
			return
		}
		var head struct {
			SchemaVersion int `json:"schema_version"`
		}
		if !json.Valid(body) || json.Unmarshal(body, &head) != nil || head.SchemaVersion != v || v < 1 {
			t.Fatalf("SchemaVersion(%q) = %d, accepted; the body is not a JSON object with that version", body, v)
		}
	})
}
