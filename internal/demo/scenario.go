package demo

import (
	"fmt"
	"strings"
)

// Scenario is one fault a routine update brings to the EU replica.
type Scenario struct {
	Name string
	// Story is the one line the narration starts with; Update says what
	// the update does to the file.
	Story, Update string
	// Field is the field the alert must name as the likely cause; Class
	// the error class the probe must see.
	Field, Class string
	breaks       func(settings, faults) settings
}

// faults are what an update may need from the run: a port where nothing
// listens, a password the server does not know.
type faults struct {
	closedPort    int
	wrongPassword string
}

// Scenarios are the demo's faults, the first the default: the seed
// postmortem's ("database connection parameters were inadvertently
// modified"), told as a password.
var Scenarios = []Scenario{
	{Name: "password", Story: "a routine update replaces the EU replica's database password (the seed postmortem's parameter change)",
		Update: "the password reference ${ORDERS_DB_PASSWORD} replaced by a literal password the server does not know",
		Field:  "password", Class: "auth_failed",
		breaks: func(s settings, f faults) settings { s.Password = yamlQuote(f.wrongPassword); return s }},
	{Name: "port", Story: "a routine update moves the EU replica to a port where nothing listens",
		Update: "port set to a closed loopback port", Field: "port", Class: "tcp_refused",
		breaks: func(s settings, f faults) settings { s.Port = f.closedPort; return s }},
	{Name: "tls", Story: "a routine update requires TLS from a server that offers none",
		Update: "sslmode disable → require", Field: "tls", Class: "tls_not_supported_by_server",
		breaks: func(s settings, _ faults) settings { s.SSLMode = "require"; return s }},
	{Name: "capacity", Story: "a routine update raises the EU replica's pool beyond the server's max_connections",
		Update: fmt.Sprintf("pool.max_open 5 → 200, two instances each, against max_connections %d", maxConnections), Field: "pool.max_open", Class: "pool_capacity_exceeded",
		breaks: func(s settings, _ faults) settings { s.Pool = 200; return s }},
}

// ScenarioNames lists the scenarios' names, the default first.
func ScenarioNames() []string {
	var out []string
	for _, s := range Scenarios {
		out = append(out, s.Name)
	}
	return out
}

// UnknownScenarioError is a --scenario that names no scenario.
type UnknownScenarioError struct{ Name string }

func (e *UnknownScenarioError) Error() string {
	return fmt.Sprintf("unknown scenario %q (known: %s)", e.Name, strings.Join(ScenarioNames(), ", "))
}

func scenario(name string) (Scenario, error) {
	if name == "" {
		return Scenarios[0], nil
	}
	for _, s := range Scenarios {
		if s.Name == name {
			return s, nil
		}
	}
	return Scenario{}, &UnknownScenarioError{Name: name}
}

// yamlQuote writes s as a YAML single-quoted scalar.
func yamlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
