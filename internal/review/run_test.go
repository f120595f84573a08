package review_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/review"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
	"github.com/dbguard/dbguard/internal/scan/gitsrc/gittest"
)

const strictPolicy = `version: 1
review:
  groups:
    dba: [alice, bob]
  require:
    - risk: high
      environments: [production]
      approvals: 1
      groups: [dba]
`

const relaxedPolicy = `version: 1
review:
  require: []
`

const prodDB = `database:
  adapter: postgresql
  host: orders-db.prod.internal
  port: 5432
  database: orders
  username: orders
  password: ${DB_PASSWORD}
  sslmode: verify-full
  connect_timeout: 5
`

// Three commits: the policy and a production profile; a rename of the
// config file; then a commit that relaxes the policy and moves the port.
// The third commit is judged by the second commit's policy.
func TestReviewThreeCommits(t *testing.T) {
	r := gittest.New(t)
	r.Write("dbguard.yaml", strictPolicy)
	r.Write("config/production.yml", prodDB)
	r.Write("README.md", "orders service\n")
	c1 := r.Commit("policy and production database")
	r.Git("mv", "config/production.yml", "config/prod-database.yml")
	c2 := r.Commit("rename the config file")
	r.Write("dbguard.yaml", relaxedPolicy)
	r.Write("config/prod-database.yml", strings.Replace(prodDB, "port: 5432", "port: 6432", 1))
	c3 := r.Commit("relax the policy and move to the pooler port")
	ctx := context.Background()

	t.Run("rename only", func(t *testing.T) {
		out, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: c1, Head: c2}})
		if err != nil {
			t.Fatal(err)
		}
		cs := out.Result.Changes
		if len(cs) != 1 || cs[0].Field != "profile" || cs[0].Kind != diff.Moved {
			t.Fatalf("changes = %+v, want one moved profile", cs)
		}
		if cs[0].OldProfile != "config/production.yml#database" || cs[0].Profile != "config/prod-database.yml#database" {
			t.Errorf("moved %s -> %s", cs[0].OldProfile, cs[0].Profile)
		}
	})

	t.Run("policy edit does not apply to itself", func(t *testing.T) {
		out, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: c2, Head: c3}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Result.Risk != diff.Critical {
			t.Errorf("risk = %s, want critical (port of a production profile)", out.Result.Risk)
		}
		if !review.Missing(out.Requirements) {
			t.Fatalf("no approval missing: the relaxed policy of the change was applied to itself (policy %s)", out.Policy)
		}
		if !strings.Contains(out.Policy, "dbguard.yaml at "+c2[:12]) {
			t.Errorf("policy source = %q, want the base's dbguard.yaml", out.Policy)
		}
		approved, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: c2, Head: c3}, Approvals: review.ParseApprovedBy([]string{"alice"})})
		if err != nil {
			t.Fatal(err)
		}
		if review.Missing(approved.Requirements) {
			t.Errorf("alice (dba) approved, still missing: %+v", approved.Requirements)
		}
		if len(approved.Approvals) != 1 || approved.Approvals[0].Verified {
			t.Errorf("--approved-by must be marked unverified: %+v", approved.Approvals)
		}
		carol, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: c2, Head: c3}, Approvals: review.ParseApprovedBy([]string{"carol"})})
		if err != nil {
			t.Fatal(err)
		}
		if !review.Missing(carol.Requirements) {
			t.Errorf("carol is not in dba, yet her approval counted")
		}
	})

	t.Run("after the relaxed policy is in the base", func(t *testing.T) {
		r.Write("config/prod-database.yml", strings.Replace(prodDB, "port: 5432", "port: 5433", 1))
		defer r.Git("checkout", "-q", "--", "config/prod-database.yml")
		out, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: c3}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Result.Changes) != 1 || out.Result.Changes[0].Field != "port" {
			t.Fatalf("working tree changes = %+v, want the port", out.Result.Changes)
		}
		if review.Missing(out.Requirements) {
			t.Errorf("the base's policy requires nothing, yet approvals are missing")
		}
		if out.Head != "working tree" {
			t.Errorf("head = %q", out.Head)
		}
	})

	t.Run("rename and change together", func(t *testing.T) {
		out, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: c1, Head: c3}})
		if err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, c := range out.Result.Changes {
			fields = append(fields, c.Field+":"+string(c.Kind))
		}
		if got := strings.Join(fields, ","); got != "profile:moved,port:changed" {
			t.Errorf("changes = %s, want profile:moved,port:changed", got)
		}
	})

	t.Run("paths limit the review", func(t *testing.T) {
		out, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: c2, Head: c3, Paths: []string{"docs"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Result.Changes) != 0 {
			t.Errorf("changes outside docs/: %+v", out.Result.Changes)
		}
	})

	t.Run("shallow clone lacking the base", func(t *testing.T) {
		clone := filepath.Join(t.TempDir(), "clone")
		r.Git("clone", "-q", "--depth", "1", "file://"+r.Dir, clone)
		_, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: clone, Base: c1}})
		var me *gitsrc.MissingRevisionError
		if !errors.As(err, &me) || !me.Shallow {
			t.Fatalf("err = %v, want a MissingRevisionError for a shallow clone", err)
		}
		for _, want := range []string{"git fetch --deepen", "--unshallow", "git fetch origin " + c1} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})

	t.Run("unknown revision", func(t *testing.T) {
		_, err := review.Run(ctx, review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: "no-such-branch"}})
		var me *gitsrc.MissingRevisionError
		if !errors.As(err, &me) || me.Shallow {
			t.Fatalf("err = %v, want a MissingRevisionError", err)
		}
	})
}

// A changed file that cannot be read as configuration — over the size
// limit, binary — is a problem of the new side, whether the head is a
// commit (read as a blob) or the working tree (read from disk); it is
// never taken for an empty file.
func TestReviewUnreadableHead(t *testing.T) {
	oversized := prodDB + "# " + strings.Repeat("x", scan.MaxFileSize) + "\n"
	for _, c := range []struct {
		name, content, want string
	}{
		{"oversized", oversized, "over the 10485760-byte limit"},
		{"binary", prodDB + "\x00\x01\n", "binary file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := gittest.New(t)
			r.Write("config/production.yml", prodDB)
			base := r.Commit("base")
			r.Write("config/production.yml", c.content)
			for _, head := range []string{"", "commit"} {
				if head != "" {
					head = r.Commit("unreadable")
				}
				out, err := review.Run(context.Background(), review.Options{ChangeOptions: gitsrc.ChangeOptions{Dir: r.Dir, Base: base, Head: head, NoConfig: true}})
				if err != nil {
					t.Fatalf("head %q: %v", head, err)
				}
				found := false
				for _, p := range out.Result.Problems {
					found = found || p.Side == "new" && p.Loc.File == "config/production.yml" && strings.Contains(p.Msg, c.want)
				}
				if !found {
					t.Errorf("head %q: problems = %+v, want config/production.yml saying %q", head, out.Result.Problems, c.want)
				}
				for _, ch := range out.Result.Changes {
					if ch.Kind == diff.Removed && !strings.Contains(ch.Reason, "config/production.yml") {
						t.Errorf("head %q: removed without naming the unreadable file: %+v", head, ch)
					}
				}
			}
		})
	}
}
