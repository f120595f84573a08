package review_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/review"
)

// A server that answers like GitHub's REST API: reviews in chronological
// order, paginated with a Link header, bearer token required.
func githubServer(t *testing.T) *httptest.Server {
	t.Helper()
	pages := []string{
		`[{"id":1,"user":{"login":"alice"},"state":"CHANGES_REQUESTED","commit_id":"aaa"},
		  {"id":2,"user":{"login":"bob"},"state":"APPROVED","commit_id":"aaa"},
		  {"id":3,"user":{"login":"carol"},"state":"APPROVED","commit_id":"aaa"}]`,
		`[{"id":4,"user":{"login":"alice"},"state":"APPROVED","commit_id":"bbb"},
		  {"id":5,"user":{"login":"carol"},"state":"DISMISSED","commit_id":"aaa"},
		  {"id":6,"user":{"login":"bob"},"state":"COMMENTED","commit_id":"bbb"},
		  {"id":7,"user":null,"state":"APPROVED","commit_id":"bbb"}]`,
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/repos/acme/orders/pulls/42/reviews" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer s3cret-token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Bad credentials"}`)
			return
		}
		if r.Header.Get("Accept") != "application/vnd.github+json" || r.URL.Query().Get("per_page") != "100" {
			t.Errorf("request headers/query: %v %v", r.Header, r.URL.RawQuery)
		}
		page := 0
		if r.URL.Query().Get("page") == "2" {
			page = 1
		} else {
			w.Header().Set("Link", fmt.Sprintf(`<%s/repos/acme/orders/pulls/42/reviews?per_page=100&page=2>; rel="next", <%s/repos/acme/orders/pulls/42/reviews?per_page=100&page=2>; rel="last"`, srv.URL, srv.URL))
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, pages[page])
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGitHubApprovals(t *testing.T) {
	srv := githubServer(t)
	gh := &review.GitHub{BaseURL: srv.URL, Repo: "acme/orders", Number: 42, Token: "s3cret-token"}
	got, err := gh.Approvals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for _, a := range got {
		if !a.Verified || a.Source != "github" {
			t.Errorf("approval %+v not verified from github", a)
		}
		users = append(users, a.User+"@"+a.Commit)
	}
	// alice: changes requested, then approved; bob: approved, then only
	// commented; carol: approved, then dismissed.
	if s := strings.Join(users, ","); s != "alice@bbb,bob@aaa" {
		t.Errorf("approvers = %s, want alice@bbb,bob@aaa", s)
	}

	bad := &review.GitHub{BaseURL: srv.URL, Repo: "acme/orders", Number: 42, Token: "wrong"}
	_, err = bad.Approvals(context.Background())
	var ae *review.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(err.Error(), "Bad credentials") {
		t.Errorf("bad token: err = %v, want HTTP 401 Bad credentials", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the token is in the error: %v", err)
	}
	missing := &review.GitHub{BaseURL: srv.URL, Repo: "acme/other", Number: 42, Token: "s3cret-token"}
	if _, err := missing.Approvals(context.Background()); !errors.As(err, &ae) || ae.Status != 404 {
		t.Errorf("unknown repository: err = %v, want HTTP 404", err)
	}
}

// A server that answers like GitLab's merge request approvals API.
func TestGitLabApprovals(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/api/v4/projects/acme%2Forders/merge_requests/7/approvals" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"404 Not found"}`)
			return
		}
		if r.Header.Get("PRIVATE-TOKEN") != "glpat-token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"401 Unauthorized"}`)
			return
		}
		fmt.Fprint(w, `{"id":5,"iid":7,"project_id":3,"title":"db port","state":"opened","approved":true,
		  "approvals_required":2,"approvals_left":0,
		  "approved_by":[{"user":{"name":"Alice","username":"alice","id":1,"state":"active"}},
		                 {"user":{"name":"Dan","username":"dan","id":4,"state":"active"}}]}`)
	}))
	defer srv.Close()
	gl := &review.GitLab{BaseURL: srv.URL + "/api/v4", Project: "acme/orders", IID: 7, Token: "glpat-token"}
	got, err := gl.Approvals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].User != "alice" || got[1].User != "dan" || !got[0].Verified || got[0].Source != "gitlab" {
		t.Errorf("approvals = %+v", got)
	}
	gl.Token = "nope"
	if _, err := gl.Approvals(context.Background()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad token: err = %v", err)
	}
}

func TestPullNumberFromRef(t *testing.T) {
	for ref, want := range map[string]int{"refs/pull/123/merge": 123, "refs/heads/main": 0, "refs/pull/x/merge": 0} {
		if got := review.PullNumberFromRef(ref); got != want {
			t.Errorf("PullNumberFromRef(%q) = %d, want %d", ref, got, want)
		}
	}
}
