package validate

import (
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
	if fs := Objects([]runtime.Object{testPublicService(), headless}, Options{}); len(fs) > 0 {
		t.Fatalf("findings: %v", fs)
	}
	// The objects themselves are not changed.
	if s := testPublicService(); s.Spec.HealthCheckNodePort != 0 {
		t.Fatal("fixture has a health check node port")
	}
}

// TestNamedServicesBlame: a finding in a Service the intent names is
// placed at the field of that intent Service it was compiled from.
func TestNamedServicesBlame(t *testing.T) {
	type tc struct {
		name          string
		wi            *podcv1.WorkloadIntent
		change        func(*corev1.Service)
		object        string
		manifestField string
		field         string
	}
	named := func(change func(*podcv1.WorkloadIntent)) *podcv1.WorkloadIntent {
		wi := testNamedIntent()
		if change != nil {
			change(wi)
		}
		return wi
	}
	cases := []tc{
		{"source range", named(func(wi *podcv1.WorkloadIntent) { wi.Services[1].LoadBalancerSourceRanges = []string{"not-a-cidr"} }), nil,
			"Service/hello-public", "spec.LoadBalancerSourceRanges[0]", "services[1].loadBalancerSourceRanges[0]"},
		{"class", named(func(wi *podcv1.WorkloadIntent) { wi.Services[1].LoadBalancerClass = "-bad-" }), nil,
			"Service/hello-public", "spec.loadBalancerClass", "services[1].loadBalancerClass"},
		{"node port", named(func(wi *podcv1.WorkloadIntent) { wi.Services[1].Ports[0].NodePort = 29999 }), nil,
			"Service/hello-public", "spec.ports[0].nodePort", "services[1].ports[0].nodePort"},
		{"service port", named(nil), func(s *corev1.Service) { s.Spec.Ports[0].Port = 0 },
			"Service/hello-public", "spec.ports[0].port", "services[1].ports[0].servicePort"},
		{"protocol", named(nil), func(s *corev1.Service) { s.Spec.Ports[0].Protocol = "HTTP" },
			"Service/hello-public", "spec.ports[0].protocol", "containers[0].ports[0].protocol"},
		{"own annotation", named(func(wi *podcv1.WorkloadIntent) {
			wi.Services[1].Annotations["service.kubernetes.io/topology-aware-hints"] = "Disabled"
		}), nil, "Service/hello-public", "metadata.annotations[service.kubernetes.io/topology-mode]",
			`services[1].annotations["service.kubernetes.io/topology-mode"]`},
		{"affinity timeout", named(nil), func(s *corev1.Service) { s.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds = ptr(int32(0)) },
			"Service/hello-public", "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "services[1].sessionAffinityTimeoutSeconds"},
		{"headless LoadBalancer", named(nil), func(s *corev1.Service) { s.Spec.ClusterIP = corev1.ClusterIPNone },
			"Service/hello-public", "spec.clusterIPs[0]", "services[1].type"},
		// podc never writes a traffic policy on a ClusterIP Service: the
		// nearest recorded field is the Service itself.
		{"policy on a ClusterIP Service", named(nil), func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal },
			"Service/hello", "spec.externalTrafficPolicy", "services[0]"},
		{"port not in the intent Service", named(nil), func(s *corev1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "nope", Port: 443, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP})
		}, "Service/hello-public", "spec.ports[1]", "services[1].ports"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, src := compiled(t, c.wi)
			if c.change != nil {
				for _, o := range objs {
					if s, ok := o.(*corev1.Service); ok && "Service/"+s.Name == c.object {
						c.change(s)
					}
				}
			}
			fs := Objects(objs, Options{Sources: src})
			var got *diag.Finding
			for i := range fs {
				if fs[i].ManifestField == c.object+": "+c.manifestField {
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
