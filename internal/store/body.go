package store

// Bodies of the kinds dbguard writes now. Each has schema_version first;
// a reader that meets a newer version than it knows shows what it can.

// BodyVersion is the schema_version of the bodies below.
const BodyVersion = 1

// ChangeBody is a change event: a file's new revision against the
// previous one (none for the baseline), with review's semantic diff,
// redacted as review prints it.
type ChangeBody struct {
	SchemaVersion int           `json:"schema_version"`
	File          string        `json:"file"`
	Revision      string        `json:"revision"`
	Previous      string        `json:"previous,omitempty"`
	Baseline      bool          `json:"baseline,omitempty"`
	Fingerprint   string        `json:"fingerprint,omitempty"`
	Risk          string        `json:"risk,omitempty"`
	Changes       []FieldChange `json:"changes,omitempty"`
}

// FieldChange is one field of one profile that changed. A secret is never
// a value here: New says "changed", "added" or "removed".
type FieldChange struct {
	KeyPath string  `json:"key_path"`
	Field   string  `json:"field"`
	Kind    string  `json:"kind"`
	Old     *string `json:"old,omitempty"`
	New     *string `json:"new,omitempty"`
	Risk    string  `json:"risk,omitempty"`
}
