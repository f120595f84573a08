// Package dsn reads database connection strings as they are written in
// configuration files, so that dbguard can report on them without
// connecting anywhere.
//
// Formats: URLs (postgres://, mysql://, mongodb+srv://, rediss://,
// sqlserver://, clickhouse://, sqlite:, ...), libpq keyword/value lists,
// go-sql-driver DSNs (user:pass@tcp(host:3306)/db), JDBC URLs and ADO.NET /
// ODBC property lists. Parse detects the format; Looks is a cheap filter
// that says whether a configuration value is worth parsing at all.
//
// # Contract
//
// Lenient: values are kept as written, not validated. A port of 99999 or
// "abc" is kept in Host.Port and reported in Conn.Issues; unknown
// parameters are kept in Params, duplicates included, in order. The parsers
// are written by hand because net/url rejects such ports. Only strings
// that cannot be read at all give a *SyntaxError, which carries the byte
// offset of the problem, and so do two kinds of strings that would show a
// password as something else: a field other than a secret that holds a
// password setting (app;password=x as a database name, password:x read as
// a host and port, a parameter named "password x"), and a URL authority
// without '@' whose port is not a number (scheme://app:S3cret/db, a user
// and password whose "@host" is missing, or a host with a bad port: no
// one can tell). A SyntaxError's message quotes input only when the text
// ends before the first password-like key or userinfo of the string.
//
// Interpolations are opaque: ${VAR:-default}, $(VAR), {{ template }} and
// <%= ENV['X'] %> may stand for any component, and the ':' '/' '@' ',' ';'
// and spaces inside them never split anything. They are kept verbatim in
// Raw and Value; IsInterpolation tells the caller that a value is still
// unresolved.
//
// Hermetic: nothing here reads the environment (PGHOST, PGPASSWORD, ...),
// ~/.pgpass, pg_service.conf, tnsnames.ora or any file, and nothing dials.
// That is why pgconn.ParseConfig and the drivers' own parsers are not used:
// they fill in defaults from the machine running dbguard, which would
// report the reviewer's laptop instead of the file under review.
//
// Spans: every Part with Set records Off and End, byte offsets into the
// string given to the parser, and Raw == s[Off:End] always holds, so that
// the caller can turn a Part into a file, line and column. Value is the
// decoded text (percent-decoding, unquoting, unescaping).
//
// Interpolation tokens longer than 512 bytes are not treated as tokens, so
// that hostile input ("${${${...") is scanned in linear time.
//
// Secrets: Conn.Password holds the password in clear, in memory only; the
// caller must wrap it in its secret type at once. As a safety net, a Conn
// printed with fmt, slog or encoding/json shows the password (and
// secret-like parameters) masked. Redact masks every password-like value of
// a raw string and must be used before a connection string is shown
// anywhere; it masks what any of the parsers would read as a password, so
// a string that two drivers read differently loses both candidates. When
// Parse cannot read a string, Redact is conservative: everything from the
// value of the first password-like key to the end of the string is masked
// (with or without '=' after the key), never a part of it. A quoted or
// braced value is masked up to the next separator, closing quote and
// whatever is glued to it included. A value that is only a variable
// reference (${DB_PASSWORD}) is not a secret and is kept.
//
// Nothing here panics on any input; the fuzz targets check that, that
// spans hold, that Redact leaves no parsed password behind, and
// (FuzzPlantedPassword) that a password planted after a password key in
// random text reaches no output, error or field but the password.
package dsn
