// Package mysql is dbguard's prober driver for MySQL and MariaDB, built on
// go-sql-driver/mysql used directly through its connector (database/sql
// would retry a failed connection on its own and hide the first error).
//
// The driver reads the server's greeting itself before handing the
// connection to go-sql-driver, which replays it: the greeting says whether
// the server offers TLS (the CLIENT_SSL capability) and carries any
// refusal the server sends before authentication (1040 too many
// connections, 1129/1130 host refused), so both are known from the
// protocol. TLS itself is negotiated inside the MySQL handshake together
// with authentication; the verify core reports the two as one exchange.
package mysql

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/dbguard/dbguard/internal/verify"
)

// Driver probes MySQL and MariaDB.
type Driver struct{}

var _ verify.Driver = Driver{}

// New returns the driver.
func New() Driver { return Driver{} }

func (Driver) Name() string     { return "mysql" }
func (Driver) DefaultPort() int { return 3306 }

// clientSSL is the CLIENT_SSL capability flag of the greeting.
const clientSSL = 0x0800

// greeting is the server's first packet, kept to be replayed.
type greeting struct {
	raw     []byte
	tls     bool
	mariaDB bool
}

// readGreeting reads and checks the server's first packet.
func readGreeting(conn net.Conn) (greeting, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return greeting{}, fmt.Errorf("read server greeting: %w", err)
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if n == 0 || n > 1<<16 || hdr[3] != 0 {
		return greeting{}, fmt.Errorf("server greeting header: %w", verify.ErrProtocol)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(conn, payload); err != nil {
		return greeting{}, fmt.Errorf("read server greeting: %w", err)
	}
	switch payload[0] {
	case 0xff: // an error packet: the server refuses before the handshake
		if len(payload) < 3 {
			return greeting{}, fmt.Errorf("server error packet: %w", verify.ErrProtocol)
		}
		code := binary.LittleEndian.Uint16(payload[1:3])
		msg := payload[3:]
		if len(msg) > 6 && msg[0] == '#' {
			msg = msg[6:]
		}
		return greeting{}, &verify.ServerError{System: verify.SystemMySQL, Code: strconv.Itoa(int(code)), Message: string(msg)}
	case 10:
	default:
		return greeting{}, fmt.Errorf("server greeting protocol version %d: %w", payload[0], verify.ErrProtocol)
	}
	end := bytes.IndexByte(payload[1:], 0)
	if end < 0 || 1+end+1+4+8+1+2 > len(payload) {
		return greeting{}, fmt.Errorf("server greeting too short: %w", verify.ErrProtocol)
	}
	version := string(payload[1 : 1+end])
	capOff := 1 + end + 1 + 4 + 8 + 1
	caps := binary.LittleEndian.Uint16(payload[capOff : capOff+2])
	raw := append(hdr[:], payload...)
	return greeting{raw: raw, tls: caps&clientSSL != 0, mariaDB: strings.Contains(version, "MariaDB")}, nil
}

// peekConn replays the greeting, then reads the connection, and keeps the
// last network error: go-sql-driver reports a failed read only as
// ErrInvalidConn, and the core needs the cause (a deadline, a reset).
type peekConn struct {
	net.Conn
	g       greeting
	replay  []byte
	mu      sync.Mutex
	lastErr error
}

func (c *peekConn) Read(p []byte) (int, error) {
	if len(c.replay) > 0 {
		n := copy(p, c.replay)
		c.replay = c.replay[n:]
		return n, nil
	}
	n, err := c.Conn.Read(p)
	c.keep(err)
	return n, err
}

func (c *peekConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.keep(err)
	return n, err
}

func (c *peekConn) keep(err error) {
	if err != nil {
		c.mu.Lock()
		c.lastErr = err
		c.mu.Unlock()
	}
}

func (c *peekConn) cause() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

func peek(conn net.Conn) (*peekConn, error) {
	if pc, ok := conn.(*peekConn); ok {
		return pc, nil
	}
	g, err := readGreeting(conn)
	if err != nil {
		return nil, err
	}
	return &peekConn{Conn: conn, g: g, replay: g.raw}, nil
}

// NegotiateTLS reads the greeting: TLS is offered when its capabilities
// say so, and happens later inside Connect.
func (Driver) NegotiateTLS(ctx context.Context, conn net.Conn) (verify.TLSOffer, error) {
	pc, err := peek(conn)
	if err != nil {
		return verify.TLSOffer{}, err
	}
	return verify.TLSOffer{Offered: pc.g.tls, InHandshake: true, Conn: pc}, nil
}

type nopLogger struct{}

func (nopLogger) Print(...any) {}

// Connect runs the MySQL handshake (TLS when req.TLS is set, then
// authentication and the database) over conn.
func (Driver) Connect(ctx context.Context, conn net.Conn, req verify.ConnectRequest) (verify.Session, error) {
	pc, err := peek(conn)
	if err != nil {
		return nil, err
	}
	cfg := gomysql.NewConfig()
	cfg.User, cfg.Passwd = req.User, req.Password.Reveal()
	cfg.Net, cfg.Addr, cfg.DBName = "tcp", conn.RemoteAddr().String(), req.Database
	cfg.TLS = req.TLS
	// go-sql-driver logs to stderr by default; a domain package must not
	// log, and its log lines could carry connection details.
	cfg.Logger = nopLogger{}
	used := false
	cfg.DialFunc = func(context.Context, string, string) (net.Conn, error) {
		if used {
			return nil, errors.New("connection already used")
		}
		used = true
		return pc, nil
	}
	connector, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("build connector: %w", err)
	}
	dc, err := connector.Connect(ctx)
	if err != nil {
		return nil, translate(err, pc)
	}
	return &session{c: dc, pc: pc, mariaDB: pc.g.mariaDB}, nil
}

// translate turns go-sql-driver's errors into what the core reads.
func translate(err error, pc *peekConn) error {
	var me *gomysql.MySQLError
	if errors.As(err, &me) {
		return &verify.ServerError{System: verify.SystemMySQL, Code: strconv.Itoa(int(me.Number)), Message: me.Message}
	}
	switch {
	case errors.Is(err, gomysql.ErrUnknownPlugin):
		return &verify.AuthMethodError{Method: "plugin", Err: err}
	case errors.Is(err, gomysql.ErrCleartextPassword):
		return &verify.AuthMethodError{Method: "mysql_clear_password", Err: err}
	case errors.Is(err, gomysql.ErrOldPassword):
		return &verify.AuthMethodError{Method: "mysql_old_password", Err: err}
	case errors.Is(err, gomysql.ErrMalformPkt), errors.Is(err, gomysql.ErrPktSync), errors.Is(err, gomysql.ErrPktSyncMul), errors.Is(err, gomysql.ErrOldProtocol):
		return fmt.Errorf("%w: %w", verify.ErrProtocol, err)
	case errors.Is(err, gomysql.ErrInvalidConn), errors.Is(err, driver.ErrBadConn):
		if pc != nil {
			if cause := pc.cause(); cause != nil {
				return cause
			}
		}
	}
	return err
}

type session struct {
	c       driver.Conn
	pc      *peekConn
	mariaDB bool
}

// rows runs q and returns its rows as text.
func (s *session) rows(ctx context.Context, q string) ([][]string, error) {
	_, out, err := s.query(ctx, q)
	return out, err
}

// query runs q and returns its columns and rows as text.
func (s *session) query(ctx context.Context, q string) ([]string, [][]string, error) {
	qc, ok := s.c.(driver.QueryerContext)
	if !ok {
		return nil, nil, errors.New("driver connection cannot query")
	}
	rs, err := qc.QueryContext(ctx, q, nil)
	if err != nil {
		return nil, nil, translate(err, s.pc)
	}
	defer rs.Close()
	var out [][]string
	cols := rs.Columns()
	dest := make([]driver.Value, len(cols))
	for {
		if err := rs.Next(dest); err != nil {
			if errors.Is(err, io.EOF) {
				return cols, out, nil
			}
			return nil, nil, translate(err, s.pc)
		}
		row := make([]string, len(dest))
		for i, v := range dest {
			switch v := v.(type) {
			case []byte:
				row[i] = string(v)
			case nil:
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
}

func (s *session) exec(ctx context.Context, q string) error {
	ec, ok := s.c.(driver.ExecerContext)
	if !ok {
		return errors.New("driver connection cannot exec")
	}
	_, err := ec.ExecContext(ctx, q, nil)
	return translate(err, s.pc)
}

// Query runs q; a configured query runs inside a read-only transaction.
// MariaDB bounds it on the server with SET STATEMENT max_statement_time;
// MySQL only by the client's deadline.
func (s *session) Query(ctx context.Context, q string, timeout time.Duration) (verify.QueryInfo, error) {
	if q == "" {
		_, err := s.rows(ctx, "SELECT 1")
		return verify.QueryInfo{}, err
	}
	_, _, err := s.Rows(ctx, q, timeout)
	return verify.QueryInfo{}, err
}

// Rows runs q in a read-only transaction; MariaDB bounds it on the
// server with SET STATEMENT max_statement_time.
func (s *session) Rows(ctx context.Context, q string, timeout time.Duration) ([]string, [][]string, error) {
	if s.mariaDB {
		q = fmt.Sprintf("SET STATEMENT max_statement_time=%.3f FOR %s", timeout.Seconds(), q)
	}
	if err := s.exec(ctx, "START TRANSACTION READ ONLY"); err != nil {
		return nil, nil, err
	}
	cols, rows, err := s.query(ctx, q)
	if err != nil {
		_ = s.exec(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, nil, err
	}
	return cols, rows, s.exec(ctx, "COMMIT")
}

var _ verify.RowReader = (*session)(nil)

func (s *session) ReadOnly(ctx context.Context) (bool, error) {
	rows, err := s.rows(ctx, "SELECT @@global.read_only")
	if err != nil {
		return false, err
	}
	return len(rows) == 1 && len(rows[0]) == 1 && rows[0][0] == "1", nil
}

func (s *session) WriteCheck(ctx context.Context, table string, timeout time.Duration) error {
	if err := s.exec(ctx, "START TRANSACTION"); err != nil {
		return err
	}
	err := s.exec(ctx, "INSERT INTO "+quoteIdent(table)+" () VALUES ()")
	rerr := s.exec(context.WithoutCancel(ctx), "ROLLBACK")
	if err != nil {
		return err
	}
	return rerr
}

func quoteIdent(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
	}
	return strings.Join(parts, ".")
}

// Capacity reads max_connections, the user's effective
// max_user_connections (its session value), the server's connected
// threads and the user's own (PROCESSLIST shows only the user's threads
// without the PROCESS privilege; with it, they are filtered by user).
func (s *session) Capacity(ctx context.Context) (verify.Capacity, error) {
	rows, err := s.rows(ctx, `SELECT @@max_connections, @@max_user_connections,
  (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'THREADS_CONNECTED'),
  (SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1))`)
	if err != nil {
		return verify.Capacity{}, err
	}
	if len(rows) != 1 || len(rows[0]) != 4 {
		return verify.Capacity{}, errors.New("capacity query returned no row")
	}
	n := func(i int) int { v, _ := strconv.Atoi(rows[0][i]); return v }
	src := "mysql"
	if s.mariaDB {
		src = "mariadb"
	}
	c := verify.Capacity{Source: src, Max: n(0), UserLimit: n(1), Current: n(2), UserCurrent: n(3)}
	if c.UserLimit == 0 {
		c.UserLimit = -1
	}
	return c, nil
}

func (s *session) Close(ctx context.Context) error { return s.c.Close() }
