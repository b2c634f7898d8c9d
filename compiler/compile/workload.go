package compile

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// workload wraps the pod spec in a bare Pod or a Deployment, and places
// the pod spec's record, specNode, in it.
func (b *builder) workload(spec corev1.PodSpec, specNode provenance.Node) {
	wi := b.wi
	ref := "Pod/"
	if wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT {
		ref = "Deployment/"
	}
	root := b.rec.Object(ref+wi.GetName(), provenance.FromIntent(provenance.Intent))
	b.typeMeta(root, from(wi.GetController() != podcv1.Controller_CONTROLLER_UNSPECIFIED, b.in("controller")))
	kind := metaPod
	if wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT {
		kind = metaWorkload
	}
	meta := b.objectMeta(root, kind, wi.GetName(), b.in("name"), nil, provenance.Intent)
	switch wi.GetController() {
	case podcv1.Controller_CONTROLLER_DEPLOYMENT:
		sp := b.rec.Field(root, "spec", provenance.Holder)
		// Under an autoscaler the replicas are its to set: a Deployment
		// that says them is scaled back to them on every apply.
		var replicas *int32
		if _, scaled := intent.ScaleOf(wi); !scaled {
			n := int32(1)
			if wi.Replicas != nil {
				n = wi.GetReplicas()
			}
			replicas = &n
			b.rec.Field(sp, "replicas", from(wi.Replicas != nil, b.in("replicas")))
		}
		sel := b.rec.Field(sp, "selector", provenance.Holder)
		b.recordSelector(b.rec.Field(sel, "matchLabels", provenance.Holder))
		tmpl := b.rec.Field(sp, "template", provenance.Holder)
		tmeta := b.rec.Field(tmpl, "metadata", provenance.Holder)
		b.rec.AttachField(specNode, tmpl, "spec")
		b.out.Deployment = &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{
				Replicas: replicas,
				Selector: &metav1.LabelSelector{MatchLabels: b.selector()},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: b.labels(tmeta, metaPod), Annotations: b.annotations(tmeta, metaPod, nil, provenance.Intent)},
					Spec:       spec,
				},
			},
		}
		b.rollout(sp, &b.out.Deployment.Spec)
	default:
		b.rec.AttachField(specNode, root, "spec")
		b.out.Pod = &corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: meta,
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
		_, scaled := intent.ScaleOf(b.wi)
		switch {
		case scaled:
			b.note("the Deployment leaves spec.replicas to its HorizontalPodAutoscaler, which scales it between autoscaling.minReplicas and autoscaling.maxReplicas")
		case b.wi.Replicas == nil:
			b.def("replicas", "1", "unset: a Deployment runs one replica")
		}
		b.rolloutDefaults()
	}
}
