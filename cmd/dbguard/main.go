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
	"github.com/dbguard/dbguard/internal/gctune"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	gc := gctune.Start()
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	gc.Stop()
	stop()
	os.Exit(code)
}
