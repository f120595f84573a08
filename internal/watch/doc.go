// Package watch is the daemon behind dbguard watch: it probes every watched
// profile at its interval with verify's prober and fleet runner, sees the
// configuration files change, records each change with record's code and
// probes the changed profiles at once, keeps the alert rules' states, ties
// a failure to the recent change whose field explains its class, and hands
// the alerts to a Sender (internal/notify's Dispatcher).
//
// Contract:
//
//   - No probing, scanning, diffing or recording logic lives here: targets
//     come from app.Scan, probes from app.NewProber's Prober.Run, revisions
//     and change events from app.Record, verified-good marks from
//     app.RecordVerification. watch decides when, and what it means.
//   - All run-time state (schedules, consecutive failures, alert states)
//     belongs to one Watcher and is touched by its loop goroutine only;
//     nothing is package-level, and the configuration structs are never
//     written to.
//   - Secrets: alerts carry review's redacted field changes and verify's
//     scrubbed details only; logs name profiles, files, stages and classes,
//     never a value of a secret field. Notifier secrets are read from their
//     references into notify.Spec (Specs) in memory, handed to
//     internal/notify's Dispatcher, and never logged or stored.
//   - Probes are bounded: at most watch.concurrency in flight across every
//     batch; a blackholed target holds one goroutine and one socket until
//     its stage timeout, and is not probed again while its probe is in
//     flight.
package watch
