package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
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
	record     bool
	actor      string
	storeLoc   string
	storeKey   string
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
approvals that are taken on trust and marked unverified. Approvals recorded
with 'dbguard approve FINGERPRINT --by NAME' count only where the base's
review policy says accept_store_approvals: true; each approval is labelled
verified (forge) or unverified (store, command line).

--record appends a review event to the event store (see dbguard history):
the fingerprint, the risk and the approvals that counted.

A shallow clone that lacks the base revision gets an error saying how to
fetch it (git fetch --deepen, --unshallow, or git fetch origin BASE).

Exit codes: 0 nothing required is missing, 1 approvals the policy requires
are missing, or the risk is at or above --fail-on, or a changed file cannot
be read; 2 usage error (no repository, unknown revision, bad flags), or a
store that cannot be opened (no key for --record, another key).`,
		Example: `  # what a branch changes, against main
  dbguard review --base origin/main

  # in CI on a pull request: a comment, approvals read from GitHub
  dbguard review --base "origin/$GITHUB_BASE_REF" --head HEAD --format markdown

  # two commits, only the deploy folder
  dbguard review --base v1.4.0 --head v1.5.0 deploy/

  # approvals given outside any forge
  dbguard review --base main --approved-by alice,bob

  # keep the review in the event store's history
  dbguard review --base origin/main --record`,
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
	f.BoolVar(&o.record, "record", false, "append a review event to the event store: the fingerprint, the risk and the approvals that counted")
	f.StringVar(&o.actor, "actor", "", "who records, with --record (default: $DBGUARD_ACTOR, the CI job, git's user, the OS user)")
	f.StringVar(&o.storeLoc, "store", "", "the event store, for --record and store approvals: a SQLite file or a postgres:// URL (default: dbguard.yaml's store section, else .dbguard/state.db at the repository root)")
	f.StringVar(&o.storeKey, "store-key", "", "the store key file, for --record (default: $"+app.EnvStoreKey+", else $XDG_CONFIG_HOME/dbguard/store.key)")
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
		Store:       app.StoreRequest{Location: o.storeLoc, KeyFile: o.storeKey, Dir: ".", Getenv: os.Getenv},
		StoreConfig: func() (*config.Config, error) { return loadConfig(o.configPath, o.noConfig) },
		Record:      o.record, Actor: o.actor,
	})
	if err != nil {
		return storeExit(err)
	}
	if ch.Recorded != nil {
		fmt.Fprintf(e.stderr, "recorded review event %d in %s\n", ch.Recorded.Seq, ch.Store)
	}
	return finishReview(e, &o.diffOptions, format, failOn, ch)
}

// forgeEnv is what one forge's CI job says about the change under review,
// in the variables that job sets.
type forgeEnv struct {
	name      string
	ciVar     string // "true" in that CI's jobs
	tokenVar  string // the token when DBGUARD_FORGE_TOKEN is unset
	urlVar    string // the API base URL
	repoVar   string // the repository or project
	number    func() int
	needs     string // what a usage error asks for when repository or number is missing
	construct func(url, repo string, number int, token string) review.Forge
}

// forgeEnvs lists the forges review reads approvals from, in the order in
// which their CI variables are tried when --forge is not given.
func forgeEnvs() []forgeEnv {
	return []forgeEnv{{
		name: "github", ciVar: "GITHUB_ACTIONS", tokenVar: "GITHUB_TOKEN", urlVar: "GITHUB_API_URL", repoVar: "GITHUB_REPOSITORY",
		number: func() int { return review.PullNumberFromRef(os.Getenv("GITHUB_REF")) },
		needs:  "reading GitHub approvals needs --repo owner/name and --pr NUMBER (or GITHUB_REPOSITORY and a pull request's GITHUB_REF)",
		construct: func(url, repo string, number int, token string) review.Forge {
			return &review.GitHub{BaseURL: url, Repo: repo, Number: number, Token: token}
		},
	}, {
		name: "gitlab", ciVar: "GITLAB_CI", tokenVar: "GITLAB_TOKEN", urlVar: "CI_API_V4_URL", repoVar: "CI_PROJECT_ID",
		number: func() int { n, _ := strconv.Atoi(os.Getenv("CI_MERGE_REQUEST_IID")); return n },
		needs:  "reading GitLab approvals needs --repo PROJECT and --pr IID (or CI_PROJECT_ID and CI_MERGE_REQUEST_IID)",
		construct: func(url, repo string, number int, token string) review.Forge {
			return &review.GitLab{BaseURL: url, Project: repo, IID: number, Token: token}
		},
	}}
}

// forgeFromEnv picks the forge to read approvals from: only when a token is
// set, with the repository and request number from the flags or from the
// CI job's environment (GitHub Actions, GitLab CI).
func forgeFromEnv(o *reviewOptions) (review.Forge, error) {
	token := os.Getenv("DBGUARD_FORGE_TOKEN")
	kind := o.forge
	forges := forgeEnvs()
	if kind == "" {
		for _, f := range forges {
			if os.Getenv(f.ciVar) == "true" {
				kind = f.name
				break
			}
		}
	}
	if kind == "" {
		if token != "" {
			return nil, usageError("DBGUARD_FORGE_TOKEN is set but the forge is unknown: give --forge github or --forge gitlab")
		}
		return nil, nil
	}
	for _, f := range forges {
		if f.name != kind {
			continue
		}
		if token == "" {
			token = os.Getenv(f.tokenVar)
		}
		if token == "" {
			return nil, nil
		}
		url, repo, number := o.forgeURL, o.repo, o.number
		if url == "" {
			url = os.Getenv(f.urlVar)
		}
		if repo == "" {
			repo = os.Getenv(f.repoVar)
		}
		if number == 0 {
			number = f.number()
		}
		if repo == "" || number == 0 {
			return nil, usageError("%s", f.needs)
		}
		return f.construct(url, repo, number, token), nil
	}
	return nil, usageError("--forge %q: use github or gitlab", strings.TrimSpace(kind))
}
