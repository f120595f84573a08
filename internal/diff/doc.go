// Package diff computes the semantic change between two revisions of an
// application's database connection settings: which profiles were added,
// removed or moved, which of their fields changed from what to what (with
// both locations), how risky each change is and why, which findings of
// check the change introduces or fixes, and a fingerprint of the whole
// change.
//
// Profiles are matched by identity — environment, name and key path — not
// by file name, so a renamed or moved file, a renamed key and reordered
// blocks still pair up. Files whose content is the same on both sides are
// not extracted at all (git's blob ids, or a byte comparison after the
// size: scan.ChangedFiles; no file is hashed), except the few whose
// profiles can take part in a rule together with a changed profile (fleet
// copies, servers in the same folder, link targets); see neighbours in
// diff.go. diff chooses which files; package scan reads them into
// profiles (scan.Side), so a side's profiles are the ones scan lists.
//
// Security: a password is compared only in memory, with
// profile.Secret.Equal. A change shows it as changed, added, removed or
// "now unresolved (from VAR)"; neither its value nor any hash of it enters
// a Change, a reason or the fingerprint.
package diff
