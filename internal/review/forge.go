package review

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Forge supplies the approvals a pull or merge request has received.
type Forge interface {
	Approvals(ctx context.Context) ([]Approval, error)
}

// Default API base URLs.
const (
	GitHubAPI = "https://api.github.com"
	GitLabAPI = "https://gitlab.com/api/v4"
)

// maxPages bounds pagination: 50 pages of 100 reviews is far more than any
// pull request has.
const maxPages = 50

// GitHub reads a pull request's reviews:
// GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews
// (docs.github.com/en/rest/pulls/reviews). A reviewer counts as approving
// when their latest review that carries a verdict (APPROVED,
// CHANGES_REQUESTED or DISMISSED) is APPROVED; comments do not change it.
type GitHub struct {
	BaseURL string // default GitHubAPI; GitHub Enterprise: https://HOST/api/v3
	Repo    string // owner/name
	Number  int
	Token   string
	Client  *http.Client
}

type ghReview struct {
	User *struct {
		Login string `json:"login"`
	} `json:"user"`
	State    string `json:"state"`
	CommitID string `json:"commit_id"`
}

// Approvals lists the reviewers whose latest verdict is an approval.
func (g *GitHub) Approvals(ctx context.Context) ([]Approval, error) {
	if !strings.Contains(g.Repo, "/") || g.Number <= 0 {
		return nil, fmt.Errorf("github: need a repository owner/name and a pull request number, got %q and %d", g.Repo, g.Number)
	}
	base := strings.TrimSuffix(orDefault(g.BaseURL, GitHubAPI), "/")
	next := fmt.Sprintf("%s/repos/%s/pulls/%d/reviews?per_page=100", base, escapeRepo(g.Repo), g.Number)
	type verdict struct {
		state, commit string
		order         int
	}
	latest := map[string]verdict{}
	var users []string
	n := 0
	for page := 0; next != "" && page < maxPages; page++ {
		var reviews []ghReview
		link, err := getJSON(ctx, g.Client, next, map[string]string{
			"Authorization":        "Bearer " + g.Token,
			"Accept":               "application/vnd.github+json",
			"X-GitHub-Api-Version": "2022-11-28",
		}, &reviews)
		if err != nil {
			return nil, fmt.Errorf("github: list reviews of %s#%d: %w", g.Repo, g.Number, err)
		}
		for _, r := range reviews {
			if r.User == nil || r.User.Login == "" {
				continue
			}
			switch r.State {
			case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
			default:
				continue
			}
			if _, ok := latest[r.User.Login]; !ok {
				users = append(users, r.User.Login)
			}
			n++
			latest[r.User.Login] = verdict{r.State, r.CommitID, n}
		}
		next = nextLink(link)
	}
	var out []Approval
	for _, u := range users {
		if v := latest[u]; v.state == "APPROVED" {
			out = append(out, Approval{User: u, Verified: true, Source: "github", Commit: v.commit})
		}
	}
	return out, nil
}

// GitLab reads a merge request's approvals:
// GET /projects/:id/merge_requests/:merge_request_iid/approvals
// (docs.gitlab.com/api/merge_request_approvals), whose approved_by lists
// the current approvers.
type GitLab struct {
	BaseURL string // default GitLabAPI; self-managed: https://HOST/api/v4
	Project string // numeric id or namespace/name
	IID     int
	Token   string
	Client  *http.Client
}

// Approvals lists the merge request's current approvers.
func (g *GitLab) Approvals(ctx context.Context) ([]Approval, error) {
	if g.Project == "" || g.IID <= 0 {
		return nil, fmt.Errorf("gitlab: need a project and a merge request iid, got %q and %d", g.Project, g.IID)
	}
	base := strings.TrimSuffix(orDefault(g.BaseURL, GitLabAPI), "/")
	u := fmt.Sprintf("%s/projects/%s/merge_requests/%d/approvals", base, url.PathEscape(g.Project), g.IID)
	var body struct {
		ApprovedBy []struct {
			User struct {
				Username string `json:"username"`
			} `json:"user"`
		} `json:"approved_by"`
	}
	if _, err := getJSON(ctx, g.Client, u, map[string]string{"PRIVATE-TOKEN": g.Token}, &body); err != nil {
		return nil, fmt.Errorf("gitlab: read approvals of %s!%d: %w", g.Project, g.IID, err)
	}
	var out []Approval
	for _, a := range body.ApprovedBy {
		if a.User.Username != "" {
			out = append(out, Approval{User: a.User.Username, Verified: true, Source: "gitlab"})
		}
	}
	return out, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func escapeRepo(repo string) string {
	owner, name, _ := strings.Cut(repo, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}

// APIError is a forge answer other than 200.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// getJSON fetches u and decodes its JSON body into v; it returns the Link
// header for pagination.
func getJSON(ctx context.Context, client *http.Client, u string, headers map[string]string, v any) (string, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("build request: %w", err)
	}
	for k, val := range headers {
		if strings.HasSuffix(val, " ") || val == "" {
			continue // no token: an anonymous request
		}
		req.Header.Set(k, val)
	}
	req.Header.Set("User-Agent", "dbguard-review")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var msg struct {
			Message any `json:"message"`
		}
		_ = json.Unmarshal(body, &msg)
		text := ""
		if msg.Message != nil {
			text = fmt.Sprint(msg.Message)
		}
		return "", &APIError{Status: resp.StatusCode, Message: text}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return "", fmt.Errorf("decode response: %w", err)
	}
	return resp.Header.Get("Link"), nil
}

// nextLink reads rel="next" from a Link header (RFC 8288), as GitHub
// paginates.
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		seg := strings.Split(part, ";")
		if len(seg) < 2 {
			continue
		}
		target := strings.Trim(strings.TrimSpace(seg[0]), "<>")
		for _, p := range seg[1:] {
			if strings.TrimSpace(p) == `rel="next"` {
				return target
			}
		}
	}
	return ""
}

// PullNumberFromRef reads a pull request number from GITHUB_REF
// (refs/pull/123/merge).
func PullNumberFromRef(ref string) int {
	rest, ok := strings.CutPrefix(ref, "refs/pull/")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, "/")
	n, _ := strconv.Atoi(num)
	return n
}

var (
	_ Forge = (*GitHub)(nil)
	_ Forge = (*GitLab)(nil)
)
