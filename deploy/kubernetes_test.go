package deploy_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// kubeObject is one decoded manifest document.
type kubeObject struct {
	where string // file:document
	obj   any
}

// docSeparator splits a multi-document YAML stream.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// newKubeObject returns an empty object of the Kubernetes API type that a
// document's apiVersion and kind name; the manifests use no other kinds.
func newKubeObject(tm metav1.TypeMeta) (any, error) {
	switch tm.APIVersion + "/" + tm.Kind {
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, nil
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1/Secret":
		return &corev1.Secret{}, nil
	case "v1/Service":
		return &corev1.Service{}, nil
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}, nil
	case "v1/PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}, nil
	}
	return nil, fmt.Errorf("apiVersion %q kind %q: not a kind these manifests use", tm.APIVersion, tm.Kind)
}

// decodeManifests decodes every document of every file under
// deploy/kubernetes strictly against the Kubernetes API types: an unknown
// or misspelt field, a duplicate key or a value of the wrong type fails,
// as kubectl apply --validate=strict would, without a cluster.
func decodeManifests(t *testing.T) []kubeObject {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests under deploy/kubernetes (%v)", err)
	}
	var objs []kubeObject
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range docSeparator.Split(string(data), -1) {
			where := fmt.Sprintf("%s, document %d", f, i+1)
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			obj, err := newKubeObject(tm)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			objs = append(objs, kubeObject{where: where, obj: obj})
		}
	}
	return objs
}

func stripComments(doc string) string {
	var b bytes.Buffer
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestKubernetesManifests decodes the manifests strictly, then checks what
// the API types alone cannot: that every mount names a volume of its pod,
// that no watched ConfigMap or Secret is mounted with subPath (which
// Kubernetes never updates, so watch would never see a change), that each
// dbguard container runs watch with its config from a ConfigMap and a
// locked-down security context, and that the metrics Service selects the
// watch pods and targets a port they declare.
func TestKubernetesManifests(t *testing.T) {
	objs := decodeManifests(t)
	kinds := map[string]int{}
	configMaps := map[string]*corev1.ConfigMap{}
	var deployments []*appsv1.Deployment
	var services []*corev1.Service
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *appsv1.Deployment:
			kinds["Deployment"]++
			deployments = append(deployments, v)
		case *corev1.ConfigMap:
			kinds["ConfigMap"]++
			configMaps[v.Name] = v
		case *corev1.Service:
			kinds["Service"]++
			services = append(services, v)
		case *corev1.Secret:
			kinds["Secret"]++
		}
	}
	for _, k := range []string{"Deployment", "ConfigMap", "Service", "Secret"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in deploy/kubernetes", k)
		}
	}
	watchers := 0
	for _, d := range deployments {
		pod := d.Spec.Template.Spec
		if !metav1HasLabels(d.Spec.Template.Labels, d.Spec.Selector.MatchLabels) {
			t.Errorf("deployment %s: its selector does not match its pod labels", d.Name)
		}
		volumes := map[string]corev1.Volume{}
		for _, v := range pod.Volumes {
			volumes[v.Name] = v
		}
		for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
			for _, m := range c.VolumeMounts {
				v, ok := volumes[m.Name]
				if !ok {
					t.Errorf("deployment %s, container %s: mount %s names no volume", d.Name, c.Name, m.Name)
					continue
				}
				if m.SubPath != "" && (v.ConfigMap != nil || v.Secret != nil || v.Projected != nil) {
					t.Errorf("deployment %s, container %s: %s is mounted with subPath, which Kubernetes never updates", d.Name, c.Name, m.Name)
				}
			}
			if len(c.Args) == 0 || c.Args[0] != "watch" {
				continue
			}
			watchers++
			checkWatchContainer(t, d.Name, c, volumes, configMaps)
		}
	}
	if watchers < 2 {
		t.Errorf("%d containers run dbguard watch; want the Deployment and the sidecar", watchers)
	}
	for _, s := range services {
		if !servesPort(s, deployments) {
			t.Errorf("service %s: no Deployment's pods match its selector with a port named by its targetPort", s.Name)
		}
	}
}

// checkWatchContainer checks one container that runs dbguard watch: a
// locked-down security context, --config in a ConfigMap (or projected)
// volume of the manifests with a watch: section, and every watched path,
// which watch reads relative to dbguard.yaml's folder, present in that
// same volume.
func checkWatchContainer(t *testing.T, deployment string, c corev1.Container, volumes map[string]corev1.Volume, configMaps map[string]*corev1.ConfigMap) {
	t.Helper()
	where := fmt.Sprintf("deployment %s, container %s", deployment, c.Name)
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("%s: want readOnlyRootFilesystem, no privilege escalation and every capability dropped", where)
	}
	i := slices.Index(c.Args, "--config")
	if i < 0 || i+1 >= len(c.Args) {
		t.Errorf("%s: runs watch without --config", where)
		return
	}
	config := c.Args[i+1]
	for _, m := range c.VolumeMounts {
		rel, ok := strings.CutPrefix(config, strings.TrimSuffix(m.MountPath, "/")+"/")
		if !ok {
			continue
		}
		files := volumeFiles(volumes[m.Name], configMaps)
		body, ok := files[rel]
		if !ok || body == "" {
			t.Errorf("%s: volume %s holds no %s from a ConfigMap of the manifests", where, m.Name, rel)
			return
		}
		var doc struct {
			Watch struct {
				Sources []struct {
					Paths []string `json:"paths"`
				} `json:"sources"`
			} `json:"watch"`
		}
		if err := yaml.Unmarshal([]byte(body), &doc); err != nil || len(doc.Watch.Sources) == 0 {
			t.Errorf("%s: %s: no watch: section with sources (%v)", where, rel, err)
			return
		}
		dir := path.Dir(rel)
		for _, src := range doc.Watch.Sources {
			for _, p := range src.Paths {
				prefix := path.Join(dir, strings.TrimSuffix(strings.TrimSuffix(p, "**"), "/"))
				if !slices.ContainsFunc(slices.Collect(maps.Keys(files)), func(f string) bool {
					return f == prefix || strings.HasPrefix(f, prefix+"/")
				}) {
					t.Errorf("%s: watched path %q (relative to %s's folder) holds nothing in volume %s", where, p, rel, m.Name)
				}
			}
		}
		return
	}
	t.Errorf("%s: no volume is mounted where --config %s lies", where, config)
}

// volumeFiles lists the files of a ConfigMap, Secret or projected volume
// by their path in the volume, each with its contents when it comes from
// a ConfigMap of the manifests ("" for a Secret's or an unknown one's).
func volumeFiles(v corev1.Volume, configMaps map[string]*corev1.ConfigMap) map[string]string {
	files := map[string]string{}
	add := func(name string, items []corev1.KeyToPath, secret bool) {
		var data map[string]string
		if cm, ok := configMaps[name]; ok && !secret {
			data = cm.Data
		}
		if len(items) == 0 {
			for k, body := range data {
				files[k] = body
			}
			return
		}
		for _, it := range items {
			files[it.Path] = data[it.Key]
		}
	}
	switch {
	case v.ConfigMap != nil:
		add(v.ConfigMap.Name, v.ConfigMap.Items, false)
	case v.Secret != nil:
		add(v.Secret.SecretName, v.Secret.Items, true)
	case v.Projected != nil:
		for _, s := range v.Projected.Sources {
			if s.ConfigMap != nil {
				add(s.ConfigMap.Name, s.ConfigMap.Items, false)
			}
			if s.Secret != nil {
				add(s.Secret.Name, s.Secret.Items, true)
			}
		}
	}
	return files
}

func metav1HasLabels(labels, selector map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}

// servesPort says whether some Deployment's pods match the service's
// selector and declare every port it targets.
func servesPort(s *corev1.Service, deployments []*appsv1.Deployment) bool {
	for _, d := range deployments {
		if !metav1HasLabels(d.Spec.Template.Labels, s.Spec.Selector) {
			continue
		}
		ok := true
		for _, sp := range s.Spec.Ports {
			found := false
			for _, c := range d.Spec.Template.Spec.Containers {
				for _, cp := range c.Ports {
					if cp.Name == sp.TargetPort.StrVal || cp.ContainerPort == sp.TargetPort.IntVal {
						found = true
					}
				}
			}
			ok = ok && found
		}
		if ok {
			return true
		}
	}
	return false
}

// TestKubernetesStrictDecodingRefusesUnknownFields shows that the decoding
// above fails on a misspelt field, which a lenient decode would drop.
func TestKubernetesStrictDecodingRefusesUnknownFields(t *testing.T) {
	doc := "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  selectr: {app: x}\n"
	if err := yaml.UnmarshalStrict([]byte(doc), &corev1.Service{}); err == nil {
		t.Fatal("a misspelt field decoded")
	}
	if err := yaml.Unmarshal([]byte(doc), &corev1.Service{}); err != nil {
		t.Fatalf("the lenient decode refused it too, so the test shows nothing: %v", err)
	}
}
