package compile

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// autoscaler compiles the HorizontalPodAutoscaler (autoscaling/v2) the
// intent's autoscaling asks for: named after the workload, it scales the
// Deployment between minReplicas (1 when unset, written out) and
// maxReplicas on a Resource metric per utilization target, cpu first (80%
// when no target is set, written out).
func (b *builder) autoscaler() {
	wi := b.wi
	s, ok := intent.ScaleOf(wi)
	if !ok || wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		return
	}
	r := b.rec
	ap := b.in("autoscaling")
	name := wi.GetName()
	root := r.Object("HorizontalPodAutoscaler/"+name, provenance.FromIntent(ap))
	b.typeMeta(root, provenance.FromIntent(ap))
	meta := b.objectMeta(root, metaCompanion, name, b.in("name"), nil, provenance.Intent)
	sp := r.Field(root, "spec", provenance.Holder)

	// The Deployment it scales, as compile names it.
	ref := r.Field(sp, "scaleTargetRef", provenance.Holder)
	r.Field(ref, "apiVersion", provenance.FromIntent(b.in("controller")))
	r.Field(ref, "kind", provenance.FromIntent(b.in("controller")))
	r.Field(ref, "name", provenance.FromIntent(b.in("name")))

	a := wi.GetAutoscaling()
	if a.MinReplicas == nil {
		b.def(diag.Path("autoscaling").Field("minReplicas"), "1", "unset: the autoscaler may scale down to one replica")
	}
	r.Field(sp, "minReplicas", from(a.MinReplicas != nil, r.In(ap, "minReplicas")))
	r.Field(sp, "maxReplicas", provenance.FromIntent(r.In(ap, "maxReplicas")))
	min := s.MinReplicas

	var metrics []autoscalingv2.MetricSpec
	list := r.Field(sp, "metrics", provenance.Holder)
	for _, t := range []struct {
		field    string
		resource corev1.ResourceName
		value    int32
		set      bool
	}{
		{"targetCpuUtilization", corev1.ResourceCPU, s.CPU, !s.CPUDefaulted},
		{"targetMemoryUtilization", corev1.ResourceMemory, s.Memory, true},
	} {
		if t.value == 0 {
			continue
		}
		if !t.set {
			b.def(diag.Path("autoscaling").Field(t.field), fmt.Sprint(t.value), "unset, with no other target: the Kubernetes default, an average cpu use of 80% of the pods' cpu requests")
		}
		src := from(t.set, r.In(ap, t.field))
		en := r.Index(list, len(metrics), src)
		r.Field(en, "type", src)
		res := r.Field(en, "resource", provenance.Holder)
		r.Field(res, "name", src)
		tn := r.Field(res, "target", provenance.Holder)
		r.Field(tn, "type", src)
		r.Field(tn, "averageUtilization", src)
		v := t.value
		metrics = append(metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   t.resource,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &v},
			},
		})
	}
	b.out.Autoscaler = &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: meta,
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
			MinReplicas:    &min,
			MaxReplicas:    s.MaxReplicas,
			Metrics:        metrics,
		},
	}
}
