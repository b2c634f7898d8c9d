package validate

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// compiled compiles wi for the newest target and returns its objects,
// the workload first, and the record of where their fields came from.
// Validation places problems by the record, so tests that break an object
// by hand break one compile made.
func compiled(t testing.TB, wi *podcv1.WorkloadIntent) ([]runtime.Object, *provenance.Record) {
	t.Helper()
	out, err := compile.Workload(wi, compile.Options{Target: target.Default})
	if err != nil {
		t.Fatal(err)
	}
	return out.Objects(), out.Sources
}

// testIntent is the intent the fixtures below stand for.
func testIntent() *podcv1.WorkloadIntent {
	return &podcv1.WorkloadIntent{
		Name:      "hello",
		Labels:    map[string]string{"team": "web"},
		InitSteps: []*podcv1.Container{{Name: "migrate", Image: "migrate:1.0"}},
		Containers: []*podcv1.Container{{
			Name:  "web",
			Image: "nginx:1.27.3",
			Env:   []*podcv1.EnvVar{{Name: "MODE", Source: &podcv1.EnvVar_Value{Value: "prod"}}},
			Ports: []*podcv1.Port{
				{Name: "http", ContainerPort: 8080, Expose: podcv1.Expose_EXPOSE_NODE, ServicePort: 80, NodePort: 30080},
				{Name: "metrics", ContainerPort: 9090, Expose: podcv1.Expose_EXPOSE_CLUSTER},
			},
			Resources: &podcv1.Resources{Cpu: &podcv1.Resource{Request: "250m", Limit: "1"}},
			Probes:    &podcv1.Probes{Liveness: &podcv1.Probe{Handler: &podcv1.Probe_TcpSocket{TcpSocket: &podcv1.TCPSocketAction{Port: "http"}}}},
			Mounts:    []*podcv1.Mount{{Volume: "cache", Path: "/cache"}},
		}},
		Sidecars: []*podcv1.Container{{Name: "shipper", Image: "shipper:3.1.0"}},
		Volumes:  []*podcv1.Volume{{Name: "cache", Source: &podcv1.Volume_Scratch{Scratch: &podcv1.ScratchVolume{}}}},
	}
}

func testLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": "hello", "app.kubernetes.io/managed-by": "podc", "team": "web"}
}

func testPodSpec() corev1.PodSpec {
	always := corev1.ContainerRestartPolicyAlways
	return corev1.PodSpec{
		InitContainers: []corev1.Container{
			{Name: "migrate", Image: "migrate:1.0", ImagePullPolicy: corev1.PullIfNotPresent},
			{Name: "shipper", Image: "shipper:3.1.0", ImagePullPolicy: corev1.PullIfNotPresent, RestartPolicy: &always},
		},
		Containers: []corev1.Container{{
			Name:            "web",
			Image:           "nginx:1.27.3",
			ImagePullPolicy: corev1.PullIfNotPresent,
			Env:             []corev1.EnvVar{{Name: "MODE", Value: "prod"}},
			Ports: []corev1.ContainerPort{
				{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
				{Name: "metrics", ContainerPort: 9090, Protocol: corev1.ProtocolTCP},
			},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
			},
			LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}}},
			VolumeMounts:  []corev1.VolumeMount{{Name: "cache", MountPath: "/cache"}},
		}},
		Volumes:       []corev1.Volume{{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
		RestartPolicy: corev1.RestartPolicyAlways,
	}
}

func testPod() *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "hello", Labels: testLabels()},
		Spec:       testPodSpec(),
	}
}

func testDeployment() *appsv1.Deployment {
	replicas := int32(2)
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "shop", Labels: testLabels()},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "hello"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: testLabels()},
				Spec:       testPodSpec(),
			},
		},
	}
}

func testClusterService() *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "hello", Labels: testLabels()},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{"app.kubernetes.io/name": "hello"},
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP},
				{Name: "metrics", Port: 9090, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP},
			},
		},
	}
}

func testNodeService() *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "hello-nodeport", Labels: testLabels()},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: map[string]string{"app.kubernetes.io/name": "hello"},
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), NodePort: 30080, Protocol: corev1.ProtocolTCP},
			},
		},
	}
}

func metaNone() metav1.TypeMeta { return metav1.TypeMeta{} }
