package extract

import (
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// CI files are configuration too: a GitHub Actions job or a GitLab CI job
// starts database service containers and connects to them from its steps.
// Each service with a database image is a server profile (its environment
// variables and the port it publishes); the job's variables are client
// profiles, whose driver is the service's when they name it. All are
// environment ci unless a variable of the job says otherwise (RAILS_ENV).

// extractGitHubActions reads a workflow: jobs.<id>.services and the env of
// the workflow, the job and each step.
func extractGitHubActions(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	jobs := root.Get("jobs")
	if jobs == nil || jobs.Kind != tree.Map || !ghJobs(jobs) {
		return nil, false
	}
	var out []*profile.Profile
	// The workflow's env reaches every job: read once, as the file's,
	// with the drivers of every job's services.
	all := map[string]string{}
	for _, job := range jobs.Children {
		if job.Kind != tree.Map {
			continue
		}
		kp := "jobs." + job.Key
		// Steps reach a service at localhost through the port it
		// publishes; a job that runs in a container reaches it by name.
		inContainer := job.Get("container") != nil
		images := map[string]string{}
		var servers []*profile.Profile
		if svcs := job.Get("services"); svcs != nil && svcs.Kind == tree.Map {
			for _, s := range svcs.Children {
				if s.Kind != tree.Map {
					continue
				}
				d := driverFromImage(s.Get("image").Text())
				if d == "" {
					continue
				}
				images[s.Key] = d
				host := profile.Value{Text: s.Key, Set: true, Loc: fc.keyLoc(s)}
				if !inContainer && s.Get("ports") != nil {
					host = profile.Value{Text: "localhost", Set: true, Loc: fc.keyLoc(s)}
					images["localhost"], images["127.0.0.1"] = d, d
				}
				vars := ghExpressions(fc.composeEnv(s.Get("env")))
				if sp := fc.serverProfile(s, vars, d, kp+".services."+s.Key, job.Key+"."+s.Key, host, true); sp != nil {
					servers = append(servers, sp)
				}
			}
		}
		out = append(out, servers...)
		for h, d := range images {
			all[h] = d
		}
		vars := ghExpressions(fc.composeEnv(job.Get("env")))
		out = append(out, fc.ciClients(vars, kp+".env", job.Key, images, len(images) > 0)...)
		if steps := job.Get("steps"); steps != nil && steps.Kind == tree.Seq {
			for i, st := range steps.Children {
				if env := st.Get("env"); env != nil {
					skp := kp + ".steps[" + strconv.Itoa(i) + "].env"
					out = append(out, fc.ciClients(ghExpressions(fc.composeEnv(env)), skp, job.Key, images, len(images) > 0)...)
				}
			}
		}
	}
	out = append(out, fc.ciClients(ghExpressions(fc.composeEnv(root.Get("env"))), "env", "", all, len(all) > 0)...)
	ciEnvironment(out)
	return out, true
}

// ghExpressions reads values written as GitHub Actions expressions: ${{
// secrets.PG_PASSWORD }} comes from the repository's secrets, any other
// ${{ ... }} from the run, unresolved.
func ghExpressions(vars []envVar) []envVar {
	for i := range vars {
		t := strings.TrimSpace(vars[i].v.Text)
		if !strings.HasPrefix(t, "${{") || !strings.HasSuffix(t, "}}") {
			continue
		}
		expr := strings.TrimSpace(t[3 : len(t)-2])
		vars[i].v.Unresolved, vars[i].v.Var = true, expr
		if strings.HasPrefix(expr, "secrets.") {
			vars[i].secretRef = expr
		}
	}
	return vars
}

// ghJobs reports a map of GitHub Actions jobs: entries with runs-on, steps
// or uses.
func ghJobs(jobs *tree.Node) bool {
	for _, j := range jobs.Children {
		if j.Kind == tree.Map && (j.Get("runs-on") != nil || j.Get("steps") != nil || j.Get("uses") != nil) {
			return true
		}
	}
	return false
}

// extractGitLabCI reads .gitlab-ci.yml: the services of the file
// (default: or top level) and of each job, with the variables GitLab
// passes to both the services and the job's script.
func extractGitLabCI(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map || !glJobs(root) {
		return nil, false
	}
	globalSvcs := root.Get("services")
	if d := root.Get("default"); globalSvcs == nil && d != nil {
		globalSvcs = d.Get("services")
	}
	globalVars := fc.composeEnv(root.Get("variables"))
	var out []*profile.Profile
	// servers reads the database services of a list, which GitLab starts
	// with vars, and returns their drivers by host name.
	servers := func(kp, name string, svcs *tree.Node, vars []envVar) map[string]string {
		images := map[string]string{}
		if svcs == nil || svcs.Kind != tree.Seq {
			return images
		}
		for _, s := range svcs.Children {
			image, alias, node := glService(s)
			d := driverFromImage(image)
			if d == "" {
				continue
			}
			images[alias] = d
			host := profile.Value{Text: alias, Set: true, Loc: fc.loc(node)}
			all := append(append([]envVar(nil), vars...), fc.composeEnv(s.Get("variables"))...)
			if sp := fc.serverProfile(s, all, d, joinKey(kp, "services."+alias), joinKey(name, alias), host, true); sp != nil {
				out = append(out, sp)
			}
		}
		return images
	}
	globalImages := servers("", "", globalSvcs, globalVars)
	type job struct {
		node   *tree.Node
		images map[string]string
	}
	var jobs []job
	anyDB := len(globalImages) > 0
	for _, j := range root.Children {
		if j.Kind != tree.Map || j.Get("script") == nil && j.Get("extends") == nil {
			continue
		}
		images := globalImages
		if svcs := j.Get("services"); svcs != nil {
			images = servers(j.Key, j.Key, svcs, append(append([]envVar(nil), globalVars...), fc.composeEnv(j.Get("variables"))...))
		}
		anyDB = anyDB || len(images) > 0
		jobs = append(jobs, job{j, images})
	}
	// The variables of the file go to every job: they are read once, as
	// the file's. The images' own variables are the services', not a
	// client's, when the file starts a database.
	clients := func(vars []envVar, kp, name string, images map[string]string) {
		out = append(out, fc.ciClients(vars, kp, name, images, anyDB)...)
	}
	clients(globalVars, "variables", "", globalImages)
	for _, j := range jobs {
		clients(fc.composeEnv(j.node.Get("variables")), j.node.Key+".variables", j.node.Key, j.images)
	}
	for _, p := range out {
		p.Name = strings.TrimPrefix(p.Name, ".")
	}
	ciEnvironment(out)
	return out, true
}

// glJobs reports a GitLab CI file: a job with script:, or stages:.
func glJobs(root *tree.Node) bool {
	if root.Get("stages") != nil && root.Get("jobs") == nil {
		return true
	}
	for _, j := range root.Children {
		if j.Kind == tree.Map && j.Get("script") != nil && j.Get("runs-on") == nil {
			return true
		}
	}
	return false
}

// glService reads one entry of services: "postgres:16" or {name: ...,
// alias: db}. Without an alias GitLab names the service after its image
// without the tag, '/' made '-' (bitnami/postgresql -> bitnami-postgresql).
func glService(s *tree.Node) (image, alias string, node *tree.Node) {
	switch s.Kind {
	case tree.Scalar:
		image, node = s.Value, s
	case tree.Map:
		n := s.Get("name")
		image, node = n.Text(), n
		if a := scalar(s.Get("alias")); a != nil && a.Value != "" {
			alias, _, _ = strings.Cut(a.Value, ",")
			return image, strings.TrimSpace(alias), a
		}
	}
	alias = image
	if i := strings.IndexAny(alias, ":@"); i >= 0 {
		alias = alias[:i]
	}
	return image, strings.ReplaceAll(alias, "/", "-"), node
}

// ciClients reads a job's variables as client connections, leaving out
// the variables the services' images initialise from when the file starts
// a database (dropInit), and gives a client
// that names a service (DB_HOST: postgres, localhost with a published port)
// the service's driver.
func (fc *fileCtx) ciClients(vars []envVar, kp, job string, images map[string]string, dropInit bool) []*profile.Profile {
	var cvars []envVar
	for _, v := range vars {
		if _, ok := serverInit[strings.ToUpper(v.name)]; ok && dropInit {
			continue
		}
		cvars = append(cvars, v)
	}
	ps := fc.envProfiles(cvars, kp, namedServer(cvars, images))
	for _, p := range ps {
		if !p.Driver.Set || p.Driver.Text == "" {
			if h, ok := p.FirstHost().Host.Effective(); ok && images[h] != "" {
				p.Driver = profile.Value{Text: images[h], Set: true}
			}
		}
		if job != "" {
			p.Name = job + "." + strings.TrimSuffix(p.Name, "_*")
		}
	}
	return ps
}

// ciEnvironment makes the profiles of a CI file environment ci, unless a
// variable of theirs named another (RAILS_ENV: test) or the path did.
func ciEnvironment(ps []*profile.Profile) {
	for _, p := range ps {
		if p.EnvironmentRaw == "" {
			p.EnvironmentRaw, p.EnvironmentFrom = "ci", "ci"
		}
	}
}
