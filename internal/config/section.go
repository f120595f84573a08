package config

import "gopkg.in/yaml.v3"

// Config is dbguard's own configuration, read from dbguard.yaml. It has one
// typed field per section; a nil *Config is valid and means "no dbguard.yaml",
// so callers need not special-case its absence.
type Config struct {
	// File is the name the configuration was read from, used in messages.
	File string
	// Version is the schema version; this dbguard reads CurrentVersion.
	Version    int
	VersionPos Position

	// Environments overrides the environment of profiles by file path.
	Environments []EnvironmentOverride
	// Exclude lists paths the scanner skips.
	Exclude []Glob
	// Replicas says how many replicas of a service use a profile when no
	// manifest says so.
	Replicas []ReplicaOverride
	// Services names the service of profiles where dbguard's own grouping
	// (workload, app label, file name and key path) is wrong.
	Services []ServiceOverride

	// Rules tunes dbguard check's rules; nil when the file has no rules
	// section.
	Rules *RulesConfig `json:",omitempty"`
	// Inventory lists database servers and their limits; nil when absent.
	Inventory *InventoryConfig `json:",omitempty"`

	// Review says who must approve a change of connection settings; nil
	// when absent.
	Review *ReviewConfig `json:",omitempty"`

	// Store says where the event store is; nil when absent.
	Store *StoreConfig `json:",omitempty"`

	// Watch is what dbguard watch probes and alerts on; nil when absent
	// (WatchSettings gives the defaults then).
	Watch *WatchConfig `json:",omitempty"`

	// Incidents sets the incident resolve hold and the team's time zone;
	// nil when absent.
	Incidents *IncidentsConfig `json:",omitempty"`
}

// section is one capability's part of dbguard.yaml: a top-level key, how to
// fill in its defaults, decode it from the YAML tree and validate it.
// Sections do not know about each other, so adding one touches only this
// file (a Config field and a registry line) and the section's own file.
type section struct {
	name    string
	summary string
	// defaults sets the section's defaults on c before the file is decoded.
	// Nil when the zero value is the default.
	defaults func(c *Config)
	// decode reads the section's value n into c, reporting through d. It
	// replaces the defaults rather than merging with them: what the file
	// says is what applies.
	decode func(d *decoder, n *yaml.Node, c *Config)
	// validate checks c's section once it decoded cleanly: values, globs and
	// cross-entry rules. It must not stop at the first problem.
	validate func(c *Config, p *problems)
}

// registry lists the sections in the order the reference documents them.
// It is a function rather than a package variable so that nothing can
// change it at run time.
func registry() []section {
	return []section{
		{
			name:     "environments",
			summary:  "override the environment of profiles by file path",
			decode:   decodeEnvironments,
			validate: validateEnvironments,
		},
		{
			name:     "exclude",
			summary:  "paths the scanner skips",
			decode:   decodeExclude,
			validate: validateExclude,
		},
		{
			name:     "replicas",
			summary:  "replica count of the service using a profile, when no manifest says",
			decode:   decodeReplicas,
			validate: validateReplicas,
		},
		{
			name:     "services",
			summary:  "which profiles are one service (by path glob and profile name), where the workload, app label or file name does not say",
			decode:   decodeServices,
			validate: validateServices,
		},
		{
			name:     "rules",
			summary:  "custom rule folder, pool ceiling, and per-rule severity, switch and environments for check",
			decode:   decodeRules,
			validate: validateRules,
		},
		{
			name:     "inventory",
			summary:  "database servers and PgBouncers with their connection limits, for check's capacity rules",
			decode:   decodeInventory,
			validate: validateInventory,
		},
		{
			name:     "review",
			summary:  "approvals dbguard review requires per risk level and environment, and the reviewer groups",
			decode:   decodeReview,
			validate: validateReview,
		},
		{
			name:     "store",
			summary:  "where the event store is: a SQLite file, or a PostgreSQL URL by reference (url_env, url_file)",
			decode:   decodeStore,
			validate: validateStore,
		},
		{
			name:     "watch",
			summary:  "what dbguard watch probes and how often, its alert rules, routes, notifiers (secrets by reference) and silences",
			decode:   decodeWatch,
			validate: validateWatch,
		},
		{
			name:     "incidents",
			summary:  "how long an incident's alerts stay resolved before it resolves, and the team's time zone for postmortems",
			decode:   decodeIncidents,
			validate: validateIncidents,
		},
	}
}

// SectionInfo describes one top-level section of dbguard.yaml, for help
// text and generated documentation.
type SectionInfo struct {
	Name    string
	Summary string
}

// Sections lists the top-level sections this dbguard understands, besides
// version, in documentation order.
func Sections() []SectionInfo {
	reg := registry()
	out := make([]SectionInfo, len(reg))
	for i, s := range reg {
		out[i] = SectionInfo{Name: s.name, Summary: s.summary}
	}
	return out
}
