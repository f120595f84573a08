package mysql_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify/mysql"
	"github.com/dbguard/dbguard/internal/verify/verifytest"
)

func TestConformanceMariaDB(t *testing.T) {
	cfg := testenv.MySQLConfig(t)
	verifytest.Run(t, mysql.New(), verifytest.Server{Addr: cfg.Addr, Database: cfg.DBName, User: cfg.User, Password: cfg.Passwd, TLS: true})
}
