package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/verify/mysql"
	"github.com/dbguard/dbguard/internal/verify/postgres"
)

// Drivers is the registry of prober drivers, by profile driver name; every
// driver is built in. PgBouncer speaks the PostgreSQL protocol and is
// recognised at run time.
func Drivers() map[string]verify.Driver {
	return map[string]verify.Driver{"postgres": postgres.New(), "mysql": mysql.New()}
}

// ProbeSettings are how each profile is probed.
type ProbeSettings struct {
	StageTimeout time.Duration // each stage's deadline (default 5s)
	Query        string        // replaces SELECT 1
	WriteCheck   string        // a table to insert into in a rolled-back transaction
	// Resolver answers the dns stage (default net.DefaultResolver); Dial
	// opens every TCP connection (default a net.Dialer).
	Resolver verify.Resolver
	Dial     func(ctx context.Context, network, address string) (net.Conn, error)
	// LastStage ends each probe after this stage (verify.Options.LastStage;
	// empty: every stage): watch's per-profile stages setting.
	LastStage verify.Stage
}

func (s ProbeSettings) prober() *verify.Prober {
	r := s.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	return verify.NewProber(verify.Options{Drivers: Drivers(), Resolver: r, StageTimeout: s.StageTimeout,
		Query: s.Query, WriteCheck: s.WriteCheck, Dial: s.Dial, LastStage: s.LastStage})
}

// NewProber is the prober verify uses, for a front end that probes the
// same profiles again and again (watch): it keeps one per settings so that
// the prober's TLS file cache lives across rounds, and runs it with
// Prober.Run, the fleet runner verify's own runs use.
func NewProber(s ProbeSettings) *verify.Prober { return s.prober() }

// Selection narrows the profiles verified. Env is the environment wanted
// (HasEnv false: any); Profiles are profile ids, each of which must match.
// EnvName is the environment as the user wrote it, for messages.
type Selection struct {
	HasEnv   bool
	Env      profile.Environment
	EnvName  string
	Profiles []string
}

func (s Selection) any() bool { return !s.HasEnv && len(s.Profiles) == 0 }

// matches reports whether a profile of env with id is selected.
func (s Selection) matches(env profile.Environment, id string) bool {
	return (!s.HasEnv || env == s.Env) && (len(s.Profiles) == 0 || contains(s.Profiles, id))
}

// VerifyRequest says what verify proves: the profiles found in Scan's
// paths that Select keeps, probed with Probe's settings by a fleet run.
// The run ends with ctx: a caller bounds it with a deadline.
type VerifyRequest struct {
	Scan   ScanRequest
	Select Selection
	Probe  ProbeSettings
	Run    verify.RunOptions
}

// VerifyResult is a verify run: what the scan read and the results, one
// per target in scan order.
type VerifyResult struct {
	Scan    *scan.Result
	Targets []*profile.Profile
	Results []verify.Result
}

// Verify scans, selects and probes. Its errors: ErrNoReadableInput and a
// *SelectionError (the caller's mistake, before anything is probed), a
// *scan.UsageError, and a *verify.RunEndedError returned with the result
// when ctx ended before every target had an answer.
func Verify(ctx context.Context, req VerifyRequest) (*VerifyResult, error) {
	res, err := Scan(ctx, req.Scan)
	if err != nil {
		return nil, err
	}
	out := &VerifyResult{Scan: res}
	if res.Readable == 0 {
		return out, ErrNoReadableInput
	}
	var candidates []*profile.Profile
	for _, p := range res.Profiles {
		if !verify.Probeable(p) {
			continue
		}
		candidates = append(candidates, p)
		if req.Select.matches(p.Environment, p.ID) {
			out.Targets = append(out.Targets, p)
		}
	}
	if err := checkSelection(req.Select, candidates, out.Targets); err != nil {
		return out, err
	}
	out.Results, err = req.Probe.prober().Run(ctx, out.Targets, req.Run)
	return out, err
}

// SelectionError is a selection that matches nothing, with what there is
// instead: a deploy gate whose --env or --profile has a typo must not pass
// by verifying nothing.
type SelectionError struct{ Msg string }

func (e *SelectionError) Error() string { return e.Msg }

// ErrNoReadableInput says that no input file could be read at all.
var ErrNoReadableInput = errors.New("no readable input")

// checkSelection returns a *SelectionError when sel matches no target, or
// one of its --profile ids matches none; candidates are every profile that
// could have matched.
func checkSelection(sel Selection, candidates, targets []*profile.Profile) error {
	if sel.any() {
		return nil
	}
	var missing []string
	for _, id := range sel.Profiles {
		found := false
		for _, p := range targets {
			if p.ID == id {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, id)
		}
	}
	if len(targets) > 0 && len(missing) == 0 {
		return nil
	}
	var what []string
	if sel.HasEnv {
		what = append(what, "--env "+sel.EnvName)
	}
	for _, id := range missing {
		what = append(what, "--profile "+id)
	}
	fail := func(format string, args ...any) error {
		return &SelectionError{Msg: "no profile matches " + strings.Join(what, " ") + ": " + fmt.Sprintf(format, args...)}
	}
	if len(candidates) == 0 {
		return fail("the paths hold no profile to verify")
	}
	inEnv := candidates
	if sel.HasEnv {
		inEnv = nil
		for _, p := range candidates {
			if p.Environment == sel.Env {
				inEnv = append(inEnv, p)
			}
		}
	}
	if len(inEnv) == 0 {
		seen := map[profile.Environment]bool{}
		var envs []string
		for _, p := range candidates {
			if !seen[p.Environment] {
				seen[p.Environment] = true
				envs = append(envs, string(p.Environment))
			}
		}
		sort.Strings(envs)
		return fail("found environments %s", strings.Join(envs, ", "))
	}
	ids := make([]string, 0, len(inEnv))
	for _, p := range inEnv {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	const show = 10
	list := strings.Join(ids[:min(len(ids), show)], ", ")
	if len(ids) > show {
		list += fmt.Sprintf(" and %d more (dbguard scan lists them)", len(ids)-show)
	}
	where := "found profiles"
	if sel.HasEnv {
		where = "profiles of " + string(sel.Env) + " are"
	}
	return fail("%s %s", where, list)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// configOrDefault is cfg, or the defaults when it is nil.
func configOrDefault(cfg *config.Config) *config.Config {
	if cfg == nil {
		return config.Default()
	}
	return cfg
}
