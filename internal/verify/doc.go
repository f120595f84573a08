// Package verify proves that a connection profile works against the live
// server, one stage at a time, and names the first stage that fails with a
// class from a fixed taxonomy.
//
// The stages are config, dns, tcp, tls, auth, database, query and capacity.
// The core (this package) decides everything a responder reads: it resolves
// names with an injectable resolver, dials every address with its own
// timeout, performs the TLS handshake itself where the protocol allows it,
// times each stage, and turns what went wrong into a Class. Drivers
// (postgres/ and mysql/) are dumb: they speak their wire protocol on a
// connection the core hands them and return what the server said, as a
// *ServerError carrying the server's own code, or the library's Go error
// unchanged. Classification never reads English message text, with one
// documented exception in pgbouncer.go.
//
// Security: the password of a profile lives in a profile.Secret and is
// revealed only to hand it to a driver. Every message a Result carries is
// passed through scrub first, because drivers build error text from their
// connection settings.
package verify
