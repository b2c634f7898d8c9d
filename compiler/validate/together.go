package validate

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
)

// podsOf is what the objects that govern a workload must agree with: its
// reference, namespace and kind, its pods' labels, and whether it sets
// its replicas.
type podsOf struct {
	ref, namespace, kind, name string
	labels                     map[string]string
	replicasSet                bool
}

// Together checks the objects as a whole, as no single object's
// validation can: the PodDisruptionBudget and the NetworkPolicy are in the
// workload's namespace and select its pods (and not every pod of the
// namespace), and the HorizontalPodAutoscaler is in its namespace and
// scales it, a Deployment (apiVersion apps/v1) that leaves its replicas to
// the autoscaler. Objects without a workload among them are not checked.
func Together(objs []runtime.Object, opts Options) []diag.Finding {
	opts = opts.normalized()
	var w *podsOf
	for _, o := range objs {
		switch obj := o.(type) {
		case *corev1.Pod:
			w = &podsOf{ref: "Pod/" + obj.Name, namespace: obj.Namespace, kind: "Pod", name: obj.Name, labels: obj.Labels}
		case *appsv1.Deployment:
			w = &podsOf{ref: "Deployment/" + obj.Name, namespace: obj.Namespace, kind: "Deployment", name: obj.Name,
				labels: obj.Spec.Template.Labels, replicasSet: obj.Spec.Replicas != nil}
		}
	}
	if w == nil {
		return nil
	}
	var fs []diag.Finding
	add := func(ref, path, format string, args ...any) {
		fs = append(fs, diag.Finding{
			Severity:      diag.Deny,
			Stage:         diag.StageValidation,
			Field:         intentField(opts.Sources, ref, path),
			ManifestField: ref + ": " + path,
			Message:       fmt.Sprintf(format, args...) + " (podc's check of the objects together)",
		})
	}
	namespace := func(ref, ns string) {
		if ns != w.namespace {
			add(ref, "metadata.namespace", "%q is not the namespace of %s (%q): it governs only pods of its own namespace", ns, w.ref, w.namespace)
		}
	}
	selects := func(ref, path string, sel *metav1.LabelSelector) {
		s, err := metav1.LabelSelectorAsSelector(sel)
		switch {
		case err != nil:
			// The object's own validation reports a malformed selector.
		case s.Empty():
			add(ref, path, "selects every pod of the namespace, not only the pods of %s", w.ref)
		case !s.Matches(labels.Set(w.labels)):
			add(ref, path, "does not select the pods of %s, which carry %s", w.ref, labelText(w.labels))
		}
	}
	for _, o := range objs {
		switch obj := o.(type) {
		case *policyv1.PodDisruptionBudget:
			ref := "PodDisruptionBudget/" + obj.Name
			namespace(ref, obj.Namespace)
			selects(ref, "spec.selector", obj.Spec.Selector)
		case *networkingv1.NetworkPolicy:
			ref := "NetworkPolicy/" + obj.Name
			namespace(ref, obj.Namespace)
			selects(ref, "spec.podSelector", &obj.Spec.PodSelector)
		case *autoscalingv2.HorizontalPodAutoscaler:
			ref := "HorizontalPodAutoscaler/" + obj.Name
			namespace(ref, obj.Namespace)
			t := obj.Spec.ScaleTargetRef
			switch {
			case w.kind != "Deployment":
				add(ref, "spec.scaleTargetRef", "scales nothing: %s is a bare Pod, which has no replicas", w.ref)
			case t.APIVersion != "apps/v1" || t.Kind != "Deployment" || t.Name != w.name:
				add(ref, "spec.scaleTargetRef", "names %s %s/%s, not the Deployment %s (apps/v1)", t.APIVersion, t.Kind, t.Name, w.name)
			case w.replicasSet:
				add(w.ref, "spec.replicas", "set, though %s scales the Deployment: every apply would scale it back to this count", ref)
			}
		}
	}
	return fs
}

// labelText writes labels as k=v pairs in key order.
func labelText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + m[k]
	}
	if len(keys) == 0 {
		return "no labels"
	}
	return strings.Join(keys, ", ")
}
