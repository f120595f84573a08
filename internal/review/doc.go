// Package review turns a diff into a review: which approvals the base
// revision's policy (dbguard.yaml's review section) requires for the
// change, which of them the forge (GitHub pull request reviews, GitLab
// merge request approvals) or the command line supplies, which are still
// missing, and the report in text, JSON, Markdown and SARIF.
//
// The policy is always read from the base revision: a change cannot relax
// the rules it is judged by. Git is read through the git command line
// (ls-tree, cat-file --batch, diff --name-status); nothing is checked out.
//
// Security: reports carry what package diff produces, which never holds a
// secret; a forge token is sent only in the Authorization (GitHub) or
// PRIVATE-TOKEN (GitLab) header and never printed.
package review
