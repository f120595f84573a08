package dsn_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func kvCases() []parseCase {
	kv := func(w want) want { w.format, w.driver = "libpq-kv", "postgres"; return w }
	return []parseCase{
		{"password as require_auth's value", "host=db require_auth=password sslmode=require",
			kv(want{hosts: []string{"db"}, tls: "require", tlsKey: "sslmode", params: []string{"require_auth=password"}})},
		{"simple", "host=db port=5432 dbname=app user=u password=secret sslmode=require",
			kv(want{hosts: []string{"db:5432"}, db: "app", user: "u", pass: "secret", tls: "require", tlsKey: "sslmode"})},
		{"quoting and escapes", `host=a,b port=5432,5433 dbname='x y' password='it\'s'`,
			kv(want{hosts: []string{"a:5432", "b:5433"}, db: "x y", pass: "it's"})},
		{"doubled quote, PgBouncer's way", `host=db dbname=shop password='it''s a pw' user=shop`,
			kv(want{hosts: []string{"db"}, db: "shop", user: "shop", pass: "it's a pw"})},
		{"spaces around equals", "host = db   dbname =app user= u",
			kv(want{hosts: []string{"db"}, db: "app", user: "u"})},
		{"unquoted backslash escape", `password=a\ b\\c dbname=x`,
			kv(want{db: "x", pass: `a b\c`})},
		{"quoted empty", "host=h password='' dbname=d",
			kv(want{hosts: []string{"h"}, db: "d", pass: "''"})},
		{"socket directory", "host=/var/run/postgresql port=5432 user=postgres dbname=pgx_test",
			kv(want{hosts: []string{"/var/run/postgresql:5432 sock"}, db: "pgx_test", user: "postgres"})},
		{"single port for many hosts", "host=localhost,127.0.0.1 port=6432 dbname=p0 user=bouncer",
			kv(want{hosts: []string{"localhost:6432", "127.0.0.1:6432"}, db: "p0", user: "bouncer"})},
		{"port count mismatch", "host=a,b,c port=1,2",
			kv(want{hosts: []string{"a:1", "b:2", "c"}, issues: []string{"2 ports for 3 hosts"}})},
		{"semicolons inside a quoted value", "host=db port=5432 dbname=app connect_query='set a=off; set b=off'",
			kv(want{hosts: []string{"db:5432"}, db: "app", params: []string{"connect_query=set a=off; set b=off"}})},
		{"quoted multi-host", "host='a, b' port='1,2'",
			kv(want{hosts: []string{"a:1", "b:2"}})},
		{"hostaddr and unknown keys kept", "hostaddr=10.0.0.1 pool_mode=transaction options='-c geqo=off' application_name=x",
			kv(want{params: []string{"hostaddr=10.0.0.1", "pool_mode=transaction", "options=-c geqo=off", "application_name=x"}})},
		{"empty values written without quotes", "host= port= user= password= auth_user=",
			kv(want{hosts: []string{"port="}, user: "password=", params: []string{"auth_user=''"},
				issues: []string{`value of "host" is "port="`, `value of "user" is "password="`}})},
		{"port out of range", "host=h port=70000",
			kv(want{hosts: []string{"h:70000"}, issues: []string{"out of range"}})},
		{"non-numeric port", "host=myhost port=myport user=gorm dbname=gorm password=mypassword",
			kv(want{hosts: []string{"myhost:myport"}, db: "gorm", user: "gorm", pass: "mypassword", issues: []string{"not a number"}})},
		{"interpolations with spaces", "host={{ .Values.db.host }} password=<%= ENV['PG PASS'] %> dbname=${DB:-my app}",
			kv(want{hosts: []string{"{{ .Values.db.host }}"}, db: "${DB:-my app}", pass: "<%= ENV['PG PASS'] %>"})},
		{"requiressl", "host=h requiressl=1",
			kv(want{hosts: []string{"h"}, tls: "1", tlsKey: "requiressl"})},
		{"sslmode beats requiressl", "requiressl=1 sslmode=disable",
			kv(want{tls: "disable", tlsKey: "sslmode", params: []string{"requiressl=1"}})},
		{"last duplicate wins", "password=one password=two dbname=a",
			kv(want{db: "a", pass: "two"})},
		{"trailing and leading space, newlines", "\n host=h\n\tdbname=d \n",
			kv(want{hosts: []string{"h"}, db: "d"})},
		{"non-ascii", "password='pässwörd€' dbname=dé",
			kv(want{db: "dé", pass: "pässwörd€"})},
	}
}

func kvErrCases() []errCase {
	return []errCase{
		{"empty", "", 0, "empty"},
		{"missing equals", "host=h dbname", 13, `missing "=" after "dbname"`},
		{"missing equals mid", "host=h dbname x=1", 14, `missing "=" after "dbname"`},
		{"missing key", "host=h =x", 7, "missing keyword"},
		{"unterminated quote", "host=h password='abc", 16, "unterminated"},
		{"password key as a value, its = missing", "host=h x=password S3cret=0", 18, "the name of a parameter holds a password setting"},
		{"escaped final quote", `password='abc\'`, 9, "unterminated"},
		{"url is not kv", "postgres://h/db?password=a", 8, "invalid character ':' in keyword"},
	}
}

func TestParseKeywordValue(t *testing.T) {
	t.Parallel()
	runParseCases(t, dsn.ParseKeywordValue, kvCases())
}

func TestParseKeywordValueErrors(t *testing.T) {
	t.Parallel()
	runErrCases(t, "libpq-kv", dsn.ParseKeywordValue, kvErrCases())
}
