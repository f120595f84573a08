// Package audit judges what is deployed rather than what a pull request
// changes: the settings live database servers run with, how the files on
// disk drifted from the revision last recorded in the store, how copies of
// one service differ, and how the result moved since the previous audit.
//
// It returns data (Finding, Report) and never logs. It reads servers only
// through verify's connection code (verify.Prober.Inspect), read-only: a
// PostgreSQL session in READ ONLY transactions, MariaDB/MySQL in START
// TRANSACTION READ ONLY, PgBouncer's admin console with SHOW only.
//
// Security: no secret is read into a Finding. An account's password is
// judged on the server (authentication_string = ”), so that neither a
// password nor its hash ever reaches dbguard's memory.
package audit
