// Package notify delivers watch's alerts (internal/alert) to people and
// systems: a generic JSON webhook, Slack incoming webhooks, Prometheus
// Alertmanager, PagerDuty's Events API v2 and email over SMTP. Every
// notifier has the same shape (gatus's provider shape, without its
// globals): a Spec with defaults, validated at load, built by New into an
// alert.Notifier whose Notify formats one alert.Alert and sends it, each
// call bounded by the spec's timeout. Notifiers only format an Alert; they
// never read profiles or files.
//
// The Dispatcher is what watch calls: Send never blocks (one bounded queue
// and one worker per notifier), each attempt is bounded by the timeout,
// failed attempts are retried with exponential backoff unless the failure
// is permanent (Permanent: a 4xx answer, an SMTP 5xx), and every outcome
// is reported through Hooks, so that the caller logs and counts it. A
// receiver that hangs costs its own worker until the timeout, never the
// caller nor another notifier. This package does not log.
//
// # Secrets
//
// A Spec holds secrets in memory, resolved by the caller from *_env or
// *_file references: a Slack URL's path is its token, a webhook URL may
// carry a token in its query or user info, the PagerDuty routing key, the
// SMTP password. They never appear in an error: every error a notifier
// returns has the URL reduced to scheme and host (an *url.Error carries
// the whole URL) and any remaining occurrence of a secret replaced by
// [redacted]; a Spec prints masked through fmt, slog and JSON. In a
// payload a secret appears only where the receiver needs it: PagerDuty's
// routing_key member. The canary test plants a canary in every secret and
// looks for it in every error and log line.
//
// Payloads are documented in docs/formats.md ("Alert notifications"); the
// webhook's JSON Schema is docs/schema/alert.schema.json.
package notify
