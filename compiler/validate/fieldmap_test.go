package validate

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

func TestParsePath(t *testing.T) {
	got := parsePath("spec.containers[0].resources.limits[memory]")
	want := []seg{
		{name: "spec", idx: -1}, {name: "containers", idx: -1}, {key: "0", idx: 0},
		{name: "resources", idx: -1}, {name: "limits", idx: -1}, {key: "memory", idx: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsePath = %+v", got)
	}
	got = parsePath("metadata.labels[app.kubernetes.io/name]")
	if len(got) != 3 || got[2].key != "app.kubernetes.io/name" {
		t.Errorf("label key path = %+v", got)
	}
	if parsePath("") != nil {
		t.Error("empty path has steps")
	}
	if got := parsePath("a[1"); len(got) != 1 {
		t.Errorf("unterminated bracket = %+v", got)
	}
}

func TestIntentField(t *testing.T) {
	wi := testIntent()
	wi.Annotations = map[string]string{"seccomp.security.alpha.kubernetes.io/pod": "x", "controller.kubernetes.io/pod-deletion-cost": "y"}
	pod := defaulted(testPod())
	dep := defaulted(testDeployment())
	svc := defaulted(testNodeService())
	cases := []struct {
		obj  runtime.Object
		path string
		want string
	}{
		{pod, "metadata.name", "name"},
		{pod, "metadata.namespace", "namespace"},
		{pod, "metadata.labels[team]", `labels["team"]`},
		{pod, "metadata.labels[app.kubernetes.io/name]", "name"},
		{pod, "metadata.annotations[x]", ""},
		{pod, "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]", `annotations["seccomp.security.alpha.kubernetes.io/pod"]`},
		{pod, "metadata.annotations.seccomp.security.alpha.kubernetes.io/pod", `annotations["seccomp.security.alpha.kubernetes.io/pod"]`},
		{dep, "spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]", `annotations["controller.kubernetes.io/pod-deletion-cost"]`},
		{pod, "spec.containers[0].image", "containers[0].image"},
		{pod, "spec.containers[0].imagePullPolicy", "containers[0].pullPolicy"},
		{pod, "spec.containers[0].ports[1].containerPort", "containers[0].ports[1].containerPort"},
		{pod, "spec.containers[0].env[0].valueFrom.secretKeyRef.key", "containers[0].env[0].secretKey.key"},
		{pod, "spec.containers[0].resources.limits[memory]", "containers[0].resources.memory.limit"},
		{pod, "spec.containers[0].resources.limits[nvidia.com/gpu]", "containers[0].resources"},
		{pod, "spec.containers[0].livenessProbe.tcpSocket.port", "containers[0].probes.liveness.tcpSocket.port"},
		{pod, "spec.containers[0].livenessProbe.httpGet.httpHeaders[2].name", "containers[0].probes.liveness.httpGet.headers[2].name"},
		{pod, "spec.containers[0].livenessProbe.terminationGracePeriodSeconds", "containers[0].probes.liveness"},
		{pod, "spec.containers[0].volumeMounts[0].mountPath", "containers[0].mounts[0].path"},
		{pod, "spec.containers[0].securityContext.capabilities.add[1]", "containers[0].securityContext.capabilitiesAdd[1]"},
		{pod, "spec.containers[7].image", ""},
		{pod, "spec.initContainers[0].command[2]", "initSteps[0].command[2]"},
		{pod, "spec.initContainers[1].restartPolicy", "sidecars[0]"},
		{pod, "spec.volumes[0].emptyDir.medium", "volumes[0].scratch.memory"},
		{pod, "spec.hostPID", "hostPid"},
		{pod, "spec.dnsPolicy", ""},
		{pod, "spec.securityContext.sysctls[1].name", "securityContext.sysctls[1].name"},
		{pod, "spec.securityContext.supplementalGroups[2]", "securityContext.supplementalGroups[2]"},
		{dep, "spec.template.spec.securityContext.fsGroupChangePolicy", "securityContext.fsGroupChangePolicy"},
		{pod, "spec.securityContext.seLinuxOptions.level", "securityContext"},
		{dep, "spec.replicas", "replicas"},
		{dep, "spec.selector", ""},
		{dep, "spec.template.metadata.labels[team]", `labels["team"]`},
		{dep, "spec.template.spec.containers[0].ports[0].name", "containers[0].ports[0].name"},
		{dep, "spec.template.spec.restartPolicy", "restartPolicy"},
		{svc, "metadata.name", "name"},
		{svc, "spec.ports[0].nodePort", "containers[0].ports[0].nodePort"},
		{svc, "spec.ports[0].port", "containers[0].ports[0].servicePort"},
		{svc, "spec.ports[0].targetPort", "containers[0].ports[0].name"},
		{svc, "spec.ports[0]", "containers[0].ports[0]"},
		{svc, "spec.type", ""},
	}
	for _, c := range cases {
		if got := (mapper{wi: wi, obj: c.obj}).intentField(c.path); got != c.want {
			t.Errorf("%T %s -> %q, want %q", c.obj, c.path, got, c.want)
		}
	}
}

func TestIntentFieldUnnamedServicePort(t *testing.T) {
	s := testNodeService()
	s.Spec.Ports[0].Name = ""
	m := mapper{wi: testIntent(), obj: defaulted(s)}
	if got := m.intentField("spec.ports[0].nodePort"); got != "containers[0].ports[0].nodePort" {
		t.Errorf("unnamed service port -> %q", got)
	}
}
