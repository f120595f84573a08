package verify

import (
	"errors"
	"fmt"
)

// ServerError is an error the server sent, with its own code. Drivers
// translate their library's server-error type into this one and nothing
// else, so the core classifies PostgreSQL, PgBouncer and MySQL alike.
type ServerError struct {
	// System names the code space: "sqlstate" or "mysql".
	System string
	// Code is the SQLSTATE ("28P01") or the MySQL error number ("1045").
	Code string
	// Message is the server's text. It is shown to the reader, and read
	// by the core only in the documented PgBouncer exception.
	Message string
}

func (e *ServerError) Error() string { return fmt.Sprintf("server error %s: %s", e.Code, e.Message) }

// Code spaces of ServerError.System.
const (
	SystemSQLState = "sqlstate"
	SystemMySQL    = "mysql"
)

// AuthMethodError says the server asked for an authentication method the
// driver cannot perform. Drivers learn the method from the protocol (the
// PostgreSQL AuthenticationRequest code, the MySQL plugin name).
type AuthMethodError struct {
	Method string
	Err    error
}

func (e *AuthMethodError) Error() string {
	return fmt.Sprintf("server requires authentication method %q that the client does not support", e.Method)
}

func (e *AuthMethodError) Unwrap() error { return e.Err }

// ErrProtocol marks a reply that is not the expected wire protocol. Drivers
// wrap it (fmt.Errorf("...: %w", ErrProtocol)) when they see bytes their
// protocol does not allow.
var ErrProtocol = errors.New("server reply is not the expected protocol")

// ErrTLSNotOffered is returned by a probe whose profile requires TLS from
// a server that declined it in the protocol's own negotiation.
var ErrTLSNotOffered = errors.New("server does not offer TLS")
