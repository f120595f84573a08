package app

import (
	"context"
	"os/exec"
	"os/user"
	"strings"

	"github.com/dbguard/dbguard/internal/store"
)

// EnvActor names the actor when --actor does not.
const EnvActor = "DBGUARD_ACTOR"

// ResolveActor decides who an event is recorded as, and labels where the
// name came from, since a typed name proves less than a CI job's identity:
// --actor ("flag"), else DBGUARD_ACTOR ("env"), else the CI job
// ("ci:github", "ci:gitlab", "ci"), else git's user.email or user.name in
// dir ("git"), else the OS user ("os").
func ResolveActor(ctx context.Context, flag string, getenv func(string) string, dir string) store.Actor {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if flag != "" {
		return store.Actor{Name: flag, Origin: "flag"}
	}
	if v := getenv(EnvActor); v != "" {
		return store.Actor{Name: v, Origin: "env"}
	}
	if getenv("GITHUB_ACTIONS") == "true" && getenv("GITHUB_ACTOR") != "" {
		return store.Actor{Name: joinNonEmpty(getenv("GITHUB_ACTOR"), " in ", getenv("GITHUB_REPOSITORY"), " run ", getenv("GITHUB_RUN_ID")), Origin: "ci:github"}
	}
	if getenv("GITLAB_CI") == "true" && getenv("GITLAB_USER_LOGIN") != "" {
		return store.Actor{Name: joinNonEmpty(getenv("GITLAB_USER_LOGIN"), " in ", getenv("CI_PROJECT_PATH"), " job ", getenv("CI_JOB_ID")), Origin: "ci:gitlab"}
	}
	if getenv("CI") != "" {
		name := "ci"
		if j := getenv("CI_JOB_NAME"); j != "" {
			name += " job " + j
		}
		return store.Actor{Name: name, Origin: "ci"}
	}
	for _, key := range []string{"user.email", "user.name"} {
		cmd := exec.CommandContext(ctx, "git", "-C", dir, "config", "--get", key)
		if out, err := cmd.Output(); err == nil {
			if v := strings.TrimSpace(string(out)); v != "" {
				return store.Actor{Name: v, Origin: "git"}
			}
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return store.Actor{Name: u.Username, Origin: "os"}
	}
	return store.Actor{Name: "unknown", Origin: "os"}
}

// joinNonEmpty joins name with each (separator, value) pair whose value is
// set.
func joinNonEmpty(name string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			name += pairs[i] + pairs[i+1]
		}
	}
	return name
}
