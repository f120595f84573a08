package mysql_test

import (
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify/mysql"
	"github.com/dbguard/dbguard/internal/verify/verifytest"
)

func TestConformanceMariaDB(t *testing.T) {
	cfg, err := gomysql.ParseDSN(testenv.MySQL(t))
	if err != nil {
		t.Fatal(err)
	}
	verifytest.Run(t, mysql.New(), verifytest.Server{Addr: cfg.Addr, Database: cfg.DBName, User: cfg.User, Password: cfg.Passwd, TLS: true})
}
