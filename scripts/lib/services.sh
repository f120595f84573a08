# shellcheck shell=bash
# Functions that install, start and stop the real servers dbguard's tests run
# against: PostgreSQL 15, MariaDB, PgBouncer and Prometheus's Alertmanager,
# all on loopback, in one temporary directory, on free ports chosen here; and
# promtool (from Debian's prometheus package) for the rule tests of deploy/. Sourced by test.sh; not
# meant to be run alone. Facts behind the choices made here are in
# ../shared/notes/real-databases.md.
#
# Every function reads and sets the SVC_* variables below; svc_stop_all undoes
# whatever svc_start_* managed to do, so it is safe to call at any point.

PG_BIN_DEFAULT=/usr/lib/postgresql/15/bin

SVC_DIR=""        # the temporary directory holding everything
SVC_PG_PID=""     # postmaster pid, once started
SVC_MARIADB_PID="" # mariadbd pid, once started
SVC_PGB_PID=""    # pgbouncer pid, once started
SVC_AM_PID=""     # alertmanager pid, once started
SVC_STARTED_AT=0

svc_log() { printf '[test.sh %6.1fs] %s\n' "$(svc_elapsed)" "$*"; }
svc_err() { printf '[test.sh %6.1fs] ERROR: %s\n' "$(svc_elapsed)" "$*" >&2; }

# svc_elapsed prints seconds since the script started, one decimal.
svc_elapsed() {
	local now
	now=$(date +%s%N)
	if [ "$SVC_STARTED_AT" = 0 ]; then
		echo 0
		return
	fi
	awk -v a="$SVC_STARTED_AT" -v b="$now" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

# svc_tail prints the last lines of a server log, to explain a failed start.
svc_tail() {
	local f=$1
	if [ -f "$f" ]; then
		echo "----- last 40 lines of $f -----" >&2
		tail -n 40 "$f" >&2
		echo "----- end of $f -----" >&2
	else
		echo "(no log file at $f)" >&2
	fi
}

# svc_password prints a random password of URL-safe characters only, so it
# can sit in a URL or DSN without escaping.
svc_password() { openssl rand -hex 18; }

# svc_port_in_use reports whether anything listens on TCP port $1 (IPv4 or
# IPv6), from /proc so that no extra tool is needed.
svc_port_in_use() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# svc_free_port prints a free port below the ephemeral range (so outgoing
# connections do not take it meanwhile), different from the ones in $@.
svc_free_port() {
	local p i taken
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12000))
		taken=0
		for q in "$@"; do [ "$q" = "$p" ] && taken=1; done
		[ "$taken" = 1 ] && continue
		if ! svc_port_in_use "$p"; then
			echo "$p"
			return 0
		fi
	done
	svc_err "no free port found after 200 tries"
	return 1
}

# svc_pid_alive reports whether pid $1 runs; a zombie counts as gone (a
# SIGKILLed server can stay a zombie for a second or two here).
svc_pid_alive() {
	local pid=$1 state
	[ -n "$pid" ] || return 1
	[ -r "/proc/$pid/stat" ] || return 1
	state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# svc_wait_gone waits up to $2 seconds for pid $1 to end.
svc_wait_gone() {
	local pid=$1 secs=$2 i
	for i in $(seq 1 $((secs * 10))); do
		svc_pid_alive "$pid" || return 0
		sleep 0.1
	done
	return 1
}

# svc_kill stops pid $1 with TERM, then KILL after $2 seconds.
svc_kill() {
	local pid=$1 secs=${2:-10}
	svc_pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	svc_wait_gone "$pid" "$secs" && return 0
	kill -KILL "$pid" 2>/dev/null || true
	svc_wait_gone "$pid" 5 || svc_err "pid $pid still alive after SIGKILL"
}

# svc_install installs whatever is missing. apt-get update runs only when a
# package must be installed. A lock serialises concurrent runs of test.sh on
# one machine, which would otherwise fight over dpkg.
svc_install() {
	local need=()
	[ -x "$PG_BIN_DEFAULT/postgres" ] || need+=(postgresql-15)
	command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
	command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
	command -v openssl >/dev/null 2>&1 || need+=(openssl)
	# ip(8) lets the tcp_unreachable test build its own network namespace.
	command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || need+=(iproute2)
	command -v python3 >/dev/null 2>&1 || need+=(python3)
	# chromium opens audit's HTML report in internal/cli's test.
	command -v chromium >/dev/null 2>&1 || need+=(chromium)
	command -v curl >/dev/null 2>&1 || need+=(curl)
	# Alertmanager receives the notify package's alerts; promtool (in the
	# prometheus package, which --no-install-recommends keeps small) tests
	# the Prometheus rules shipped in deploy/.
	command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
	command -v promtool >/dev/null 2>&1 || need+=(prometheus)
	if [ "${#need[@]}" = 0 ]; then
		svc_log "servers already installed"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		svc_err "missing packages (${need[*]}) and not root: install them or run as root"
		return 1
	fi
	svc_log "installing ${need[*]} (apt-get)"
	(
		flock -w 600 9 || { svc_err "apt lock busy for 10 minutes"; exit 1; }
		export DEBIAN_FRONTEND=noninteractive
		# The packaged services (alertmanager on 0.0.0.0:9093 and :9094,
		# prometheus on :9090) must not start: a policy-rc.d that denies
		# every start, unless the machine already has one, removed after.
		own_policy=""
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\n# dbguard scripts/lib/services.sh: no service starts during this install\nexit 101\n' \
				>/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && own_policy=1
		fi
		apt-get -o DPkg::Lock::Timeout=300 update -qq >"$SVC_DIR/apt.log" 2>&1 &&
			apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >>"$SVC_DIR/apt.log" 2>&1
		rc=$?
		[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
		exit "$rc"
	) 9>/var/lock/dbguard-test-install.lock || {
		svc_err "apt-get failed"
		svc_tail "$SVC_DIR/apt.log"
		return 1
	}
	svc_log "installed ${need[*]}"
}

# svc_certs makes a CA and a server certificate for localhost, 127.0.0.1 and
# ::1, signed by it; each server gets its own copy of the key, owned by the
# user that server runs as.
svc_certs() {
	local d=$SVC_DIR/tls
	mkdir -p "$d"
	(
		cd "$d" &&
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
				-keyout ca.key -out ca.crt -days 2 -subj "/CN=dbguard test CA" \
				-addext "basicConstraints=critical,CA:TRUE" \
				-addext "keyUsage=critical,keyCertSign,cRLSign" &&
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
				-keyout server.key -out server.csr -subj "/CN=localhost" &&
			printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
				"basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
				"extendedKeyUsage=serverAuth" >server.ext &&
			openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
				-days 2 -out server.crt -extfile server.ext
	) >"$SVC_DIR/openssl.log" 2>&1 || {
		svc_err "openssl failed"
		svc_tail "$SVC_DIR/openssl.log"
		return 1
	}
	chmod 0644 "$d/ca.crt" "$d/server.crt"
	chmod 0600 "$d/ca.key" "$d/server.key"
	rm -f "$d/ca.key" "$d/server.csr" "$d/ca.srl"
	svc_log "TLS CA and server certificate made"
}

# svc_copy_key installs the server key and cert into dir $1 for user $2.
svc_copy_key() {
	local dir=$1 user=$2
	install -o "$user" -m 0600 "$SVC_DIR/tls/server.key" "$dir/server.key"
	install -o "$user" -m 0644 "$SVC_DIR/tls/server.crt" "$dir/server.crt"
	install -o "$user" -m 0644 "$SVC_DIR/tls/ca.crt" "$dir/ca.crt"
}

# svc_start_pg initialises and starts PostgreSQL 15 as user postgres, then
# creates the dbguard and dbguard_tls roles and the dbguard database.
svc_start_pg() {
	local d=$SVC_DIR/pg bin=$PG_BIN_DEFAULT
	PG_PORT=$(svc_free_port) || return 1
	PG_PASSWORD=$(svc_password)
	PG_TLS_PASSWORD=$(svc_password)
	mkdir -p "$d"
	chown postgres: "$d"
	chmod 0700 "$d"
	svc_copy_key "$d" postgres
	# The superuser's password is needed once by initdb and never again:
	# its file goes away at once.
	(umask 077 && svc_password >"$d/pwfile") && chown postgres: "$d/pwfile"
	if ! runuser -u postgres -- "$bin/initdb" -D "$d/data" -U postgres --pwfile="$d/pwfile" \
		--auth-host=scram-sha-256 --auth-local=peer --no-sync -E UTF8 --locale=C.UTF-8 \
		>"$d/initdb.log" 2>&1; then
		rm -f "$d/pwfile"
		svc_err "PostgreSQL initdb failed"
		svc_tail "$d/initdb.log"
		return 1
	fi
	rm -f "$d/pwfile"
	cat >>"$d/data/postgresql.conf" <<-EOF
		# dbguard test server (scripts/lib/services.sh)
		port = $PG_PORT
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$d'
		ssl = on
		ssl_cert_file = '$d/server.crt'
		ssl_key_file = '$d/server.key'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		max_connections = 200
		password_encryption = 'scram-sha-256'
	EOF
	cat >"$d/data/pg_hba.conf" <<-'EOF'
		# dbguard test server (scripts/lib/services.sh)
		local   all  all                        peer
		hostnossl all dbguard_tls 0.0.0.0/0     reject
		hostnossl all dbguard_tls ::/0          reject
		host    all  all         127.0.0.1/32   scram-sha-256
		host    all  all         ::1/128        scram-sha-256
	EOF
	chown postgres: "$d/data/pg_hba.conf"
	if ! runuser -u postgres -- "$bin/pg_ctl" start -D "$d/data" -l "$d/postgres.log" -w -t 60 \
		>"$d/pg_ctl.log" 2>&1; then
		svc_err "PostgreSQL failed to start"
		cat "$d/pg_ctl.log" >&2
		svc_tail "$d/postgres.log"
		SVC_PG_PID=$(head -n 1 "$d/data/postmaster.pid" 2>/dev/null || true)
		return 1
	fi
	SVC_PG_PID=$(head -n 1 "$d/data/postmaster.pid")
	# Passwords go through stdin, never on a command line.
	if ! runuser -u postgres -- "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$d" -p "$PG_PORT" \
		-U postgres -d postgres >"$d/setup.log" 2>&1 <<-EOF; then
			CREATE ROLE dbguard LOGIN SUPERUSER CREATEDB CREATEROLE PASSWORD '$PG_PASSWORD';
			CREATE DATABASE dbguard OWNER dbguard;
			CREATE ROLE dbguard_tls LOGIN PASSWORD '$PG_TLS_PASSWORD';
			GRANT ALL ON DATABASE dbguard TO dbguard_tls;
		EOF
		svc_err "PostgreSQL setup SQL failed"
		svc_tail "$d/setup.log"
		return 1
	fi
	svc_log "PostgreSQL $("$bin/postgres" -V | awk '{ print $3 }') ready on 127.0.0.1:$PG_PORT (pid $SVC_PG_PID)"
}

# svc_start_mariadb initialises and starts MariaDB with its own datadir and
# port, then creates the dbguard and dbguard_tls users.
svc_start_mariadb() {
	local d=$SVC_DIR/mariadb i
	MY_PORT=$(svc_free_port "$PG_PORT") || return 1
	MY_PASSWORD=$(svc_password)
	MY_TLS_PASSWORD=$(svc_password)
	mkdir -p "$d/data"
	chown -R mysql: "$d"
	chmod 0750 "$d"
	svc_copy_key "$d" mysql
	cat >"$d/my.cnf" <<-EOF
		# dbguard test server (scripts/lib/services.sh)
		[mysqld]
		user = mysql
		datadir = $d/data
		socket = $d/mysqld.sock
		pid-file = $d/mysqld.pid
		log-error = $d/mysqld.log
		port = $MY_PORT
		bind-address = 127.0.0.1
		skip-name-resolve
		performance_schema = OFF
		innodb_buffer_pool_size = 32M
		innodb_log_file_size = 16M
		innodb_log_buffer_size = 4M
		innodb_flush_log_at_trx_commit = 2
		max_connections = 200
		ssl-ca = $d/ca.crt
		ssl-cert = $d/server.crt
		ssl-key = $d/server.key
	EOF
	chmod 0644 "$d/my.cnf"
	if ! mariadb-install-db --defaults-file="$d/my.cnf" --skip-test-db \
		--auth-root-authentication-method=socket >"$d/install-db.log" 2>&1; then
		svc_err "mariadb-install-db failed"
		svc_tail "$d/install-db.log"
		svc_tail "$d/mysqld.log"
		return 1
	fi
	setsid mariadbd --defaults-file="$d/my.cnf" >"$d/mysqld.out" 2>&1 </dev/null &
	SVC_MARIADB_PID=$!
	for i in $(seq 1 600); do
		if mariadb-admin --no-defaults --socket="$d/mysqld.sock" -uroot ping >/dev/null 2>&1; then
			break
		fi
		if ! svc_pid_alive "$SVC_MARIADB_PID"; then
			svc_err "mariadbd exited during start"
			cat "$d/mysqld.out" >&2
			svc_tail "$d/mysqld.log"
			return 1
		fi
		sleep 0.1
	done
	if ! mariadb-admin --no-defaults --socket="$d/mysqld.sock" -uroot ping >/dev/null 2>&1; then
		svc_err "mariadbd did not answer within 60 s"
		svc_tail "$d/mysqld.log"
		return 1
	fi
	if ! mariadb --no-defaults --socket="$d/mysqld.sock" -uroot >"$d/setup.log" 2>&1 <<-EOF; then
		CREATE DATABASE dbguard;
		CREATE USER 'dbguard'@'%' IDENTIFIED BY '$MY_PASSWORD';
		GRANT ALL PRIVILEGES ON *.* TO 'dbguard'@'%' WITH GRANT OPTION;
		CREATE USER 'dbguard_tls'@'%' IDENTIFIED BY '$MY_TLS_PASSWORD' REQUIRE SSL;
		GRANT ALL PRIVILEGES ON dbguard.* TO 'dbguard_tls'@'%';
		FLUSH PRIVILEGES;
	EOF
		svc_err "MariaDB setup SQL failed"
		svc_tail "$d/setup.log"
		return 1
	fi
	svc_log "MariaDB $(mariadbd --version | awk '{ sub(/-.*/, "", $3); print $3 }') ready on 127.0.0.1:$MY_PORT (pid $SVC_MARIADB_PID)"
}

# svc_start_pgbouncer starts PgBouncer in front of the PostgreSQL above, with
# the dbguard role's SCRAM secret (not its password) in the userlist.
svc_start_pgbouncer() {
	local d=$SVC_DIR/pgbouncer secret i
	PGB_PORT=$(svc_free_port "$PG_PORT" "$MY_PORT") || return 1
	mkdir -p "$d"
	chown postgres: "$d"
	chmod 0700 "$d"
	svc_copy_key "$d" postgres
	secret=$(runuser -u postgres -- "$PG_BIN_DEFAULT/psql" -X -At -h "$SVC_DIR/pg" -p "$PG_PORT" \
		-U postgres -d postgres -c "SELECT rolpassword FROM pg_authid WHERE rolname = 'dbguard'") || {
		svc_err "could not read the dbguard SCRAM secret"
		return 1
	}
	(umask 077 && printf '"dbguard" "%s"\n' "$secret" >"$d/userlist.txt")
	chown postgres: "$d/userlist.txt"
	cat >"$d/pgbouncer.ini" <<-EOF
		; dbguard test server (scripts/lib/services.sh)
		[databases]
		* = host=127.0.0.1 port=$PG_PORT

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $PGB_PORT
		unix_socket_dir = $d
		auth_type = scram-sha-256
		auth_file = $d/userlist.txt
		admin_users = dbguard
		pool_mode = transaction
		max_client_conn = 200
		default_pool_size = 20
		ignore_startup_parameters = extra_float_digits
		client_tls_sslmode = allow
		client_tls_cert_file = $d/server.crt
		client_tls_key_file = $d/server.key
		client_tls_ca_file = $d/ca.crt
		logfile = $d/pgbouncer.log
		pidfile = $d/pgbouncer.pid
	EOF
	chown postgres: "$d/pgbouncer.ini"
	if ! runuser -u postgres -- pgbouncer -d "$d/pgbouncer.ini" >"$d/pgbouncer.out" 2>&1; then
		svc_err "pgbouncer failed to start"
		cat "$d/pgbouncer.out" >&2
		svc_tail "$d/pgbouncer.log"
		return 1
	fi
	for i in $(seq 1 100); do
		[ -s "$d/pgbouncer.pid" ] && break
		sleep 0.05
	done
	SVC_PGB_PID=$(cat "$d/pgbouncer.pid" 2>/dev/null || true)
	for i in $(seq 1 300); do
		if PGPASSWORD=$PG_PASSWORD "$PG_BIN_DEFAULT/psql" -X -At -h 127.0.0.1 -p "$PGB_PORT" \
			-U dbguard -d dbguard -c 'SELECT 1' >/dev/null 2>&1; then
			svc_log "PgBouncer $(pgbouncer -V | awk 'NR == 1 { print $2 }') ready on 127.0.0.1:$PGB_PORT (pid $SVC_PGB_PID)"
			return 0
		fi
		if [ -n "$SVC_PGB_PID" ] && ! svc_pid_alive "$SVC_PGB_PID"; then
			break
		fi
		sleep 0.1
	done
	svc_err "PgBouncer does not answer SELECT 1 within 30 s"
	svc_tail "$d/pgbouncer.log"
	return 1
}

# svc_start_alertmanager starts Prometheus's Alertmanager on a free loopback
# port with its own configuration and storage in the temp folder and
# clustering off: an empty --cluster.listen-address, since by default it
# binds 0.0.0.0:9094 and gossips. Its one receiver discards: the tests read
# what it holds through GET /api/v2/alerts.
svc_start_alertmanager() {
	local d=$SVC_DIR/alertmanager i
	AM_PORT=$(svc_free_port "$PG_PORT" "$MY_PORT" "$PGB_PORT") || return 1
	mkdir -p "$d/data"
	cat >"$d/alertmanager.yml" <<-'EOF'
		# dbguard test server (scripts/lib/services.sh)
		route:
		  receiver: discard
		  group_by: ['alertname', 'service', 'environment']
		  group_wait: 1s
		  group_interval: 1s
		  repeat_interval: 1h
		receivers:
		  - name: discard
	EOF
	setsid prometheus-alertmanager --config.file="$d/alertmanager.yml" --storage.path="$d/data" \
		--web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= \
		--log.level=warn >"$d/alertmanager.log" 2>&1 </dev/null &
	SVC_AM_PID=$!
	for i in $(seq 1 300); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$AM_PORT/-/ready" 2>/dev/null; then
			svc_log "Alertmanager $(prometheus-alertmanager --version 2>&1 | awk 'NR == 1 { print $3 }') ready on 127.0.0.1:$AM_PORT (pid $SVC_AM_PID)"
			return 0
		fi
		if ! svc_pid_alive "$SVC_AM_PID"; then
			break
		fi
		sleep 0.1
	done
	svc_err "Alertmanager does not answer /-/ready within 30 s"
	svc_tail "$d/alertmanager.log"
	return 1
}

# svc_write_env writes the test variables to $SVC_DIR/env (mode 0600: it
# holds passwords) and exports them into this shell.
svc_write_env() {
	local ca=$SVC_DIR/tls/ca.crt f=$SVC_DIR/env
	(
		umask 077
		cat >"$f" <<-EOF
			# dbguard test services (scripts/test.sh); source this file.
			export DBGUARD_TEST_PG='postgres://dbguard:$PG_PASSWORD@127.0.0.1:$PG_PORT/dbguard?sslmode=disable'
			export DBGUARD_TEST_PG_SUPER='postgres://dbguard:$PG_PASSWORD@127.0.0.1:$PG_PORT/dbguard?sslmode=disable'
			export DBGUARD_TEST_PG_TLS='postgres://dbguard_tls:$PG_TLS_PASSWORD@127.0.0.1:$PG_PORT/dbguard?sslmode=verify-full&sslrootcert=$ca'
			export DBGUARD_TEST_MYSQL='dbguard:$MY_PASSWORD@tcp(127.0.0.1:$MY_PORT)/dbguard'
			export DBGUARD_TEST_MYSQL_TLS='dbguard_tls:$MY_TLS_PASSWORD@tcp(127.0.0.1:$MY_PORT)/dbguard?tls=dbguard-test'
			export DBGUARD_TEST_PGBOUNCER='postgres://dbguard:$PG_PASSWORD@127.0.0.1:$PGB_PORT/dbguard?sslmode=disable'
			export DBGUARD_TEST_CA='$ca'
			export DBGUARD_TEST_PG_BIN='$PG_BIN_DEFAULT'
			export DBGUARD_TEST_ALERTMANAGER='http://127.0.0.1:$AM_PORT'
			export DBGUARD_TEST_PROMTOOL='$(command -v promtool)'
			export DBGUARD_TEST_LEDGER='$SVC_DIR/ledger.tsv'
			export DBGUARD_REQUIRE_SERVICES=1
		EOF
	)
	: >"$SVC_DIR/ledger.tsv"
	chmod 0644 "$SVC_DIR/ledger.tsv"
	# shellcheck disable=SC1090
	. "$f"
}

# svc_start_all runs every step above; it stops at the first failure.
svc_start_all() {
	local t0
	t0=$(date +%s%N)
	SVC_DIR=$(mktemp -d /tmp/dbguard-test.XXXXXX)
	chmod 0755 "$SVC_DIR"
	svc_log "service directory $SVC_DIR"
	svc_install || return 1
	svc_certs || return 1
	svc_start_pg || return 1
	svc_start_mariadb || return 1
	svc_start_pgbouncer || return 1
	svc_start_alertmanager || return 1
	svc_write_env
	SVC_STARTUP_SECONDS=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	svc_log "all four servers up in ${SVC_STARTUP_SECONDS}s"
}

# svc_stop_all stops whatever was started, newest first, and removes the
# directory. It never fails: it is called from the EXIT trap.
svc_stop_all() {
	if [ -n "$SVC_AM_PID" ]; then
		svc_kill "$SVC_AM_PID" 10
		wait "$SVC_AM_PID" 2>/dev/null || true
		SVC_AM_PID=""
	fi
	if [ -n "$SVC_PGB_PID" ] || [ -f "$SVC_DIR/pgbouncer/pgbouncer.pid" ]; then
		[ -n "$SVC_PGB_PID" ] || SVC_PGB_PID=$(cat "$SVC_DIR/pgbouncer/pgbouncer.pid" 2>/dev/null || true)
		svc_kill "$SVC_PGB_PID" 10
		SVC_PGB_PID=""
	fi
	if [ -n "$SVC_MARIADB_PID" ]; then
		if svc_pid_alive "$SVC_MARIADB_PID"; then
			mariadb-admin --no-defaults --socket="$SVC_DIR/mariadb/mysqld.sock" -uroot \
				--shutdown-timeout=20 shutdown >/dev/null 2>&1 || true
			svc_wait_gone "$SVC_MARIADB_PID" 20 || svc_kill "$SVC_MARIADB_PID" 5
		fi
		wait "$SVC_MARIADB_PID" 2>/dev/null || true
		SVC_MARIADB_PID=""
	fi
	if [ -n "$SVC_DIR" ] && [ -f "$SVC_DIR/pg/data/postmaster.pid" ]; then
		[ -n "$SVC_PG_PID" ] || SVC_PG_PID=$(head -n 1 "$SVC_DIR/pg/data/postmaster.pid" 2>/dev/null || true)
		runuser -u postgres -- "$PG_BIN_DEFAULT/pg_ctl" stop -D "$SVC_DIR/pg/data" -m fast -w -t 20 \
			>/dev/null 2>&1 || svc_kill "$SVC_PG_PID" 5
		svc_wait_gone "$SVC_PG_PID" 5 || true
		SVC_PG_PID=""
	fi
	if [ -n "$SVC_DIR" ] && [ -d "$SVC_DIR" ]; then
		rm -rf "$SVC_DIR"
		svc_log "servers stopped, $SVC_DIR removed"
	fi
	SVC_DIR=""
}
