package extract

import (
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// LinkKeys names what Link could change p for, so that a caller judging
// files one at a time (check's stream) knows which judgements another file
// may overturn, without keeping the profiles to find out:
//
//   - "envFrom:Kind/Name": a Kubernetes ConfigMap's or Secret's connection,
//     which a workload's envFrom may give replicas and labels;
//   - "workload:Kind/Name": a profile of a workload, whose replicas an
//     autoscaler may raise;
//   - "spring:prefix": either side of linkSpring's override, SPRING_*
//     variables of a platform file or the spring.* block they bind to.
//
// A profile is linked by references from other files only through one of
// its keys: Targets lists the keys the references point at; a "spring:" key
// pairs with the same key in another file.
func LinkKeys(p *profile.Profile) []string {
	var keys []string
	if p.Format == "kubernetes" {
		name, _, _ := strings.Cut(p.Name, " ")
		keys = append(keys, "envFrom:"+name)
	}
	if w, ok := p.Params["workload"]; ok {
		keys = append(keys, "workload:"+w.Text)
	}
	if prefix := springEnvPrefix(p); prefix != "" {
		keys = append(keys, "spring:"+prefix)
	}
	if strings.HasPrefix(p.KeyPath, "spring.") {
		keys = append(keys, "spring:"+p.KeyPath)
	}
	return keys
}

// Targets returns the keys of LinkKeys that the autoscalers and envFrom
// references of a scan point at.
func Targets(scalers []Scaler, envFrom []EnvFrom) map[string]bool {
	t := make(map[string]bool, len(scalers)+len(envFrom))
	for _, ef := range envFrom {
		t["envFrom:"+ef.Kind+"/"+ef.Name] = true
		if !ef.Binding {
			// The workload's own connections take the source's
			// variables (linkKubeRefs); a mounted binding gives none.
			t["envFrom:"+ef.Workload] = true
		}
	}
	for _, sc := range scalers {
		t["workload:"+sc.workload()] = true
	}
	return t
}
