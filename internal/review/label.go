package review

// SourceStore is the Source of an approval recorded in the event store
// with dbguard approve.
const SourceStore = "store"

// Label says how far an approval can be trusted, as every report prints
// it: "verified (forge)" for one the forge reported, else "unverified"
// and where it came from — "unverified (store)", "unverified (command
// line)" — since anyone who can type a flag or reach the store could
// give any name.
func (a Approval) Label() string { return ApprovalLabel(a.Verified, a.Source) }

// ApprovalLabel is Label for an approval known by its fields only (a
// recorded review, a rendered report).
func ApprovalLabel(verified bool, source string) string {
	if verified {
		return "verified (forge)"
	}
	if source == "" {
		source = "unknown"
	}
	return "unverified (" + source + ")"
}
