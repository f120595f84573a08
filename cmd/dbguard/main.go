// Command dbguard guards database connection configuration: it finds every
// connection in an application's configuration, checks it, reviews changes to
// it, verifies it against the live database and watches it in production.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dbguard/dbguard/internal/cli"
	"github.com/dbguard/dbguard/internal/gctune"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	gc := gctune.Start()
	code := runStoppable(ctx, func() int {
		return cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}, os.Stderr)
	gc.Stop()
	stop()
	os.Exit(code)
}

// stopGrace is how long a command may take to wind up once SIGINT or
// SIGTERM arrived (verify reports what it did not verify) before the
// process ends regardless: a signal ends every command within a second.
const stopGrace = 750 * time.Millisecond

// runStoppable runs a command and returns its exit code, or gives up on
// it stopGrace after ctx ends: every read and probe honours ctx, but a
// system call nobody can interrupt (a read on a hung network file system)
// must not hold the process past the signal. Giving up is exit 2, as for
// a command interrupted before it had anything to report.
func runStoppable(ctx context.Context, run func() int, stderr io.Writer) int {
	done := make(chan int, 1)
	go func() { done <- run() }()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
	}
	select {
	case code := <-done:
		return code
	case <-time.After(stopGrace):
		fmt.Fprintf(stderr, "dbguard: interrupted (%v): stopped without waiting for the work under way\n", context.Cause(ctx))
		return cli.ExitUsage
	}
}
