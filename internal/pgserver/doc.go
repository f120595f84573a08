// Package pgserver starts and stops a private PostgreSQL with initdb and
// pg_ctl: its own folder, a free loopback port, fsync off. `dbguard demo`
// runs its outage on one and tests start one for settings the shared test
// server must not have.
//
// PostgreSQL refuses to run as root, so as root every program of the
// server runs as user postgres through runuser; the folders above the
// server's must then be passable by others, which New checks.
//
// The package prints nothing and logs nothing: every failure is an error
// carrying the program's output and the tail of the server's log
// (RunError). It holds no package-level state.
package pgserver
