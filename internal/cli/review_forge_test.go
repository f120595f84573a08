package cli

import (
	"errors"
	"testing"

	"github.com/dbguard/dbguard/internal/review"
)

// noForge empties every variable from which review would take a forge or
// a token, so that a test's review asks no forge for approvals and nothing
// leaves this machine.
func noForge(t *testing.T) {
	t.Helper()
	t.Setenv("DBGUARD_FORGE_TOKEN", "")
	for _, f := range forgeEnvs() {
		t.Setenv(f.ciVar, "")
		t.Setenv(f.tokenVar, "")
	}
}

// TestForgeFromEnv: the forge, repository and request number come from
// the flags first, then from the CI job's variables; without a token no
// forge is asked; what is missing is a usage error.
func TestForgeFromEnv(t *testing.T) {
	ciVars := []string{"GITHUB_API_URL", "GITHUB_REPOSITORY", "GITHUB_REF", "CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID"}
	cases := []struct {
		name  string
		opts  reviewOptions
		env   map[string]string
		want  review.Forge // nil: no forge
		usage bool
	}{
		{name: "nothing set"},
		{name: "token but no forge", env: map[string]string{"DBGUARD_FORGE_TOKEN": "tk"}, usage: true},
		{name: "github job without a token", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_REF": "refs/pull/7/merge"}},
		{name: "github job", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "tk", "GITHUB_API_URL": "https://ghe.example.invalid/api/v3", "GITHUB_REPOSITORY": "o/r", "GITHUB_REF": "refs/pull/7/merge"},
			want: &review.GitHub{BaseURL: "https://ghe.example.invalid/api/v3", Repo: "o/r", Number: 7, Token: "tk"}},
		{name: "flags before the github job's variables", opts: reviewOptions{forgeURL: "https://u.example.invalid", repo: "a/b", number: 9},
			env:  map[string]string{"GITHUB_ACTIONS": "true", "DBGUARD_FORGE_TOKEN": "own", "GITHUB_TOKEN": "tk", "GITHUB_REPOSITORY": "o/r", "GITHUB_REF": "refs/pull/7/merge"},
			want: &review.GitHub{BaseURL: "https://u.example.invalid", Repo: "a/b", Number: 9, Token: "own"}},
		{name: "github push, not a pull request", env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "tk", "GITHUB_REPOSITORY": "o/r", "GITHUB_REF": "refs/heads/main"}, usage: true},
		{name: "gitlab job", env: map[string]string{"GITLAB_CI": "true", "GITLAB_TOKEN": "tk", "CI_API_V4_URL": "https://gl.example.invalid/api/v4", "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "3"},
			want: &review.GitLab{BaseURL: "https://gl.example.invalid/api/v4", Project: "42", IID: 3, Token: "tk"}},
		{name: "gitlab named by --forge", opts: reviewOptions{forge: "gitlab", repo: "g/p", number: 5}, env: map[string]string{"DBGUARD_FORGE_TOKEN": "tk"},
			want: &review.GitLab{Project: "g/p", IID: 5, Token: "tk"}},
		{name: "gitlab without a merge request", env: map[string]string{"GITLAB_CI": "true", "GITLAB_TOKEN": "tk", "CI_PROJECT_ID": "42"}, usage: true},
		{name: "unknown forge", opts: reviewOptions{forge: "gitea"}, env: map[string]string{"DBGUARD_FORGE_TOKEN": "tk"}, usage: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			noForge(t)
			for _, name := range ciVars {
				t.Setenv(name, "")
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			got, err := forgeFromEnv(&tc.opts)
			var ee *ExitError
			if tc.usage {
				if !errors.As(err, &ee) || ee.Code != ExitUsage {
					t.Fatalf("forgeFromEnv = %#v, %v; want a usage error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("forgeFromEnv: %v", err)
			}
			if tc.want == nil {
				if got != nil {
					t.Fatalf("forgeFromEnv = %#v, want no forge", got)
				}
				return
			}
			switch w := tc.want.(type) {
			case *review.GitHub:
				if g, ok := got.(*review.GitHub); !ok || *g != *w {
					t.Fatalf("forgeFromEnv = %#v, want %#v", got, w)
				}
			case *review.GitLab:
				if g, ok := got.(*review.GitLab); !ok || *g != *w {
					t.Fatalf("forgeFromEnv = %#v, want %#v", got, w)
				}
			}
		})
	}
}
