// Package app is dbguard's application layer: one function per thing a
// user asks of dbguard (Scan, Check, Diff, Review, Verify, VerifyChange),
// each taking a plain request and returning plain results, between the
// front ends and the domain packages.
//
// The command line (internal/cli) binds flags to a request, calls one of
// these, renders the result with internal/output and maps it to an exit
// code; the daemon, the web API and drills call the same functions. No
// front end holds domain logic of its own, and this package holds no
// rendering, no flag and no process state: it reads files and talks to
// databases only through the domain packages, and never logs.
package app
