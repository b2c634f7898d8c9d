package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/target"
)

// vols wraps volume JSON into an intent with two containers, "a" and "b".
func vols(volumes string) string {
	return `{"name": "app", "volumes": [` + volumes + `], "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "x"}]}`
}

func TestCheckVolumeSources(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		want   []string // "field: message fragment", in order
	}{
		{"every source", vols(`{"name": "c", "config": {"name": "cm", "items": [{"key": "app.yaml", "path": "conf/app.yaml", "mode": 256}], "defaultMode": 420}},
			{"name": "s", "secret": {"name": "sec", "items": [{"key": "tls.crt", "path": "tls.crt"}], "defaultMode": 0}},
			{"name": "d", "downwardApi": {"items": [{"path": "labels", "field": "metadata.labels"}, {"path": "team", "field": "metadata.labels['team']"},
			  {"path": "cpu", "resource": {"container": "b", "resource": "limits.cpu", "divisor": "1m"}},
			  {"path": "mem", "resource": {"container": "a", "resource": "requests.memory", "divisor": "1Mi"}, "mode": 511}], "defaultMode": 292}},
			{"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "audience": "vault", "expirationSeconds": 600}},
			  {"config": {"name": "cm", "items": [{"key": "a", "path": "a"}]}}, {"secret": {"name": "sec", "optional": true}},
			  {"downwardApi": {"items": [{"path": "ns", "field": "metadata.namespace"}, {"path": "huge", "resource": {"container": "a", "resource": "limits.hugepages-2Mi", "divisor": "1Ki"}}]}}], "defaultMode": 384}}`), nil},
		{"items", vols(`{"name": "c", "config": {"name": "cm", "items": [{"key": "", "path": "a"}, {"key": "k k", "path": "/abs"}, {"key": "k", "path": "a"}, {"key": "k", "path": "../up", "mode": 512}, {"key": "k", "path": "..x"}]}}`), []string{
			"volumes[0].config.items[0].key: required: the key inside the ConfigMap",
			`volumes[0].config.items[1].key: "k k" is not a valid ConfigMap key`,
			`volumes[0].config.items[1].path: "/abs" must be a relative path`,
			`volumes[0].config.items[2].path: duplicate path "a": also used at volumes[0].config.items[0].path`,
			`volumes[0].config.items[3].path: "../up" must not contain or start with '..'`,
			"volumes[0].config.items[3].mode: 512 is not a file mode",
			`volumes[0].config.items[4].path: "..x" must not contain or start with '..'`,
		}},
		{"default mode", vols(`{"name": "s", "secret": {"name": "sec", "defaultMode": -1}}, {"name": "d", "downwardApi": {"items": [{"path": "n", "field": "metadata.name"}], "defaultMode": 1000}}`), []string{
			"volumes[0].secret.defaultMode: -1 is not a file mode",
			"volumes[1].downwardApi.defaultMode: 1000 is not a file mode",
		}},
		{"downward fields", vols(`{"name": "d", "downwardApi": {"items": [{"path": "a", "field": "spec.nodeName"}, {"path": "b", "field": "metadata.labels['bad key']"},
			{"path": "c", "field": "metadata.name['x']"}, {"path": "d"}, {"path": "e", "field": ""}]}}`), []string{
			`volumes[0].downwardApi.items[0].field: "spec.nodeName" is not a field the downward API gives here`,
			`volumes[0].downwardApi.items[1].field: "bad key" is not a valid label key`,
			`volumes[0].downwardApi.items[2].field: "metadata.name['x']": only metadata.labels and metadata.annotations take a key`,
			"volumes[0].downwardApi.items[3]: exactly one source is required: field or resource",
			"volumes[0].downwardApi.items[4].field: required: a field of the pod",
		}},
		{"downward resources", vols(`{"name": "d", "downwardApi": {"items": [{"path": "a", "resource": {"resource": "limits.cpu"}},
			{"path": "b", "resource": {"container": "nope", "resource": "limits.gpu"}}, {"path": "c", "resource": {"container": "a", "resource": "limits.cpu", "divisor": "1Mi"}},
			{"path": "d", "resource": {"container": "a", "resource": "limits.memory", "divisor": "2"}}, {"path": "e", "resource": {"container": "a", "resource": "limits.memory", "divisor": "lots"}},
			{"path": "f", "resource": {"container": "a", "resource": "limits.cpu", "divisor": "1000m"}}]}}`), []string{
			"volumes[0].downwardApi.items[0].resource.container: required",
			`volumes[0].downwardApi.items[1].resource.container: no container named "nope"`,
			`volumes[0].downwardApi.items[1].resource.resource: "limits.gpu" is not a resource the downward API gives`,
			`volumes[0].downwardApi.items[2].resource.divisor: "1Mi" is not a divisor of limits.cpu: want one of 1m, 1`,
			`volumes[0].downwardApi.items[3].resource.divisor: "2" is not a divisor of limits.memory`,
			`volumes[0].downwardApi.items[4].resource.divisor: "lots" is not a quantity`,
		}},
		{"empty downward", vols(`{"name": "d", "downwardApi": {}}`), []string{"volumes[0].downwardApi.items: at least one file is required"}},
		{"projected", vols(`{"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 599}}, {}, {"serviceAccountToken": {"expirationSeconds": 4294967297}},
			{"config": {"name": "cm", "items": [{"key": "a", "path": "token"}]}}, {"downwardApi": {"items": [{"path": "token", "field": "metadata.uid"}]}}]}}`), []string{
			"volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: 599: want 600 (10 minutes) to 4294967296 seconds",
			"volumes[0].projected.sources[1]: exactly one source is required",
			"volumes[0].projected.sources[2].serviceAccountToken.path: required",
			"volumes[0].projected.sources[2].serviceAccountToken.expirationSeconds: 4294967297: want 600",
			`volumes[0].projected.sources[3].config.items[0].path: duplicate path "token": also used at volumes[0].projected.sources[0].serviceAccountToken.path`,
			`volumes[0].projected.sources[4].downwardApi.items[0].path: duplicate path "token"`,
		}},
		{"empty projected", vols(`{"name": "p", "projected": {}}`), []string{"volumes[0].projected.sources: at least one source is required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Check(mustDecode(t, tc.intent), Options{}) {
				got = append(got, f.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCheckEnvDownward(t *testing.T) {
	env := func(vars string) string {
		return `{"name": "app", "containers": [{"name": "a", "image": "x", "env": [` + vars + `]}, {"name": "b", "image": "x"}]}`
	}
	for _, tc := range []struct {
		name   string
		intent string
		target int
		want   []string
	}{
		{"every field", env(`{"name": "N", "field": "metadata.name"}, {"name": "NS", "field": "metadata.namespace"}, {"name": "U", "field": "metadata.uid"},
			{"name": "NODE", "field": "spec.nodeName"}, {"name": "SA", "field": "spec.serviceAccountName"}, {"name": "HIP", "field": "status.hostIP"},
			{"name": "HIPS", "field": "status.hostIPs"}, {"name": "PIP", "field": "status.podIP"}, {"name": "PIPS", "field": "status.podIPs"},
			{"name": "TEAM", "field": "metadata.labels['team']"}, {"name": "NOTE", "field": "metadata.annotations['example.com/Note']"},
			{"name": "CPU", "resource": {"resource": "limits.cpu", "divisor": "1m"}}, {"name": "MEM", "resource": {"container": "b", "resource": "requests.memory"}}`), 0, nil},
		{"not for env", env(`{"name": "L", "field": "metadata.labels"}, {"name": "P", "field": "status.phase"}, {"name": "E", "field": ""}`), 0, []string{
			`containers[0].env[0].field: "metadata.labels" is not a field the downward API gives here`,
			`containers[0].env[1].field: "status.phase" is not a field the downward API gives here`,
			"containers[0].env[2].field: required",
		}},
		{"resources", env(`{"name": "A", "resource": {"container": "c", "resource": "limits.cpu"}}, {"name": "B", "resource": {}}, {"name": "C", "resource": {"resource": "requests.cpu", "divisor": "1Ki"}}`), 0, []string{
			`containers[0].env[0].resource.container: no container named "c"`,
			"containers[0].env[1].resource.resource: required",
			`containers[0].env[2].resource.divisor: "1Ki" is not a divisor of requests.cpu`,
		}},
		{"host IPs on 1.28", env(`{"name": "H", "field": "status.hostIPs"}`), 28, []string{
			"containers[0].env[0].field: status.hostIPs needs Kubernetes 1.29 or newer; the target is 1.28",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.target != 0 {
				opts.Target = target.Version{Minor: tc.target}
			}
			var got []string
			for _, f := range Check(mustDecode(t, tc.intent), opts) {
				got = append(got, f.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// The downward API volume and projected source may be spelled as in
// Kubernetes, downwardAPI, in JSON and YAML; both spellings at once are
// one field given twice.
func TestDecodeDownwardAPISpelling(t *testing.T) {
	for name, doc := range map[string]string{
		"json": vols(`{"name": "d", "downwardAPI": {"items": [{"path": "n", "field": "metadata.name"}]}},
			{"name": "p", "projected": {"sources": [{"downwardAPI": {"items": [{"path": "ns", "field": "metadata.namespace"}]}}]}}`),
		"yaml": `name: app
volumes:
- name: d
  downwardAPI:
    items: [{path: n, field: metadata.name}]
- name: p
  projected:
    sources:
    - downwardAPI: {items: [{path: ns, field: metadata.namespace}]}
containers: [{name: a, image: x}, {name: b, image: x}]
`,
	} {
		wi, err := Decode([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := wi.GetVolumes()[0].GetDownwardApi().GetItems()[0].GetPath(); got != "n" {
			t.Errorf("%s: volumes[0].downwardApi not read: %v", name, wi.GetVolumes()[0])
		}
		if got := wi.GetVolumes()[1].GetProjected().GetSources()[0].GetDownwardApi().GetItems()[0].GetPath(); got != "ns" {
			t.Errorf("%s: projected downwardApi not read: %v", name, wi.GetVolumes()[1])
		}
	}
	for name, doc := range map[string]string{
		"json": vols(`{"name": "d", "downwardAPI": {"items": []}, "downwardApi": {"items": []}}`),
		"yaml": "name: app\nvolumes:\n- name: d\n  downwardApi: {items: []}\n  downwardAPI: {items: []}\ncontainers: [{name: a, image: x}]\n",
	} {
		_, err := Decode([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), "volumes[0].downwardApi") {
			t.Errorf("%s: both spellings: got %v, want an error at volumes[0].downwardApi", name, err)
		}
	}
}
