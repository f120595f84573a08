package capacity_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/profile"
)

func val(s string) profile.Value { return profile.Value{Text: s, Set: true} }

func TestPeakOf(t *testing.T) {
	tests := []struct {
		name      string
		r         profile.Replicas
		instances int
		text      string
	}{
		{"unknown", profile.Replicas{}, 1, "1 instance (no replica count known)"},
		{"not a number", profile.Replicas{Count: val("many")}, 1, "1 instance (no replica count known)"},
		{"zero", profile.Replicas{Count: val("0")}, 1, "1 instance (no replica count known)"},
		{"compose", profile.Replicas{Count: val("6"), Source: "compose"}, 6, "6 replicas"},
		{"one", profile.Replicas{Count: val("1"), Source: "compose"}, 1, "1 replica"},
		{"deployment default surge rounds up", profile.Replicas{Count: val("5"), Source: "deployment"}, 7, "5 replicas + 2 surge"},
		{"deployment explicit surge", profile.Replicas{Count: val("4"), Surge: val("1"), Source: "deployment"}, 5, "4 replicas + 1 surge"},
		{"deployment zero surge", profile.Replicas{Count: val("4"), Surge: val("0"), Source: "deployment"}, 4, "4 replicas"},
		{"percent surge", profile.Replicas{Count: val("10"), Surge: val("50%"), Source: "deployment"}, 15, "10 replicas + 5 surge"},
		{"autoscaler maximum", profile.Replicas{Count: val("6"), Source: "hpa"}, 6, "6 replicas (autoscaler maximum)"},
		{"unresolved count with default", profile.Replicas{Count: profile.Value{Text: "${N:-3}", Set: true, Unresolved: true, HasDefault: true, Default: "3"}}, 3, "3 replicas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pk := capacity.PeakOf(tt.r)
			if got := pk.Instances(); got != tt.instances {
				t.Errorf("Instances() = %d, want %d", got, tt.instances)
			}
			if got := pk.String(); got != tt.text {
				t.Errorf("String() = %q, want %q", got, tt.text)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	six := capacity.Peak{Replicas: 6, Known: true}
	tests := []struct {
		name    string
		b       capacity.Budget
		focus   int
		total   int
		over    bool
		explain string
	}{
		{
			name:    "the issue's example",
			b:       capacity.Budget{Limit: capacity.ServerLimit("orders-pg", 150, 3), Demands: []capacity.Demand{{Client: "orders", Pool: 25, Peak: six}}},
			total:   150,
			over:    true,
			explain: "6 replicas × pool 25 = 150 > 147 available on orders-pg (max_connections 150 − 3 reserved)",
		},
		{
			name:    "exactly at the limit fits",
			b:       capacity.Budget{Limit: capacity.ServerLimit("pg", 153, 3), Demands: []capacity.Demand{{Client: "orders", Pool: 25, Peak: six}}},
			total:   150,
			explain: "6 replicas × pool 25 = 150 ≤ 150 available on pg (max_connections 153 − 3 reserved)",
		},
		{
			name: "other clients add up",
			b: capacity.Budget{Limit: capacity.ServerLimit("pg", 100, 3), Demands: []capacity.Demand{
				{Client: "api", Pool: 30, Peak: capacity.Peak{Replicas: 3, Known: true}},
				{Client: "worker", Pool: 20, Peak: capacity.Peak{Replicas: 1}},
				{Client: "cron", Pool: 5, Peak: capacity.Peak{Replicas: 2, Surge: 1, Known: true}},
			}},
			total:   125,
			over:    true,
			explain: "3 replicas × pool 30 = 90, + 35 from 2 other clients (worker 20, cron 15) = 125 > 97 available on pg (max_connections 100 − 3 reserved)",
		},
		{
			name:    "surge in parentheses",
			focus:   0,
			b:       capacity.Budget{Limit: capacity.BouncerClients("bouncer", 100), Demands: []capacity.Demand{{Client: "api", Pool: 20, Peak: capacity.Peak{Replicas: 4, Surge: 1, Known: true}}}},
			total:   100,
			explain: "(4 replicas + 1 surge) × pool 20 = 100 ≤ 100 available on bouncer (PgBouncer max_client_conn 100)",
		},
		{
			name:    "pooler's pool size",
			b:       capacity.Budget{Limit: capacity.BouncerPool("bouncer", 20), Demands: []capacity.Demand{{Client: "api", Pool: 50, Peak: capacity.Peak{Replicas: 1}}}},
			total:   50,
			over:    true,
			explain: "1 instance (no replica count known) × pool 50 = 50 > 20 available on bouncer (PgBouncer pool_size 20)",
		},
		{
			name:    "live free connections",
			b:       capacity.Budget{Limit: capacity.Live("db:5432", 40, "postgres: 40 free"), Demands: []capacity.Demand{{Client: "this profile", Pool: 10, Peak: capacity.Peak{Replicas: 5, Known: true}}}},
			total:   50,
			over:    true,
			explain: "5 replicas × pool 10 = 50 > 40 available on db:5432 (postgres: 40 free)",
		},
		{
			name:    "reserved above max leaves nothing",
			b:       capacity.Budget{Limit: capacity.ServerLimit("pg", 3, 5), Demands: []capacity.Demand{{Client: "a", Pool: 1, Peak: capacity.Peak{Replicas: 1}}}},
			total:   1,
			over:    true,
			explain: "1 instance (no replica count known) × pool 1 = 1 > -2 available on pg (max_connections 3 − 5 reserved)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Total(); got != tt.total {
				t.Errorf("Total() = %d, want %d", got, tt.total)
			}
			if got := tt.b.Over(); got != tt.over {
				t.Errorf("Over() = %v, want %v", got, tt.over)
			}
			if got := tt.b.Explain(tt.focus); got != tt.explain {
				t.Errorf("Explain() =\n  %q\nwant\n  %q", got, tt.explain)
			}
		})
	}
}

func TestDemandOf(t *testing.T) {
	tests := []struct {
		name string
		pool profile.Value
		ok   bool
		conn int
	}{
		{"unset", profile.Value{}, false, 0},
		{"unresolved without default", profile.Value{Text: "${POOL}", Set: true, Unresolved: true}, false, 0},
		{"zero", val("0"), false, 0},
		{"negative", val("-1"), false, 0},
		{"literal", val("25"), true, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &profile.Profile{ID: "x", Pool: profile.Pool{MaxOpen: tt.pool}, Replicas: profile.Replicas{Count: val("4"), Source: "compose"}}
			d, ok := capacity.DemandOf(p)
			if ok != tt.ok || ok && d.Connections() != tt.conn {
				t.Errorf("DemandOf = %+v, %v; want ok %v and %d connections", d, ok, tt.ok, tt.conn)
			}
		})
	}
}
