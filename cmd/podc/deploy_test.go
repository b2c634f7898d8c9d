package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Paths of podc's own deployment, from this package.
const (
	deployIntent    = "../../deploy/podc.json"
	deployManifests = "../../deploy/podc.yaml"
	deployPolicies  = "../../deploy/policies.yaml"
)

// TestDeployUpToDate: deploy/podc.yaml is what "podc compile -f
// deploy/podc.json --profile restricted" writes (scripts/deploy.sh), and
// the ConfigMap in deploy/policies.yaml holds policies/*.cue exactly.
func TestDeployUpToDate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := compileCmd([]string{"-f", deployIntent, "--profile", "restricted"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("podc compile exit %d:\n%s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "warning:") {
		t.Errorf("podc's own intent has warnings under restricted:\n%s", stderr.String())
	}
	want, err := os.ReadFile(deployManifests)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("deploy/podc.yaml is not what podc compiles from deploy/podc.json: run scripts/deploy.sh")
	}

	cm := policiesConfigMap(t)
	files, err := filepath.Glob("../../policies/*.cue")
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies: %v", err)
	}
	var keys []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.Base(f)
		keys = append(keys, key)
		if cm.Data[key] != string(data) {
			t.Errorf("deploy/policies.yaml: %s differs from policies/%s: run scripts/deploy.sh", key, key)
		}
	}
	for k := range cm.Data {
		if !slices.Contains(keys, k) {
			t.Errorf("deploy/policies.yaml: %s is not in policies/: run scripts/deploy.sh", k)
		}
	}
}

// policiesConfigMap reads deploy/policies.yaml.
func policiesConfigMap(t *testing.T) *corev1.ConfigMap {
	t.Helper()
	data, err := os.ReadFile(deployPolicies)
	if err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{}
	if err := yaml.UnmarshalStrict(data, cm); err != nil {
		t.Fatalf("deploy/policies.yaml: %v", err)
	}
	return cm
}

// deployObjects reads the Deployment and Services of deploy/podc.yaml.
func deployObjects(t *testing.T) (*appsv1.Deployment, []*corev1.Service) {
	t.Helper()
	data, err := os.ReadFile(deployManifests)
	if err != nil {
		t.Fatal(err)
	}
	var dep *appsv1.Deployment
	var svcs []*corev1.Service
	for _, doc := range strings.Split(string(data), "---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var tm struct{ Kind string }
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatal(err)
		}
		switch tm.Kind {
		case "Deployment":
			dep = &appsv1.Deployment{}
			if err := yaml.UnmarshalStrict([]byte(doc), dep); err != nil {
				t.Fatal(err)
			}
		case "Service":
			s := &corev1.Service{}
			if err := yaml.UnmarshalStrict([]byte(doc), s); err != nil {
				t.Fatal(err)
			}
			svcs = append(svcs, s)
		default:
			t.Fatalf("unexpected %s in deploy/podc.yaml", tm.Kind)
		}
	}
	if dep == nil {
		t.Fatal("no Deployment in deploy/podc.yaml")
	}
	return dep, svcs
}

// flagValue returns the value after flag in args, or "".
func flagValue(args []string, flag string) string {
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// TestDeployShape holds deploy/podc.yaml to what running podc needs: at
// least two replicas; probes on the plaintext health port; the policies
// and the TLS pair read from the mounted ConfigMap and Secret; a headless
// Service named podc, for client-side balancing, on the API port.
func TestDeployShape(t *testing.T) {
	dep, svcs := deployObjects(t)
	if r := dep.Spec.Replicas; r == nil || *r < 2 {
		t.Errorf("replicas %v, want at least 2", ptrString(r))
	}
	spec := dep.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers, want podc alone", len(spec.Containers))
	}
	c := spec.Containers[0]
	args := c.Args
	_, healthPort, _ := net.SplitHostPort(flagValue(args, "--health-addr"))
	_, apiPort, _ := net.SplitHostPort(flagValue(args, "--addr"))
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
		if p == nil || p.GRPC == nil {
			t.Errorf("%s probe: want a grpc probe", name)
			continue
		}
		if got := p.GRPC.Port; healthPort == "" || got != atoi(t, healthPort) {
			t.Errorf("%s probe on port %d, want the --health-addr port %q", name, got, healthPort)
		}
	}
	mounts := map[string]string{} // mount path -> volume name
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
		if !m.ReadOnly {
			t.Errorf("mount %s is writable", m.MountPath)
		}
	}
	volumeAt := func(path string) *corev1.Volume {
		for dir, name := range mounts {
			if path == dir || strings.HasPrefix(path, dir+"/") {
				for i := range spec.Volumes {
					if spec.Volumes[i].Name == name {
						return &spec.Volumes[i]
					}
				}
			}
		}
		return nil
	}
	if v := volumeAt(flagValue(args, "--policies")); v == nil || v.ConfigMap == nil || v.ConfigMap.Name != policiesConfigMap(t).Name {
		t.Errorf("--policies %q is not the mounted ConfigMap %s", flagValue(args, "--policies"), policiesConfigMap(t).Name)
	}
	for _, flag := range []string{"--tls-cert", "--tls-key"} {
		if v := volumeAt(flagValue(args, flag)); v == nil || v.Secret == nil {
			t.Errorf("%s %q is not in a mounted Secret", flag, flagValue(args, flag))
		}
	}
	var headless *corev1.Service
	for _, s := range svcs {
		for _, p := range s.Spec.Ports {
			if p.TargetPort.String() != "grpc" {
				t.Errorf("Service %s targets %s, want the API port", s.Name, p.TargetPort.String())
			}
		}
		if s.Name == "podc" && s.Spec.ClusterIP == corev1.ClusterIPNone {
			headless = s
		}
	}
	if headless == nil {
		t.Fatal("no headless Service named podc")
	}
	for _, p := range c.Ports {
		if p.Name == "grpc" && apiPort != "" && p.ContainerPort != atoi(t, apiPort) {
			t.Errorf("port grpc is %d, the server listens on %s", p.ContainerPort, apiPort)
		}
	}
}

func ptrString(p *int32) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(int(*p))
}

func atoi(t *testing.T, s string) int32 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		t.Fatalf("%q is not a port number", s)
	}
	return int32(n)
}

// TestDeployServes runs "podc serve" with the Deployment's own arguments,
// the ConfigMap's policies and a TLS pair where the Deployment mounts
// them (in a temporary root), on loopback ports: it serves health on the
// probe port without TLS, the policies load from the ConfigMap, and a TLS
// client compiles an intent. Only the listen addresses and the log format
// (text, which the test reads) differ from the Deployment's.
func TestDeployServes(t *testing.T) {
	dep, _ := deployObjects(t)
	c := dep.Spec.Template.Spec.Containers[0]
	root := t.TempDir()
	p := newPKI(t)
	for _, m := range c.VolumeMounts {
		dir := filepath.Join(root, m.MountPath)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	at := func(path string) string { return filepath.Join(root, path) }
	for key, content := range policiesConfigMap(t).Data {
		if err := os.WriteFile(filepath.Join(at(flagValue(c.Args, "--policies")), key), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for flag, src := range map[string]string{"--tls-cert": p.serverCert, "--tls-key": p.serverKey} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(at(flagValue(c.Args, flag)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if c.Args[0] != "serve" {
		t.Fatalf("args %q do not run podc serve", c.Args)
	}
	var args []string
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "--addr" || a == "--health-addr":
			args = append(args, a, "127.0.0.1:0")
			i++
		case a == "--log-format":
			// The test reads the text log for the addresses.
			args = append(args, a, "text")
			i++
		case strings.HasPrefix(a, "/"):
			args = append(args, at(a))
		default:
			args = append(args, a)
		}
	}
	srv := serveForTest(t, append(args, "--drain-delay", "0")...)
	if !strings.Contains(srv.log.String(), "policies="+at(flagValue(c.Args, "--policies"))) {
		t.Errorf("the policies were not loaded from the mounted ConfigMap:\n%s", srv.log.String())
	}
	m := healthAddr.FindStringSubmatch(srv.log.String())
	if m == nil {
		t.Fatalf("no health address in the log:\n%s", srv.log.String())
	}
	health := healthpb.NewHealthClient(dial(t, m[1]))
	for _, service := range []string{"", "podc.v1.PolicyService/bundle"} {
		if r, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service}); err != nil || r.Status != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health %q on the probe port: %v %v", service, r, err)
		}
	}
	res, err := podcv1.NewCompilerServiceClient(p.client(t, srv.addr, false)).Compile(context.Background(), &podcv1.CompileRequest{Intent: hello(t).Request.Intent})
	if err != nil || len(res.GetManifests()) == 0 {
		t.Fatalf("Compile over TLS: %v %v", res, err)
	}
	srv.drain()
	srv.wait(t, 0)
}
