package cli

import (
	"fmt"
	"strings"
	"testing"
)

// TestVerifyFlagsOutOfRange: a flag value that cannot mean anything is a
// usage error (exit 2) naming the flag and the value, before any input is
// read or any server contacted; every problem is named at once.
func TestVerifyFlagsOutOfRange(t *testing.T) {
	cases := []struct {
		flags []string
		msg   string
	}{
		{[]string{"--retry-backoff", "-1s"}, "--retry-backoff must not be negative, got -1s"},
		{[]string{"--retries", "-1"}, "--retries must not be negative, got -1"},
		{[]string{"--workers", "0"}, "--workers must be at least 1, got 0"},
		{[]string{"--workers", "-3"}, "--workers must be at least 1, got -3"},
		{[]string{"--timeout", "0s"}, "--timeout must be positive, got 0s"},
		{[]string{"--timeout", "-5s"}, "--timeout must be positive, got -5s"},
		{[]string{"--stage-timeout", "0s"}, "--stage-timeout must be positive, got 0s"},
		{[]string{"--stage-timeout", "-1ms"}, "--stage-timeout must be positive, got -1ms"},
		{[]string{"--retry-backoff", "-1s", "--workers", "0"}, "--workers must be at least 1, got 0; --retry-backoff must not be negative, got -1s"},
		{[]string{"--retry-backoff", "-1s", "--diff-base", "HEAD"}, "--retry-backoff must not be negative, got -1s"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			// The path does not exist: a usage error about it would
			// mean the flags were not checked first.
			args := append([]string{"verify", "--no-config"}, tc.flags...)
			code, stdout, stderr := runCLI(t, "", append(args, "/nonexistent/dbguard-test")...)
			if want := fmt.Sprintf("dbguard: %s\n", tc.msg); code != ExitUsage || stderr != want {
				t.Errorf("exit %d, stderr %q; want exit %d, %q", code, stderr, ExitUsage, want)
			}
			if stdout != "" {
				t.Errorf("a usage error wrote to stdout: %s", stdout)
			}
		})
	}
	// A zero backoff is meaningful (retry at once) and accepted.
	if code, _, stderr := runCLI(t, "", "verify", "--no-config", "--retry-backoff", "0s", "--retries", "1", "/nonexistent/dbguard-test"); strings.Contains(stderr, "--retry-backoff") || code != ExitUsage {
		t.Errorf("exit %d, stderr %q: --retry-backoff 0s refused", code, stderr)
	}
}
