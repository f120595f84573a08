// Package policy judges connection profiles: built-in rules and custom CEL
// rules turn the profiles a scan found into findings, each with a stable
// rule id, a severity, a message, the location it is about and a
// remediation.
//
// The pipeline is plain data: an Input (profiles, unreadable inputs, notes
// about keys) and Settings (dbguard.yaml's rules and inventory sections) go
// into Evaluate, a Report comes out. Rendering is internal/output's job.
//
// Rule ids are a contract (docs/rules/README.md): once released an id is
// never renamed or reused, because dbguard.yaml, suppression comments and
// baselines name rules by id.
//
// Security: a finding never carries a secret. Rules that look at a
// password read only Password.Source, Set and NeedsEncoding, and compare
// literal secrets with Secret.Equal in memory; no message formats a Secret,
// and no hash of one is computed.
package policy
