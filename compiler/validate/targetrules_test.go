package validate

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func findingAt(t *testing.T, objs []runtime.Object, v target.Version, manifestField string) (string, bool) {
	t.Helper()
	return findingWith(t, objs, nil, v, manifestField)
}

// findingWith is findingAt with the record of the objects' sources.
func findingWith(t *testing.T, objs []runtime.Object, src *provenance.Record, v target.Version, manifestField string) (string, bool) {
	t.Helper()
	o := opts()
	o.Target = v
	o.Sources = src
	for _, f := range Objects(objs, o) {
		if f.ManifestField == manifestField {
			return f.Field + " " + f.Message, true
		}
	}
	return "", false
}

func TestNativeSidecarsNeedTarget(t *testing.T) {
	const at = "Pod/hello: spec.initContainers[0].restartPolicy"
	objs, src := compiled(t, testIntent())
	got, ok := findingWith(t, objs, src, target.Version{Minor: 28}, at)
	if !ok {
		t.Fatal("native sidecar accepted for 1.28")
	}
	if !strings.HasPrefix(got, "sidecars[0] ") || !strings.Contains(got, "1.29") {
		t.Errorf("finding %q: want sidecars[0] and the version that has them", got)
	}
	if _, ok := findingWith(t, objs, src, target.Version{Minor: 29}, at); ok {
		t.Error("native sidecar refused for 1.29")
	}
}

func TestGRPCProbesNeedTarget(t *testing.T) {
	wi := testIntent()
	wi.Containers[0].Probes.Readiness = &podcv1.Probe{Handler: &podcv1.Probe_Grpc{Grpc: &podcv1.GRPCAction{Port: 9000}}}
	objs, src := compiled(t, wi)
	const at = "Pod/hello: spec.containers[0].readinessProbe.grpc"
	got, ok := findingWith(t, objs, src, target.Version{Minor: 26}, at)
	if !ok {
		t.Fatal("gRPC probe accepted for 1.26")
	}
	if !strings.HasPrefix(got, "containers[0].probes.readiness.grpc ") {
		t.Errorf("finding %q", got)
	}
	if _, ok := findingWith(t, objs, src, target.Version{Minor: 27}, at); ok {
		t.Error("gRPC probe refused for 1.27")
	}
}

func TestServiceNameRuleFollowsTarget(t *testing.T) {
	s := testClusterService()
	s.Name = "1hello"
	const at = "Service/1hello: metadata.name"
	if _, ok := findingAt(t, []runtime.Object{s}, target.Version{Minor: 35}, at); !ok {
		t.Error("a Service name starting with a digit accepted for 1.35")
	}
	if got, ok := findingAt(t, []runtime.Object{s}, target.Default, at); ok {
		t.Errorf("a Service name starting with a digit refused for 1.37: %s", got)
	}
}

func TestEnvNameRuleFollowsTarget(t *testing.T) {
	p := testPod()
	p.Spec.Containers[0].Env[0].Name = "1MODE"
	const at = "Pod/hello: spec.containers[0].env[0].name"
	if _, ok := findingAt(t, []runtime.Object{p}, target.Version{Minor: 30}, at); !ok {
		t.Error("env name starting with a digit accepted for 1.30")
	}
	if got, ok := findingAt(t, []runtime.Object{p}, target.Default, at); ok {
		t.Errorf("relaxed env name refused for 1.37: %s", got)
	}
}

func TestSleepHooksNeedTarget(t *testing.T) {
	wi := testIntent()
	wi.Containers[0].Lifecycle = &podcv1.Lifecycle{PreStop: &podcv1.LifecycleHandler{Handler: &podcv1.LifecycleHandler_Sleep{Sleep: &podcv1.SleepAction{Seconds: 5}}}}
	objs, src := compiled(t, wi)
	const at = "Pod/hello: spec.containers[0].lifecycle.preStop.sleep"
	got, ok := findingWith(t, objs, src, target.Version{Minor: 29}, at)
	if !ok {
		t.Fatal("sleep hook accepted for 1.29")
	}
	if !strings.HasPrefix(got, "containers[0].lifecycle.preStop.sleep ") || !strings.Contains(got, "1.30") {
		t.Errorf("finding %q", got)
	}
	if _, ok := findingWith(t, objs, src, target.Version{Minor: 30}, at); ok {
		t.Error("sleep hook refused for 1.30")
	}
}

func TestHostIPsNeedTarget(t *testing.T) {
	wi := testIntent()
	wi.Containers[0].Env = []*podcv1.EnvVar{{Name: "HOST_IPS", Source: &podcv1.EnvVar_Field{Field: "status.hostIPs"}}}
	objs, src := compiled(t, wi)
	const at = "Pod/hello: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath"
	got, ok := findingWith(t, objs, src, target.Version{Minor: 28}, at)
	if !ok {
		t.Fatal("status.hostIPs accepted for 1.28")
	}
	if !strings.HasPrefix(got, "containers[0].env[0].field ") || !strings.Contains(got, "1.29") {
		t.Errorf("finding %q", got)
	}
	if _, ok := findingWith(t, objs, src, target.Version{Minor: 29}, at); ok {
		t.Error("status.hostIPs refused for 1.29")
	}
}

func TestSpreadFieldsNeedTarget(t *testing.T) {
	wi := testIntent()
	min := int32(2)
	wi.TopologySpreadConstraints = []*podcv1.TopologySpreadConstraint{{TopologyKey: "zone", MinDomains: &min, MatchLabelKeys: []string{"pod-template-hash"},
		NodeTaintsPolicy: podcv1.NodeInclusionPolicy_NODE_INCLUSION_POLICY_HONOR}}
	objs, src := compiled(t, wi)
	for _, c := range []struct {
		field  string
		intent string
		since  int
	}{
		{"minDomains", "topologySpreadConstraints[0].minDomains", 27},
		{"matchLabelKeys", "topologySpreadConstraints[0].matchLabelKeys", 27},
		{"nodeTaintsPolicy", "topologySpreadConstraints[0].nodeTaintsPolicy", 26},
	} {
		at := "Pod/hello: spec.topologySpreadConstraints[0]." + c.field
		got, ok := findingWith(t, objs, src, target.Version{Minor: c.since - 1}, at)
		if !ok || !strings.HasPrefix(got, c.intent+" ") {
			t.Errorf("%s on 1.%d: %q (%v)", c.field, c.since-1, got, ok)
		}
		if _, ok := findingWith(t, objs, src, target.Version{Minor: c.since}, at); ok {
			t.Errorf("%s refused on 1.%d", c.field, c.since)
		}
	}
}

func TestAffinityLabelKeysNeedTarget(t *testing.T) {
	wi := testIntent()
	wi.Affinity = &podcv1.Affinity{PodAnti: &podcv1.PodAffinity{Preferred: []*podcv1.WeightedPodAffinityTerm{{Weight: 50,
		Term: &podcv1.PodAffinityTerm{TopologyKey: "kubernetes.io/hostname", MatchLabelKeys: []string{"pod-template-hash"}, MismatchLabelKeys: []string{"tenant"}}}}}}
	objs, src := compiled(t, wi)
	for _, field := range []string{"matchLabelKeys", "mismatchLabelKeys"} {
		at := "Pod/hello: spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm." + field
		got, ok := findingWith(t, objs, src, target.Version{Minor: 30}, at)
		if !ok || !strings.HasPrefix(got, "affinity.podAnti.preferred[0].term."+field+" ") || !strings.Contains(got, "1.31") {
			t.Errorf("%s on 1.30: %q (%v)", field, got, ok)
		}
		if _, ok := findingWith(t, objs, src, target.Version{Minor: 31}, at); ok {
			t.Errorf("%s refused on 1.31", field)
		}
	}
}

func TestPodResourcesNeedTarget(t *testing.T) {
	wi := testIntent()
	wi.Resources = &podcv1.PodResources{Cpu: &podcv1.Resource{Limit: "4"}}
	objs, src := compiled(t, wi)
	const at = "Pod/hello: spec.resources"
	got, ok := findingWith(t, objs, src, target.Version{Minor: 33}, at)
	if !ok || !strings.HasPrefix(got, "resources ") || !strings.Contains(got, "1.34") {
		t.Fatalf("pod-level resources on 1.33: %q (%v)", got, ok)
	}
	if _, ok := findingWith(t, objs, src, target.Version{Minor: 34}, at); ok {
		t.Error("pod-level resources refused for 1.34")
	}
}
