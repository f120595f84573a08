// Package docsgen builds the database configuration reference that
// `dbguard docs` writes: an inventory of every service's connections with
// where each setting and its secret come from, who approves a change, the
// rules' verdicts, the last verified-good revision, a topology of
// services, poolers and servers, and a runbook page per error class of
// verify's taxonomy.
//
// It is plain data in, plain data out: the application layer gathers the
// profiles, findings, review policy and store answers and hands them to
// Build; package output renders the Reference as Markdown or JSON; Compare
// tells which generated files differ from a folder, for `docs --check`.
//
// Security: a Connection carries where a password comes from (its source:
// env:NAME, secret:REF, file:PATH, literal) and never the password, its
// length or any hash of it. Values are copied as written in the files,
// which scan keeps free of secrets (connection strings are redacted before
// they reach a profile's parameters).
//
// Stability: everything is sorted and no time is read here, so the same
// inputs give the same bytes; the generation time appears only when the
// caller sets Reference.Generated.
package docsgen
