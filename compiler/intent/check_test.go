package intent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func mustDecode(t *testing.T, js string) *podcv1.WorkloadIntent {
	t.Helper()
	wi, err := Decode([]byte(js))
	if err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	return wi
}

// app wraps container JSON into an intent named "app".
func app(containers string) string {
	return `{"name": "app", "containers": [` + containers + `]}`
}

func TestCheckExamplesPass(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wi, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if fs := Check(wi, Options{}); len(fs) > 0 {
			t.Errorf("%s: %v", f, fs)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		opts   Options
		// want lists "field: message fragment", one per expected finding, in
		// order; empty means the intent passes.
		want []string
	}{
		{"minimal", app(`{"name": "a", "image": "nginx"}`), Options{}, nil},
		{"nil fields", `{"name": "x", "containers": [{"name": "a", "image": "nginx", "probes": {}, "resources": {}, "securityContext": {}}]}`, Options{}, nil},
		{"no name no containers", `{}`, Options{}, []string{"name: required", "containers: at least one"}},
		{"name with upper case", `{"name": "App", "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{`name: "App" is not a valid name`}},
		{"name too long", `{"name": "` + strings.Repeat("a", 64) + `", "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{"must be no more than 63 bytes"}},
		{"digit name without service", `{"name": "1a", "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, nil},
		{"digit name with service", `{"name": "1a", "containers": [{"name": "a", "image": "nginx", "ports": [{"name": "p", "containerPort": 1, "expose": "EXPOSE_CLUSTER"}]}]}`, Options{}, []string{"name: \"1a\" must start with a letter"}},
		{"init step exposure does not make a service", `{"name": "1a", "initSteps": [{"name": "i", "image": "x", "ports": [{"name": "p", "containerPort": 1, "expose": "EXPOSE_CLUSTER"}]}], "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{"initSteps[0].ports[0].expose: an init step's port cannot be exposed"}},
		{"nodeport name length 54 ok", `{"name": "` + strings.Repeat("a", 54) + `", "containers": [{"name": "a", "image": "nginx", "ports": [{"name": "p", "containerPort": 1, "expose": "EXPOSE_NODE"}]}]}`, Options{}, nil},
		{"nodeport name length 55", `{"name": "` + strings.Repeat("a", 55) + `", "containers": [{"name": "a", "image": "nginx", "ports": [{"name": "p", "containerPort": 1, "expose": "EXPOSE_NODE"}]}]}`, Options{}, []string{"so the name is at most 54"}},
		{"cluster name length 63 ok", `{"name": "` + strings.Repeat("a", 63) + `", "containers": [{"name": "a", "image": "nginx", "ports": [{"name": "p", "containerPort": 1, "expose": "EXPOSE_CLUSTER"}]}]}`, Options{}, nil},
		{"namespace", `{"name": "a", "namespace": "a.b", "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{`namespace: "a.b" is not a valid namespace`}},
		{"label key and value", `{"name": "a", "labels": {"a/b/c": "v", "k": "-v"}, "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{`labels["a/b/c"]: "a/b/c" is not a valid label key`, `labels["k"]: "-v" is not a valid label value`}},
		{"reserved label", `{"name": "a", "labels": {"app.kubernetes.io/managed-by": "me"}, "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{`labels["app.kubernetes.io/managed-by"]: "app.kubernetes.io/managed-by" is set by podc`}},
		{"annotation key case-insensitive", `{"name": "a", "annotations": {"Example.COM/Key": "v"}, "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, nil},
		{"annotations too large", `{"name": "a", "annotations": {"k": "` + strings.Repeat("x", 256*1024) + `"}, "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{"annotations: too large"}},
		{"deployment restart never", `{"name": "a", "controller": "CONTROLLER_DEPLOYMENT", "restartPolicy": "RESTART_POLICY_NEVER", "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{"restartPolicy: RESTART_POLICY_NEVER is not allowed"}},
		{"deployment restart always", `{"name": "a", "controller": "CONTROLLER_DEPLOYMENT", "restartPolicy": "RESTART_POLICY_ALWAYS", "replicas": 0, "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, nil},
		{"pod restart on failure", `{"name": "a", "restartPolicy": "RESTART_POLICY_ON_FAILURE", "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, nil},
		{"pod replicas", `{"name": "a", "controller": "CONTROLLER_POD", "replicas": 3, "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{"replicas: only allowed with controller CONTROLLER_DEPLOYMENT"}},
		{"negative replicas", `{"name": "a", "controller": "CONTROLLER_DEPLOYMENT", "replicas": -2, "containers": [{"name": "a", "image": "nginx"}]}`, Options{}, []string{"replicas: -2 is negative"}},
		{"container names unique across kinds", `{"name": "a", "initSteps": [{"name": "x", "image": "nginx"}], "containers": [{"name": "x", "image": "nginx"}], "sidecars": [{"name": "x", "image": "nginx"}]}`, Options{}, []string{`containers[0].name: duplicate container name "x": also used at initSteps[0]`, `sidecars[0].name: duplicate container name "x": also used at initSteps[0]`}},
		{"port name unique across containers", app(`{"name": "a", "image": "x", "ports": [{"name": "http", "containerPort": 80}]}, {"name": "b", "image": "x", "ports": [{"name": "http", "containerPort": 81}]}`), Options{}, []string{`containers[1].ports[0].name: duplicate port name "http": also declared at containers[0].ports[0]`}},
		{"port number per protocol", app(`{"name": "a", "image": "x", "ports": [{"containerPort": 53, "protocol": "PROTOCOL_UDP"}, {"containerPort": 53}, {"containerPort": 53, "protocol": "PROTOCOL_TCP"}]}`), Options{}, []string{"containers[0].ports[2].containerPort: 53/TCP is already declared at containers[0].ports[1]"}},
		{"sidecar port clashes with app", `{"name": "a", "containers": [{"name": "a", "image": "x", "ports": [{"containerPort": 80}]}], "sidecars": [{"name": "s", "image": "x", "ports": [{"containerPort": 80}]}]}`, Options{}, []string{"sidecars[0].ports[0].containerPort: 80/TCP is already declared at containers[0].ports[0]"}},
		{"port ranges", app(`{"name": "a", "image": "x", "ports": [{"containerPort": 65535}, {"containerPort": 65536}, {"containerPort": -1}]}`), Options{}, []string{"containers[0].ports[1].containerPort: 65536 is out of range", "containers[0].ports[2].containerPort: -1 is out of range"}},
		{"nodePort in default range", app(`{"name": "a", "image": "x", "ports": [{"name": "p", "containerPort": 80, "expose": "EXPOSE_NODE", "nodePort": 32767}, {"name": "q", "containerPort": 81, "expose": "EXPOSE_NODE", "nodePort": 32768}]}`), Options{}, []string{"containers[0].ports[1].nodePort: 32768 is outside the platform's node port range 30000-32767"}},
		{"nodePort in custom range", app(`{"name": "a", "image": "x", "ports": [{"name": "p", "containerPort": 80, "expose": "EXPOSE_NODE", "nodePort": 30000}]}`), Options{NodePorts: PortRange{Min: 20000, Max: 20010}}, []string{"containers[0].ports[0].nodePort: 30000 is outside the platform's node port range 20000-20010"}},
		{"nodePort on cluster port", app(`{"name": "a", "image": "x", "ports": [{"name": "p", "containerPort": 80, "expose": "EXPOSE_CLUSTER", "nodePort": 30000}]}`), Options{}, []string{"containers[0].ports[0].nodePort: only allowed when expose is EXPOSE_NODE"}},
		{"same nodePort different protocol", app(`{"name": "a", "image": "x", "ports": [{"name": "p", "containerPort": 53, "expose": "EXPOSE_NODE", "nodePort": 30053}, {"name": "q", "containerPort": 53, "protocol": "PROTOCOL_UDP", "expose": "EXPOSE_NODE", "nodePort": 30053}]}`), Options{}, nil},
		{"service port clash in one service", app(`{"name": "a", "image": "x", "ports": [{"name": "p", "containerPort": 8080, "expose": "EXPOSE_CLUSTER", "servicePort": 80}, {"name": "q", "containerPort": 80, "expose": "EXPOSE_CLUSTER"}]}`), Options{}, []string{"containers[0].ports[1].containerPort: Service port 80/TCP is already used in Service app by containers[0].ports[0]"}},
		{"node port shares the cluster service", app(`{"name": "a", "image": "x", "ports": [{"name": "p", "containerPort": 8080, "expose": "EXPOSE_CLUSTER", "servicePort": 80}, {"name": "q", "containerPort": 8081, "expose": "EXPOSE_NODE", "servicePort": 80}]}`), Options{},
			[]string{"containers[0].ports[1].servicePort: Service port 80/TCP is already used in Service app by containers[0].ports[0] (an EXPOSE_NODE port is in it too"}},
		{"exposed port without a name", app(`{"name": "a", "image": "x", "ports": [{"containerPort": 80, "expose": "EXPOSE_CLUSTER"}, {"containerPort": 53, "protocol": "PROTOCOL_UDP", "expose": "EXPOSE_NODE"}]}`), Options{}, nil},
		{"generated port name clashes", app(`{"name": "a", "image": "x", "ports": [{"name": "tcp-80", "containerPort": 81}, {"containerPort": 80, "expose": "EXPOSE_CLUSTER"}]}`), Options{},
			[]string{`containers[0].ports[1].name: an exposed port without a name is named "tcp-80", which containers[0].ports[0] uses too`}},
		{"servicePort needs expose", app(`{"name": "a", "image": "x", "ports": [{"containerPort": 80, "servicePort": 8080}]}`), Options{}, []string{"containers[0].ports[0].servicePort: only used by an exposed port"}},
		{"quantities", app(`{"name": "a", "image": "x", "resources": {"cpu": {"request": "0.5", "limit": "500m"}, "memory": {"request": "1G", "limit": "1Gi"}}}`), Options{}, nil},
		{"request above limit", app(`{"name": "a", "image": "x", "resources": {"memory": {"request": "1Gi", "limit": "1G"}}}`), Options{}, []string{"containers[0].resources.memory.request: 1Gi is more than the limit 1G"}},
		{"malformed quantity path", `{"name": "a", "initSteps": [{"name": "i", "image": "x", "resources": {"cpu": {"limit": "1 core"}}}], "containers": [{"name": "a", "image": "x"}]}`, Options{}, []string{`initSteps[0].resources.cpu.limit: "1 core" is not a quantity`}},
		{"probe needs handler", app(`{"name": "a", "image": "x", "probes": {"readiness": {"periodSeconds": 5}}}`), Options{}, []string{"containers[0].probes.readiness: a handler is required"}},
		{"probe numeric string port", app(`{"name": "a", "image": "x", "probes": {"liveness": {"httpGet": {"port": "8080"}}}}`), Options{}, nil},
		{"probe named port must exist", app(`{"name": "a", "image": "x", "ports": [{"name": "web", "containerPort": 80}]}, {"name": "b", "image": "x", "probes": {"liveness": {"tcpSocket": {"port": "web"}}}}`), Options{}, []string{`containers[1].probes.liveness.tcpSocket.port: no port named "web" on this container`}},
		{"probe big number", app(`{"name": "a", "image": "x", "probes": {"liveness": {"tcpSocket": {"port": "99999999999"}}}}`), Options{}, []string{"containers[0].probes.liveness.tcpSocket.port: 99999999999 is out of range"}},
		{"init step probe", `{"name": "a", "initSteps": [{"name": "i", "image": "x", "probes": {"startup": {"exec": {"command": ["true"]}}}}], "containers": [{"name": "a", "image": "x"}]}`, Options{}, []string{"initSteps[0].probes.startup: init steps may not have probes"}},
		{"sidecar probe ok", `{"name": "a", "containers": [{"name": "a", "image": "x"}], "sidecars": [{"name": "s", "image": "x", "probes": {"startup": {"exec": {"command": ["true"]}}}}]}`, Options{}, nil},
		{"grpc probe on 1.27", app(`{"name": "a", "image": "x", "probes": {"liveness": {"grpc": {"port": 9000}}}}`), Options{Target: target.Version{Minor: 27}}, nil},
		{"grpc probe on 1.26", app(`{"name": "a", "image": "x", "probes": {"liveness": {"grpc": {"port": 9000}}}}`), Options{Target: target.Version{Minor: 26}}, []string{"containers[0].probes.liveness.grpc: gRPC probes need Kubernetes 1.27 or newer; the target is 1.26"}},
		{"success threshold", app(`{"name": "a", "image": "x", "probes": {"readiness": {"exec": {"command": ["x"]}, "successThreshold": 2}, "startup": {"exec": {"command": ["x"]}, "successThreshold": 2}}}`), Options{}, []string{"containers[0].probes.startup.successThreshold: must be 1 for a startup probe"}},
		{"negative timing", app(`{"name": "a", "image": "x", "probes": {"readiness": {"exec": {"command": ["x"]}, "timeoutSeconds": -1}}}`), Options{}, []string{"containers[0].probes.readiness.timeoutSeconds: -1 is negative"}},
		{"mount undeclared volume", app(`{"name": "a", "image": "x", "mounts": [{"volume": "v", "path": "/v"}]}`), Options{}, []string{`containers[0].mounts[0].volume: no volume named "v"`}},
		{"same path in two containers", `{"name": "a", "volumes": [{"name": "v", "scratch": {}}], "containers": [{"name": "a", "image": "x", "mounts": [{"volume": "v", "path": "/v"}]}, {"name": "b", "image": "x", "mounts": [{"volume": "v", "path": "/v"}]}]}`, Options{}, nil},
		{"subPath escape", `{"name": "a", "volumes": [{"name": "v", "scratch": {}}], "containers": [{"name": "a", "image": "x", "mounts": [{"volume": "v", "path": "/v", "subPath": ".."}]}]}`, Options{}, []string{`containers[0].mounts[0].subPath: ".." must not contain '..'`}},
		{"subPath dots in names ok", `{"name": "a", "volumes": [{"name": "v", "scratch": {}}], "containers": [{"name": "a", "image": "x", "mounts": [{"volume": "v", "path": "/v", "subPath": "a..b/..c"}]}]}`, Options{}, nil},
		{"volume source", `{"name": "a", "volumes": [{"name": "v"}], "containers": [{"name": "a", "image": "x"}]}`, Options{}, []string{"volumes[0]: exactly one source is required"}},
		{"env names", app(`{"name": "a", "image": "x", "env": [{"name": "A B"}, {"name": "_ok.x-y"}]}`), Options{}, []string{`containers[0].env[0].name: "A B" is not a valid environment variable name`}},
		{"key ref", app(`{"name": "a", "image": "x", "env": [{"name": "A", "secretKey": {"name": "s", "key": ""}}]}`), Options{}, []string{"containers[0].env[0].secretKey.key: required"}},
		{"capabilities", app(`{"name": "a", "image": "x", "securityContext": {"capabilitiesAdd": ["NET_ADMIN", "CAP_SYS_ADMIN"], "capabilitiesDrop": ["ALL"]}}`), Options{}, nil},
		{"sys admin without escalation", app(`{"name": "a", "image": "x", "securityContext": {"allowPrivilegeEscalation": false, "capabilitiesAdd": ["CAP_SYS_ADMIN"]}}`), Options{}, []string{"containers[0].securityContext.capabilitiesAdd[0]: CAP_SYS_ADMIN cannot be added"}},
		{"share pid with host pid", `{"name": "a", "shareProcessNamespace": true, "hostPid": true, "containers": [{"name": "a", "image": "x"}]}`, Options{}, []string{"shareProcessNamespace: cannot be combined with hostPid"}},
		{"service account", `{"name": "a", "serviceAccountName": "ci.bot", "containers": [{"name": "a", "image": "x"}]}`, Options{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := Check(mustDecode(t, tc.intent), tc.opts)
			var got []string
			for _, f := range fs {
				got = append(got, f.String())
				if f.Severity != diag.Deny || f.Stage != diag.StageIntent {
					t.Errorf("%v: want a deny of the intent stage", f)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) && !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestCheckEveryFindingHasAField: on a badly broken intent, every finding
// names the field it is about (or is about the whole intent's containers),
// and no message is empty.
func TestCheckEveryFindingHasAField(t *testing.T) {
	wi := mustDecode(t, `{"name": "-", "replicas": 1, "initSteps": [{"probes": {"liveness": {}}}], "containers": [{"ports": [{"containerPort": 0, "expose": "EXPOSE_NODE", "nodePort": 1}], "env": [{}], "envFrom": [{}], "mounts": [{}], "resources": {"cpu": {"request": "x"}}}], "volumes": [{}]}`)
	fs := Check(wi, Options{})
	if len(fs) < 10 {
		t.Fatalf("only %d findings: %v", len(fs), fs)
	}
	for _, f := range fs {
		if f.Field == "" || f.Message == "" {
			t.Errorf("finding without field or message: %+v", f)
		}
		if f.Message != strings.ToLower(f.Message[:1])+f.Message[1:] {
			t.Errorf("%v: messages start in lower case", f)
		}
	}
}

// TestCheckProgrammaticIntent: intents built in Go (as gRPC delivers them)
// may hold nil messages inside oneofs and lists; Check reports, never panics.
func TestCheckProgrammaticIntent(t *testing.T) {
	wi := &podcv1.WorkloadIntent{
		Name: "x",
		Containers: []*podcv1.Container{
			nil,
			{Name: "a", Image: "x", Probes: &podcv1.Probes{
				Liveness:  &podcv1.Probe{Handler: &podcv1.Probe_Exec{}},
				Readiness: &podcv1.Probe{Handler: &podcv1.Probe_HttpGet{}},
				Startup:   &podcv1.Probe{Handler: &podcv1.Probe_Grpc{}},
			}, Env: []*podcv1.EnvVar{nil, {Name: "A", Source: &podcv1.EnvVar_SecretKey{}}}, EnvFrom: []*podcv1.EnvFrom{nil}, Ports: []*podcv1.Port{nil}, Mounts: []*podcv1.Mount{nil}},
		},
		Volumes: []*podcv1.Volume{nil, {Name: "v", Source: &podcv1.Volume_Scratch{}}},
	}
	fs := Check(wi, Options{})
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	if fs := Check(nil, Options{}); len(fs) != 2 {
		t.Errorf("Check(nil) = %v, want name and containers required", fs)
	}
}

func TestPortRange(t *testing.T) {
	r := PortRange{Min: 30000, Max: 32767}
	for p, want := range map[int32]bool{29999: false, 30000: true, 32767: true, 32768: false} {
		if r.Contains(p) != want {
			t.Errorf("Contains(%d) = %v", p, !want)
		}
	}
	if got := fmt.Sprint(r); got != "30000-32767" {
		t.Errorf("String() = %q", got)
	}
}

func TestProbePortNumber(t *testing.T) {
	for _, tc := range []struct {
		in    string
		n     int32
		isNum bool
	}{{"8080", 8080, true}, {"0", 0, true}, {"http", 0, false}, {"", 0, false}, {"80a", 0, false}, {"-1", 0, false}, {"99999999999", -1, true}} {
		n, ok := ProbePortNumber(tc.in)
		if n != tc.n || ok != tc.isNum {
			t.Errorf("ProbePortNumber(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.n, tc.isNum)
		}
	}
}

// BenchmarkCheck checks examples/checkout.json.
func BenchmarkCheck(b *testing.B) {
	data, err := os.ReadFile("../../examples/checkout.json")
	if err != nil {
		b.Fatal(err)
	}
	wi, err := Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if fs := Check(wi, Options{}); len(fs) != 0 {
			b.Fatal(fs)
		}
	}
}
