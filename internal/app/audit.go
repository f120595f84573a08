package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/dbguard/dbguard/internal/audit"
	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/verify"
)

// KindAudit is the store event an audit leaves: audit.Body.
const KindAudit store.Kind = "audit"

// AuditRequest says what to audit: the files of Check's scan (judged by
// check's rules, with its baseline), the servers their profiles point at
// (read with Probe's settings unless NoLive), and the store to compare
// with and write the audit into.
type AuditRequest struct {
	Check   CheckRequest
	Store   StoreRequest
	Probe   ProbeSettings
	Resolve verify.ResolveOptions
	NoLive  bool
	// CertWindow is how close to its expiry a server certificate is
	// reported (default 30 days).
	CertWindow time.Duration
	Actor      string
	Now        time.Time
}

// AuditResult is a finished audit and what check read.
type AuditResult struct {
	Report   *audit.Report
	Files    int
	Readable int
}

// Audit runs check's rules, compares the files with the store, reads the
// live servers, counts capacity, compares with the previous audit and
// stores the result as an audit event. A store that cannot be opened or
// a server that cannot be read is reported in the result, not an error.
// Errors: *RequestError, *scan.UsageError, ErrNoReadableInput.
func Audit(ctx context.Context, req AuditRequest) (*AuditResult, error) {
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	if req.CertWindow <= 0 {
		req.CertWindow = 30 * 24 * time.Hour
	}
	cfg := configOrDefault(req.Check.Scan.Config)
	req.Check.Scan.Config, req.Store.Config = cfg, cfg
	var baseline *policy.Baseline
	if req.Check.Baseline != nil {
		data, err := io.ReadAll(req.Check.Baseline)
		if err != nil {
			return nil, requestError("--baseline %s: %v", req.Check.BaselineName, err)
		}
		if baseline, err = policy.ReadBaseline(bytes.NewReader(data)); err != nil {
			return nil, requestError("--baseline %s: %v", req.Check.BaselineName, err)
		}
		req.Check.Baseline = bytes.NewReader(data)
	}
	checked, err := Check(ctx, req.Check)
	if err != nil {
		return nil, err
	}
	out := &AuditResult{Files: checked.Files, Readable: checked.Readable}
	if checked.Readable == 0 {
		return out, ErrNoReadableInput
	}
	scanned, err := Scan(ctx, req.Check.Scan)
	if err != nil {
		return nil, err
	}
	rep := &audit.Report{Time: now, Findings: []audit.Finding{}, Accepted: []audit.Accepted{}, Servers: []audit.Server{}, Capacity: []audit.Capacity{}}
	rep.Summary.Files, rep.Summary.Profiles = checked.Files, len(scanned.Profiles)
	out.Report = rep
	services := map[string]string{}
	for _, p := range scanned.Profiles {
		services[p.ID] = p.Service
	}
	serviceOf := func(id string) string { return services[id] }

	// check, and what its baseline and comments accept
	for _, f := range checked.Report.Findings {
		rep.Findings = append(rep.Findings, checkFinding(f, serviceOf))
	}
	for _, f := range checked.Report.Baselined {
		a := audit.Accepted{Finding: checkFinding(f, serviceOf), Reason: "accepted by the baseline (no reason given)"}
		if baseline != nil {
			if e, ok := baseline.Entry(f); ok {
				if e.Reason != "" {
					a.Reason = e.Reason
				}
				a.Owner = e.Owner
			}
		}
		rep.Accepted = append(rep.Accepted, a)
	}
	for _, f := range checked.Report.Suppressed {
		rep.Accepted = append(rep.Accepted, audit.Accepted{Finding: checkFinding(f, serviceOf), Reason: "accepted by a dbguard:ignore comment"})
	}
	rep.Fleet = audit.FleetOf(checked.Report.Findings, serviceOf)

	// live servers and capacity
	var live map[string]*audit.Server
	if !req.NoLive {
		live = readServers(ctx, req, scanned.Profiles, rep, now)
	}
	_, settings, err := Rules(cfg, req.Check.RulesDir)
	if err != nil {
		return nil, err
	}
	rep.Capacity = capacities(scanned.Profiles, settings, live)
	for _, c := range rep.Capacity {
		if c.Over {
			rep.Findings = append(rep.Findings, audit.CapacityFinding(c))
		}
	}

	// drift, trend and the audit event
	st := openAuditStore(ctx, req.Store)
	if st.err != nil {
		rep.Drift = audit.DriftReport{Note: "no store read: " + st.err.Error()}
		rep.StoreNote = "not stored: " + st.err.Error()
	} else {
		defer st.Close()
		rep.Drift = drift(ctx, st.OpenedStore, cfg, req.Check.Scan.Paths)
		rep.Findings = append(rep.Findings, rep.Drift.Findings(time.UTC)...)
	}
	var previous []string
	if st.err == nil {
		if prev, ok := previousAudit(ctx, st.OpenedStore); ok {
			rep.Trend.Previous, rep.Trend.PreviousTime = prev.Seq, prev.Time.UTC().Format(time.RFC3339)
			var b audit.Body
			if json.Unmarshal(prev.Body, &b) == nil {
				for _, f := range b.Findings {
					previous = append(previous, f.Key)
				}
			}
		}
	}
	prevSeq, prevTime := rep.Trend.Previous, rep.Trend.PreviousTime
	rep.Trend = audit.TrendOf(previous, rep.Findings)
	rep.Trend.Previous, rep.Trend.PreviousTime = prevSeq, prevTime
	rep.Finish()
	if st.err == nil {
		rep.Event, rep.StoreNote = storeAudit(ctx, st.OpenedStore, req, rep, now)
	}
	return out, nil
}

// checkFinding is a check finding in the audit's words.
func checkFinding(f policy.Finding, serviceOf func(string) string) audit.Finding {
	return audit.Finding{Section: audit.SectionCheck, Rule: f.Rule, Severity: f.Severity, Message: f.Message,
		Service: serviceOf(f.Profile), Profile: f.Profile, Field: f.Field, Location: f.Loc.String(),
		Remediation: f.Remediation, Help: f.Help, Key: f.Fingerprint()}
}

// auditTarget is a server to read and the profile read through.
type auditTarget struct {
	address string
	target  verify.Target
	ids     []string
}

// readServers reads every server the probeable profiles point at, once
// per address, a few at a time, and judges each.
func readServers(ctx context.Context, req AuditRequest, ps []*profile.Profile, rep *audit.Report, now time.Time) map[string]*audit.Server {
	drivers := Drivers()
	byAddr := map[string]*auditTarget{}
	var order []*auditTarget
	for _, p := range ps {
		if !verify.Probeable(p) {
			continue
		}
		t, err := verify.TargetFrom(p, drivers, req.Resolve)
		if err != nil || len(t.Hosts) == 0 {
			continue // check's rules already say what is wrong with it
		}
		a := net.JoinHostPort(t.Hosts[0].Host, strconv.Itoa(t.Hosts[0].Port))
		if at, ok := byAddr[a]; ok {
			at.ids = append(at.ids, p.ID)
			continue
		}
		at := &auditTarget{address: a, target: t, ids: []string{p.ID}}
		byAddr[a] = at
		order = append(order, at)
	}
	prober := req.Probe.prober()
	servers := make([]*audit.Server, len(order))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, at := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			s := audit.Read(ctx, prober, at.target, at.address)
			s.Profiles = at.ids
			servers[i] = s
		}()
	}
	wg.Wait()
	out := map[string]*audit.Server{}
	for _, s := range servers {
		out[s.Address] = s
		rep.Servers = append(rep.Servers, *s)
		rep.Findings = append(rep.Findings, audit.Judge(s, now, req.CertWindow)...)
	}
	rep.Findings = append(rep.Findings, poolersOverServers(servers)...)
	return out
}

// poolersOverServers compares each PgBouncer database's pool with the
// live server it forwards to, when that server was read too.
func poolersOverServers(servers []*audit.Server) []audit.Finding {
	var out []audit.Finding
	for _, b := range servers {
		if b.Kind != "pgbouncer" {
			continue
		}
		def, _ := b.Int("default_pool_size")
		for _, d := range b.Behind {
			behind := findServer(servers, d)
			if behind == nil {
				continue
			}
			max, ok := behind.Int("max_connections")
			if !ok {
				continue
			}
			size := d.PoolSize
			if size <= 0 {
				size = def
			}
			lim := capacity.ServerLimit(behind.Address, max, behind.Reserved())
			if size > lim.Available {
				out = append(out, audit.PoolerFinding(b.Address, d, size, lim))
			}
		}
	}
	return out
}

// findServer is the read server a pooler database forwards to: by address,
// "localhost" and the loopback address taken for one another.
func findServer(servers []*audit.Server, d audit.PoolerDatabase) *audit.Server {
	for _, s := range servers {
		host, port, err := net.SplitHostPort(s.Address)
		if err != nil || port != strconv.Itoa(d.Port) || s.Kind == "pgbouncer" {
			continue
		}
		if host == d.Host || profile.LoopbackHost(host) && profile.LoopbackHost(d.Host) {
			return s
		}
	}
	return nil
}

// capacities counts every server's budget with package capacity: the
// clients of a server read live against its live max_connections (or a
// PgBouncer's max_client_conn), else check's budget against the
// inventory or the scan's server.
func capacities(ps []*profile.Profile, settings *policy.Settings, live map[string]*audit.Server) []audit.Capacity {
	var out []audit.Capacity
	seen := map[string]bool{}
	liveDemands := map[string][]capacity.Demand{}
	var liveOrder []string
	// check counts an inventory server's clients within one file, and a
	// scan's server with the clients of its file (or its manifests'
	// folder): the profiles of one folder are all a budget can hold, and
	// asking with them keeps the work linear in the profiles.
	byDir := map[string][]*profile.Profile{}
	for _, p := range ps {
		byDir[path.Dir(p.File)] = append(byDir[path.Dir(p.File)], p)
	}
	for _, p := range ps {
		if p.Inactive || p.ServerSide {
			continue
		}
		d, ok := capacity.DemandOf(p)
		if !ok {
			continue
		}
		if a := addressOf(p); a != "" && live[a] != nil && live[a].Error == "" {
			if _, ok := liveDemands[a]; !ok {
				liveOrder = append(liveOrder, a)
			}
			liveDemands[a] = append(liveDemands[a], d)
			continue
		}
		b, _, ok := policy.CapacityBudget(p, byDir[path.Dir(p.File)], settings)
		if !ok {
			continue
		}
		c := audit.CapacityOf(b, "inventory")
		if k := fmt.Sprint(c.Server, c.Clients); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	for _, a := range liveOrder {
		s := live[a]
		var lim capacity.Limit
		if s.Kind == "pgbouncer" {
			n, ok := s.Int("max_client_conn")
			if !ok {
				continue
			}
			lim = capacity.BouncerClients(a, n)
		} else {
			n, ok := s.Int("max_connections")
			if !ok {
				continue
			}
			lim = capacity.ServerLimit(a, n, s.Reserved())
		}
		out = append(out, audit.CapacityOf(capacity.Budget{Limit: lim, Demands: liveDemands[a]}, "live"))
	}
	return out
}

// addressOf is the profile's first host:port as written, with the
// driver's default port.
func addressOf(p *profile.Profile) string {
	h := p.FirstHost()
	host, ok := h.Host.Effective()
	if !ok || host == "" {
		return ""
	}
	port, ok := h.Port.Int()
	if !ok {
		drv, _ := p.Driver.Effective()
		d, found := Drivers()[profile.CanonicalDriver(drv)]
		if !found {
			return ""
		}
		port = d.DefaultPort()
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// auditStore is the store an audit reads and writes, or why it has none.
type auditStore struct {
	*OpenedStore
	err error
}

// openAuditStore opens the store with its key (made on first use, as
// record does), else for reading only.
func openAuditStore(ctx context.Context, req StoreRequest) auditStore {
	st, err := OpenStore(ctx, req, true)
	if err != nil {
		st, err = OpenStore(ctx, req, false)
	}
	return auditStore{OpenedStore: st, err: err}
}

// drift compares every file that holds a profile with its last recorded
// revision.
func drift(ctx context.Context, st *OpenedStore, cfg *config.Config, paths []string) audit.DriftReport {
	d := audit.DriftReport{Computed: true, Files: []audit.DriftFile{}}
	if st.KeyFrom == "" {
		d.Note = "compared by the redacted profiles each revision keeps in clear; without the store key a change outside them (comments, a literal password's value) is not seen"
	}
	files, _, err := profileFiles(ctx, paths, cfg)
	if err != nil {
		return audit.DriftReport{Note: "list the files: " + err.Error()}
	}
	roots := map[string]string{}
	for _, disk := range files {
		dir := filepath.Dir(disk)
		root, ok := roots[dir]
		if !ok {
			root = RepoRoot(dir)
			roots[dir] = root
		}
		key := FileKey(root, disk)
		f := audit.DriftFile{File: key, State: "unrecorded"}
		revs, err := st.Revisions(ctx, key)
		if err != nil {
			return audit.DriftReport{Note: "read the store: " + err.Error()}
		}
		if len(revs) == 0 {
			d.Files = append(d.Files, f)
			continue
		}
		last := revs[len(revs)-1]
		f.Revision, f.Recorded, f.State = last.ID, last.Time.UTC(), "recorded"
		content, err := os.ReadFile(disk)
		if err != nil {
			continue // the scan reported it
		}
		views, err := redactedViews(ctx, cfg, key, content)
		if err != nil {
			continue
		}
		if f.Fields, err = audit.CompareProfiles(last.Profiles, views); err != nil {
			d.Note = err.Error()
			continue
		}
		if len(f.Fields) == 0 && st.KeyFrom != "" {
			if old, _, err := st.Content(ctx, last.ID); err == nil {
				f.ContentOnly = !bytes.Equal(old, content)
				clear(old)
			}
		}
		if len(f.Fields) > 0 || f.ContentOnly {
			f.State = "drifted"
		}
		d.Files = append(d.Files, f)
	}
	return d
}

// redactedViews are the redacted profiles of a file's content, as record
// keeps them with each revision.
func redactedViews(ctx context.Context, cfg *config.Config, key string, content []byte) ([]profile.View, error) {
	side, err := scan.LoadSide(ctx, memFile{name: key, data: content}, cfg, nil)
	if err != nil {
		return nil, err
	}
	profiles := side.Profiles()
	views := make([]profile.View, len(profiles))
	for i, p := range profiles {
		views[i] = p.View()
	}
	return views, nil
}

// previousAudit is the last audit event in the store.
func previousAudit(ctx context.Context, st *OpenedStore) (store.Event, bool) {
	evs, err := st.Events(ctx, store.Query{Kinds: []store.Kind{KindAudit}, Limit: 1, Newest: true})
	if err != nil || len(evs) == 0 {
		return store.Event{}, false
	}
	return evs[len(evs)-1], true
}

// storeAudit appends the audit event; without the key it says why not.
func storeAudit(ctx context.Context, st *OpenedStore, req AuditRequest, rep *audit.Report, now time.Time) (int64, string) {
	if st.KeyFrom == "" {
		return 0, "not stored: no store key (set " + EnvStoreKey + " or give --store-key)"
	}
	body, err := json.Marshal(audit.BodyOf(rep))
	if err != nil {
		return 0, "not stored: " + err.Error()
	}
	actor := ResolveActor(ctx, req.Actor, req.Store.Getenv, req.Store.Dir)
	evs, err := st.Append(ctx, store.Event{Kind: KindAudit, Time: now, Actor: actor, Body: body})
	if err != nil {
		var se *StoreError
		if errors.As(err, &se) {
			return 0, "not stored: " + se.Error()
		}
		return 0, "not stored: " + err.Error()
	}
	return evs[0].Seq, ""
}
