package docsgen

import "time"

// Reference is the whole configuration reference, sorted.
type Reference struct {
	// Generated is when it was made; zero unless the caller asks for a
	// timestamp, so that unchanged inputs give unchanged files.
	Generated time.Time `json:"generated,omitzero"`
	// Store names the event store the verified-good revisions were read
	// from ("" when none was given).
	Store    string       `json:"store,omitempty"`
	Review   []Approval   `json:"review_policy"`
	Services []Service    `json:"services"`
	Rules    []RuleStatus `json:"rules"`
	Topology Topology     `json:"topology"`
	Runbook  []Runbook    `json:"runbook"`
	// Unreadable are the inputs that could not be read, as file:line:col:
	// message, so that a reader knows the inventory is incomplete.
	Unreadable []string `json:"unreadable"`
}

// Service is one application's connections, grouped by environment.
type Service struct {
	Name         string        `json:"name"`
	Slug         string        `json:"slug"` // its page: services/SLUG.md
	Environments []Environment `json:"environments"`
}

// Environment is the connections of a service in one environment.
type Environment struct {
	Name        string       `json:"name"`
	Approvals   []Approval   `json:"approvals"`
	Connections []Connection `json:"connections"`
}

// Connection is one profile as the reference describes it: every value as
// written in its file (an unresolved interpolation stays ${VAR}), and of
// the password only where it comes from.
type Connection struct {
	ID       string `json:"id"`
	File     string `json:"file"`
	KeyPath  string `json:"key_path"`
	Location string `json:"location"`
	Name     string `json:"name"`
	Format   string `json:"format"`
	// Role is client, pooler (PgBouncer, pgcat, Odyssey) or server (a
	// server's own settings).
	Role     string   `json:"role"`
	Inactive string   `json:"inactive,omitempty"`
	Driver   string   `json:"driver"`
	Hosts    []string `json:"hosts"`
	Database string   `json:"database"`
	User     string   `json:"user"`
	// Secret is where the password comes from: env:NAME, secret:REF,
	// file:PATH, literal (in the file, never shown), none, or unknown.
	Secret   string   `json:"secret"`
	TLS      TLS      `json:"tls"`
	Pool     Pool     `json:"pool"`
	Timeouts Timeouts `json:"timeouts"`
	Replicas string   `json:"replicas"`
	Sidecars string   `json:"sidecars,omitempty"`

	Findings []Finding  `json:"findings"`
	Accepted []Accepted `json:"accepted"`
	// RulesRun is how many rules judge this connection (enabled, and
	// for its environment).
	RulesRun int `json:"rules_run"`

	Verified *Verified `json:"verified,omitempty"`
	// VerifyCommand and RollbackCommand are what a responder types.
	VerifyCommand   string `json:"verify_command"`
	RollbackCommand string `json:"rollback_command"`
}

// TLS is the connection's TLS setting as written and the key it is under.
type TLS struct {
	Mode string `json:"mode"`
	Key  string `json:"key,omitempty"`
	CA   string `json:"ca,omitempty"`
}

// Pool is the client pool's limits as written.
type Pool struct {
	MaxOpen     string `json:"max_open"`
	MaxIdle     string `json:"max_idle"`
	MaxLifetime string `json:"max_lifetime"`
	MaxIdleTime string `json:"max_idle_time"`
}

// Timeouts are the client's timeouts as written.
type Timeouts struct {
	Connect           string `json:"connect"`
	Statement         string `json:"statement"`
	IdleInTransaction string `json:"idle_in_transaction"`
}

// Approval is one rule of the review policy: a change at or above Risk in
// one of Environments (any when empty) needs Approvals approvals from the
// members of Groups (anyone when empty).
type Approval struct {
	Risk         string   `json:"risk"`
	Approvals    int      `json:"approvals"`
	Environments []string `json:"environments"`
	Groups       []string `json:"groups"`
	Members      []string `json:"members"`
}

// Finding is a rule's verdict on a connection.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
	Location string `json:"location"`
	Help     string `json:"help,omitempty"`
}

// Accepted is a finding accepted by the baseline or an inline comment,
// with the reason and owner the baseline gives.
type Accepted struct {
	Finding
	By     string `json:"by"` // baseline or comment
	Reason string `json:"reason,omitempty"`
	Owner  string `json:"owner,omitempty"`
}

// Verified is the last revision of a connection's file that a successful
// verification was recorded against.
type Verified struct {
	Revision string    `json:"revision"`
	Time     time.Time `json:"time"`
	Event    int64     `json:"event"`
}

// RuleStatus is one rule over the whole inventory.
type RuleStatus struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Help     string `json:"help,omitempty"`
	// Disabled by dbguard.yaml; Environments limits it when set.
	Disabled     bool     `json:"disabled"`
	Environments []string `json:"environments"`
	Findings     int      `json:"findings"`
	Accepted     int      `json:"accepted"`
}

// Topology is the graph services → poolers → servers.
type Topology struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Node is a service, a pooler or a server (an address).
type Node struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"` // service, pooler, server
	Label string `json:"label"`
}

// Edge is one connection path; Label names the environment(s).
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
}

// Runbook is the page of one error class of verify's taxonomy.
type Runbook struct {
	Class string `json:"class"`
	Stage string `json:"stage"`
	// Passed are the stages a probe got through before this one.
	Passed      []string `json:"passed"`
	Remediation string   `json:"remediation"`
	MistakenFor string   `json:"mistaken_for"`
	// Siblings are the other classes of the same stage, the ones to
	// tell it from.
	Siblings []string `json:"siblings"`
}
