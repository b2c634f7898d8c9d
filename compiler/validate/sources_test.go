package validate

import (
	"testing"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// richIntent is testIntent with a field of every kind that a problem may
// be reported at.
func richIntent(controller podcv1.Controller) *podcv1.WorkloadIntent {
	wi := testIntent()
	wi.Controller = controller
	wi.Namespace = "shop"
	wi.HostPid = true
	wi.ServiceAccountName = "web"
	wi.Annotations = map[string]string{"seccomp.security.alpha.kubernetes.io/pod": "x", "controller.kubernetes.io/pod-deletion-cost": "y"}
	c := wi.Containers[0]
	c.Env = append(c.Env, &podcv1.EnvVar{Name: "TOKEN", Source: &podcv1.EnvVar_SecretKey{SecretKey: &podcv1.KeyRef{Name: "s", Key: "token"}}})
	c.Resources.Memory = &podcv1.Resource{Limit: "1Gi"}
	c.Probes.Readiness = &podcv1.Probe{Handler: &podcv1.Probe_HttpGet{HttpGet: &podcv1.HTTPGetAction{Port: "http",
		Headers: []*podcv1.HTTPHeader{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}, {Name: "c", Value: "3"}}}}}
	c.SecurityContext = &podcv1.SecurityContext{CapabilitiesAdd: []string{"NET_ADMIN", "NET_BIND_SERVICE"}}
	wi.InitSteps[0].Command = []string{"/migrate", "up", "--all"}
	wi.Volumes[0].GetScratch().Memory = true
	return wi
}

// TestIntentField places field paths, as the kube-apiserver reports
// them, at the intent fields the record says they came from: the field's
// own source, the nearest recorded field around it, or none.
func TestIntentField(t *testing.T) {
	pods, podSrc := compiled(t, richIntent(podcv1.Controller_CONTROLLER_UNSPECIFIED))
	_, depSrc := compiled(t, richIntent(podcv1.Controller_CONTROLLER_DEPLOYMENT))
	if len(pods) != 3 {
		t.Fatalf("%d objects, want a Pod and two Services", len(pods))
	}
	cases := []struct{ ref, path, want string }{
		{"Pod/hello", "metadata.name", "name"},
		{"Pod/hello", "metadata.generateName", "name"},
		{"Pod/hello", "metadata.namespace", "namespace"},
		{"Pod/hello", "metadata.labels[team]", `labels["team"]`},
		{"Pod/hello", "metadata.labels[app.kubernetes.io/name]", "name"},
		{"Pod/hello", "metadata.labels[app.kubernetes.io/managed-by]", ""},
		{"Pod/hello", "metadata.labels", "labels"},
		{"Pod/hello", "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]", `annotations["seccomp.security.alpha.kubernetes.io/pod"]`},
		{"Pod/hello", "metadata.annotations.seccomp.security.alpha.kubernetes.io/pod", `annotations["seccomp.security.alpha.kubernetes.io/pod"]`},
		{"Pod/hello", "spec.containers[0].image", "containers[0].image"},
		{"Pod/hello", "spec.containers[0].imagePullPolicy", "containers[0].pullPolicy"},
		{"Pod/hello", "spec.containers[0].ports[1].containerPort", "containers[0].ports[1].containerPort"},
		{"Pod/hello", "spec.containers[0].env[1].valueFrom.secretKeyRef.key", "containers[0].env[1].secretKey.key"},
		{"Pod/hello", "spec.containers[0].env[1].valueFrom", "containers[0].env[1]"},
		{"Pod/hello", "spec.containers[0].resources.limits[memory]", "containers[0].resources.memory.limit"},
		{"Pod/hello", "spec.containers[0].resources.requests[memory]", "containers[0].resources.memory.request"},
		{"Pod/hello", "spec.containers[0].resources.limits[nvidia.com/gpu]", "containers[0].resources"},
		{"Pod/hello", "spec.containers[0].livenessProbe.tcpSocket.port", "containers[0].probes.liveness.tcpSocket.port"},
		{"Pod/hello", "spec.containers[0].readinessProbe.httpGet.httpHeaders[2].name", "containers[0].probes.readiness.httpGet.headers[2].name"},
		{"Pod/hello", "spec.containers[0].livenessProbe.terminationGracePeriodSeconds", "containers[0].probes.liveness"},
		{"Pod/hello", "spec.containers[0].volumeMounts[0].mountPath", "containers[0].mounts[0].path"},
		{"Pod/hello", "spec.containers[0].securityContext.capabilities.add[1]", "containers[0].securityContext.capabilitiesAdd[1]"},
		{"Pod/hello", "spec.containers[0].terminationMessagePath", "containers[0]"},
		{"Pod/hello", "spec.containers[7].image", ""},
		{"Pod/hello", "spec.initContainers[1].command[2]", "initSteps[0].command[2]"},
		{"Pod/hello", "spec.initContainers[0].restartPolicy", "sidecars[0]"},
		{"Pod/hello", "spec.initContainers[0].image", "sidecars[0].image"},
		{"Pod/hello", "spec.volumes[0].emptyDir.medium", "volumes[0].scratch.memory"},
		{"Pod/hello", "spec.volumes[3]", "volumes"},
		{"Pod/hello", "spec.hostPID", "hostPid"},
		{"Pod/hello", "spec.serviceAccount", "serviceAccountName"},
		{"Pod/hello", "spec.dnsPolicy", "dnsPolicy"},
		{"Pod/hello", "spec.schedulerName", ""},
		{"Deployment/hello", "spec.replicas", "replicas"},
		{"Deployment/hello", "spec.selector", ""},
		{"Deployment/hello", "spec.template.metadata.labels[team]", `labels["team"]`},
		{"Deployment/hello", "spec.template.labels", "labels"},
		{"Deployment/hello", "spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]", `annotations["controller.kubernetes.io/pod-deletion-cost"]`},
		{"Deployment/hello", "spec.template.spec.containers[0].ports[0].name", "containers[0].ports[0].name"},
		{"Deployment/hello", "spec.template.spec.restartPolicy", "restartPolicy"},
		{"Deployment/hello", "spec.template.spec.serviceAccount", "serviceAccountName"},
		{"Service/hello-nodeport", "metadata.name", "name"},
		{"Service/hello-nodeport", "spec.ports[0].nodePort", "containers[0].ports[0].nodePort"},
		{"Service/hello-nodeport", "spec.ports[0].port", "containers[0].ports[0].servicePort"},
		{"Service/hello-nodeport", "spec.ports[0].targetPort", "containers[0].ports[0]"},
		{"Service/hello-nodeport", "spec.ports[0]", "containers[0].ports[0]"},
		{"Service/hello-nodeport", "spec.type", "containers[0].ports[0].expose"},
		{"Service/hello", "spec.ports[1].port", "containers[0].ports[1].servicePort"},
		{"Service/hello", "spec.clusterIPs[0]", "containers[0].ports[0].expose"},
		{"Service/hello", "spec.sessionAffinity", ""},
	}
	for _, c := range cases {
		src := podSrc
		if c.ref == "Deployment/hello" {
			src = depSrc
		}
		if got := intentField(src, c.ref, c.path); got != c.want {
			t.Errorf("%s %s -> %q, want %q", c.ref, c.path, got, c.want)
		}
	}
	if got := intentField(nil, "Pod/hello", "metadata.name"); got != "" {
		t.Errorf("no record -> %q", got)
	}
}

// TestIntentFieldNamedServices places every field of a named Service at
// the intent Service it was compiled from.
func TestIntentFieldNamedServices(t *testing.T) {
	wi := testNamedIntent()
	wi.Annotations = map[string]string{"example.com/owner": "web"}
	wi.Services[1].LoadBalancerSourceRanges = append(wi.Services[1].LoadBalancerSourceRanges, "10.1.0.0/16")
	_, src := compiled(t, wi)
	for _, c := range []struct{ ref, path, want string }{
		{"Service/hello-public", "metadata.name", "services[1].name"},
		{"Service/hello-public", "metadata.annotations[service.kubernetes.io/topology-mode]", `services[1].annotations["service.kubernetes.io/topology-mode"]`},
		{"Service/hello-public", "metadata.annotations[example.com/owner]", `annotations["example.com/owner"]`},
		{"Service/hello-public", "metadata.annotations[example.com/other]", "annotations"},
		{"Service/hello-public", "metadata.labels[team]", `labels["team"]`},
		{"Service/hello-public", "spec.type", "services[1].type"},
		{"Service/hello-public", "allocateLoadBalancerNodePorts", "services[1].type"},
		{"Service/hello-public", "spec.sessionAffinity", "services[1].sessionAffinity"},
		{"Service/hello-public", "spec.sessionAffinityConfig", "services[1].sessionAffinityTimeoutSeconds"},
		{"Service/hello-public", "spec.healthCheckNodePort", "services[1].externalTrafficPolicy"},
		{"Service/hello-public", "spec.loadBalancerSourceRanges[1]", "services[1].loadBalancerSourceRanges[1]"},
		{"Service/hello-public", "spec.LoadBalancerSourceRanges[0]", "services[1].loadBalancerSourceRanges[0]"},
		{"Service/hello-public", "spec.loadBalancerSourceRanges[5]", "services[1].loadBalancerSourceRanges"},
		{"Service/hello-public", "spec.ports[0].targetPort", "containers[0].ports[0]"},
		{"Service/hello-public", "spec.ports[0].name", "services[1].ports[0].name"},
		{"Service/hello-public", "spec.ports[0]", "services[1].ports[0]"},
		{"Service/hello-public", "spec.ports[3]", "services[1].ports"},
		{"Service/hello-public", "spec.selector", "services[1]"},
		{"Service/hello", "spec.ports[1].port", "services[0].ports[1].servicePort"},
		{"Service/hello", "spec.ports[1].protocol", "containers[0].ports[1].protocol"},
	} {
		if got := intentField(src, c.ref, c.path); got != c.want {
			t.Errorf("%s %s -> %q, want %q", c.ref, c.path, got, c.want)
		}
	}
}

func TestRecordPath(t *testing.T) {
	for in, want := range map[string]string{
		"spec.template.labels":                                          "spec.template.metadata.labels",
		"spec.template.annotations[a/b]":                                "spec.template.metadata.annotations[a/b]",
		"spec.template.metadata.annotations.a.b/c":                      "spec.template.metadata.annotations[a.b/c]",
		"metadata.annotations.seccomp.security.alpha.kubernetes.io/pod": "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
		"spec.clusterIPs[1]":                                            "spec.type",
		"spec.clusterIP":                                                "spec.type",
		"spec.serviceAccountName":                                       "spec.serviceAccountName",
		"spec.serviceAccount":                                           "spec.serviceAccountName",
		"spec.serviceAccountX":                                          "spec.serviceAccountX",
		"spec.LoadBalancerSourceRanges[2]":                              "spec.loadBalancerSourceRanges[2]",
		"spec.containers[0].image":                                      "spec.containers[0].image",
	} {
		if got := recordPath(in); got != want {
			t.Errorf("recordPath(%q) = %q, want %q", in, got, want)
		}
	}
}
