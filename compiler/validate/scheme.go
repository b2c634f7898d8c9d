package validate

import (
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kubernetes/pkg/apis/apps"
	k8sappsv1 "k8s.io/kubernetes/pkg/apis/apps/v1"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	k8sautoscalingv2 "k8s.io/kubernetes/pkg/apis/autoscaling/v2"
	"k8s.io/kubernetes/pkg/apis/core"
	k8scorev1 "k8s.io/kubernetes/pkg/apis/core/v1"
	"k8s.io/kubernetes/pkg/apis/networking"
	k8snetworkingv1 "k8s.io/kubernetes/pkg/apis/networking/v1"
	"k8s.io/kubernetes/pkg/apis/policy"
	k8spolicyv1 "k8s.io/kubernetes/pkg/apis/policy/v1"
	"k8s.io/kubernetes/pkg/capabilities"
)

// scheme is the kube-apiserver's scheme for the groups podc emits: the
// versioned and internal types of core, apps, policy, autoscaling and
// networking, with their defaulting and conversion functions. It is built
// once and only read afterwards.
var scheme = sync.OnceValue(func() *runtime.Scheme {
	setupCapabilities()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		core.AddToScheme, k8scorev1.AddToScheme,
		apps.AddToScheme, k8sappsv1.AddToScheme,
		policy.AddToScheme, k8spolicyv1.AddToScheme,
		autoscaling.AddToScheme, k8sautoscalingv2.AddToScheme,
		networking.AddToScheme, k8snetworkingv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(fmt.Sprintf("validate: building the apiserver scheme: %v", err))
		}
	}
	return s
})

// AllowPrivileged is the kube-apiserver's --allow-privileged setting podc
// validates with: true, as kubeadm and the managed distributions run it.
// Whether a workload may run privileged is the platform's policy decision
// (the default policies deny it), not a property of the manifest.
const AllowPrivileged = true

// setupCapabilities configures the apiserver's process-wide capabilities
// the way a cluster's apiserver is configured. The apiserver code keeps the
// first setting of a process.
func setupCapabilities() {
	capabilities.Initialize(capabilities.Capabilities{AllowPrivileged: AllowPrivileged})
}

// gvkOf returns the group, version and kind of a versioned object podc
// emits, from its Go type rather than its TypeMeta, which may be unset.
func gvkOf(obj runtime.Object) (schema.GroupVersionKind, bool) {
	switch obj.(type) {
	case *corev1.Pod:
		return corev1.SchemeGroupVersion.WithKind("Pod"), true
	case *corev1.Service:
		return corev1.SchemeGroupVersion.WithKind("Service"), true
	case *appsv1.Deployment:
		return appsv1.SchemeGroupVersion.WithKind("Deployment"), true
	case *policyv1.PodDisruptionBudget:
		return policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"), true
	case *autoscalingv2.HorizontalPodAutoscaler:
		return autoscalingv2.SchemeGroupVersion.WithKind("HorizontalPodAutoscaler"), true
	case *networkingv1.NetworkPolicy:
		return networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"), true
	}
	return schema.GroupVersionKind{}, false
}

// defaulted returns a deep copy of the versioned obj with the apiserver's
// defaults applied, as decoding a request body would. obj is not changed.
func defaulted(obj runtime.Object) runtime.Object {
	cp := obj.DeepCopyObject()
	scheme().Default(cp)
	return cp
}

// internal converts a defaulted versioned object to the apiserver's
// internal type, which its validation reads.
func internal(obj runtime.Object) (runtime.Object, error) {
	var out runtime.Object
	switch obj.(type) {
	case *corev1.Pod:
		out = &core.Pod{}
	case *corev1.Service:
		out = &core.Service{}
	case *appsv1.Deployment:
		out = &apps.Deployment{}
	case *policyv1.PodDisruptionBudget:
		out = &policy.PodDisruptionBudget{}
	case *autoscalingv2.HorizontalPodAutoscaler:
		out = &autoscaling.HorizontalPodAutoscaler{}
	case *networkingv1.NetworkPolicy:
		out = &networking.NetworkPolicy{}
	default:
		return nil, fmt.Errorf("unsupported object type %T", obj)
	}
	if err := scheme().Convert(obj, out, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// versioned returns an empty versioned object of obj's type, for
// converting an internal object back; nil for a type podc does not emit.
func versioned(obj runtime.Object) runtime.Object {
	switch obj.(type) {
	case *corev1.Pod:
		return &corev1.Pod{}
	case *corev1.Service:
		return &corev1.Service{}
	case *appsv1.Deployment:
		return &appsv1.Deployment{}
	case *policyv1.PodDisruptionBudget:
		return &policyv1.PodDisruptionBudget{}
	case *autoscalingv2.HorizontalPodAutoscaler:
		return &autoscalingv2.HorizontalPodAutoscaler{}
	case *networkingv1.NetworkPolicy:
		return &networkingv1.NetworkPolicy{}
	}
	return nil
}

// Prepare builds what the first validation would otherwise build on its
// way: the apiserver's scheme and its feature gates. A one-shot command
// calls it on a spare processor while it loads its policies. It is safe
// for concurrent use, and does nothing after its first call.
func Prepare() {
	scheme()
	gates()
}
