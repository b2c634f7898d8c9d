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
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func opts() Options {
	return Options{Target: target.Default, NodePorts: intent.DefaultNodePorts}
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

// broken is a compile of a broken intent, or a compiled object broken by
// hand where the compiler cannot produce the fault, and the finding it must
// cause.
type broken struct {
	name          string
	objs          []runtime.Object
	src           *provenance.Record
	manifestField string
	field         string
	message       string // a substring of the message
}

func brokenObjects(t *testing.T) []broken {
	var cases []broken
	add := func(name string, wi *podcv1.WorkloadIntent, change func([]runtime.Object), manifestField, field, message string) {
		objs, src := compiled(t, wi)
		if change != nil {
			change(objs)
		}
		cases = append(cases, broken{name, objs, src, manifestField, field, message})
	}
	pod := func(objs []runtime.Object) *corev1.Pod { return objs[0].(*corev1.Pod) }
	deployment := func() *podcv1.WorkloadIntent {
		wi := testIntent()
		wi.Controller = podcv1.Controller_CONTROLLER_DEPLOYMENT
		return wi
	}

	wi := testIntent()
	wi.Containers[0].Ports[0].Name = "HTTP_port"
	add("bad port name", wi, nil, "Pod/hello: spec.containers[0].ports[0].name", "containers[0].ports[0].name", "Invalid value")

	wi = testIntent()
	wi.Containers = append(wi.Containers, &podcv1.Container{Name: "web", Image: "nginx:1.27.3"})
	add("duplicate container names", wi, nil, "Pod/hello: spec.containers[1].name", "containers[1].name", "Duplicate value")

	wi = testIntent()
	wi.Sidecars[0].Name = "web"
	add("sidecar named like a container", wi, nil, "Pod/hello: spec.initContainers[0].name", "sidecars[0].name", "Duplicate value")

	wi = testIntent()
	wi.Containers[0].Resources.Cpu.Request = "2"
	add("request above limit", wi, nil,
		"Pod/hello: spec.containers[0].resources.requests[cpu]", "containers[0].resources.cpu.request", "must be less than or equal to cpu limit")

	wi = testIntent()
	wi.Containers[0].Resources.EphemeralStorage = &podcv1.Resource{Request: "2Gi", Limit: "1Gi"}
	add("storage request above limit", wi, nil,
		"Pod/hello: spec.containers[0].resources.requests[ephemeral-storage]", "containers[0].resources.ephemeralStorage.request", "limit")

	wi = testIntent()
	wi.InitSteps[0].Probes = &podcv1.Probes{Liveness: &podcv1.Probe{Handler: &podcv1.Probe_Exec{Exec: &podcv1.ExecAction{Command: []string{"true"}}}}}
	add("probe on init step", wi, nil, "Pod/hello: spec.initContainers[1].livenessProbe", "initSteps[0].probes.liveness", "Forbidden")

	wi = testIntent()
	wi.Containers[0].Ports[0].NodePort = 29999
	add("node port below range", wi, nil,
		"Service/hello-nodeport: spec.ports[0].nodePort", "containers[0].ports[0].nodePort", "The range of valid ports is 30000-32767")

	add("selector does not match template", deployment(), func(objs []runtime.Object) {
		objs[0].(*appsv1.Deployment).Spec.Selector.MatchLabels["app.kubernetes.io/name"] = "other"
	}, "Deployment/hello: spec.template.metadata.labels", "labels", "`selector` does not match template `labels`")

	wi = deployment()
	wi.RestartPolicy = podcv1.RestartPolicy_RESTART_POLICY_ON_FAILURE
	add("OnFailure in a Deployment", wi, nil, "Deployment/hello: spec.template.spec.restartPolicy", "restartPolicy", "Unsupported value")

	wi = deployment()
	wi.Containers[0].Env[0].Name = "MO=DE"
	add("env name", wi, nil, "Deployment/hello: spec.template.spec.containers[0].env[0].name", "containers[0].env[0].name", "Invalid value")

	wi = testIntent()
	wi.GetVolumes()[0].GetScratch().SizeLimit = "1Gi"
	add("negative size limit", wi, func(objs []runtime.Object) {
		pod(objs).Spec.Volumes[0].EmptyDir.SizeLimit = ptr(resource.MustParse("-1Gi"))
	}, "Pod/hello: spec.volumes[0].emptyDir.sizeLimit", "volumes[0].scratch.sizeLimit", "must be a valid resource quantity")

	wi = testIntent()
	wi.Containers[0].Mounts[0].Volume = "nope"
	add("mount of an undeclared volume", wi, nil,
		"Pod/hello: spec.containers[0].volumeMounts[0].name", "containers[0].mounts[0].volume", "Not found")

	add("sidecar without image", testIntent(), func(objs []runtime.Object) {
		pod(objs).Spec.InitContainers[0].Image = ""
	}, "Pod/hello: spec.initContainers[0].image", "sidecars[0].image", "Required value")

	wi = testIntent()
	wi.Containers[0].Ports[1].ServicePort = 80
	add("duplicate service port", wi, nil, "Service/hello: spec.ports[1]", "containers[0].ports[1]", "Duplicate value")

	add("apiserver default inside a container", testIntent(), func(objs []runtime.Object) {
		pod(objs).Spec.Containers[0].TerminationMessagePolicy = "Sometimes"
	}, "Pod/hello: spec.containers[0].terminationMessagePolicy", "containers[0]", "Unsupported value")

	add("apiserver default of the pod", testIntent(), func(objs []runtime.Object) {
		policy := corev1.PodFSGroupChangePolicy("Sometimes")
		pod(objs).Spec.SecurityContext = &corev1.PodSecurityContext{FSGroupChangePolicy: &policy}
	}, "Pod/hello: spec.securityContext.fsGroupChangePolicy", "", "Unsupported value")
	return cases
}

func ptr[T any](v T) *T { return &v }

func TestObjectsBroken(t *testing.T) {
	for _, c := range brokenObjects(t) {
		t.Run(c.name, func(t *testing.T) {
			o := opts()
			o.Sources = c.src
			fs := Objects(c.objs, o)
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

func TestObjectsNoSources(t *testing.T) {
	p := testPod()
	p.Spec.Containers[0].Image = ""
	fs := Objects([]runtime.Object{p}, Options{})
	if len(fs) == 0 {
		t.Fatal("missing image accepted")
	}
	for _, f := range fs {
		if f.Field != "" {
			t.Errorf("field %q placed without a record", f.Field)
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
