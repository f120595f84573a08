// Package config reads dbguard.yaml, dbguard's own configuration: which
// environment a file's profiles belong to when the scanner would guess
// wrong, which paths to skip, how many replicas use a profile, and later the
// sections of check, review and watch.
//
// The contract, modelled on Prometheus blackbox_exporter's strict config:
//
//   - The file says "version: 1". A missing version is an error; another
//     version is refused before anything else is read, because a newer
//     schema may give the same key a different meaning.
//   - Decoding is strict. An unknown key, a wrong type, a duplicate key or
//     a second YAML document is an error, never silently ignored: a typo in
//     "exclude" must not quietly scan the vendored tree, and a typo in an
//     environment override must not quietly judge production as
//     development. Every error carries file:line:column and names the
//     section it is in.
//   - Defaults are set before decoding (Default), and a section the file
//     writes replaces its default rather than merging with it.
//   - Validation reports all problems at once (errors.Join of *Error), so a
//     user fixes the file in one pass.
//   - Nothing in the file, however malformed, makes the package panic.
//
// Each top-level section is registered in section.go with its decoder and
// validator; a later capability adds a file and one registry entry without
// touching the other sections. docs/config.md is the user reference.
//
// Paths and globs are slash-separated and relative to the scan root on every
// operating system (see Glob). The package reads no secret: dbguard.yaml
// says how to judge connection settings, never what the passwords are.
package config
