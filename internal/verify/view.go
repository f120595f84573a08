package verify

import (
	"time"

	"github.com/dbguard/dbguard/internal/profile"
)

// View is a result as verify --format json writes it (docs/formats.md,
// docs/schema/verify.schema.json): the deciding attempt flattened, its
// remediation from the taxonomy, the other hosts' attempts when there were
// several. It holds nothing a Result does not, and a Result holds no
// secret: every Detail is scrubbed by the prober.
type View struct {
	Profile     string              `json:"profile"`
	Name        string              `json:"name"`
	Environment profile.Environment `json:"environment"`
	File        string              `json:"file"`
	Driver      string              `json:"driver"`
	Host        string              `json:"host"`
	Port        int                 `json:"port"`
	Address     string              `json:"address,omitempty"`
	OK          bool                `json:"ok"`
	Stage       Stage               `json:"stage,omitempty"`
	Class       Class               `json:"class,omitempty"`
	Code        string              `json:"code,omitempty"`
	Remediation string              `json:"remediation,omitempty"`
	MistakenFor string              `json:"often_mistaken_for,omitempty"`
	Detail      string              `json:"detail,omitempty"`
	Pooler      bool                `json:"pooler,omitempty"`
	Warnings    []string            `json:"warnings,omitempty"`
	Stages      []StageView         `json:"stages"`
	Attempts    []AttemptView       `json:"attempts,omitempty"`
	Tries       int                 `json:"tries"`
	DurationMS  float64             `json:"duration_ms"`
}

// StageView is one stage of the deciding attempt.
type StageView struct {
	Name       Stage   `json:"name"`
	Status     Status  `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	Note       string  `json:"note,omitempty"`
}

// AttemptView is one host's attempt, listed when a profile has several.
type AttemptView struct {
	Host  string `json:"host"`
	Port  int    `json:"port"`
	OK    bool   `json:"ok"`
	Stage Stage  `json:"stage,omitempty"`
	Class Class  `json:"class,omitempty"`
	Code  string `json:"code,omitempty"`
}

// Summary counts a run's results: profiles, verified (ok or failed), and
// interrupted when any is not verified.
type Summary struct {
	Profiles    int  `json:"profiles"`
	Verified    int  `json:"verified"`
	OK          int  `json:"ok"`
	Failed      int  `json:"failed"`
	Interrupted bool `json:"interrupted"`
}

// Millis is a duration in milliseconds with microsecond precision, as
// every verify document writes durations.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// View returns the result's JSON view.
func (r Result) View() View {
	a := r.Final()
	v := View{Profile: r.Profile, Name: r.Name, Environment: r.Environment, File: r.File, Driver: r.Driver,
		Tries: r.Tries, DurationMS: Millis(r.Duration), Stages: []StageView{}}
	if a == nil {
		return v
	}
	v.Host, v.Port, v.Address, v.OK, v.Pooler, v.Warnings = a.Host, a.Port, a.Address, a.OK, a.Pooler, a.Warnings
	if !a.OK {
		v.Stage, v.Class, v.Code, v.Detail = a.Stage, a.Class, a.Code, a.Detail
		if ci, ok := Info(a.Class); ok {
			v.Remediation, v.MistakenFor = ci.Remediation, ci.MistakenFor
		}
	}
	for _, s := range a.Stages {
		v.Stages = append(v.Stages, StageView{Name: s.Stage, Status: s.Status, DurationMS: Millis(s.Duration), Note: s.Note})
	}
	if len(r.Attempts) > 1 {
		for _, at := range r.Attempts {
			v.Attempts = append(v.Attempts, AttemptView{Host: at.Host, Port: at.Port, OK: at.OK, Stage: at.Stage, Class: at.Class, Code: at.Code})
		}
	}
	return v
}

// Summarize counts results.
func Summarize(results []Result) Summary {
	s := Summary{Profiles: len(results)}
	for i := range results {
		switch r := &results[i]; {
		case !r.Verified():
			s.Interrupted = true
		case r.OK():
			s.OK++
		default:
			s.Failed++
		}
	}
	s.Verified = s.OK + s.Failed
	return s
}
