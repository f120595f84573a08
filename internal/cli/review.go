package cli

import (
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/review"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
)

// reviewOptions are review's flags.
type reviewOptions struct {
	diffOptions
	base, head string
	forge      string
	forgeURL   string
	repo       string
	number     int
}

func newReviewCommand(e *env) *cobra.Command {
	o := &reviewOptions{}
	cmd := &cobra.Command{
		Use:   "review --base REV [--head REV] [PATH...]",
		Short: "Review a change of database connection settings between two git revisions",
		Long: `review compares two revisions of the current git repository as dbguard diff
compares folders, reading files with git (nothing is checked out). --head
defaults to the working tree, uncommitted edits and untracked files included.
PATH limits the review to files below it.

The review policy is the review section of dbguard.yaml as it is in the BASE
revision, never in the change: a pull request cannot relax its own policy.
review prints the exact approvals still missing. Check findings the change
introduces or fixes come from the rules check loads: built-in, and custom
ones from --rules DIR, rules.custom of the base's dbguard.yaml or
.dbguard/rules/ (read from disk, not from a revision).

Approvals come from the forge when a token is in the environment
(DBGUARD_FORGE_TOKEN, else GITHUB_TOKEN or GITLAB_TOKEN): GitHub pull request
reviews or GitLab merge request approvals. In GitHub Actions and GitLab CI the
repository and the pull request number are read from the job's environment;
elsewhere give --forge, --repo and --pr. --approved-by alice,bob adds
approvals that are taken on trust and marked unverified.

A shallow clone that lacks the base revision gets an error saying how to
fetch it (git fetch --deepen, --unshallow, or git fetch origin BASE).

Exit codes: 0 nothing required is missing, 1 approvals the policy requires
are missing, or the risk is at or above --fail-on, or a changed file cannot
be read; 2 usage error (no repository, unknown revision, bad flags).`,
		Example: `  # what a branch changes, against main
  dbguard review --base origin/main

  # in CI on a pull request: a comment, approvals read from GitHub
  dbguard review --base "origin/$GITHUB_BASE_REF" --head HEAD --format markdown

  # two commits, only the deploy folder
  dbguard review --base v1.4.0 --head v1.5.0 deploy/

  # approvals given outside any forge
  dbguard review --base main --approved-by alice,bob`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReview(e, o, args)
		},
	}
	addDiffFlags(cmd, &o.diffOptions)
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "the revision the change is judged against (required); its dbguard.yaml holds the policy")
	f.StringVar(&o.head, "head", "", "the revision under review (default: the working tree)")
	f.StringVar(&o.forge, "forge", "", "where approvals come from when a token is set: github or gitlab (default: from the CI environment)")
	f.StringVar(&o.forgeURL, "forge-url", "", "API base URL (default https://api.github.com, https://gitlab.com/api/v4, or the CI's)")
	f.StringVar(&o.repo, "repo", "", "repository: owner/name on GitHub, project id or path on GitLab (default: from the CI environment)")
	f.IntVar(&o.number, "pr", 0, "pull request (GitHub) or merge request iid (GitLab) (default: from the CI environment)")
	return cmd
}

func runReview(e *env, o *reviewOptions, args []string) error {
	format, failOn, err := parseDiffFlags(&o.diffOptions)
	if err != nil {
		return err
	}
	if o.base == "" {
		return usageError("--base is required: the revision the change is judged against (e.g. --base origin/main)")
	}
	forge, err := forgeFromEnv(o)
	if err != nil {
		return err
	}
	ch, err := app.Review(e.ctx, app.ReviewRequest{
		Change:   gitsrc.ChangeOptions{Dir: ".", Base: o.base, Head: o.head, Paths: args, ConfigPath: o.configPath, NoConfig: o.noConfig},
		RulesDir: o.rulesDir, Approvals: review.ParseApprovedBy(o.approvedBy), Forge: forge,
	})
	if err != nil {
		return exitError(err)
	}
	return finishReview(e, &o.diffOptions, format, failOn, ch)
}

// forgeFromEnv picks the forge to read approvals from: only when a token is
// set, with the repository and request number from the flags or from the
// CI job's environment (GitHub Actions, GitLab CI).
func forgeFromEnv(o *reviewOptions) (review.Forge, error) {
	token := os.Getenv("DBGUARD_FORGE_TOKEN")
	kind := o.forge
	if kind == "" {
		switch {
		case os.Getenv("GITHUB_ACTIONS") == "true":
			kind = "github"
		case os.Getenv("GITLAB_CI") == "true":
			kind = "gitlab"
		}
	}
	switch kind {
	case "":
		if token != "" {
			return nil, usageError("DBGUARD_FORGE_TOKEN is set but the forge is unknown: give --forge github or --forge gitlab")
		}
		return nil, nil
	case "github":
		if token == "" {
			token = os.Getenv("GITHUB_TOKEN")
		}
		if token == "" {
			return nil, nil
		}
		g := &review.GitHub{BaseURL: o.forgeURL, Repo: o.repo, Number: o.number, Token: token}
		if g.BaseURL == "" {
			g.BaseURL = os.Getenv("GITHUB_API_URL")
		}
		if g.Repo == "" {
			g.Repo = os.Getenv("GITHUB_REPOSITORY")
		}
		if g.Number == 0 {
			g.Number = review.PullNumberFromRef(os.Getenv("GITHUB_REF"))
		}
		if g.Repo == "" || g.Number == 0 {
			return nil, usageError("reading GitHub approvals needs --repo owner/name and --pr NUMBER (or GITHUB_REPOSITORY and a pull request's GITHUB_REF)")
		}
		return g, nil
	case "gitlab":
		if token == "" {
			token = os.Getenv("GITLAB_TOKEN")
		}
		if token == "" {
			return nil, nil
		}
		g := &review.GitLab{BaseURL: o.forgeURL, Project: o.repo, IID: o.number, Token: token}
		if g.BaseURL == "" {
			g.BaseURL = os.Getenv("CI_API_V4_URL")
		}
		if g.Project == "" {
			g.Project = os.Getenv("CI_PROJECT_ID")
		}
		if g.IID == 0 {
			g.IID, _ = strconv.Atoi(os.Getenv("CI_MERGE_REQUEST_IID"))
		}
		if g.Project == "" || g.IID == 0 {
			return nil, usageError("reading GitLab approvals needs --repo PROJECT and --pr IID (or CI_PROJECT_ID and CI_MERGE_REQUEST_IID)")
		}
		return g, nil
	}
	return nil, usageError("--forge %q: use github or gitlab", strings.TrimSpace(kind))
}
