package validate

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// testNamedIntent is testIntent with Services of its own: "hello" with
// both ports, and "hello-public", a LoadBalancer for http.
func testNamedIntent() *podcv1.WorkloadIntent {
	wi := testIntent()
	wi.Services = []*podcv1.Service{
		{Name: "hello", Ports: []*podcv1.ServicePort{{Name: "http"}, {Name: "metrics"}}},
		{
			Name: "hello-public", Type: podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER,
			Ports:                    []*podcv1.ServicePort{{Name: "http", ServicePort: 443, NodePort: 30443}},
			SessionAffinity:          podcv1.SessionAffinity_SESSION_AFFINITY_CLIENT_IP,
			ExternalTrafficPolicy:    podcv1.ExternalTrafficPolicy_EXTERNAL_TRAFFIC_POLICY_LOCAL,
			LoadBalancerClass:        "example.com/lb",
			LoadBalancerSourceRanges: []string{"10.0.0.0/8"},
			Annotations:              map[string]string{"service.kubernetes.io/topology-mode": "Auto"},
		},
	}
	return wi
}

// testPublicService is the Service "hello-public" of testNamedIntent.
func testPublicService() *corev1.Service {
	class := "example.com/lb"
	timeout := int32(10800)
	return &corev1.Service{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "hello-public", Labels: testLabels(),
			Annotations: map[string]string{"service.kubernetes.io/topology-mode": "Auto"}},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: map[string]string{"app.kubernetes.io/name": "hello"},
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 443, TargetPort: intstr.FromString("http"), NodePort: 30443, Protocol: corev1.ProtocolTCP},
			},
			SessionAffinity:          corev1.ServiceAffinityClientIP,
			SessionAffinityConfig:    &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: &timeout}},
			ExternalTrafficPolicy:    corev1.ServiceExternalTrafficPolicyLocal,
			LoadBalancerClass:        &class,
			LoadBalancerSourceRanges: []string{"10.0.0.0/8"},
		},
	}
}

// TestLocalLoadBalancerValid: a LoadBalancer with externalTrafficPolicy
// Local passes, as on a cluster, whose allocator gives it a health check
// node port before validation; and a headless Service passes.
func TestLocalLoadBalancerValid(t *testing.T) {
	headless := testClusterService()
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	o := Options{Intent: testNamedIntent()}
	if fs := Objects([]runtime.Object{testPublicService(), headless}, o); len(fs) > 0 {
		t.Fatalf("findings: %v", fs)
	}
	// The objects themselves are not changed.
	if s := testPublicService(); s.Spec.HealthCheckNodePort != 0 {
		t.Fatal("fixture has a health check node port")
	}
}

// TestNamedServicesBlame: a finding in a Service the intent names is
// blamed on the field of that intent Service it was compiled from.
func TestNamedServicesBlame(t *testing.T) {
	type tc struct {
		name          string
		obj           *corev1.Service
		manifestField string
		field         string
	}
	var cases []tc
	s := testPublicService()
	s.Spec.LoadBalancerSourceRanges = []string{"not-a-cidr"}
	cases = append(cases, tc{"source range", s, "Service/hello-public: spec.LoadBalancerSourceRanges[0]", "services[1].loadBalancerSourceRanges[0]"})
	s = testPublicService()
	s.Spec.LoadBalancerClass = ptr("-bad-")
	cases = append(cases, tc{"class", s, "Service/hello-public: spec.loadBalancerClass", "services[1].loadBalancerClass"})
	s = testPublicService()
	s.Spec.Ports[0].NodePort = 29999
	cases = append(cases, tc{"node port", s, "Service/hello-public: spec.ports[0].nodePort", "services[1].ports[0].nodePort"})
	s = testPublicService()
	s.Spec.Ports[0].Port = 0
	cases = append(cases, tc{"service port", s, "Service/hello-public: spec.ports[0].port", "services[1].ports[0].servicePort"})
	s = testPublicService()
	s.Spec.Ports[0].Protocol = "HTTP"
	cases = append(cases, tc{"protocol", s, "Service/hello-public: spec.ports[0].protocol", "containers[0].ports[0].protocol"})
	s = testPublicService()
	s.Annotations["service.kubernetes.io/topology-aware-hints"] = "Disabled"
	cases = append(cases, tc{"own annotation", s, "Service/hello-public: metadata.annotations[service.kubernetes.io/topology-mode]",
		`services[1].annotations["service.kubernetes.io/topology-mode"]`})
	s = testPublicService()
	s.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds = ptr(int32(0))
	cases = append(cases, tc{"affinity timeout", s, "Service/hello-public: spec.sessionAffinityConfig.clientIP.timeoutSeconds", "services[1].sessionAffinityTimeoutSeconds"})
	s = testPublicService()
	s.Spec.ClusterIP = corev1.ClusterIPNone
	cases = append(cases, tc{"headless LoadBalancer", s, "Service/hello-public: spec.clusterIPs[0]", "services[1].type"})
	s = testClusterService()
	s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
	cases = append(cases, tc{"policy on a ClusterIP Service", s, "Service/hello: spec.externalTrafficPolicy", "services[0].externalTrafficPolicy"})
	s = testClusterService()
	s.Name = "hello-public"
	s.Spec.Ports[1].Name = "nope"
	s.Spec.Ports[1].Port = 80
	cases = append(cases, tc{"port not in the intent Service", s, "Service/hello-public: spec.ports[1]", "services[1].ports"})

	o := Options{Intent: testNamedIntent()}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := Objects([]runtime.Object{c.obj}, o)
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
		})
	}
}

// TestIntentFieldNamedServices maps every field of a named Service back
// to the intent Service, and leaves the simple form's mapping alone.
func TestIntentFieldNamedServices(t *testing.T) {
	wi := testNamedIntent()
	wi.Annotations = map[string]string{"example.com/owner": "web"}
	pub := defaulted(testPublicService())
	hello := defaulted(testClusterService())
	for _, c := range []struct {
		obj        runtime.Object
		path, want string
	}{
		{pub, "metadata.name", "services[1].name"},
		{pub, "metadata.annotations[service.kubernetes.io/topology-mode]", `services[1].annotations["service.kubernetes.io/topology-mode"]`},
		{pub, "metadata.annotations[example.com/owner]", `annotations["example.com/owner"]`},
		{pub, "metadata.annotations[example.com/other]", ""},
		{pub, "metadata.labels[team]", `labels["team"]`},
		{pub, "spec.type", "services[1].type"},
		{pub, "allocateLoadBalancerNodePorts", "services[1].type"},
		{pub, "spec.sessionAffinity", "services[1].sessionAffinity"},
		{pub, "spec.healthCheckNodePort", "services[1].externalTrafficPolicy"},
		{pub, "spec.publishNotReadyAddresses", "services[1].publishNotReadyAddresses"},
		{pub, "spec.loadBalancerSourceRanges[0]", "services[1].loadBalancerSourceRanges[0]"},
		{pub, "spec.loadBalancerSourceRanges[5]", "services[1].loadBalancerSourceRanges"},
		{pub, "spec.ports[0].targetPort", "services[1].ports[0].name"},
		{pub, "spec.ports[0]", "services[1].ports[0]"},
		{pub, "spec.ports[3]", "services[1].ports"},
		{pub, "spec.selector", "services[1]"},
		{hello, "spec.ports[1].port", "services[0].ports[1].servicePort"},
		{hello, "spec.ports[1].protocol", "containers[0].ports[1].protocol"},
	} {
		if got := (mapper{wi: wi, obj: c.obj}).intentField(c.path); got != c.want {
			t.Errorf("%s -> %q, want %q", c.path, got, c.want)
		}
	}
	// Without services, the simple form's Service maps to the ports.
	if got := (mapper{wi: testIntent(), obj: hello}).intentField("spec.ports[1].port"); got != "containers[0].ports[1].servicePort" {
		t.Errorf("simple form -> %q", got)
	}
	if !strings.HasPrefix((mapper{wi: testIntent(), obj: pub}).intentField("metadata.name"), "name") {
		t.Error("simple form: a Service's name stands for the workload's")
	}
}
