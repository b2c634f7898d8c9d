package validate

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
)

func opts() Options {
	return Options{Target: target.Default, NodePorts: intent.DefaultNodePorts, Intent: testIntent()}
}

func TestObjectsValid(t *testing.T) {
	for _, v := range []target.Version{{Minor: 29}, {Minor: 33}, target.Default} {
		o := opts()
		o.Target = v
		objs := []runtime.Object{testPod(), testDeployment(), testClusterService(), testNodeService()}
		if fs := Objects(objs, o); len(fs) != 0 {
			t.Errorf("target %s: valid objects refused:\n%v", v, fs)
		}
	}
}

func TestObjectsZeroOptions(t *testing.T) {
	if fs := Objects([]runtime.Object{testPod(), testNodeService()}, Options{}); len(fs) != 0 {
		t.Errorf("zero options refused valid objects: %v", fs)
	}
}

func TestObjectsDoesNotMutate(t *testing.T) {
	objs := []runtime.Object{testPod(), testDeployment(), testClusterService(), testNodeService()}
	before := make([]runtime.Object, len(objs))
	for i, o := range objs {
		before[i] = o.DeepCopyObject()
	}
	Objects(objs, opts())
	Defaulted(objs)
	for i := range objs {
		if !reflect.DeepEqual(objs[i], before[i]) {
			t.Errorf("object %d changed by validation", i)
		}
	}
}

// broken is a hand-broken object and the finding it must cause.
type broken struct {
	name          string
	obj           runtime.Object
	manifestField string
	field         string
	message       string // a substring of the message
}

func brokenObjects() []broken {
	var cases []broken

	p := testPod()
	p.Spec.Containers[0].Ports[0].Name = "HTTP_port"
	cases = append(cases, broken{"bad port name", p,
		"Pod/hello: spec.containers[0].ports[0].name", "containers[0].ports[0].name", "Invalid value"})

	p = testPod()
	p.Spec.Containers = append(p.Spec.Containers, p.Spec.Containers[0])
	p.Spec.Containers[1].Ports = nil
	cases = append(cases, broken{"duplicate container names", p,
		"Pod/hello: spec.containers[1].name", "containers[0].name", "Duplicate value"})

	p = testPod()
	p.Spec.InitContainers[1].Name = "web"
	cases = append(cases, broken{"sidecar named like a container", p,
		"Pod/hello: spec.initContainers[1].name", "", "Duplicate value"})

	p = testPod()
	p.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("2")
	cases = append(cases, broken{"request above limit", p,
		"Pod/hello: spec.containers[0].resources.requests[cpu]", "containers[0].resources.cpu.request", "must be less than or equal to cpu limit"})

	p = testPod()
	p.Spec.Containers[0].Resources.Requests[corev1.ResourceEphemeralStorage] = resource.MustParse("2Gi")
	p.Spec.Containers[0].Resources.Limits[corev1.ResourceEphemeralStorage] = resource.MustParse("1Gi")
	cases = append(cases, broken{"storage request above limit", p,
		"Pod/hello: spec.containers[0].resources.requests[ephemeral-storage]", "containers[0].resources.ephemeralStorage.request", "limit"})

	p = testPod()
	p.Spec.InitContainers[0].LivenessProbe = p.Spec.Containers[0].LivenessProbe.DeepCopy()
	cases = append(cases, broken{"probe on init step", p,
		"Pod/hello: spec.initContainers[0].livenessProbe", "initSteps[0].probes.liveness", "Forbidden"})

	s := testNodeService()
	s.Spec.Ports[0].NodePort = 29999
	cases = append(cases, broken{"node port below range", s,
		"Service/hello-nodeport: spec.ports[0].nodePort", "containers[0].ports[0].nodePort", "The range of valid ports is 30000-32767"})

	d := testDeployment()
	d.Spec.Selector.MatchLabels["app.kubernetes.io/name"] = "other"
	cases = append(cases, broken{"selector does not match template", d,
		"Deployment/hello: spec.template.metadata.labels", "labels", "`selector` does not match template `labels`"})

	d = testDeployment()
	d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	cases = append(cases, broken{"OnFailure in a Deployment", d,
		"Deployment/hello: spec.template.spec.restartPolicy", "restartPolicy", "Unsupported value"})

	d = testDeployment()
	d.Spec.Template.Spec.Containers[0].Env[0].Name = "MO=DE"
	cases = append(cases, broken{"env name", d,
		"Deployment/hello: spec.template.spec.containers[0].env[0].name", "containers[0].env[0].name", "Invalid value"})

	p = testPod()
	p.Spec.Volumes[0].EmptyDir.SizeLimit = ptr(resource.MustParse("-1Gi"))
	cases = append(cases, broken{"negative size limit", p,
		"Pod/hello: spec.volumes[0].emptyDir.sizeLimit", "volumes[0].scratch.sizeLimit", "must be a valid resource quantity"})

	p = testPod()
	p.Spec.Containers[0].VolumeMounts[0].Name = "nope"
	cases = append(cases, broken{"mount of an undeclared volume", p,
		"Pod/hello: spec.containers[0].volumeMounts[0].name", "containers[0].mounts", "Not found"})

	p = testPod()
	p.Spec.InitContainers[1].Image = ""
	cases = append(cases, broken{"sidecar without image", p,
		"Pod/hello: spec.initContainers[1].image", "sidecars[0].image", "Required value"})

	s = testClusterService()
	s.Spec.Ports[1].Port = 80
	cases = append(cases, broken{"duplicate service port", s,
		"Service/hello: spec.ports[1]", "containers[0].ports[1]", "Duplicate value"})
	return cases
}

func ptr[T any](v T) *T { return &v }

func TestObjectsBroken(t *testing.T) {
	for _, c := range brokenObjects() {
		t.Run(c.name, func(t *testing.T) {
			fs := Objects([]runtime.Object{c.obj}, opts())
			var got *diag.Finding
			for i := range fs {
				if fs[i].ManifestField == c.manifestField {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("no finding at %q; got:\n%v", c.manifestField, fs)
			}
			if got.Field != c.field {
				t.Errorf("intent field = %q, want %q", got.Field, c.field)
			}
			if !strings.Contains(got.Message, c.message) {
				t.Errorf("message %q does not contain %q", got.Message, c.message)
			}
			if got.Severity != diag.Deny || got.Stage != diag.StageValidation {
				t.Errorf("severity %v stage %v, want deny validation", got.Severity, got.Stage)
			}
			if !strings.Contains(got.Message, "Kubernetes 1.37 apiserver validation") {
				t.Errorf("message %q does not name the version", got.Message)
			}
		})
	}
}

func TestPrivilegedAllowedAsClustersRunIt(t *testing.T) {
	p := testPod()
	priv := true
	p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &priv}
	if fs := Objects([]runtime.Object{p}, opts()); len(fs) != 0 {
		t.Errorf("privileged container refused; the apiserver runs with --allow-privileged=%v: %v", AllowPrivileged, fs)
	}
}

func TestObjectsEnvValuesNotShown(t *testing.T) {
	p := testPod()
	p.Spec.Containers[0].Env[0].Name = ""
	p.Spec.Containers[0].Env[0].Value = "s3cr3t-value"
	for _, f := range Objects([]runtime.Object{p}, opts()) {
		if strings.Contains(f.Message, "s3cr3t") {
			t.Errorf("finding shows an env value: %v", f)
		}
	}
}

func TestObjectsUnsupportedKind(t *testing.T) {
	fs := Objects([]runtime.Object{&corev1.ConfigMap{}}, opts())
	if len(fs) != 1 || fs[0].Severity != diag.Deny {
		t.Fatalf("unsupported kind: got %v, want one deny", fs)
	}
}

func TestObjectsNoIntent(t *testing.T) {
	p := testPod()
	p.Spec.Containers[0].Image = ""
	fs := Objects([]runtime.Object{p}, Options{})
	if len(fs) == 0 {
		t.Fatal("missing image accepted")
	}
	for _, f := range fs {
		if f.Field != "" {
			t.Errorf("field %q mapped without an intent", f.Field)
		}
	}
}

func TestDefaulted(t *testing.T) {
	p := testPod()
	p.TypeMeta = metaNone()
	d := testDeployment()
	d.Spec.Replicas = nil
	d.TypeMeta = metaNone()
	s := testClusterService()
	out := Defaulted([]runtime.Object{p, d, s})
	if len(out) != 3 {
		t.Fatalf("got %d objects", len(out))
	}
	dp := out[0].(*corev1.Pod)
	if dp.Kind != "Pod" || dp.APIVersion != "v1" {
		t.Errorf("pod TypeMeta = %+v", dp.TypeMeta)
	}
	if dp.Spec.DNSPolicy != corev1.DNSClusterFirst || dp.Spec.Containers[0].TerminationMessagePath != corev1.TerminationMessagePathDefault {
		t.Errorf("pod defaults missing: dnsPolicy %q terminationMessagePath %q", dp.Spec.DNSPolicy, dp.Spec.Containers[0].TerminationMessagePath)
	}
	if dp.Spec.Containers[0].LivenessProbe.PeriodSeconds != 10 {
		t.Errorf("probe periodSeconds = %d, want 10", dp.Spec.Containers[0].LivenessProbe.PeriodSeconds)
	}
	dd := out[1].(*appsv1.Deployment)
	if dd.Kind != "Deployment" || dd.APIVersion != "apps/v1" {
		t.Errorf("deployment TypeMeta = %+v", dd.TypeMeta)
	}
	if dd.Spec.Replicas == nil || *dd.Spec.Replicas != 1 || dd.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		t.Errorf("deployment defaults missing: %+v", dd.Spec)
	}
	ds := out[2].(*corev1.Service)
	if ds.Spec.SessionAffinity != corev1.ServiceAffinityNone {
		t.Errorf("service sessionAffinity = %q", ds.Spec.SessionAffinity)
	}
	if p.Spec.DNSPolicy != "" || d.Spec.Replicas != nil {
		t.Error("Defaulted changed its input")
	}
	// What the cluster would store is itself valid.
	if fs := Objects(out, opts()); len(fs) != 0 {
		t.Errorf("defaulted objects invalid: %v", fs)
	}
}

func TestDefaultedUnsupportedKindCopied(t *testing.T) {
	cm := &corev1.ConfigMap{Data: map[string]string{"a": "b"}}
	out := Defaulted([]runtime.Object{cm})
	if out[0] == runtime.Object(cm) || !reflect.DeepEqual(out[0], cm) {
		t.Error("unsupported kind not copied unchanged")
	}
}

func TestNote(t *testing.T) {
	n := Note(Options{Target: target.Version{Minor: 30}})
	for _, want := range []string{"Kubernetes 1.30 apiserver rules", "30000-32767", KubernetesVersion} {
		if !strings.Contains(n, want) {
			t.Errorf("note %q lacks %q", n, want)
		}
	}
}
