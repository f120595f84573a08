package extract

import (
	"strings"
)

// field is what a configuration key means for a connection.
type field uint8

const (
	fNone field = iota
	fHost
	fPort
	fDatabase
	fUser
	fPassword
	fPasswordFile
	fURL
	fDriver
	fTLS
	fTLSCA
	fTLSCert
	fTLSKey
	fTLSVerify
	fMaxOpen
	fMaxIdle
	fMaxLifetime
	fMaxIdleTime
	fConnectTimeout
	fStatementTimeout
	fIdleInTxTimeout
	fParam // notable, kept in params under its key
	// fPasswordEnv names the environment variable the application reads
	// its password from (password_env: DB_PASSWORD).
	fPasswordEnv
)

// normKey folds a key for lookup: lower case, without _ - . and spaces, so
// max_open_conns, maxOpenConns and max-open-conns are one key.
func normKey(k string) string {
	folded := true
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 'A' && c <= 'Z' || c == '_' || c == '-' || c == '.' || c == ' ' {
			folded = false
			break
		}
	}
	if folded {
		return k
	}
	b := make([]byte, 0, len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+32)
		case c == '_' || c == '-' || c == '.' || c == ' ':
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// fold appends k folded as normKey folds it to dst.
func fold(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'A' && c <= 'Z':
			dst = append(dst, c+32)
		case c == '_' || c == '-' || c == '.' || c == ' ':
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// keyInfo is all that the key tables (keyFields, weakKeys and the sets of
// block and key names) say about one folded key. Extraction asks several
// tables about every key of a file; keyOf answers them with one fold and
// one lookup.
type keyInfo struct {
	strong, weak field // from keyFields and weakKeys
	sets         uint8 // inEnvKeys, inPoolBlocks, ...
}

const (
	inEnvKeys uint8 = 1 << iota
	inPoolBlocks
	inTLSBlocks
	inJavaPoolBlocks
	inHostLists
	inSecretRefKeys
)

// is reports whether the key is in a set (inEnvKeys, ...).
func (ki keyInfo) is(set uint8) bool { return ki.sets&set != 0 }

// keyTable joins the key tables; it is built once, from them, and never
// changed.
var keyTable = func() map[string]keyInfo {
	t := map[string]keyInfo{}
	for k, f := range keyFields {
		ki := t[k]
		ki.strong = f
		t[k] = ki
	}
	for k, f := range weakKeys {
		ki := t[k]
		ki.weak = f
		t[k] = ki
	}
	for _, s := range []struct {
		set  map[string]bool
		flag uint8
	}{{envKeys, inEnvKeys}, {poolBlocks, inPoolBlocks}, {tlsBlocks, inTLSBlocks},
		{javaPoolBlocks, inJavaPoolBlocks}, {hostLists, inHostLists}, {secretRefKeys, inSecretRefKeys}} {
		for k, ok := range s.set {
			if ok {
				ki := t[k]
				ki.sets |= s.flag
				t[k] = ki
			}
		}
	}
	return t
}()

// keyShapes has bit c&31 of keyShapes[len(k)] set for every key k of
// keyTable whose first byte is c. Most keys of a configuration file are
// in no table, and most of those have a length and first letter that no
// table key has: they need no hashing. Longer keys are always looked up.
var keyShapes = func() (shapes [48]uint32) {
	for k := range keyTable {
		if k != "" && len(k) < len(shapes) {
			shapes[len(k)] |= 1 << (k[0] & 31)
		}
	}
	return shapes
}()

// keyEnds is keyShapes for the last byte of a key: together they turn
// away most keys that share a length and a first letter with a table key
// (level, format, enabled) before they are hashed.
var keyEnds = func() (ends [48]uint32) {
	for k := range keyTable {
		if k != "" && len(k) < len(ends) {
			ends[len(k)] |= 1 << (k[len(k)-1] & 31)
		}
	}
	return ends
}()

// keySlots is keyTable as an open-addressing hash table (keySlot, probed
// linearly from keyHash): keyOf runs on every key of every file, and a
// small hash over the already folded bytes costs less than the runtime's
// map. An empty key marks a free slot; keyTable has no empty key.
var keySlots = func() []keySlot {
	size := 1
	for size < 4*len(keyTable) {
		size *= 2
	}
	slots := make([]keySlot, size)
	for k, ki := range keyTable {
		i := keyHash([]byte(k)) & uint32(size-1)
		for slots[i].key != "" {
			i = (i + 1) & uint32(size-1)
		}
		slots[i] = keySlot{key: k, info: ki}
	}
	return slots
}()

// keySlot is one entry of keySlots.
type keySlot struct {
	key  string
	info keyInfo
}

// keyHash is FNV-1a over a folded key.
func keyHash(f []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range f {
		h = (h ^ uint32(c)) * 16777619
	}
	return h ^ h>>15
}

// keyOf looks a key up in every key table at once, without allocating.
func keyOf(k string) keyInfo {
	var buf [64]byte
	var f []byte
	h := uint32(2166136261)
	if len(k) <= len(buf) {
		// fold and keyHash in one pass, into the array.
		n := 0
		for i := 0; i < len(k); i++ {
			c := k[i]
			switch {
			case c >= 'A' && c <= 'Z':
				c += 32
			case c == '_' || c == '-' || c == '.' || c == ' ':
				continue
			}
			buf[n] = c
			n++
			h = (h ^ uint32(c)) * 16777619
		}
		f, h = buf[:n], h^h>>15
	} else {
		f = fold(nil, k)
		h = keyHash(f)
	}
	if len(f) < len(keyShapes) && (len(f) == 0 || keyShapes[len(f)]&(1<<(f[0]&31)) == 0 || keyEnds[len(f)]&(1<<(f[len(f)-1]&31)) == 0) {
		return keyInfo{}
	}
	mask := uint32(len(keySlots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &keySlots[i]
		if s.key == string(f) {
			return s.info
		}
		if s.key == "" {
			return keyInfo{}
		}
	}
}

// keyFields maps folded keys of a configuration block to fields. Keys that
// are also common outside database blocks (name, type, source, server) are
// in weakKeys: they count only inside a block that is already about a
// database.
var keyFields = map[string]field{
	"host": fHost, "hostname": fHost, "hosts": fHost, "hostaddr": fHost, "addr": fHost, "address": fHost,
	"dbhost": fHost, "databasehost": fHost, "serverhost": fHost, "servername": fHost, "contactpoints": fHost,
	"endpoint": fHost, "datasource": fHost, "networkaddress": fHost, "seeds": fHost,
	"port": fPort, "dbport": fPort, "databaseport": fPort, "serverport": fPort, "tcpport": fPort,
	"database": fDatabase, "dbname": fDatabase, "databasename": fDatabase, "initialcatalog": fDatabase,
	"keyspace": fDatabase, "keyspacename": fDatabase, "dbdatabase": fDatabase, "defaultdatabase": fDatabase,
	"user": fUser, "username": fUser, "userid": fUser, "uid": fUser, "dbuser": fUser, "dbusername": fUser,
	"login": fUser, "databaseuser": fUser, "databaseusername": fUser,
	"password": fPassword, "passwd": fPassword, "pwd": fPassword, "dbpassword": fPassword, "databasepassword": fPassword,
	"userpassword": fPassword,
	"passwordfile": fPasswordFile, "passfile": fPasswordFile,
	"passwordenv": fPasswordEnv, "passwordenvvar": fPasswordEnv, "passwordfromenv": fPasswordEnv,
	"url": fURL, "uri": fURL, "dsn": fURL, "databaseurl": fURL, "dburl": fURL, "connectionstring": fURL,
	"connstring": fURL, "connstr": fURL, "datasourcename": fURL, "jdbcurl": fURL, "conninfo": fURL,
	"useenvvariable": fURL, "connectionurl": fURL, "connectionuri": fURL, "datasourceurl": fURL, "dataurl": fURL,
	"adapter": fDriver, "driver": fDriver, "driverclassname": fDriver, "drivername": fDriver, "dialect": fDriver,
	"dbtype": fDriver, "databasetype": fDriver, "dbdriver": fDriver, "dbengine": fDriver, "engine": fDriver,
	"sslmode": fTLS, "ssl": fTLS, "usessl": fTLS, "tls": fTLS, "tlsmode": fTLS, "encrypt": fTLS,
	"requiressl": fTLS, "sslenabled": fTLS, "usetls": fTLS, "tlsenabled": fTLS, "sslrequired": fTLS,
	"sslrootcert": fTLSCA, "sslca": fTLSCA, "cafile": fTLSCA, "tlsca": fTLSCA, "tlscafile": fTLSCA,
	"sslcafile": fTLSCA, "mysqlattrsslca": fTLSCA, "servercafile": fTLSCA, "rootcert": fTLSCA,
	"sslcert": fTLSCert, "tlscert": fTLSCert, "tlscertfile": fTLSCert, "sslcertfile": fTLSCert,
	"sslkey": fTLSKey, "tlskey": fTLSKey, "tlskeyfile": fTLSKey, "sslkeyfile": fTLSKey,
	"trustservercertificate": fTLSVerify, "sslverify": fTLSVerify, "tlsskipverify": fTLSVerify, "insecureskipverify": fTLSVerify,
	"maxopenconns": fMaxOpen, "maxopen": fMaxOpen, "maxconns": fMaxOpen, "pool": fMaxOpen, "poolsize": fMaxOpen,
	"maxpoolsize": fMaxOpen, "maximumpoolsize": fMaxOpen, "maxactive": fMaxOpen, "maxtotal": fMaxOpen,
	"connectionlimit": fMaxOpen, "poolmax": fMaxOpen, "maxpoolconnections": fMaxOpen, "maxopenconnections": fMaxOpen,
	"maxconnections": fMaxOpen, "poolmaxconns": fMaxOpen, "maxpool": fMaxOpen,
	"maxidleconns": fMaxIdle, "maxidle": fMaxIdle, "maxidleconnections": fMaxIdle, "poolmaxidle": fMaxIdle,
	"connmaxlifetime": fMaxLifetime, "maxlifetime": fMaxLifetime, "maxconnlifetime": fMaxLifetime,
	"poolmaxconnlifetime": fMaxLifetime, "connectionmaxlifetime": fMaxLifetime, "maxconnectionage": fMaxLifetime,
	"connmaxidletime": fMaxIdleTime, "maxidletime": fMaxIdleTime, "idletimeout": fMaxIdleTime,
	"poolmaxconnidletime": fMaxIdleTime, "maxconnidletime": fMaxIdleTime,
	"connecttimeout": fConnectTimeout, "connectiontimeout": fConnectTimeout, "connecttimeoutms": fConnectTimeout,
	"connectiontimeoutms": fConnectTimeout, "dialtimeout": fConnectTimeout, "logintimeout": fConnectTimeout,
	"connecttimeoutseconds": fConnectTimeout, "connecttimeoutsec": fConnectTimeout, "conntimeout": fConnectTimeout,
	"statementtimeout": fStatementTimeout, "querytimeout": fStatementTimeout, "commandtimeout": fStatementTimeout,
	"statementtimeoutms": fStatementTimeout, "maxexecutiontime": fStatementTimeout,
	"idleintransactionsessiontimeout": fIdleInTxTimeout,
	// A bare timeout is a read or busy timeout far more often than a
	// connect timeout (spring.redis.timeout, Rails' sqlite timeout):
	// kept as a parameter.
	"timeout":                 fParam,
	"connectiontimeoutmillis": fConnectTimeout,
	"maxoverflow":             fParam,
	"schema":                  fParam, "charset": fParam, "encoding": fParam, "collation": fParam, "applicationname": fParam,
	"targetsessionattrs": fParam, "authsource": fParam, "replicaset": fParam, "searchpath": fParam,
	"reconnect": fParam, "prefix": fParam, "timezone": fParam, "loc": fParam, "parsetime": fParam,
	"minidle": fParam, "minimumidle": fParam, "minpoolsize": fParam, "mode": fParam,
}

// weakKeys count only in a block that is already about a database.
var weakKeys = map[string]field{
	"name": fDatabase, "db": fDatabase, "server": fHost, "servers": fHost, "source": fURL,
	"connection": fURL, "type": fDriver, "client": fDriver, "provider": fDriver, "kind": fDriver,
	"max": fMaxOpen, "maxsize": fMaxOpen, "size": fMaxOpen, "pass": fPassword, "secret": fPassword,
	"usr": fUser, "path": fDatabase, "file": fDatabase, "filename": fDatabase, "storage": fDatabase,
	"nodes": fHost,
}

// envSuffixes maps the suffix of an environment variable (DB_HOST ->
// HOST) to a field. Longer suffixes are tried first.
var envSuffixes = []struct {
	suffix string
	f      field
}{
	{"_CONNECTION_STRING", fURL}, {"_CONN_STRING", fURL}, {"_CONNECTIONSTRING", fURL},
	{"_JDBC_URL", fURL},
	{"_MAX_OPEN_CONNS", fMaxOpen}, {"_MAX_IDLE_CONNS", fMaxIdle}, {"_POOL_SIZE", fMaxOpen},
	{"_MAX_CONNECTIONS", fMaxOpen}, {"_CONN_MAX_LIFETIME", fMaxLifetime}, {"_MAX_LIFETIME", fMaxLifetime},
	{"_CONNECT_TIMEOUT", fConnectTimeout}, {"_CONNECTION_TIMEOUT", fConnectTimeout},
	{"_STATEMENT_TIMEOUT", fStatementTimeout}, {"_QUERY_TIMEOUT", fStatementTimeout},
	{"_PASSWORD_FILE", fPasswordFile}, {"_PASS_FILE", fPasswordFile},
	{"_SSL_MODE", fTLS}, {"_SSLMODE", fTLS}, {"_USE_SSL", fTLS}, {"_SSL_ENABLED", fTLS}, {"_TLS_ENABLED", fTLS},
	{"_SSL", fTLS}, {"_TLS", fTLS}, {"_ENCRYPT", fTLS},
	{"_SSL_CA", fTLSCA}, {"_SSLROOTCERT", fTLSCA}, {"_SSL_ROOT_CERT", fTLSCA}, {"_CA_FILE", fTLSCA}, {"_ATTR_SSL_CA", fTLSCA},
	{"_SSL_CERT", fTLSCert}, {"_SSLCERT", fTLSCert}, {"_SSL_KEY", fTLSKey}, {"_SSLKEY", fTLSKey},
	{"_HOSTNAME", fHost}, {"_HOST", fHost}, {"_HOSTS", fHost}, {"_SERVER", fHost}, {"_SERVERS", fHost},
	{"_ADDR", fHost}, {"_ADDRESS", fHost}, {"_ENDPOINT", fHost}, {"_SEEDS", fHost}, {"_SENTINELS", fHost},
	{"_NODES", fHost}, {"_CONTACT_POINTS", fHost},
	{"_PORT", fPort}, {"_TCP_PORT", fPort},
	{"_DATABASE", fDatabase}, {"_DBNAME", fDatabase}, {"_DB_NAME", fDatabase}, {"_NAME", fDatabase}, {"_DB", fDatabase},
	{"_SCHEMA", fParam}, {"_KEYSPACE", fDatabase},
	{"_USERNAME", fUser}, {"_USER", fUser}, {"_LOGIN", fUser},
	{"_PASSWORD", fPassword}, {"_PASS", fPassword}, {"_PASSWD", fPassword}, {"_PWD", fPassword},
	{"_URL", fURL}, {"_URI", fURL}, {"_DSN", fURL},
	{"_CONNECTION", fDriver}, {"_DRIVER", fDriver}, {"_ADAPTER", fDriver}, {"_ENGINE", fDriver}, {"_DIALECT", fDriver},
	{"_TYPE", fDriver},
}

// libpqEnv are PostgreSQL's own variables, read by libpq and most drivers.
var libpqEnv = map[string]field{
	"PGHOST": fHost, "PGHOSTADDR": fHost, "PGPORT": fPort, "PGDATABASE": fDatabase, "PGUSER": fUser,
	"PGPASSWORD": fPassword, "PGPASSFILE": fPasswordFile, "PGSSLMODE": fTLS, "PGSSLROOTCERT": fTLSCA,
	"PGSSLCERT": fTLSCert, "PGSSLKEY": fTLSKey, "PGCONNECT_TIMEOUT": fConnectTimeout,
	"PGAPPNAME": fParam, "PGTARGETSESSIONATTRS": fParam,
}

// envSuffixRank maps each suffix of envSuffixes to its place in the list,
// so that splitEnvKey looks up the few suffixes a name has (one per '_')
// rather than trying every suffix in turn.
var envSuffixRank = func() map[string]int {
	m := make(map[string]int, len(envSuffixes))
	for i, s := range envSuffixes {
		if _, dup := m[s.suffix]; !dup {
			m[s.suffix] = i
		}
	}
	return m
}()

// splitEnvKey splits DB_HOST into prefix DB and field host. ok is false for
// a variable that names no connection field.
func splitEnvKey(key string) (prefix string, f field, ok bool) {
	up := strings.ToUpper(key)
	if f, ok := libpqEnv[up]; ok {
		return "PG", f, true
	}
	// The first suffix of the list that the name ends with (longer ones
	// come first), and not the whole name.
	best := -1
	for k := 1; k < len(up); k++ {
		j := strings.IndexByte(up[k:], '_')
		if j < 0 {
			break
		}
		k += j
		if r, ok := envSuffixRank[up[k:]]; ok && (best < 0 || r < best) {
			best = r
		}
	}
	if best >= 0 {
		s := envSuffixes[best]
		return key[:len(key)-len(s.suffix)], s.f, true
	}
	switch up {
	case "DATABASE_URL", "DB_URL":
		return key[:len(key)-4], fURL, true
	}
	return "", fNone, false
}

// dbWords are words that make a key, prefix or block name about a database.
var dbWords = setOf(
	"db", "database", "datasource", "postgres", "postgresql", "pg", "psql", "mysql", "mariadb", "redis",
	"mongo", "mongodb", "sql", "mssql", "sqlserver", "clickhouse", "cassandra", "cockroach", "cockroachdb",
	"crdb", "valkey", "sqlite", "sqlite3", "storage", "persistence", "datastore", "datastores", "jdbc",
	"elasticsearch", "es", "snowflake", "presto", "trino", "databricks", "redshift", "oracle",
	"pgbouncer", "knex", "sequelize", "typeorm", "prisma", "gorm", "hikari", "druid", "connectionstrings",
	"cache", "store", "dbsettings", "kv", "sentinel", "supabase", "neon",
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// isDBWord reports whether any word of s (split on non-letters and case
// changes) is a database word.
func isDBWord(s string) bool {
	var buf [64]byte
	for i := 0; ; {
		w, next := nextWord(s, i, &buf)
		if w == nil {
			return false
		}
		if dbWords[string(w)] {
			return true
		}
		i = next
	}
}

// words splits an identifier into lower-case words: DB_HOST, dbHost,
// db-host and db.host all give [db host].
func words(s string) []string {
	var out []string
	var buf [64]byte
	for i := 0; ; {
		w, next := nextWord(s, i, &buf)
		if w == nil {
			return out
		}
		out = append(out, string(w))
		i = next
	}
}

// hasWord reports whether one of the words of s (as words splits them) is
// w, without making the list.
func hasWord(s, w string) bool {
	var buf [64]byte
	for i := 0; ; {
		word, next := nextWord(s, i, &buf)
		if word == nil {
			return false
		}
		if string(word) == w {
			return true
		}
		i = next
	}
}

// nextWord finds the word of s that starts at or after byte i, lower-cased
// into buf, and where to look for the next one. It returns a nil word at
// the end. Words are split at anything but letters and digits and where a
// lower-case letter meets an upper-case one (dbHost). The hot path of
// extraction calls it on every key, so it allocates nothing.
func nextWord(s string, i int, buf *[64]byte) (word []byte, next int) {
	for i < len(s) && !isAlnum(s[i]) {
		i++
	}
	if i >= len(s) {
		return nil, i
	}
	n := 0
	for ; i < len(s) && isAlnum(s[i]); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if n > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' {
				break
			}
			c += 32
		}
		if n < len(buf) {
			buf[n] = c
			n++
		}
	}
	return buf[:n], i
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// wordDrivers maps the words of keys, prefixes and image names to drivers.
var wordDrivers = map[string]string{
	"postgres": "postgres", "postgresql": "postgres", "pg": "postgres", "psql": "postgres", "pgsql": "postgres",
	"postgis": "postgres", "pgbouncer": "postgres", "timescaledb": "postgres", "supabase": "postgres",
	"mysql": "mysql", "mariadb": "mysql", "mysqld": "mysql", "percona": "mysql",
	"redis": "redis", "valkey": "redis", "keydb": "redis",
	"mongo": "mongodb", "mongodb": "mongodb", "mssql": "sqlserver", "sqlserver": "sqlserver",
	"clickhouse": "clickhouse", "cassandra": "cassandra", "scylla": "cassandra",
	"cockroach": "cockroachdb", "cockroachdb": "cockroachdb", "crdb": "cockroachdb",
	"sqlite": "sqlite", "snowflake": "snowflake", "presto": "presto", "trino": "presto",
	"databricks": "databricks", "redshift": "redshift", "elasticsearch": "elasticsearch",
}

// driverFromWords guesses a driver from the words of a key, prefix or
// image name (POSTGRES_HOST, storage.mysql, image: mariadb:11, cassandra3).
func driverFromWords(s string) string {
	_, d := wordsOf(s, true)
	return d
}

// wordDriver is the driver a word names, digits aside (mysql8, postgres16).
func wordDriver(w []byte) string {
	for len(w) > 0 && w[len(w)-1] >= '0' && w[len(w)-1] <= '9' {
		w = w[:len(w)-1]
	}
	return wordDrivers[string(w)]
}

// wordInfo is what dbWords and wordDrivers say of one word, joined
// (wordTable) so that wordsOf looks each word up once.
type wordInfo struct {
	db     bool
	driver string
}

// wordTable joins dbWords and wordDrivers; it is built once, from them,
// and never changed.
var wordTable = func() map[string]wordInfo {
	t := make(map[string]wordInfo, len(dbWords)+len(wordDrivers))
	for w, ok := range dbWords {
		wi := t[w]
		wi.db = ok
		t[w] = wi
	}
	for w, d := range wordDrivers {
		wi := t[w]
		wi.driver = d
		t[w] = wi
	}
	return t
}()

// wordsOf is isDBWord(s) (when db is asked) and driverFromWords(s) in one
// pass over the words of s: the walk asks both of every map's key.
func wordsOf(s string, onlyDriver bool) (db bool, driver string) {
	var buf [64]byte
	for i := 0; ; {
		w, next := nextWord(s, i, &buf)
		if w == nil {
			return db, driver
		}
		wi := wordTable[string(w)]
		if wi.db && !onlyDriver {
			db = true
		}
		if driver == "" {
			if c := w[len(w)-1]; c >= '0' && c <= '9' {
				driver = wordDriver(w) // mysql8: the word without its digits
			} else {
				driver = wi.driver
			}
		}
		if driver != "" && (db || onlyDriver) {
			return db, driver
		}
		i = next
	}
}

// driverFromPort guesses a driver from a well-known port.
func driverFromPort(port string) string {
	switch strings.TrimSpace(port) {
	case "5432", "6432":
		return "postgres"
	case "3306":
		return "mysql"
	case "6379", "26379":
		return "redis"
	case "27017":
		return "mongodb"
	case "1433":
		return "sqlserver"
	case "26257":
		return "cockroachdb"
	case "9042":
		return "cassandra"
	}
	return ""
}

// fieldName is a field's name as profiles and rules spell it.
func fieldName(f field) string {
	switch f {
	case fHost:
		return "host"
	case fPort:
		return "port"
	case fDatabase:
		return "database"
	case fUser:
		return "user"
	case fPassword, fPasswordFile, fPasswordEnv:
		return "password"
	case fURL:
		return "url"
	case fDriver:
		return "driver"
	case fTLS:
		return "tls"
	case fTLSCA:
		return "tls.ca"
	case fTLSCert:
		return "tls.cert"
	case fTLSKey:
		return "tls.key"
	case fTLSVerify:
		return "tls.verify"
	case fMaxOpen:
		return "pool.max_open"
	case fMaxIdle:
		return "pool.max_idle"
	case fMaxLifetime:
		return "pool.max_lifetime"
	case fMaxIdleTime:
		return "pool.max_idle_time"
	case fConnectTimeout:
		return "timeouts.connect"
	case fStatementTimeout:
		return "timeouts.statement"
	case fIdleInTxTimeout:
		return "timeouts.idle_in_transaction"
	}
	return "params"
}
