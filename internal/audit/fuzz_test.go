package audit_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/audit"
	"github.com/dbguard/dbguard/internal/profile"
)

// FuzzCompareProfiles: the redacted profiles a store holds are read back
// from JSON that another dbguard version (or a damaged store) wrote; any
// bytes give an error or a comparison, never a panic, and a revision
// compared with itself shows no drift.
func FuzzCompareProfiles(f *testing.F) {
	f.Add([]byte(`[{"key_path":"database","host":"db","port":5432,"pool":{"max_open":10},"params":{"sslmode":"require"}}]`))
	f.Add([]byte(`[{"key_path":"a"},{"key_path":"a","hosts":[{"host":"x"}]}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"key_path":1}`))
	f.Add([]byte(`[null,1,"x",{"key_path":{"x":[]}}]`))
	now := []profile.View{{KeyPath: "database", File: "a.yaml"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = audit.CompareProfiles(data, now)
		var views []profile.View
		if json.Unmarshal(data, &views) != nil {
			return
		}
		again, err := json.Marshal(views)
		if err != nil {
			t.Skip()
		}
		if d, err := audit.CompareProfiles(again, views); err == nil && len(d) != 0 {
			// Two views under one key path: the last wins on both
			// sides, so the comparison is still empty.
			t.Fatalf("a revision differs from itself: %+v", d)
		}
	})
}

// FuzzJudgeHBA: any pg_hba address and netmask a server reports is judged
// without a panic, and a loopback /32 is never reported.
func FuzzJudgeHBA(f *testing.F) {
	for _, s := range [][2]string{{"0.0.0.0", "0.0.0.0"}, {"127.0.0.1", "255.255.255.255"}, {"::1", ""}, {"10.0.0.0/8", ""},
		{"samenet", ""}, {"127.0.0.1", "255.0.0.0"}, {"127.0.0.0/4", ""}, {"db.example", ""}, {"::1", "ffff::"}} {
		f.Add(s[0], s[1], "trust", "host")
	}
	f.Fuzz(func(t *testing.T, address, netmask, method, typ string) {
		s := &audit.Server{Address: "db:5432", Kind: "postgresql",
			HBA: []audit.HBALine{{Line: 1, Type: typ, Address: address, Netmask: netmask, Method: method}}}
		got := audit.Judge(s, time.Unix(0, 0), time.Hour)
		if (address == "127.0.0.1" && (netmask == "" || netmask == "255.255.255.255")) && len(got) > 0 {
			t.Fatalf("loopback line reported: %+v", got)
		}
	})
}
