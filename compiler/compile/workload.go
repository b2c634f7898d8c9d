package compile

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// workload wraps the pod spec in a bare Pod or a Deployment.
func (b *builder) workload(spec corev1.PodSpec) {
	wi := b.wi
	switch wi.GetController() {
	case podcv1.Controller_CONTROLLER_DEPLOYMENT:
		replicas := int32(1)
		if wi.Replicas != nil {
			replicas = wi.GetReplicas()
		}
		b.out.Deployment = &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: b.objectMeta(wi.GetName()),
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: b.selector()},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: b.labels(), Annotations: b.annotations()},
					Spec:       spec,
				},
			},
		}
	default:
		b.out.Pod = &corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: b.objectMeta(wi.GetName()),
			Spec:       spec,
		}
	}
}

// controllerDefaults reports the controller and replicas the intent leaves
// unset.
func (b *builder) controllerDefaults() {
	switch b.wi.GetController() {
	case podcv1.Controller_CONTROLLER_UNSPECIFIED:
		b.def("controller", "CONTROLLER_POD", "unset: a bare Pod, with no controller to replace it")
	case podcv1.Controller_CONTROLLER_DEPLOYMENT:
		if b.wi.Replicas == nil {
			b.def("replicas", "1", "unset: a Deployment runs one replica")
		}
	}
}
