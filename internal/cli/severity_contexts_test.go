package cli_test

import (
	"slices"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/policy"
)

// TestSeverityContexts holds the contexts dbguard.yaml's
// rules.environment_severity accepts equal to those the policy caps.
func TestSeverityContexts(t *testing.T) {
	if got, want := config.SeverityContexts(), policy.Contexts(); !slices.Equal(got, want) {
		t.Errorf("config accepts %q, policy knows %q", got, want)
	}
}
