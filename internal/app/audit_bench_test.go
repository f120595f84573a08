package app_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/testenv/gencorpus"
)

// BenchmarkAudit is audit without servers (check, drift against a store
// where half the files are recorded, trend, the audit event) beside check
// alone, over the synthetic corpus of 2,000 files:
//
//	go test -run '^$' -bench 'Audit' -benchtime 10x ./internal/app/
func BenchmarkAudit(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "corpus")
	if _, err := gencorpus.Write(dir, gencorpus.Options{Files: 2000, Seed: 42}); err != nil {
		b.Fatal(err)
	}
	repo, st := auditRepo(b, nil)
	_ = repo
	st.Dir = dir
	half := filepath.Join(dir, "team-000")
	if _, err := app.Record(context.Background(), app.RecordRequest{Paths: []string{half}, Store: st}); err != nil {
		b.Fatal(err)
	}
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if _, err := app.Check(context.Background(), app.CheckRequest{Scan: app.ScanRequest{Paths: []string{dir}}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("audit", func(b *testing.B) {
		for b.Loop() {
			if _, err := app.Audit(context.Background(), app.AuditRequest{Check: app.CheckRequest{Scan: app.ScanRequest{Paths: []string{dir}}}, Store: st, NoLive: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
