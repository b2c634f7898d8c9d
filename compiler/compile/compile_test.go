package compile_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func decodeFile(t testing.TB, path string) *podcv1.WorkloadIntent {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wi, err := intent.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return wi
}

// renderAll compiles wi and returns its YAML stream and its report.
func renderAll(t testing.TB, wi *podcv1.WorkloadIntent, tv target.Version) (string, string) {
	t.Helper()
	y, report, err := renderOnce(wi, tv)
	if err != nil {
		t.Fatal(err)
	}
	return y, report
}

// renderOnce is renderAll for goroutines, which may not call t.Fatal.
func renderOnce(wi *podcv1.WorkloadIntent, tv target.Version) (string, string, error) {
	out, err := compile.Workload(wi, compile.Options{Target: tv})
	if err != nil {
		return "", "", err
	}
	ms, err := render.Objects(out.Objects(), render.YAML)
	if err != nil {
		return "", "", err
	}
	return string(render.Stream(ms, render.YAML)), fmt.Sprint(out.Defaults, out.Notes, out.Sources.Sources()), nil
}

// TestDeterministic compiles the same intent many times, with its label and
// annotation maps built in a different insertion order each time, and
// requires byte-identical manifests and an identical report, the source
// of every field included.
func TestDeterministic(t *testing.T) {
	base := decodeFile(t, "../../examples/checkout.json")
	keys := make([]string, 40)
	for i := range keys {
		keys[i] = fmt.Sprintf("example.com/k%02d", i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var first, firstReport string
	for i := 0; i < 50; i++ {
		wi := proto.Clone(base).(*podcv1.WorkloadIntent)
		wi.Labels, wi.Annotations = map[string]string{}, map[string]string{}
		for _, j := range rng.Perm(len(keys)) {
			wi.Labels[keys[j]] = fmt.Sprintf("v%d", j)
			wi.Annotations[keys[j]] = fmt.Sprintf("note %d", j)
		}
		got, report := renderAll(t, wi, target.Default)
		if i == 0 {
			first, firstReport = got, report
			continue
		}
		if got != first {
			t.Fatalf("run %d differs from run 0:\n%s", i, got)
		}
		if report != firstReport {
			t.Fatalf("run %d report differs:\n%s\nvs\n%s", i, report, firstReport)
		}
	}
	if !strings.Contains(first, "example.com/k00: v0") {
		t.Error("labels missing from the output")
	}
}

func TestWorkloadDoesNotChangeIntent(t *testing.T) {
	wi := decodeFile(t, "../../examples/checkout.json")
	before := proto.Clone(wi)
	out, err := compile.Workload(wi, compile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(before, wi) {
		t.Error("Workload changed its intent")
	}
	// Objects share no maps or slices with each other or the intent.
	out.Deployment.Labels["x"] = "y"
	out.Deployment.Spec.Template.Spec.Containers[0].Args[0] = "changed"
	if _, ok := out.Services[0].Labels["x"]; ok {
		t.Error("a Service shares its labels map with the Deployment")
	}
	if _, ok := out.Deployment.Spec.Template.Labels["x"]; ok {
		t.Error("the pod template shares its labels map with the Deployment")
	}
	if _, ok := out.Deployment.Spec.Selector.MatchLabels["x"]; ok {
		t.Error("the selector shares its map with the labels")
	}
	if wi.GetContainers()[0].GetArgs()[0] == "changed" {
		t.Error("the container args share memory with the intent")
	}
}

func TestDefaultPullPolicy(t *testing.T) {
	sha := "@sha256:" + strings.Repeat("a", 64)
	for image, want := range map[string]corev1.PullPolicy{
		"nginx":                     corev1.PullAlways,
		"nginx:latest":              corev1.PullAlways,
		"localhost:5000/app":        corev1.PullAlways,
		"localhost:5000/app:1.0":    corev1.PullIfNotPresent,
		"localhost:5000/app:latest": corev1.PullAlways,
		"nginx:1.27":                corev1.PullIfNotPresent,
		"repo" + sha:                corev1.PullIfNotPresent,
		"repo:tag" + sha:            corev1.PullIfNotPresent,
		"repo:latest" + sha:         corev1.PullIfNotPresent,
		"nginx:Latest":              corev1.PullIfNotPresent, // tags are case-sensitive
	} {
		im, err := intent.ParseImage(image)
		if err != nil {
			t.Fatalf("%s: %v", image, err)
		}
		if got, reason := compile.DefaultPullPolicy(im); got != want || reason == "" {
			t.Errorf("DefaultPullPolicy(%s) = %s (%q), want %s", image, got, reason, want)
		}
	}
}

// TestSidecarPlacement checks the version boundary of native sidecars and
// that a sidecar never appears twice.
func TestSidecarPlacement(t *testing.T) {
	wi := decodeFile(t, "../../examples/checkout.json")
	for minor := target.Oldest; minor <= target.Newest; minor++ {
		tv := target.Version{Minor: minor}
		out, err := compile.Workload(wi, compile.Options{Target: tv})
		if err != nil {
			t.Fatal(err)
		}
		spec := out.Deployment.Spec.Template.Spec
		var names []string
		for _, c := range spec.InitContainers {
			names = append(names, "init:"+c.Name)
		}
		for _, c := range spec.Containers {
			names = append(names, "app:"+c.Name)
		}
		got := strings.Join(names, " ")
		want := "init:log-shipper init:migrate init:warm-cache app:app"
		if minor < 29 {
			want = "init:migrate init:warm-cache app:app app:log-shipper"
		}
		if got != want {
			t.Errorf("1.%d: containers %q, want %q", minor, got, want)
		}
		if minor >= 29 {
			if rp := spec.InitContainers[0].RestartPolicy; rp == nil || *rp != corev1.ContainerRestartPolicyAlways {
				t.Errorf("1.%d: the native sidecar needs restartPolicy Always", minor)
			}
			if spec.InitContainers[1].RestartPolicy != nil {
				t.Errorf("1.%d: an init step must not get a restart policy", minor)
			}
		}
		if len(out.Notes) != 1 || !strings.Contains(out.Notes[0], tv.String()) {
			t.Errorf("1.%d: notes %q must say how sidecars were emitted for the target", minor, out.Notes)
		}
	}
}

// TestWorkloadFaults: an intent that skipped intent.Check is a compiler
// fault, reported as an error, never a panic.
func TestWorkloadFaults(t *testing.T) {
	if _, err := compile.Workload(nil, compile.Options{}); err == nil {
		t.Error("nil intent: want an error")
	}
	for name, wi := range map[string]*podcv1.WorkloadIntent{
		"bad image":     {Name: "x", Containers: []*podcv1.Container{{Name: "a", Image: "A:"}}},
		"bad quantity":  {Name: "x", Containers: []*podcv1.Container{{Name: "a", Image: "a:1", Resources: &podcv1.Resources{Cpu: &podcv1.Resource{Limit: "lots"}}}}},
		"bad sizeLimit": {Name: "x", Containers: []*podcv1.Container{{Name: "a", Image: "a:1"}}, Volumes: []*podcv1.Volume{{Name: "v", Source: &podcv1.Volume_Scratch{Scratch: &podcv1.ScratchVolume{SizeLimit: "x"}}}}},
		"no source":     {Name: "x", Containers: []*podcv1.Container{{Name: "a", Image: "a:1"}}, Volumes: []*podcv1.Volume{{Name: "v"}}},
	} {
		if _, err := compile.Workload(wi, compile.Options{}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	// Nil entries and empty oneofs, as gRPC may deliver them, do not panic.
	wi := &podcv1.WorkloadIntent{Name: "x", Containers: []*podcv1.Container{{Name: "a", Image: "a:1",
		Probes: &podcv1.Probes{Liveness: &podcv1.Probe{Handler: &podcv1.Probe_Exec{}}, Readiness: &podcv1.Probe{Handler: &podcv1.Probe_HttpGet{}}, Startup: &podcv1.Probe{}},
		Env:    []*podcv1.EnvVar{nil, {Name: "A", Source: &podcv1.EnvVar_SecretKey{}}}, EnvFrom: []*podcv1.EnvFrom{nil},
		Ports: []*podcv1.Port{nil}, Mounts: []*podcv1.Mount{nil}}}}
	if _, err := compile.Workload(wi, compile.Options{}); err != nil {
		t.Errorf("odd but compilable intent: %v", err)
	}
}

// TestInvariants holds every golden case that compiles to the rules a
// platform engineer checks first: selectors select exactly the workload's
// pods, each Service port targets a pod port of the same protocol by name,
// NodePort and LoadBalancer Services hold EXPOSE_NODE ports only, the
// Service named after the workload holds each of those too, and every
// default is reported with a field and a value.
func TestInvariants(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	checked := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var data, tgt []byte
		compiles := false
		for _, f := range ar.Files {
			switch f.Name {
			case "intent.json", "intent.yaml":
				data = f.Data
			case "target":
				tgt = bytes.TrimSpace(f.Data)
			case "manifests.yaml":
				compiles = true
			}
		}
		if !compiles {
			continue
		}
		checked++
		name := filepath.Base(file)
		wi, err := intent.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		tv, _ := target.Parse(string(tgt))
		out, err := compile.Workload(wi, compile.Options{Target: tv})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, name, wi, out)
	}
	if checked < 20 {
		t.Errorf("only %d compiling golden cases", checked)
	}
}

func checkInvariants(t *testing.T, name string, wi *podcv1.WorkloadIntent, out *compile.Output) {
	t.Helper()
	if (out.Pod == nil) == (out.Deployment == nil) {
		t.Fatalf("%s: want exactly one of Pod and Deployment", name)
	}
	var podLabels map[string]string
	var spec corev1.PodSpec
	if out.Pod != nil {
		podLabels, spec = out.Pod.Labels, out.Pod.Spec
		if out.Pod.Kind != "Pod" || out.Pod.APIVersion != "v1" {
			t.Errorf("%s: Pod TypeMeta %v", name, out.Pod.TypeMeta)
		}
	} else {
		d := out.Deployment
		podLabels, spec = d.Spec.Template.Labels, d.Spec.Template.Spec
		if d.Kind != "Deployment" || d.APIVersion != "apps/v1" {
			t.Errorf("%s: Deployment TypeMeta %v", name, d.TypeMeta)
		}
		if !labels.SelectorFromSet(d.Spec.Selector.MatchLabels).Matches(labels.Set(podLabels)) {
			t.Errorf("%s: the Deployment's selector does not match its template", name)
		}
		if spec.RestartPolicy != corev1.RestartPolicyAlways {
			t.Errorf("%s: a Deployment's pods must restart Always", name)
		}
	}
	// Objects carry podc's labels and the intent's; pods also the pod
	// labels and the selector; everything selects with the kept selector,
	// else podc's labels.
	want := map[string]string{intent.LabelName: wi.GetName(), intent.LabelManagedBy: intent.ManagedBy}
	for k, v := range wi.GetLabels() {
		want[k] = v
	}
	wantSelector := map[string]string{intent.LabelName: want[intent.LabelName], intent.LabelManagedBy: intent.ManagedBy}
	if len(wi.GetSelector()) > 0 {
		wantSelector = wi.GetSelector()
	}
	wantPod := map[string]string{}
	for _, m := range []map[string]string{want, wi.GetPodLabels(), wi.GetSelector()} {
		for k, v := range m {
			wantPod[k] = v
		}
	}
	if !reflect.DeepEqual(podLabels, wantPod) {
		t.Errorf("%s: pod labels %v, want %v", name, podLabels, wantPod)
	}
	ports := map[string]corev1.ContainerPort{}
	for _, c := range append(append([]corev1.Container{}, spec.Containers...), spec.InitContainers...) {
		if c.ImagePullPolicy == "" {
			t.Errorf("%s: container %s has no pull policy", name, c.Name)
		}
		for _, p := range c.Ports {
			if c.RestartPolicy != nil || containsContainer(spec.Containers, c.Name) {
				ports[p.Name] = p
			}
		}
	}
	for _, s := range out.Services {
		if s.Kind != "Service" || s.APIVersion != "v1" {
			t.Errorf("%s: Service TypeMeta %v", name, s.TypeMeta)
		}
		if !reflect.DeepEqual(s.Spec.Selector, wantSelector) {
			t.Errorf("%s: Service %s selector %v", name, s.Name, s.Spec.Selector)
		}
		if !reflect.DeepEqual(s.Labels, want) {
			t.Errorf("%s: Service %s labels %v", name, s.Name, s.Labels)
		}
		for _, sp := range s.Spec.Ports {
			cp, ok := ports[sp.Name]
			if sp.TargetPort.Type == intstr.Int {
				ok = ok && cp.ContainerPort == sp.TargetPort.IntVal
			} else {
				ok = ok && sp.TargetPort.StrVal == sp.Name
			}
			if !ok || cp.Protocol != sp.Protocol || sp.Name != cp.Name {
				t.Errorf("%s: Service %s port %s targets no running container port of protocol %s", name, s.Name, sp.Name, sp.Protocol)
			}
			if s.Spec.Type == corev1.ServiceTypeClusterIP && sp.NodePort != 0 {
				t.Errorf("%s: ClusterIP Service port %s has a nodePort", name, sp.Name)
			}
		}
		isNode := s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer
		if len(wi.GetServices()) == 0 && isNode != strings.HasSuffix(s.Name, intent.NodePortSuffix) {
			t.Errorf("%s: Service %s has type %s", name, s.Name, s.Spec.Type)
		}
		// Every port of the Service must have been exposed that far, and
		// the in-cluster name reaches every port exposed beyond the
		// cluster.
		for _, sp := range s.Spec.Ports {
			exp := exposeOf(wi, sp.Name)
			if isNode && exp != podcv1.Expose_EXPOSE_NODE || exp != podcv1.Expose_EXPOSE_CLUSTER && exp != podcv1.Expose_EXPOSE_NODE {
				t.Errorf("%s: port %s (%s) is in Service %s of type %s", name, sp.Name, exp, s.Name, s.Spec.Type)
			}
			if isNode && !serviceHasPort(out.Services, wi.GetName(), sp.Name) {
				t.Errorf("%s: port %s is in Service %s of type %s but not in Service %s", name, sp.Name, s.Name, s.Spec.Type, wi.GetName())
			}
		}
	}
	// Named Services come out as the intent names and shapes them.
	if ns := wi.GetServices(); len(ns) > 0 {
		if len(ns) != len(out.Services) {
			t.Errorf("%s: %d Services, the intent names %d", name, len(out.Services), len(ns))
		}
		for _, is := range ns {
			i := slices.IndexFunc(out.Services, func(s *corev1.Service) bool { return s.Name == is.GetName() })
			if i < 0 {
				t.Errorf("%s: no Service %s", name, is.GetName())
				continue
			}
			s := out.Services[i]
			headless := s.Spec.ClusterIP == corev1.ClusterIPNone
			if intent.ServiceTypeName(is.GetType()) != string(s.Spec.Type) && !(headless && s.Spec.Type == corev1.ServiceTypeClusterIP && is.GetType() == podcv1.ServiceType_SERVICE_TYPE_HEADLESS) {
				t.Errorf("%s: Service %s has type %s (headless %t), the intent says %s", name, s.Name, s.Spec.Type, headless, is.GetType())
			}
			if len(s.Spec.Ports) != len(is.GetPorts()) {
				t.Errorf("%s: Service %s has %d ports, the intent names %d", name, s.Name, len(s.Spec.Ports), len(is.GetPorts()))
			}
		}
	}
	for _, d := range out.Defaults {
		if d.Field == "" || d.Value == "" || d.Source != diag.SourceCompiler || d.Reason == "" {
			t.Errorf("%s: incomplete default %+v", name, d)
		}
	}
}

// serviceHasPort reports whether the Service called svc has a port named
// port.
func serviceHasPort(ss []*corev1.Service, svc, port string) bool {
	for _, s := range ss {
		if s.Name != svc {
			continue
		}
		for _, p := range s.Spec.Ports {
			if p.Name == port {
				return true
			}
		}
	}
	return false
}

func containsContainer(cs []corev1.Container, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}

func exposeOf(wi *podcv1.WorkloadIntent, port string) podcv1.Expose {
	for _, list := range [][]*podcv1.Container{wi.GetContainers(), wi.GetSidecars()} {
		for _, c := range list {
			for _, p := range c.GetPorts() {
				if intent.PortName(p) == port {
					return p.GetExpose()
				}
			}
		}
	}
	return podcv1.Expose_EXPOSE_UNSPECIFIED
}

// BenchmarkWorkload compiles examples/checkout.json: a Deployment with two
// init steps, a sidecar, probes and two Services, its provenance record
// included (released after each compile, as the engine does).
func BenchmarkWorkload(b *testing.B) {
	wi := decodeFile(b, "../../examples/checkout.json")
	opts := compile.Options{Target: target.Default}
	b.ReportAllocs()
	for b.Loop() {
		out, err := compile.Workload(wi, opts)
		if err != nil {
			b.Fatal(err)
		}
		out.Sources.Release()
	}
}

// TestConcurrent compiles and checks one shared intent from many goroutines;
// run with -race. Every result must equal the sequential one.
func TestConcurrent(t *testing.T) {
	wi := decodeFile(t, "../../examples/checkout.json")
	want, wantReport := renderAll(t, wi, target.Default)
	errs := make(chan string, 8)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 20; i++ {
				if fs := intent.Check(wi, intent.Options{}); len(fs) > 0 {
					errs <- fmt.Sprint(fs)
					return
				}
				got, report, err := renderOnce(wi, target.Default)
				if err != nil {
					errs <- err.Error()
					return
				}
				if got != want || report != wantReport {
					errs <- "concurrent compile differs"
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
