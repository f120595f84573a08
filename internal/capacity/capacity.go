// Package capacity is dbguard's one connection arithmetic: how many
// connections the clients of a server open at their peak (pool size ×
// instances, the autoscaler's maximum and the rollout's surge counted),
// against what the server admits (max_connections minus the reserved
// ones, a PgBouncer's limits, or what a live server has free).
//
// check's capacity rules, review's judgement of a change of replicas, pool
// size or autoscaler maximum, and verify's capacity stage all ask this
// package, so that the three say the same number for the same files and
// the reason text reads the same everywhere:
//
//	6 replicas × pool 25 = 150 > 147 available on orders-pg
//
// It imports only profile: the callers find the server and its clients,
// this package only counts.
package capacity

import (
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// DefaultSurge is what a Kubernetes Deployment adds during a rolling update
// when it does not set maxSurge.
const DefaultSurge = "25%"

// Peak is how many instances of a service hold connections at once when
// connections peak: the replica count (the autoscaler's maximum when an
// autoscaler sets it) plus the rollout's surge, when old and new instances
// run side by side.
type Peak struct {
	Replicas int
	Surge    int
	// Source is where the replica count came from (deployment, hpa,
	// compose, dbguard.yaml, ...); "" when no count is known.
	Source string
	// Known is false when no replica count is known: one instance is
	// counted.
	Known bool
}

// PeakOf reads a profile's replicas. A Deployment without an explicit
// maxSurge surges by Kubernetes' default of 25%, rounded up.
func PeakOf(r profile.Replicas) Peak {
	count, ok := r.Count.Int()
	if !ok || count < 1 {
		return Peak{Replicas: 1}
	}
	pk := Peak{Replicas: count, Source: r.Source, Known: true}
	sv, sok := r.Surge.Effective()
	sv = strings.TrimSpace(sv)
	if !sok && strings.EqualFold(r.Source, "deployment") {
		sv, sok = DefaultSurge, true
	}
	if sok {
		if pct, isPct := strings.CutSuffix(sv, "%"); isPct {
			if x, err := strconv.Atoi(strings.TrimSpace(pct)); err == nil && x > 0 {
				pk.Surge = (count*x + 99) / 100
			}
		} else if x, err := strconv.Atoi(sv); err == nil && x > 0 {
			pk.Surge = x
		}
	}
	return pk
}

// Instances is the replicas and the surge together.
func (p Peak) Instances() int { return p.Replicas + p.Surge }

// String says how the instances were counted: "6 replicas", "4 replicas
// + 1 surge", "8 replicas (hpa maximum)", "1 instance (no replica count
// known)".
func (p Peak) String() string {
	if !p.Known {
		return "1 instance (no replica count known)"
	}
	s := strconv.Itoa(p.Replicas) + " replica"
	if p.Replicas != 1 {
		s += "s"
	}
	if strings.EqualFold(p.Source, "hpa") {
		s += " (autoscaler maximum)"
	}
	if p.Surge > 0 {
		s += " + " + strconv.Itoa(p.Surge) + " surge"
	}
	return s
}

// Demand is what one client profile opens at its peak.
type Demand struct {
	// Client names the profile (its id).
	Client string
	Pool   int
	Peak   Peak
	Loc    profile.Location
}

// DemandOf is a client profile's demand; ok is false when its pool size is
// not a positive number the file states (an unresolved variable without a
// default, a driver default nobody wrote down).
func DemandOf(p *profile.Profile) (Demand, bool) {
	if !p.Pool.MaxOpen.Set {
		return Demand{}, false
	}
	n, ok := p.Pool.MaxOpen.Int()
	if !ok || n <= 0 {
		return Demand{}, false
	}
	return Demand{Client: p.ID, Pool: n, Peak: PeakOf(p.Replicas), Loc: p.Pool.MaxOpen.Loc}, true
}

// Connections is pool × instances.
func (d Demand) Connections() int { return d.Pool * d.Peak.Instances() }

// String is the product written out: "6 replicas × pool 25 = 150",
// "(4 replicas + 1 surge) × pool 20 = 100".
func (d Demand) String() string {
	pk := d.Peak.String()
	if d.Peak.Surge > 0 {
		pk = "(" + pk + ")"
	}
	return pk + " × pool " + strconv.Itoa(d.Pool) + " = " + strconv.Itoa(d.Connections())
}

// Limit is what a server admits, and from where that number comes.
type Limit struct {
	// Server names the server: its inventory name, its host.
	Server string
	// Available is how many client connections fit.
	Available int
	// What says how Available was computed: "max_connections 150 − 3
	// reserved", "PgBouncer max_client_conn 1000", "live: 40 free".
	What string
}

// ServerLimit is a database server's budget: max_connections minus the
// connections kept for superusers (and reserved_connections), which
// ordinary clients can never take.
func ServerLimit(server string, maxConnections, reserved int) Limit {
	return Limit{Server: server, Available: maxConnections - reserved,
		What: "max_connections " + strconv.Itoa(maxConnections) + " − " + strconv.Itoa(reserved) + " reserved"}
}

// BouncerClients is a PgBouncer's budget of client connections.
func BouncerClients(server string, maxClientConn int) Limit {
	return Limit{Server: server, Available: maxClientConn, What: "PgBouncer max_client_conn " + strconv.Itoa(maxClientConn)}
}

// BouncerPool is a PgBouncer's server connections per database and user:
// clients beyond it queue rather than fail.
func BouncerPool(server string, poolSize int) Limit {
	return Limit{Server: server, Available: poolSize, What: "PgBouncer pool_size " + strconv.Itoa(poolSize)}
}

// Live is a live server's free connections, as verify read them.
func Live(server string, free int, what string) Limit {
	return Limit{Server: server, Available: free, What: what}
}

// Budget is a server's limit and the demands of the clients that point at
// it.
type Budget struct {
	Limit   Limit
	Demands []Demand
}

// Total is the sum of every client's connections at peak.
func (b *Budget) Total() int {
	t := 0
	for _, d := range b.Demands {
		t += d.Connections()
	}
	return t
}

// Over reports whether the clients together open more connections than
// the server admits.
func (b *Budget) Over() bool { return b.Total() > b.Limit.Available }

// Explain writes the arithmetic from the point of view of one client (the
// one at index focus): its own product, what the other clients add, and
// the comparison with the limit.
//
//	6 replicas × pool 25 = 150 > 147 available on orders-pg (max_connections 150 − 3 reserved)
//	4 replicas × pool 20 = 80, + 90 from 2 other clients = 170 > 147 available on orders-pg (...)
func (b *Budget) Explain(focus int) string {
	var s strings.Builder
	own := 0
	if focus >= 0 && focus < len(b.Demands) {
		s.WriteString(b.Demands[focus].String())
		own = b.Demands[focus].Connections()
	}
	total := b.Total()
	if others := len(b.Demands) - 1; others > 0 && focus >= 0 && focus < len(b.Demands) {
		s.WriteString(", + " + strconv.Itoa(total-own) + " from " + strconv.Itoa(others) + " other client")
		if others > 1 {
			s.WriteString("s")
		}
		s.WriteString(" (")
		first := true
		for i, d := range b.Demands {
			if i == focus {
				continue
			}
			if !first {
				s.WriteString(", ")
			}
			first = false
			s.WriteString(d.Client + " " + strconv.Itoa(d.Connections()))
		}
		s.WriteString(") = " + strconv.Itoa(total))
	}
	if total > b.Limit.Available {
		s.WriteString(" > ")
	} else {
		s.WriteString(" ≤ ")
	}
	s.WriteString(strconv.Itoa(b.Limit.Available) + " available on " + b.Limit.Server)
	if b.Limit.What != "" {
		s.WriteString(" (" + b.Limit.What + ")")
	}
	return s.String()
}
