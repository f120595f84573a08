// Package postgres is dbguard's prober driver for PostgreSQL and PgBouncer,
// built on pgconn (the low-level half of pgx). It is dumb by design: it
// speaks the protocol on the connection the verify core hands it and
// returns server errors as *verify.ServerError with their SQLSTATE; the
// core decides what they mean.
//
// Every statement goes through the simple query protocol: PgBouncer's admin
// console accepts nothing else, and under transaction pooling a prepared
// statement can land on another server connection.
package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbguard/dbguard/internal/verify"
)

// Driver probes PostgreSQL and PgBouncer.
type Driver struct {
	// base is parsed once by New: pgconn.ParseConfig reads the
	// environment, ~/.pgpass and service files on every call, work that
	// Connect overwrites anyway. The zero Driver parses per connection.
	base *pgconn.Config
}

var _ verify.Driver = Driver{}

// New returns the driver.
func New() Driver {
	base, err := baseConfig()
	if err != nil {
		return Driver{}
	}
	return Driver{base: base}
}

// baseConfig is the only way pgconn accepts to build a configuration;
// every field it may have taken from PG* variables or ~/.pgpass is
// overwritten by Connect.
func baseConfig() (*pgconn.Config, error) {
	cfg, err := pgconn.ParseConfig("sslmode=disable")
	if err != nil {
		return nil, fmt.Errorf("build connection config: %w", err)
	}
	return cfg, nil
}

func (Driver) Name() string     { return "postgres" }
func (Driver) DefaultPort() int { return 5432 }

// sslRequestCode is the protocol's SSLRequest (1234 << 16 | 5679).
const sslRequestCode = 80877103

// NegotiateTLS sends the SSLRequest and reads the one-byte answer: 'S'
// offers TLS, 'N' declines. Anything else is not the PostgreSQL protocol.
func (Driver) NegotiateTLS(ctx context.Context, conn net.Conn) (verify.TLSOffer, error) {
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:4], 8)
	binary.BigEndian.PutUint32(req[4:8], sslRequestCode)
	if _, err := conn.Write(req[:]); err != nil {
		return verify.TLSOffer{}, fmt.Errorf("send SSLRequest: %w", err)
	}
	var b [1]byte
	if _, err := io.ReadFull(conn, b[:]); err != nil {
		return verify.TLSOffer{}, fmt.Errorf("read SSLRequest answer: %w", err)
	}
	switch b[0] {
	case 'S':
		return verify.TLSOffer{Offered: true}, nil
	case 'N':
		return verify.TLSOffer{Offered: false}, nil
	}
	return verify.TLSOffer{}, fmt.Errorf("answer %s to SSLRequest: %w", quoteByte(b[0]), verify.ErrProtocol)
}

// Connect runs the startup exchange over conn. TLS, when used, is already
// done: pgconn is told to use no TLS of its own.
func (d Driver) Connect(ctx context.Context, conn net.Conn, req verify.ConnectRequest) (verify.Session, error) {
	if req.TLS != nil {
		return nil, errors.New("postgres negotiates TLS before startup: the core must do it")
	}
	var cfg *pgconn.Config
	if d.base != nil {
		cfg = d.base.Copy()
	} else {
		var err error
		if cfg, err = baseConfig(); err != nil {
			return nil, err
		}
	}
	host, portText, _ := net.SplitHostPort(conn.RemoteAddr().String())
	port, _ := strconv.Atoi(portText)
	cfg.Host, cfg.Port = host, uint16(port)
	cfg.Database, cfg.User, cfg.Password = req.Database, req.User, req.Password.Reveal()
	cfg.TLSConfig, cfg.Fallbacks = nil, nil
	cfg.RuntimeParams = map[string]string{"application_name": "dbguard verify"}
	cfg.ValidateConnect, cfg.AfterConnect = nil, nil
	cfg.ConnectTimeout = 0
	cfg.LookupFunc = func(context.Context, string) ([]string, error) { return []string{host}, nil }
	sniff := newSniffConn(conn)
	used := false
	cfg.DialFunc = func(context.Context, string, string) (net.Conn, error) {
		if used {
			return nil, errors.New("connection already used")
		}
		used = true
		return sniff, nil
	}
	pc, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, translate(err, sniff)
	}
	return &session{pc: pc, console: req.Console}, nil
}

// translate turns pgconn's errors into what the core reads.
func translate(err error, sniff *sniffConn) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return &verify.ServerError{System: verify.SystemSQLState, Code: pe.Code, Message: pe.Message}
	}
	if sniff != nil {
		if m := sniff.unsupported(); m != "" {
			return &verify.AuthMethodError{Method: m, Err: err}
		}
		if v := sniff.protocolViolation(); v != "" {
			return fmt.Errorf("%s: %w", v, verify.ErrProtocol)
		}
	}
	return err
}

type session struct {
	pc      *pgconn.PgConn
	console bool
}

// exec runs sql with the simple protocol and returns every result.
func (s *session) exec(ctx context.Context, sql string) ([]*pgconn.Result, error) {
	res, err := s.pc.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, translate(err, nil)
	}
	for _, r := range res {
		if r.Err != nil {
			return nil, translate(r.Err, nil)
		}
	}
	return res, nil
}

func millis(d time.Duration) string { return strconv.FormatInt(max(int64(d/time.Millisecond), 1), 10) }

// Query runs q in a read-only transaction whose statement_timeout is set
// with SET LOCAL (a startup parameter is refused by PgBouncer; a session
// SET would leak to other clients under transaction pooling), and compares
// the backend's pid with the one the startup announced: they differ when a
// pooler answered the startup.
func (s *session) Query(ctx context.Context, q string, timeout time.Duration) (verify.QueryInfo, error) {
	if q == "" {
		q = "SELECT 1"
	}
	sql := "BEGIN READ ONLY; SET LOCAL statement_timeout = " + millis(timeout) + "; " + q + "; SELECT pg_backend_pid(); COMMIT"
	res, err := s.exec(ctx, sql)
	if err != nil {
		return verify.QueryInfo{}, err
	}
	var info verify.QueryInfo
	if n := len(res); n >= 2 && len(res[n-2].Rows) == 1 && len(res[n-2].Rows[0]) == 1 {
		pid, _ := strconv.ParseUint(string(res[n-2].Rows[0][0]), 10, 32)
		info.Pooler = uint32(pid) != s.pc.PID()
	}
	return info, nil
}

// ReadOnly asks what libpq's target_session_attrs=read-write asks.
func (s *session) ReadOnly(ctx context.Context) (bool, error) {
	res, err := s.exec(ctx, "SHOW transaction_read_only")
	if err != nil {
		return false, err
	}
	if len(res) == 1 && len(res[0].Rows) == 1 && len(res[0].Rows[0]) == 1 {
		return string(res[0].Rows[0][0]) == "on", nil
	}
	return false, errors.New("SHOW transaction_read_only returned no value")
}

// WriteCheck inserts a row of defaults and rolls it back.
func (s *session) WriteCheck(ctx context.Context, table string, timeout time.Duration) error {
	_, err := s.exec(ctx, "BEGIN; SET LOCAL statement_timeout = "+millis(timeout)+"; INSERT INTO "+quoteIdent(table)+" DEFAULT VALUES")
	_, rerr := s.pc.Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll()
	if err != nil {
		return err
	}
	return translate(rerr, nil)
}

// quoteIdent quotes a possibly schema-qualified name.
func quoteIdent(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return strings.Join(parts, ".")
}

// Capacity reads the server's limits, or on the PgBouncer admin console
// SHOW CONFIG and SHOW POOLS.
func (s *session) Capacity(ctx context.Context) (verify.Capacity, error) {
	if s.console {
		return s.poolerCapacity(ctx)
	}
	res, err := s.exec(ctx, `SELECT current_setting('max_connections'),
  current_setting('superuser_reserved_connections'),
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
  (SELECT CASE WHEN rolsuper THEN -1 ELSE rolconnlimit END FROM pg_roles WHERE rolname = current_user),
  (SELECT count(*) FROM pg_stat_activity WHERE usename = current_user AND backend_type = 'client backend'),
  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`)
	if err != nil {
		return verify.Capacity{}, err
	}
	if len(res) != 1 || len(res[0].Rows) != 1 || len(res[0].Rows[0]) != 6 {
		return verify.Capacity{}, errors.New("capacity query returned no row")
	}
	row := res[0].Rows[0]
	n := func(i int) int { v, _ := strconv.Atoi(string(row[i])); return v }
	c := verify.Capacity{Source: "postgresql", Max: n(0), Reserved: n(1), Current: n(2), UserLimit: n(3), UserCurrent: n(4)}
	if string(row[5]) == "t" {
		c.Reserved = 0 // superusers may take the reserved slots
	}
	return c, nil
}

func (s *session) poolerCapacity(ctx context.Context) (verify.Capacity, error) {
	c := verify.Capacity{Source: "pgbouncer", UserLimit: -1}
	res, err := s.exec(ctx, "SHOW CONFIG")
	if err != nil {
		return c, err
	}
	for _, r := range res {
		ki, vi := column(r, "key"), column(r, "value")
		if ki < 0 || vi < 0 {
			continue
		}
		for _, row := range r.Rows {
			v, _ := strconv.Atoi(string(row[vi]))
			switch string(row[ki]) {
			case "max_client_conn":
				c.Max = v
			case "default_pool_size":
				c.PoolSize = v
			}
		}
	}
	res, err = s.exec(ctx, "SHOW POOLS")
	if err != nil {
		return c, err
	}
	for _, r := range res {
		cols := []int{column(r, "cl_active"), column(r, "cl_waiting"), column(r, "cl_active_cancel_req"), column(r, "cl_waiting_cancel_req")}
		for _, row := range r.Rows {
			for _, i := range cols {
				if i >= 0 {
					v, _ := strconv.Atoi(string(row[i]))
					c.Current += v
				}
			}
		}
	}
	// This console session is a client too; it is gone once the probe
	// ends, like the probe's own session that Free adds back.
	c.Current--
	return c, nil
}

func column(r *pgconn.Result, name string) int {
	for i, f := range r.FieldDescriptions {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// DatabaseExists looks name up in pg_database.
func (s *session) DatabaseExists(ctx context.Context, name string) (bool, error) {
	res, err := s.exec(ctx, "SELECT count(*) FROM pg_database WHERE datname = '"+strings.ReplaceAll(name, "'", "''")+"'")
	if err != nil {
		return false, err
	}
	if len(res) != 1 || len(res[0].Rows) != 1 {
		return false, errors.New("catalog query returned no row")
	}
	return string(res[0].Rows[0][0]) != "0", nil
}

var _ verify.Catalog = (*session)(nil)

// Rows runs q read-only: in a READ ONLY transaction bounded by SET LOCAL
// statement_timeout, or on the admin console as it is.
func (s *session) Rows(ctx context.Context, q string, timeout time.Duration) ([]string, [][]string, error) {
	sql, at := q, 0
	if !s.console {
		sql, at = "BEGIN READ ONLY; SET LOCAL statement_timeout = "+millis(timeout)+"; "+q+"; COMMIT", 2
	}
	res, err := s.exec(ctx, sql)
	if err != nil {
		if !s.console {
			_, _ = s.pc.Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll()
		}
		return nil, nil, err
	}
	if len(res) <= at {
		return nil, nil, errors.New("statement returned no result")
	}
	r := res[at]
	cols := make([]string, len(r.FieldDescriptions))
	for i, f := range r.FieldDescriptions {
		cols[i] = f.Name
	}
	rows := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		rows[i] = make([]string, len(row))
		for j, v := range row {
			rows[i][j] = string(v)
		}
	}
	return cols, rows, nil
}

var _ verify.RowReader = (*session)(nil)

func (s *session) Close(ctx context.Context) error { return s.pc.Close(ctx) }
