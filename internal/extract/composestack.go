package extract

import (
	"path"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// A compose file often starts the database its application uses, for a
// developer to run the application against. Two signs of that are in the
// file itself, true of any repository (docs/scan.md, "Environment"):
//
//   - the stack is a dev container's: a service is built from, or reads
//     its environment from, a .devcontainer folder (the VS Code and
//     Codespaces convention); every profile of the file is development;
//   - a database container keeps its data nowhere named: no bind mount or
//     named volume at its data directory, so the data lives in the
//     container (or the anonymous volume its image declares, which
//     `docker compose down` abandons). Nobody runs a database they mean
//     to keep that way; the container and the clients of the file that
//     connect to it by its service name are development.
//
// Both are proposals: decideEnvironment applies them after a variable
// (APP_ENV), the enclosing block and the path, so that
// deploy/prod/docker-compose.yml stays production.

// Environment words the compose extractor proposes (environment_raw),
// with environment_from "compose".
const (
	stackDevContainer = "devcontainer"
	stackNoDataVolume = "no-data-volume"
)

// composeStackEnvironment marks the profiles of one compose file with
// what the stack says of its environment. throwaway lists the database
// services that keep no data.
func composeStackEnvironment(services *tree.Node, ps []*profile.Profile, throwaway map[string]bool) {
	devContainer := false
	for _, s := range services.Children {
		if s.Kind == tree.Map && devContainerService(s) {
			devContainer = true
			break
		}
	}
	for _, p := range ps {
		if p.EnvironmentRaw != "" {
			continue
		}
		switch {
		case devContainer:
			p.EnvironmentRaw, p.EnvironmentFrom = stackDevContainer, "compose"
		case throwaway[p.FirstHost().Host.Text] && p.FirstHost().Host.Set:
			p.EnvironmentRaw, p.EnvironmentFrom = stackNoDataVolume, "compose"
		}
	}
}

// devContainerService reports a service built from, or configured by, a
// .devcontainer folder: its build context or Dockerfile, or an env_file.
func devContainerService(s *tree.Node) bool {
	var refs []string
	if b := s.Get("build"); b != nil {
		if b.Kind == tree.Scalar {
			refs = append(refs, b.Text())
		} else {
			refs = append(refs, b.Get("context").Text(), b.Get("dockerfile").Text())
		}
	}
	if e := s.Get("env_file"); e != nil {
		refs = append(refs, composeEnvFiles(e, ".")...)
	}
	for _, r := range refs {
		for _, seg := range strings.Split(path.Clean(strings.ReplaceAll(r, "\\", "/")), "/") {
			if seg == ".devcontainer" {
				return true
			}
		}
	}
	return false
}

// dataDirs are the folders the official and Bitnami images of each
// database of record keep their data in. Caches (redis, valkey) are left
// out: a cache without a volume is how one runs in production too.
func dataDirs(driver string) []string {
	switch driver {
	case "postgres":
		return []string{"/var/lib/postgresql/data", "/var/lib/postgresql", "/bitnami/postgresql", "/home/postgres/pgdata"}
	case "mysql":
		return []string{"/var/lib/mysql", "/bitnami/mysql", "/bitnami/mariadb"}
	case "mongodb":
		return []string{"/data/db", "/bitnami/mongodb"}
	case "sqlserver":
		return []string{"/var/opt/mssql"}
	case "cockroachdb":
		return []string{"/cockroach/cockroach-data"}
	case "clickhouse":
		return []string{"/var/lib/clickhouse", "/bitnami/clickhouse"}
	}
	return nil
}

// keepsNoData reports a database container of a known image whose data
// directory is on no bind mount and no named volume. dataDir is where
// the container's own environment moved it (PGDATA), or "".
func keepsNoData(s *tree.Node, driver, dataDir string) bool {
	dirs := dataDirs(driver)
	if len(dirs) == 0 || s.Get("image") == nil || s.Get("volumes_from") != nil {
		// An override file without the image may add volumes to a
		// service of the base file: no decision.
		return false
	}
	if dataDir != "" {
		dirs = []string{dataDir}
	}
	v := s.Get("volumes")
	if v == nil {
		return true
	}
	if v.Kind != tree.Seq {
		return false
	}
	for _, c := range v.Children {
		target, named := volumeTarget(c)
		if target == "" {
			// A volume written in a way not read here: no decision.
			return false
		}
		if !named {
			continue
		}
		for _, d := range dirs {
			if pathWithin(d, target) || pathWithin(target, d) {
				return false
			}
		}
	}
	return true
}

// volumeTarget reads one volumes: entry, short ("src:/target:ro",
// "/target") or long ({type, source, target}): the folder inside the
// container, and whether a bind mount or a named volume backs it (an
// anonymous volume or a tmpfs does not keep the data past the
// container's stack).
func volumeTarget(n *tree.Node) (target string, named bool) {
	switch n.Kind {
	case tree.Scalar:
		parts := strings.Split(n.Value, ":")
		// The target is the last part that is an absolute path: a source
		// may hold ':' in ${VAR:-default}, a mode (ro, z) may follow.
		for i := len(parts) - 1; i >= 0; i-- {
			if strings.HasPrefix(parts[i], "/") {
				return path.Clean(parts[i]), i > 0
			}
		}
	case tree.Map:
		t := n.Get("target").Text()
		if t == "" {
			return "", false
		}
		kind := n.Get("type").Text()
		return path.Clean(t), kind != "tmpfs" && n.Get("source").Text() != ""
	}
	return "", false
}

// pathWithin reports whether p is dir or below it.
func pathWithin(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}
