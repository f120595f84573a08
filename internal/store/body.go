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

// VerificationBody is a verification event: verify's outcome for one
// profile and the revision of its file that was verified. A successful
// one makes that revision verified-good for the profile.
type VerificationBody struct {
	SchemaVersion int    `json:"schema_version"`
	Revision      string `json:"revision,omitempty"`
	OK            bool   `json:"ok"`
	// Stage and Class name where and why a failed verification failed.
	Stage string `json:"stage,omitempty"`
	Class string `json:"class,omitempty"`
	// Result is verify's JSON result for the profile.
	Result []byte `json:"result,omitempty"`
}

// ApprovalBody is an approval recorded with dbguard approve: unverified,
// since anyone with access to the store could type any name.
type ApprovalBody struct {
	SchemaVersion int    `json:"schema_version"`
	Fingerprint   string `json:"fingerprint"`
	By            string `json:"by"`
	Note          string `json:"note,omitempty"`
}

// ReviewBody is a review event (dbguard review --record): the change's
// fingerprint and risk, the revisions compared, and the approvals that
// counted towards the policy, each with where it came from.
type ReviewBody struct {
	SchemaVersion int              `json:"schema_version"`
	Fingerprint   string           `json:"fingerprint"`
	Risk          string           `json:"risk"`
	Base          string           `json:"base,omitempty"`
	Head          string           `json:"head,omitempty"`
	Policy        string           `json:"policy,omitempty"`
	Approvals     []ReviewApproval `json:"approvals"`
	// Missing is how many approvals the policy still required.
	Missing int `json:"missing"`
}

// ReviewApproval is an approval that counted: Verified when the forge
// reported it, not when it was typed (--approved-by) or recorded with
// dbguard approve (Source "store").
type ReviewApproval struct {
	User     string `json:"user"`
	Source   string `json:"source"`
	Verified bool   `json:"verified"`
}

// CheckpointBody is a checkpoint: compaction removed the events listed,
// and kept, for each surviving event that followed a removed one, the MAC
// of the event before it (Bridges, by the survivor's sequence number, in
// hex), so that Check can still verify the survivor. The checkpoint is
// MAC'd like any event, so the list cannot be extended without the key.
type CheckpointBody struct {
	SchemaVersion int               `json:"schema_version"`
	Kinds         []string          `json:"kinds"`
	Before        string            `json:"before"` // RFC 3339: events older than this
	Removed       int               `json:"removed"`
	ByKind        map[string]int    `json:"by_kind"`
	Ranges        [][2]int64        `json:"ranges"` // removed runs, inclusive
	Bridges       map[string]string `json:"bridges"`
}

// RollbackBody is a rollback: a file restored to an earlier revision.
type RollbackBody struct {
	SchemaVersion int    `json:"schema_version"`
	File          string `json:"file"`
	From          string `json:"from,omitempty"` // the revision on disk before, when recorded
	To            string `json:"to"`
	Backup        string `json:"backup,omitempty"`
}
