// Package cli is dbguard's command tree: it binds flags into one options
// struct per command, runs the domain packages and turns their results into
// an exit code. Only main exits.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes, the same for every command (docs/exit-codes.md).
const (
	ExitOK       = 0 // nothing at or above the threshold
	ExitFindings = 1 // findings or failures at or above the threshold
	ExitUsage    = 2 // usage error, or no readable input at all
)

// ExitError carries an exit code chosen by a command, with an optional
// message for stderr.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks an error as the caller's mistake (exit 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// env is what every command gets from Run: its streams and context.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Run executes dbguard with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := NewRootCommand(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "dbguard: %v\n", ee.Err)
		}
		return ee.Code
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Stopped by SIGINT/SIGTERM before it had anything to report:
		// not a usage error, but nothing was judged either.
		fmt.Fprintf(stderr, "dbguard: interrupted (%v)\n", context.Cause(ctx))
		return ExitUsage
	}
	// Errors that cobra itself raises (unknown flag, unknown command, bad
	// argument count) are usage errors.
	fmt.Fprintf(stderr, "dbguard: %v\n", err)
	fmt.Fprintf(stderr, "Run 'dbguard --help' for usage.\n")
	return ExitUsage
}

// NewRootCommand builds the whole command tree. Tests walk it to cover every
// command (the canary-secret test does).
func NewRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "dbguard",
		Short: "Guardrails for database connection configuration",
		Long: `dbguard finds every database connection in an application's configuration,
checks it against best practices, reviews changes to it, verifies it against
the live database and watches it in production.

Exit codes (the same for every command):
  0  nothing at or above the threshold
  1  findings or failures at or above the threshold (an unreadable input is one)
  2  usage error, or no readable input at all`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newVersionCommand(e))
	root.AddCommand(newScanCommand(e))
	root.AddCommand(newVerifyCommand(e))
	root.AddCommand(newCheckCommand(e))
	root.AddCommand(newDiffCommand(e))
	root.AddCommand(newReviewCommand(e))
	root.AddCommand(newRecordCommand(e))
	root.AddCommand(newStoreCommand(e))
	root.AddCommand(newHistoryCommand(e))
	root.AddCommand(newApproveCommand(e))
	root.AddCommand(newRollbackCommand(e))
	root.AddCommand(newWatchCommand(e))
	root.AddCommand(newAuditCommand(e))
	root.AddCommand(newIncidentCommand(e), newPostmortemCommand(e), newActionCommand(e))
	root.AddCommand(newDocsCommand(e))
	root.AddCommand(newDemoCommand(e))
	return root
}
