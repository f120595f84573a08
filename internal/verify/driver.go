package verify

import (
	"context"
	"crypto/tls"
	"net"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
)

// Driver speaks one wire protocol. It is dumb on purpose: the core dials,
// times and classifies; a driver performs protocol steps on a connection it
// is handed and returns what the server said without interpreting it —
// server errors as *ServerError with the server's own code, everything
// else (net, TLS, context errors) unchanged so the core can inspect its type.
//
// The core bounds every call by the connection's deadline and hands drivers
// a context it never cancels (a canceled probe moves the deadline to the
// past instead): a driver must return as soon as a read or write on conn
// fails, and must not rely on ctx to be woken.
//
// Every driver must pass the conformance suite in verify/verifytest.
type Driver interface {
	// Name is the profile driver name this driver serves ("postgres").
	Name() string
	// DefaultPort is used when a profile names no port.
	DefaultPort() int
	// NegotiateTLS is called right after TCP connects, only when the
	// profile's TLS mode is not disable. It performs the protocol's
	// pre-TLS exchange and reports whether the server offers TLS. When
	// the protocol negotiates TLS inside its own authentication
	// handshake (MySQL), it returns InHandshake and the core passes its
	// TLS configuration to Connect instead of handshaking itself.
	NegotiateTLS(ctx context.Context, conn net.Conn) (TLSOffer, error)
	// Connect authenticates and opens the database over conn, which the
	// core has already wrapped in TLS when it did the handshake itself.
	// On success the driver owns conn and Session.Close releases it; on
	// failure the core closes conn.
	Connect(ctx context.Context, conn net.Conn, req ConnectRequest) (Session, error)
}

// TLSOffer is the server's answer to a TLS negotiation.
type TLSOffer struct {
	// Offered reports that the server is willing to speak TLS.
	Offered bool
	// InHandshake is set when TLS happens inside Connect (MySQL).
	InHandshake bool
	// Conn, when not nil, replaces the connection for the rest of the
	// attempt (a driver that peeked at the server's greeting returns a
	// connection that replays it).
	Conn net.Conn
}

// ConnectRequest is what a driver needs to log in.
type ConnectRequest struct {
	Database string
	User     string
	Password profile.Secret
	// TLS is set only when the driver negotiates TLS itself
	// (TLSOffer.InHandshake); nil means plaintext.
	TLS *tls.Config
	// Console asks for the pooler's admin console session, on which
	// Session.Capacity reports the pooler's limits.
	Console bool
}

// Session is an open, authenticated connection.
type Session interface {
	// Query runs q (empty means SELECT 1) read-only. timeout bounds it on
	// the server where the protocol allows (PostgreSQL's SET LOCAL
	// statement_timeout inside a transaction); the core also bounds ctx.
	Query(ctx context.Context, q string, timeout time.Duration) (QueryInfo, error)
	// ReadOnly reports whether the server refuses writes for this
	// session (a standby, default_transaction_read_only, @@read_only).
	ReadOnly(ctx context.Context) (bool, error)
	// WriteCheck inserts a row of defaults into table inside a
	// transaction that is rolled back.
	WriteCheck(ctx context.Context, table string, timeout time.Duration) error
	// Capacity reports the server's connection limits and use, or on a
	// Console session the pooler's.
	Capacity(ctx context.Context) (Capacity, error)
	// Close ends the session politely and releases the connection.
	Close(ctx context.Context) error
}

// QueryInfo is what the query stage learnt about the server.
type QueryInfo struct {
	// Pooler is set when the session is not the server process it
	// appears to be: a pooler (PgBouncer) sits in between.
	Pooler bool
}

// Capacity is a server's (or a pooler's) connection budget. A negative
// number is unknown or unlimited, as the field says.
type Capacity struct {
	Source   string // "postgresql", "mariadb", "pgbouncer"
	Max      int    // max_connections or max_client_conn
	Reserved int    // connections ordinary users cannot take
	Current  int    // connections open now, this probe's included
	// UserLimit is the per-user (or per-role) connection limit, -1 when
	// there is none; UserCurrent the user's open connections.
	UserLimit   int
	UserCurrent int
	// PoolSize is a pooler's server-side pool size per database and user.
	PoolSize int
}

// Free is how many more connections the profile's user could open, not
// counting this probe's own (it closes right after).
func (c Capacity) Free() int {
	free := c.Max - c.Reserved - c.Current + 1
	if c.UserLimit >= 0 {
		if u := c.UserLimit - c.UserCurrent + 1; u < free {
			free = u
		}
	}
	if free < 0 {
		return 0
	}
	return free
}

// Catalog is an optional Session capability. PgBouncer relays a server's
// refusal of its login (an unknown database, for one) as 08P01 with the
// server's localised text, so the core decides by a second attempt: it
// logs in to another database with the same credentials and asks the
// catalog.
type Catalog interface {
	DatabaseExists(ctx context.Context, name string) (bool, error)
}
