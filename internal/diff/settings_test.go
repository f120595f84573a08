package diff_test

import (
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
)

// settingsOf turns dbguard.yaml's inventory into policy settings, as the
// CLI does.
func settingsOf(cfg *config.Config) *policy.Settings {
	s := policy.DefaultSettings()
	for _, sv := range cfg.InventoryServers() {
		s.Inventory = append(s.Inventory, policy.Server{
			Name: sv.Name, Hosts: sv.Hosts, Port: sv.Port, Kind: sv.Kind, MaxConnections: sv.MaxConnections,
			Reserved: sv.Reserved, MaxClientConn: sv.MaxClientConn, PoolSize: sv.PoolSize, TLS: sv.TLS, From: "inventory",
			Loc: profile.Location{File: sv.Pos.File, Line: sv.Pos.Line, Column: sv.Pos.Column},
		})
	}
	return s
}
