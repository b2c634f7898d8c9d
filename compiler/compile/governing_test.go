package compile_test

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// governedBase is a checked Deployment with a cluster port, a node port,
// an unexposed port and a sidecar's cluster port.
func governedBase(t *testing.T) *podcv1.WorkloadIntent {
	t.Helper()
	wi, err := intent.Decode([]byte(`{
		"name": "web", "namespace": "shop", "controller": "CONTROLLER_DEPLOYMENT", "replicas": 3,
		"containers": [{"name": "app", "image": "r.example.com/web:1.0", "resources": {"cpu": {"request": "250m"}},
			"ports": [{"name": "grpc", "containerPort": 9000, "expose": "EXPOSE_CLUSTER"},
				{"name": "http", "containerPort": 8080, "expose": "EXPOSE_NODE"},
				{"name": "metrics", "containerPort": 9090}]}],
		"sidecars": [{"name": "proxy", "image": "r.example.com/proxy:1.0", "resources": {"cpu": {"limit": "100m"}},
			"ports": [{"name": "admin", "containerPort": 15000, "protocol": "PROTOCOL_UDP", "expose": "EXPOSE_CLUSTER"}]}],
		"initSteps": [{"name": "migrate", "image": "r.example.com/migrate:1.0", "ports": [{"name": "debug", "containerPort": 7000}]}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return wi
}

// compileChecked checks wi (it must pass) and compiles it.
func compileChecked(t *testing.T, wi *podcv1.WorkloadIntent, tv target.Version, defaults ...diag.Default) *compile.Output {
	t.Helper()
	if fs := intent.Check(wi, intent.Options{Target: tv}); len(fs) > 0 {
		t.Fatalf("the intent fails its checks: %v", fs)
	}
	out, err := compile.Workload(wi, compile.Options{Target: tv, Defaults: defaults})
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSources(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// podLabels are the labels of the compiled workload's pods.
func podLabels(out *compile.Output) labels.Set {
	if out.Deployment != nil {
		return out.Deployment.Spec.Template.Labels
	}
	return out.Pod.Labels
}

func selects(t *testing.T, what string, sel *metav1.LabelSelector, pods labels.Set) {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() || !s.Matches(pods) {
		t.Errorf("%s: selector %v does not select exactly the workload's pods %v (%v)", what, sel, pods, err)
	}
}

func TestNothingGoverningUnlessAsked(t *testing.T) {
	out := compileChecked(t, governedBase(t), target.Default)
	if out.DisruptionBudget != nil || out.Autoscaler != nil || out.NetworkPolicy != nil {
		t.Errorf("objects no one asked for: %v %v %v", out.DisruptionBudget, out.Autoscaler, out.NetworkPolicy)
	}
	if out.Deployment.Spec.Replicas == nil || *out.Deployment.Spec.Replicas != 3 {
		t.Errorf("replicas %v", out.Deployment.Spec.Replicas)
	}
}

func TestAutoscalerObject(t *testing.T) {
	wi := governedBase(t)
	wi.Replicas = nil
	wi.Autoscaling = &podcv1.Autoscaling{MinReplicas: ptr(int32(2)), MaxReplicas: 9, TargetMemoryUtilization: ptr(int32(90)), TargetCpuUtilization: ptr(int32(60))}
	wi.Containers[0].Resources.Memory = &podcv1.Resource{Limit: "1Gi"}
	wi.Sidecars[0].Resources.Memory = &podcv1.Resource{Request: "64Mi"}
	out := compileChecked(t, wi, target.Default)
	if out.Deployment.Spec.Replicas != nil {
		t.Errorf("a Deployment under an autoscaler says replicas %d", *out.Deployment.Spec.Replicas)
	}
	h := out.Autoscaler
	if h == nil {
		t.Fatal("no autoscaler")
	}
	ref := h.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != "web" || h.Name != "web" || h.Namespace != "shop" {
		t.Errorf("autoscaler %s/%s scales %+v", h.Namespace, h.Name, ref)
	}
	if *h.Spec.MinReplicas != 2 || h.Spec.MaxReplicas != 9 || len(h.Spec.Metrics) != 2 {
		t.Fatalf("spec %+v", h.Spec)
	}
	for i, want := range []struct {
		name corev1.ResourceName
		v    int32
	}{{corev1.ResourceCPU, 60}, {corev1.ResourceMemory, 90}} {
		m := h.Spec.Metrics[i]
		if m.Type != "Resource" || m.Resource.Name != want.name || m.Resource.Target.Type != "Utilization" || *m.Resource.Target.AverageUtilization != want.v {
			t.Errorf("metric %d: %+v %+v", i, m, m.Resource)
		}
	}
	if !slices.ContainsFunc(out.Notes, func(n string) bool { return strings.Contains(n, "spec.replicas to its HorizontalPodAutoscaler") }) {
		t.Errorf("no note about the replicas: %v", out.Notes)
	}
	if slices.ContainsFunc(out.Defaults, func(d diag.Default) bool { return d.Field == "replicas" }) {
		t.Error("a default replicas under an autoscaler")
	}
	if objs := out.Objects(); objs[len(objs)-1] != runtime.Object(h) {
		t.Errorf("the autoscaler is not last: %T", objs)
	}

	// Only the maximum: one replica at least, 80% cpu, both written out.
	wi.Autoscaling = &podcv1.Autoscaling{MaxReplicas: 4}
	out = compileChecked(t, wi, target.Default)
	h = out.Autoscaler
	if *h.Spec.MinReplicas != 1 || len(h.Spec.Metrics) != 1 || h.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU || *h.Spec.Metrics[0].Resource.Target.AverageUtilization != 80 {
		t.Errorf("defaults: %+v", h.Spec)
	}
	for _, f := range []string{"autoscaling.minReplicas", "autoscaling.targetCpuUtilization"} {
		if !slices.ContainsFunc(out.Defaults, func(d diag.Default) bool { return d.Field == f && d.Source == diag.SourceCompiler }) {
			t.Errorf("no compiler default at %s: %v", f, out.Defaults)
		}
	}
}

func TestDisruptionBudgetObject(t *testing.T) {
	for _, c := range []struct {
		budget    *podcv1.DisruptionBudget
		tv        target.Version
		max, min  string
		policy    string // "" when left out
		defaulted []string
		note      bool
	}{
		{&podcv1.DisruptionBudget{}, target.Default, "1", "", "AlwaysAllow", []string{"protection.disruptionBudget.maxUnavailable", "protection.disruptionBudget.unhealthyPodEviction"}, false},
		{&podcv1.DisruptionBudget{MaxUnavailable: "25%"}, target.Default, "25%", "", "AlwaysAllow", []string{"protection.disruptionBudget.unhealthyPodEviction"}, false},
		{&podcv1.DisruptionBudget{MinAvailable: "2", UnhealthyPodEviction: podcv1.UnhealthyPodEviction_UNHEALTHY_POD_EVICTION_IF_HEALTHY_BUDGET}, target.Default, "", "2", "IfHealthyBudget", nil, false},
		{&podcv1.DisruptionBudget{MaxUnavailable: "1"}, target.Version{Minor: 26}, "1", "", "", nil, true},
	} {
		wi := governedBase(t)
		wi.Protection = &podcv1.Protection{DisruptionBudget: c.budget}
		out := compileChecked(t, wi, c.tv)
		pdb := out.DisruptionBudget
		if pdb == nil {
			t.Fatalf("%v: no budget", c.budget)
		}
		if pdb.Name != "web" || pdb.Namespace != "shop" {
			t.Errorf("%v: named %s/%s", c.budget, pdb.Namespace, pdb.Name)
		}
		amount := func(v interface{ String() string }, set bool) string {
			if !set {
				return ""
			}
			return v.String()
		}
		if got := amount(pdb.Spec.MaxUnavailable, pdb.Spec.MaxUnavailable != nil); got != c.max {
			t.Errorf("%v: maxUnavailable %q, want %q", c.budget, got, c.max)
		}
		if got := amount(pdb.Spec.MinAvailable, pdb.Spec.MinAvailable != nil); got != c.min {
			t.Errorf("%v: minAvailable %q, want %q", c.budget, got, c.min)
		}
		// A number is written as a number, a percentage as a string.
		if v := pdb.Spec.MaxUnavailable; v != nil && (v.Type == intstr.String) != strings.HasSuffix(c.max, "%") {
			t.Errorf("%v: maxUnavailable of type %v", c.budget, v.Type)
		}
		var policy string
		if pdb.Spec.UnhealthyPodEvictionPolicy != nil {
			policy = string(*pdb.Spec.UnhealthyPodEvictionPolicy)
		}
		if policy != c.policy {
			t.Errorf("%v on %s: eviction policy %q, want %q", c.budget, c.tv, policy, c.policy)
		}
		for _, f := range c.defaulted {
			if !slices.ContainsFunc(out.Defaults, func(d diag.Default) bool { return d.Field == f }) {
				t.Errorf("%v: no default at %s", c.budget, f)
			}
		}
		noted := slices.ContainsFunc(out.Notes, func(n string) bool { return strings.Contains(n, "no unhealthyPodEvictionPolicy") })
		if noted != c.note {
			t.Errorf("%v on %s: note %t, want %t: %v", c.budget, c.tv, noted, c.note, out.Notes)
		}
		selects(t, "budget", pdb.Spec.Selector, podLabels(out))
	}
}

func TestNetworkPolicyObject(t *testing.T) {
	wi := governedBase(t)
	wi.Protection = &podcv1.Protection{NetworkPolicy: &podcv1.NetworkPolicy{}}
	out := compileChecked(t, wi, target.Default)
	np := out.NetworkPolicy
	if np == nil {
		t.Fatal("no network policy")
	}
	selects(t, "network policy", &np.Spec.PodSelector, podLabels(out))
	if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) || len(np.Spec.Egress) != 0 {
		t.Errorf("policy types %v, egress %v: want ingress only", np.Spec.PolicyTypes, np.Spec.Egress)
	}
	if len(np.Spec.Ingress) != 2 {
		t.Fatalf("ingress %+v", np.Spec.Ingress)
	}
	ports := func(r networkingv1.NetworkPolicyIngressRule) []string {
		var out []string
		for _, p := range r.Ports {
			out = append(out, string(*p.Protocol)+"/"+p.Port.String())
		}
		return out
	}
	// The cluster ports, the sidecar's too, from the namespace; the node
	// port from anywhere; the metrics and init step ports from nowhere.
	if got := ports(np.Spec.Ingress[0]); !slices.Equal(got, []string{"TCP/9000", "UDP/15000"}) {
		t.Errorf("cluster ports %v", got)
	}
	if f := np.Spec.Ingress[0].From; len(f) != 1 || f[0].PodSelector == nil || len(f[0].PodSelector.MatchLabels) != 0 || f[0].NamespaceSelector != nil {
		t.Errorf("cluster clients %+v: want every pod of the namespace", f)
	}
	if got := ports(np.Spec.Ingress[1]); !slices.Equal(got, []string{"TCP/8080"}) || len(np.Spec.Ingress[1].From) != 0 {
		t.Errorf("node ports %v from %v: want 8080 from anywhere", got, np.Spec.Ingress[1].From)
	}

	wi.Protection.NetworkPolicy = &podcv1.NetworkPolicy{ClusterClients: podcv1.ClusterClients_CLUSTER_CLIENTS_CLUSTER}
	np = compileChecked(t, wi, target.Default).NetworkPolicy
	if f := np.Spec.Ingress[0].From; len(f) != 1 || f[0].NamespaceSelector == nil || len(f[0].NamespaceSelector.MatchLabels) != 0 || f[0].PodSelector != nil {
		t.Errorf("cluster clients %+v: want every namespace", f)
	}
	wi.Protection.NetworkPolicy = &podcv1.NetworkPolicy{ClusterClients: podcv1.ClusterClients_CLUSTER_CLIENTS_LABELLED, ClientLabels: map[string]string{"role": "client"}}
	np = compileChecked(t, wi, target.Default).NetworkPolicy
	if f := np.Spec.Ingress[0].From; len(f) != 1 || f[0].PodSelector == nil || f[0].PodSelector.MatchLabels["role"] != "client" || f[0].NamespaceSelector != nil {
		t.Errorf("cluster clients %+v: want labelled pods of the namespace", f)
	}

	// Nothing exposed: nothing admitted.
	for _, c := range wi.Containers {
		for _, p := range c.Ports {
			p.Expose = podcv1.Expose_EXPOSE_NONE
		}
	}
	wi.Sidecars[0].Ports[0].Expose = podcv1.Expose_EXPOSE_NONE
	out = compileChecked(t, wi, target.Default)
	if len(out.NetworkPolicy.Spec.Ingress) != 0 || !slices.ContainsFunc(out.Notes, func(n string) bool { return strings.Contains(n, "admits no traffic") }) {
		t.Errorf("ingress %v, notes %v", out.NetworkPolicy.Spec.Ingress, out.Notes)
	}
}

func TestSpreadAndAntiAffinity(t *testing.T) {
	wi := governedBase(t)
	wi.Selector = map[string]string{"app": "web"}
	wi.TopologySpreadConstraints = []*podcv1.TopologySpreadConstraint{{TopologyKey: "example.com/rack"}}
	wi.Protection = &podcv1.Protection{
		SpreadTopologyKeys:       []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"},
		AntiAffinityTopologyKeys: []string{"kubernetes.io/hostname"},
	}
	out := compileChecked(t, wi, target.Default)
	spec := out.Deployment.Spec.Template.Spec
	if len(spec.TopologySpreadConstraints) != 3 || spec.TopologySpreadConstraints[0].TopologyKey != "example.com/rack" {
		t.Fatalf("constraints %+v", spec.TopologySpreadConstraints)
	}
	for i, key := range []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"} {
		c := spec.TopologySpreadConstraints[i+1]
		if c.TopologyKey != key || c.MaxSkew != 1 || c.WhenUnsatisfiable != corev1.ScheduleAnyway {
			t.Errorf("constraint %d: %+v", i+1, c)
		}
		selects(t, "spread", c.LabelSelector, podLabels(out))
		if c.LabelSelector.MatchLabels["app"] != "web" || len(c.LabelSelector.MatchLabels) != 1 {
			t.Errorf("spread selector %v: want the kept selector", c.LabelSelector)
		}
	}
	anti := spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	if len(anti) != 1 || anti[0].Weight != 100 || anti[0].PodAffinityTerm.TopologyKey != "kubernetes.io/hostname" {
		t.Fatalf("anti-affinity %+v", anti)
	}
	selects(t, "anti-affinity", anti[0].PodAffinityTerm.LabelSelector, podLabels(out))
}

// Fields compiled from what a policy default wrote are that rule's, the
// governing objects' kind and apiVersion too; those the intent set are
// the intent's.
func TestGoverningObjectsFromPolicyDefaults(t *testing.T) {
	wi := governedBase(t)
	wi.Protection = &podcv1.Protection{
		DisruptionBudget:   &podcv1.DisruptionBudget{MaxUnavailable: "1"},
		NetworkPolicy:      &podcv1.NetworkPolicy{ClusterClients: podcv1.ClusterClients_CLUSTER_CLIENTS_NAMESPACE},
		SpreadTopologyKeys: []string{"kubernetes.io/hostname"},
	}
	out := compileChecked(t, wi, target.Default,
		diag.Default{Field: "protection.disruptionBudget.maxUnavailable", Value: "1", Source: diag.PolicySource("production.disruption-budget")},
		diag.Default{Field: "protection.networkPolicy.clusterClients", Value: "CLUSTER_CLIENTS_NAMESPACE", Source: diag.PolicySource("production.network-policy")},
		diag.Default{Field: "protection.spreadTopologyKeys", Value: `["kubernetes.io/hostname"]`, Source: diag.PolicySource("production.spread")},
	)
	for _, c := range []struct{ ref, path, rule string }{
		{"PodDisruptionBudget/web", "kind", "production.disruption-budget"},
		{"PodDisruptionBudget/web", "spec.maxUnavailable", "production.disruption-budget"},
		{"NetworkPolicy/web", "apiVersion", "production.network-policy"},
		{"NetworkPolicy/web", "spec.ingress[0].from[0].podSelector", "production.network-policy"},
		{"NetworkPolicy/web", "spec.policyTypes[0]", "production.network-policy"},
		{"Deployment/web", "spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable", "production.spread"},
		{"Deployment/web", "spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels[app.kubernetes.io/name]", "production.spread"},
		{"NetworkPolicy/web", "spec.ingress[0].ports[0].port", ""},
		{"PodDisruptionBudget/web", "spec.unhealthyPodEvictionPolicy", ""},
	} {
		s, ok := out.Sources.Exact(c.ref, c.path)
		if !ok {
			t.Errorf("%s: %s: no source", c.ref, c.path)
			continue
		}
		if c.rule != "" && (s.Origin != diag.OriginPolicy || s.RuleID != c.rule) {
			t.Errorf("%s: %s: %+v, want rule %s", c.ref, c.path, s, c.rule)
		}
		if c.rule == "" && s.Origin == diag.OriginPolicy {
			t.Errorf("%s: %s: %+v, want no rule", c.ref, c.path, s)
		}
	}
}

func ptr[T any](v T) *T { return &v }
