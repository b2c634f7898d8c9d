package validate

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// governedIntent is a Deployment with an autoscaler, a disruption budget,
// spread and a network policy: every object podc emits beside the
// workload and its Services.
func governedIntent() *podcv1.WorkloadIntent {
	wi := testIntent()
	wi.Namespace = "shop"
	wi.Controller = podcv1.Controller_CONTROLLER_DEPLOYMENT
	wi.Containers[0].Resources = &podcv1.Resources{Cpu: &podcv1.Resource{Request: "100m"}}
	wi.Autoscaling = &podcv1.Autoscaling{MaxReplicas: 5}
	wi.Protection = &podcv1.Protection{
		DisruptionBudget:         &podcv1.DisruptionBudget{},
		SpreadTopologyKeys:       []string{"topology.kubernetes.io/zone"},
		AntiAffinityTopologyKeys: []string{"kubernetes.io/hostname"},
		NetworkPolicy:            &podcv1.NetworkPolicy{},
	}
	return wi
}

// governed compiles governedIntent and returns its objects by kind.
func governed(t *testing.T) ([]runtime.Object, *provenance.Record, *appsv1.Deployment, *policyv1.PodDisruptionBudget, *autoscalingv2.HorizontalPodAutoscaler, *networkingv1.NetworkPolicy) {
	t.Helper()
	objs, src := compiled(t, governedIntent())
	d, pdb, hpa, np := kinds(objs)
	if d == nil || pdb == nil || hpa == nil || np == nil {
		t.Fatalf("compile did not emit every object: %T", objs)
	}
	return objs, src, d, pdb, hpa, np
}

// kinds picks the Deployment and the objects governing it out of objs.
func kinds(objs []runtime.Object) (d *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, np *networkingv1.NetworkPolicy) {
	for _, o := range objs {
		switch x := o.(type) {
		case *appsv1.Deployment:
			d = x
		case *policyv1.PodDisruptionBudget:
			pdb = x
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpa = x
		case *networkingv1.NetworkPolicy:
			np = x
		}
	}
	return d, pdb, hpa, np
}

func TestGoverningObjectsValid(t *testing.T) {
	// On 1.25 and 1.26 the eviction policy is left out.
	for _, v := range []target.Version{{Minor: target.Oldest}, {Minor: 26}, {Minor: 27}, {Minor: 36}, target.Default} {
		objs, src := compiledFor(t, governedIntent(), v)
		if d, pdb, hpa, np := kinds(objs); d == nil || pdb == nil || hpa == nil || np == nil {
			t.Fatalf("target %s: not every object compiled: %T", v, objs)
		}
		if fs := Objects(objs, Options{Target: v, Sources: src}); len(fs) != 0 {
			t.Errorf("target %s: valid objects refused:\n%v", v, fs)
		}
	}
}

// Each object is refused for what the kube-apiserver refuses in it, at
// its manifest field and the intent field behind it, and the objects are
// refused together where they do not agree.
func TestGoverningObjectsRefused(t *testing.T) {
	cases := []struct {
		name          string
		change        func(d *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, np *networkingv1.NetworkPolicy)
		target        int
		manifestField string
		field         string
		message       string
	}{
		{"budget with both amounts", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			v := intstr.FromString("50%")
			pdb.Spec.MinAvailable = &v
		}, 0, "PodDisruptionBudget/hello: spec", "protection.disruptionBudget.maxUnavailable", "minAvailable and maxUnavailable cannot be both set"},
		{"budget over 100%", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			v := intstr.FromString("120%")
			pdb.Spec.MaxUnavailable = &v
		}, 0, "PodDisruptionBudget/hello: spec.maxUnavailable", "protection.disruptionBudget.maxUnavailable", "must not be greater than 100%"},
		{"budget with a bad name", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			pdb.Name = "a/b"
		}, 0, "PodDisruptionBudget/a/b: metadata.name", "", "may not contain '/'"},
		{"unknown eviction policy", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			p := policyv1.UnhealthyPodEvictionPolicyType("Sometimes")
			pdb.Spec.UnhealthyPodEvictionPolicy = &p
		}, 0, "PodDisruptionBudget/hello: spec.unhealthyPodEvictionPolicy", "protection.disruptionBudget.unhealthyPodEviction", "Unsupported value"},
		{"eviction policy on 1.26", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			p := policyv1.AlwaysAllow
			pdb.Spec.UnhealthyPodEvictionPolicy = &p
		}, 26, "PodDisruptionBudget/hello: spec.unhealthyPodEvictionPolicy", "protection.disruptionBudget.maxUnavailable", "need Kubernetes 1.27 or newer; the target is 1.26"},
		// Scaling to zero is beta, on by default, in 1.37: it needs an
		// object or external metric there, and is refused before.
		{"autoscaler to zero on 1.36", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			zero := int32(0)
			hpa.Spec.MinReplicas = &zero
		}, 36, "HorizontalPodAutoscaler/hello: spec.minReplicas", "autoscaling.minReplicas", "must be greater than or equal to 1"},
		{"autoscaler to zero on 1.37", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			zero := int32(0)
			hpa.Spec.MinReplicas = &zero
		}, 0, "HorizontalPodAutoscaler/hello: spec.metrics", "autoscaling", "must specify at least one Object or External metric"},
		{"autoscaler range upside down", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			hpa.Spec.MaxReplicas = 0
		}, 0, "HorizontalPodAutoscaler/hello: spec.maxReplicas", "autoscaling.maxReplicas", "must be set and greater than 0"},
		{"autoscaler target of zero", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			zero := int32(0)
			hpa.Spec.Metrics[0].Resource.Target.AverageUtilization = &zero
		}, 0, "HorizontalPodAutoscaler/hello: spec.metrics[0].resource.target.averageUtilization", "autoscaling.targetCpuUtilization", "must be greater than 0"},
		{"autoscaler without a target group", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			hpa.Spec.ScaleTargetRef.APIVersion = "v1"
		}, 0, "HorizontalPodAutoscaler/hello: spec.scaleTargetRef.apiVersion", "controller", "must specify API group"},
		{"network policy port out of range", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, np *networkingv1.NetworkPolicy) {
			p := intstr.FromInt32(70000)
			np.Spec.Ingress[0].Ports[0].Port = &p
		}, 0, "NetworkPolicy/hello: spec.ingress[0].ports[0].port", "containers[0].ports[1].containerPort", "between 1 and 65535"},
		{"network policy of a third policy type", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, np *networkingv1.NetworkPolicy) {
			np.Spec.PolicyTypes = []networkingv1.PolicyType{"Sideways"}
		}, 0, "NetworkPolicy/hello: spec.policyTypes[0]", "protection.networkPolicy", "Unsupported value"},
		// The objects together.
		{"budget selecting other pods", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			pdb.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "other"}}
		}, 0, "PodDisruptionBudget/hello: spec.selector", "protection.disruptionBudget.maxUnavailable", "does not select the pods of Deployment/hello"},
		{"budget selecting every pod", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			pdb.Spec.Selector = &metav1.LabelSelector{}
		}, 0, "PodDisruptionBudget/hello: spec.selector", "protection.disruptionBudget.maxUnavailable", "selects every pod of the namespace"},
		{"budget in another namespace", func(_ *appsv1.Deployment, pdb *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			pdb.Namespace = "elsewhere"
		}, 0, "PodDisruptionBudget/hello: metadata.namespace", "namespace", `"elsewhere" is not the namespace of Deployment/hello`},
		{"network policy selecting other pods", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, np *networkingv1.NetworkPolicy) {
			np.Spec.PodSelector = metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "other"}}
		}, 0, "NetworkPolicy/hello: spec.podSelector", "protection.networkPolicy", "does not select the pods of Deployment/hello"},
		{"autoscaler naming another Deployment", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			hpa.Spec.ScaleTargetRef.Name = "other"
		}, 0, "HorizontalPodAutoscaler/hello: spec.scaleTargetRef", "autoscaling", "names apps/v1 Deployment/other, not the Deployment hello"},
		{"autoscaler naming a StatefulSet", func(_ *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, hpa *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			hpa.Spec.ScaleTargetRef.Kind = "StatefulSet"
		}, 0, "HorizontalPodAutoscaler/hello: spec.scaleTargetRef", "autoscaling", "not the Deployment hello"},
		{"replicas under an autoscaler", func(d *appsv1.Deployment, _ *policyv1.PodDisruptionBudget, _ *autoscalingv2.HorizontalPodAutoscaler, _ *networkingv1.NetworkPolicy) {
			n := int32(3)
			d.Spec.Replicas = &n
		}, 0, "Deployment/hello: spec.replicas", "", "set, though HorizontalPodAutoscaler/hello scales the Deployment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := target.Default
			if c.target != 0 {
				v = target.Version{Minor: c.target}
			}
			objs, src, d, pdb, hpa, np := governed(t)
			if c.target != 0 {
				objs, src = compiledFor(t, governedIntent(), v)
				d, pdb, hpa, np = kinds(objs)
			}
			if c.change != nil {
				c.change(d, pdb, hpa, np)
			}
			fs := Objects(objs, Options{Target: v, Sources: src})
			var hit *diag.Finding
			for i := range fs {
				if fs[i].ManifestField == c.manifestField && strings.Contains(fs[i].Message, c.message) {
					hit = &fs[i]
				}
			}
			if hit == nil {
				t.Fatalf("no finding at %s with %q; got %v", c.manifestField, c.message, fs)
			}
			if hit.Field != c.field || hit.Severity != diag.Deny || hit.Stage != diag.StageValidation {
				t.Errorf("finding %+v; want a deny of the validation stage at field %q", *hit, c.field)
			}
		})
	}
}

// A HorizontalPodAutoscaler beside a bare Pod scales nothing.
func TestAutoscalerBesidePodRefused(t *testing.T) {
	_, _, _, _, hpa, _ := governed(t)
	hpa.Namespace = testPod().Namespace
	fs := Together([]runtime.Object{testPod(), hpa}, opts())
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "scales nothing") {
		t.Errorf("got %v", fs)
	}
	// Without a workload there is nothing to check against.
	if fs := Together([]runtime.Object{hpa, &corev1.Service{}}, opts()); len(fs) != 0 {
		t.Errorf("no workload: %v", fs)
	}
}

// The apiserver's defaults written out for the new kinds, as it stores
// them: the budget, autoscaler and policy keep what podc wrote; the
// Deployment under the autoscaler does not get the apiserver's replicas of
// 1, which would scale it back on every apply, and passes the check of the
// objects together.
func TestGoverningObjectsDefaulted(t *testing.T) {
	objs, _, _, _, _, _ := governed(t)
	out := Defaulted(objs)
	if fs := Together(out, opts()); len(fs) != 0 {
		t.Errorf("defaulted objects do not agree: %v", fs)
	}
	for i, o := range out {
		if o.GetObjectKind().GroupVersionKind().Kind == "" {
			t.Errorf("object %d (%T): no kind", i, o)
		}
		switch x := o.(type) {
		case *appsv1.Deployment:
			if x.Spec.Replicas != nil {
				t.Errorf("defaulted Deployment under an autoscaler says replicas %d", *x.Spec.Replicas)
			}
			if x.Spec.RevisionHistoryLimit == nil || x.Spec.Template.Spec.SchedulerName == "" {
				t.Errorf("the Deployment's other defaults are not written: %+v", x.Spec)
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			if x.Spec.MaxReplicas != 5 || *x.Spec.MinReplicas != 1 || len(x.Spec.Metrics) != 1 {
				t.Errorf("defaulted autoscaler %+v", x.Spec)
			}
		case *networkingv1.NetworkPolicy:
			if len(x.Spec.PolicyTypes) != 1 || x.Spec.PolicyTypes[0] != networkingv1.PolicyTypeIngress {
				t.Errorf("defaulted policy types %v", x.Spec.PolicyTypes)
			}
		case *policyv1.PodDisruptionBudget:
			if x.Spec.MaxUnavailable == nil || x.Spec.MaxUnavailable.IntValue() != 1 {
				t.Errorf("defaulted budget %+v", x.Spec)
			}
		}
	}
}

// compiledFor compiles wi for target v.
func compiledFor(t *testing.T, wi *podcv1.WorkloadIntent, v target.Version) ([]runtime.Object, *provenance.Record) {
	t.Helper()
	out, err := compile.Workload(wi, compile.Options{Target: v})
	if err != nil {
		t.Fatal(err)
	}
	return out.Objects(), out.Sources
}
