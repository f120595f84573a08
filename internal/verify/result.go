package verify

import (
	"context"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
)

// Stage is one step of a probe. Stages run in the order of Stages; the
// first that fails ends the attempt.
type Stage string

const (
	StageConfig   Stage = "config"
	StageDNS      Stage = "dns"
	StageTCP      Stage = "tcp"
	StageTLS      Stage = "tls"
	StageAuth     Stage = "auth"
	StageDatabase Stage = "database"
	StageQuery    Stage = "query"
	StageCapacity Stage = "capacity"
)

// Stages returns every stage in probe order.
func Stages() []Stage {
	return []Stage{StageConfig, StageDNS, StageTCP, StageTLS, StageAuth, StageDatabase, StageQuery, StageCapacity}
}

// Status is a stage's outcome.
type Status string

const (
	StatusOK      Status = "ok"
	StatusWarn    Status = "warn"    // passed, with something to fix (a certificate about to expire, an address that refuses)
	StatusFail    Status = "fail"    // the stage failed; later stages did not run
	StatusSkip    Status = "skip"    // not applicable (TLS disabled) or not reached
	StatusUnknown Status = "unknown" // could not be decided (capacity without a pool size)
)

// StageResult is one stage's outcome and latency. Note says what a reader
// must know to trust the line, e.g. that MySQL negotiates TLS inside its
// authentication handshake so the two share one latency.
type StageResult struct {
	Stage    Stage
	Status   Status
	Duration time.Duration
	Note     string
}

// Attempt is the probe of one host of a profile.
type Attempt struct {
	Host    string
	Port    int
	Address string // the IP:port the later stages used, when TCP succeeded
	OK      bool
	// Stage, Class, Code and Detail describe the failure when !OK. Code is
	// the server's code (SQLSTATE, MySQL error number) or the Go-side
	// cause (errno name, TLS alert, x509 reason). Detail is scrubbed of
	// secrets.
	Stage    Stage
	Class    Class
	Code     string
	Detail   string
	Stages   []StageResult
	Warnings []string
	// Pooler is set when the server turned out to be a connection pooler
	// (PgBouncer) in front of the database.
	Pooler bool
	// CertNotAfter is when the server certificate seen by the tls stage
	// expires (zero: no TLS, or no certificate seen); Capacity is what the
	// capacity stage read from the server (nil: not read). watch's
	// certificate and capacity rules and metrics read them.
	CertNotAfter time.Time
	Capacity     *Capacity
}

// Result is the verification of one profile.
type Result struct {
	Profile string // the profile's ID
	// Key names the target stably across runs, what a history of probes
	// is kept under: the profile's ID, which is its file's path relative
	// to the scanned root and its key path.
	Key         string
	Name        string
	Environment profile.Environment
	File        string
	Driver      string
	// Attempts holds one entry per host tried, in order. Decided is the
	// index of the attempt that decides the result: the first success, or
	// the last failure.
	Attempts []Attempt
	Decided  int
	// Tries counts whole-profile tries (1 + retries used).
	Tries int
	// Start is when the deciding try began; Duration how long it took.
	Start    time.Time
	Duration time.Duration
}

// OK reports whether the profile connected and passed every stage.
func (r *Result) OK() bool {
	a := r.Final()
	return a != nil && a.OK
}

// Final returns the deciding attempt, or nil when there is none.
func (r *Result) Final() *Attempt {
	if r.Decided < 0 || r.Decided >= len(r.Attempts) {
		return nil
	}
	return &r.Attempts[r.Decided]
}

// Verified reports whether the probe ran to an answer, ok or not. It is
// false when the run ended (its deadline, a signal) before the probe
// finished or began: such a result is neither a success nor the profile's
// failure, and a caller must count and report it as not verified.
func (r *Result) Verified() bool {
	a := r.Final()
	return a != nil && a.Class != ClassNotVerified
}

// NotProbed is the result of a profile whose probe never began because
// ctx, the run's context, ended first: not verified at the config stage,
// every stage skipped, the reason in Detail.
func NotProbed(ctx context.Context, prof *profile.Profile) Result {
	code, why := endedBy(ctx)
	a := Attempt{Stage: StageConfig, Class: ClassNotVerified, Code: code,
		Detail: "the run ended before this profile was probed: " + why,
		Stages: ladder(StageResult{Stage: StageConfig, Status: StatusSkip})}
	a.Host, a.Port = writtenHost(prof)
	r := Result{Profile: prof.ID, Key: prof.ID, Name: prof.Name, Environment: prof.Environment, File: prof.File, Attempts: []Attempt{a}}
	r.Driver, _ = prof.Driver.Effective()
	return r
}
