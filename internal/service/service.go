// Package service decides which profiles belong to one service: the
// copies of one application's connection across replicas, regions,
// overlays and clusters. It is the one place that decides it: scan
// records the answer on every profile (profile.Profile.Service), check's
// fleet rule compares the copies of one service, and watch, incidents and
// the console count targets by it ("1 of 3 targets of orders failing").
//
// The default (Of), in order:
//
//  1. the app label (an "app" parameter: app.kubernetes.io/name, app),
//     wherever the manifest lives;
//  2. for a Kubernetes profile, the workload (or object) name, without its
//     kind: Deployment/orders-api → orders-api;
//  3. for a compose service, an ECS container or a CI job, the name of the
//     service, container or job;
//  4. for a Helm values file, the chart: the folder that holds it
//     (orders-chart/values-staging.yaml → orders-chart);
//  5. otherwise the file's name without folders, its last extension and a
//     trailing environment word (deploy/eu/orders.yaml → orders,
//     application-staging.yml → application, appsettings.Production.json
//     → appsettings, .env.production → env), so that a file copied across
//     region, overlay or environment variants is one service.
//
// dbguard.yaml's services section overrides it (config.ServiceFor).
package service

import (
	"path"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// Of is the service dbguard infers for p.
func Of(p *profile.Profile) string {
	if v, ok := p.Params["app"]; ok && v.Text != "" {
		return v.Text
	}
	switch p.Format {
	case "kubernetes":
		if v, ok := p.Params["workload"]; ok && v.Text != "" {
			return objectName(v.Text)
		}
		if obj, _, _ := strings.Cut(p.Name, " "); obj != "" {
			return objectName(obj)
		}
	case "compose", "ecs", "github-actions", "gitlab-ci":
		if name, _, _ := strings.Cut(p.Name, "."); name != "" {
			return name
		}
	case "helm":
		if dir := path.Base(path.Dir(p.File)); dir != "." && dir != "/" && dir != "templates" {
			return dir
		}
	}
	return Stem(p.File)
}

// Connection says which of its service's connections p is, so that two
// connections of one service (a primary and a reader) are never taken for
// copies of each other: the key path inside the file, or for a Kubernetes
// profile what its name says after the object (env DATABASE_URL), since
// two manifests of one workload put the same variable under different
// container paths.
func Connection(p *profile.Profile) string {
	if p.Format == "kubernetes" {
		if _, rest, ok := strings.Cut(p.Name, " "); ok {
			return rest
		}
	}
	return p.KeyPath
}

// Stem is a file's name without folders, leading dots, its last extension
// and a trailing environment word joined by '-', '_' or '.'
// (values-staging, application_prod, appsettings.Production): the identity
// of a file copied across folders and environments.
func Stem(file string) string {
	b := strings.TrimLeft(path.Base(file), ".")
	if i := strings.LastIndexByte(b, '.'); i > 0 {
		b = b[:i]
	}
	if i := strings.LastIndexAny(b, "-_."); i > 0 && profile.CanonicalEnvironment(b[i+1:]) != profile.Unknown {
		b = b[:i]
	}
	if b == "" {
		return path.Base(file)
	}
	return b
}

// objectName drops a Kubernetes object's kind: Deployment/orders → orders.
func objectName(obj string) string {
	if i := strings.LastIndexByte(obj, '/'); i >= 0 && i < len(obj)-1 {
		return obj[i+1:]
	}
	return obj
}

// Assign sets p.Service: override when dbguard.yaml gives one (ok),
// otherwise Of(p). It keeps an override made earlier.
func Assign(p *profile.Profile, override string, ok bool) {
	switch {
	case ok:
		p.Service, p.ServiceFrom = override, "dbguard.yaml"
	case p.ServiceFrom != "dbguard.yaml":
		p.Service, p.ServiceFrom = Of(p), ""
	}
}
