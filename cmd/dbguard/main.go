// Command dbguard guards database connection configuration: it finds every
// connection in an application's configuration, checks it, reviews changes to
// it, verifies it against the live database and watches it in production.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/dbguard/dbguard/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
