// Package deploy holds no code: it is the home of dbguard's shipped
// deployment artefacts (Prometheus rules, a Grafana dashboard, Kubernetes
// manifests, a systemd unit; docs/deploy.md) and of the tests that keep
// them true. Those tests check each artefact offline against what it names:
// the rules and dashboard against Prometheus's own parser and promtool and
// against the metrics internal/metrics defines, the manifests against the
// Kubernetes API types decoded strictly, the unit against systemd.
package deploy
