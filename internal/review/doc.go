// Package review turns a diff into a review: which approvals the base
// revision's policy (dbguard.yaml's review section) requires for the
// change, which of them the forge (GitHub pull request reviews, GitLab
// merge request approvals) or the command line supplies, which are still
// missing. Its reports are rendered by package output.
//
// The policy is always read from the base revision: a change cannot relax
// the rules it is judged by. Reading the two revisions is not review's
// work: package gitsrc (internal/scan/gitsrc) opens the change and reads
// the revisions' files, package scan turns them into profiles, package
// diff compares them; review keeps what is about approvals (policy.go,
// forge.go) and Run, which ties them together.
//
// Security: reports carry what package diff produces, which never holds a
// secret; a forge token is sent only in the Authorization (GitHub) or
// PRIVATE-TOKEN (GitLab) header and never printed.
package review
