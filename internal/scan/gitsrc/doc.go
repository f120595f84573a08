// Package gitsrc reads configuration files out of a git repository as
// sources of package scan: a commit (Tree) and the working tree compared
// against a commit (Worktree), both read through the git command line
// (ls-tree, cat-file --batch, diff --name-status); nothing is checked out.
// OpenChange opens a change between two revisions the way every command
// that compares revisions needs it (review, verify --diff-base): the
// commits resolved, the paths as repository paths and dbguard.yaml read
// from the base revision, never from the change, so that a change cannot
// relax the rules it is judged by.
//
// It is a package of its own, below scan rather than in it, because it is
// a different mechanism (it runs git, parses its output, and has its own
// failures: a revision missing from a shallow clone, a folder outside any
// repository) that needs nothing of scan but the exported Source contract;
// scan's own files stay about reading files into profiles.
//
// Security: blobs are read into memory only; a file over scan.MaxFileSize
// is skipped unread, as scan skips it. Nothing here hashes a file: the
// ids that tell equal files apart are the blob ids git computed.
package gitsrc
