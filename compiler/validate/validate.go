// Package validate runs the kube-apiserver's own create validation on
// compiled objects, in process: the apiserver's defaulting, conversion to its
// internal types, the create validation of Pods, Deployments, Services,
// PodDisruptionBudgets, HorizontalPodAutoscalers and NetworkPolicies with
// the options the target Kubernetes version implies, and the node port
// range check that the apiserver's allocator does. The declarative
// validation those kinds also have in the apiserver checks rules its
// hand-written validation, which runs here, checks too.
//
// It also checks the objects together, as no single object's validation
// can: the PodDisruptionBudget and the NetworkPolicy select the workload's
// pods, and the HorizontalPodAutoscaler scales the Deployment, which leaves
// its replicas to it.
//
// Everything expensive (the scheme, the feature gates' history) is built
// once; every function here is safe for concurrent use and never changes the
// objects it is given.
package validate

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/apis/apps"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	autoscalingvalidation "k8s.io/kubernetes/pkg/apis/autoscaling/validation"
	"k8s.io/kubernetes/pkg/apis/core"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/networking"
	networkingvalidation "k8s.io/kubernetes/pkg/apis/networking/validation"
	"k8s.io/kubernetes/pkg/apis/policy"
	policyvalidation "k8s.io/kubernetes/pkg/apis/policy/validation"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
)

// KubernetesVersion is the version of the kube-apiserver code podc runs.
const KubernetesVersion = "1.37.2"

// DefaultNamespace stands in for an object's namespace when the intent
// leaves it unset: the apiserver fills it from the request before
// validating, and every namespace validates alike.
const DefaultNamespace = "default"

// Options configure a validation.
type Options struct {
	// Target is the Kubernetes version whose apiserver rules apply; the zero
	// value means target.Default.
	Target target.Version
	// NodePorts is the platform's node port range; the zero value means
	// intent.DefaultNodePorts.
	NodePorts intent.PortRange
	// Sources is the record of where each field of the objects came from,
	// as compile made it. Each problem is placed at the intent field
	// recorded for its manifest field (or the nearest recorded field
	// around it); nil leaves the findings' Field empty.
	Sources *provenance.Record
	// Consume lets Objects default and convert the objects in place, as
	// the apiserver does with a request's objects, instead of copies of
	// them: for a caller that is done with them (the engine renders from
	// a render.Snapshot taken before). The objects are then left changed.
	Consume bool
}

func (o Options) normalized() Options {
	if o.Target == (target.Version{}) {
		o.Target = target.Default
	}
	if o.NodePorts == (intent.PortRange{}) {
		o.NodePorts = intent.DefaultNodePorts
	}
	return o
}

// Note says which rules validated the manifests, for the report.
func Note(opts Options) string {
	opts = opts.normalized()
	return fmt.Sprintf("validated with Kubernetes %s apiserver rules (create validation of k8s.io/kubernetes v%s with %s feature defaults; node ports %d-%d)",
		opts.Target, KubernetesVersion, opts.Target, opts.NodePorts.Min, opts.NodePorts.Max)
}

// Objects validates each object (a v1 Pod, an apps/v1 Deployment, a v1
// Service, a policy/v1 PodDisruptionBudget, an autoscaling/v2
// HorizontalPodAutoscaler or a networking.k8s.io/v1 NetworkPolicy) as the
// kube-apiserver of opts.Target would on create, then the objects together
// (see Together), and returns every problem as a deny finding of the
// validation stage. The objects are not changed.
func Objects(objs []runtime.Object, opts Options) []diag.Finding {
	opts = opts.normalized()
	// The checks across objects read them as compiled, before any is
	// defaulted in place.
	together := Together(objs, opts)
	var fs []diag.Finding
	for _, obj := range objs {
		fs = append(fs, object(obj, opts)...)
	}
	return append(fs, together...)
}

// object validates one object.
func object(obj runtime.Object, opts Options) []diag.Finding {
	gvk, ok := gvkOf(obj)
	if !ok {
		return []diag.Finding{{
			Severity: diag.Deny, Stage: diag.StageValidation,
			ManifestField: fmt.Sprintf("%T", obj),
			Message:       "podc does not validate this kind of object" + suffix(opts),
		}}
	}
	ref := func() string { return gvk.Kind + "/" + nameOf(obj) } // for a finding
	versioned := obj
	if opts.Consume {
		scheme().Default(versioned)
	} else {
		versioned = defaulted(obj)
	}
	in, err := internal(versioned)
	if err != nil {
		return []diag.Finding{{
			Severity: diag.Deny, Stage: diag.StageValidation, ManifestField: ref(),
			Message: "converting to the apiserver's internal type: " + err.Error() + suffix(opts),
		}}
	}
	prepareForCreate(in, opts.NodePorts)

	var errs field.ErrorList
	switch o := in.(type) {
	case *core.Pod:
		po := podOptions(&o.Spec, &o.ObjectMeta, opts.Target)
		po.ResourceIsPod = true
		errs = corevalidation.ValidatePodCreate(o, po)
		errs = append(errs, targetPodSpec(&o.Spec, field.NewPath("spec"), opts.Target)...)
	case *apps.Deployment:
		po := podOptions(&o.Spec.Template.Spec, &o.Spec.Template.ObjectMeta, opts.Target)
		errs = appsvalidation.ValidateDeployment(o, po)
		errs = append(errs, targetPodSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"), opts.Target)...)
	case *core.Service:
		errs = corevalidation.ValidateServiceCreate(o)
		errs = append(errs, targetService(o, opts.Target)...)
		errs = append(errs, nodePorts(o, opts.NodePorts)...)
	case *policy.PodDisruptionBudget:
		// The strategy validates the spec; the create path adds the
		// object's metadata, as for every kind.
		errs = corevalidation.ValidateObjectMeta(&o.ObjectMeta, true, path.ValidatePathSegmentName, field.NewPath("metadata"))
		errs = append(errs, policyvalidation.ValidatePodDisruptionBudget(o, policyvalidation.PodDisruptionBudgetValidationOptions{})...)
		errs = append(errs, targetDisruptionBudget(o, opts.Target)...)
	case *autoscaling.HorizontalPodAutoscaler:
		errs = autoscalingvalidation.ValidateHorizontalPodAutoscaler(o, autoscalerOptions(o, opts.Target))
	case *networking.NetworkPolicy:
		errs = networkingvalidation.ValidateNetworkPolicy(o, networkingvalidation.ValidationOptionsForNetworking(o, nil))
	}
	if len(errs) == 0 {
		return nil
	}
	r := ref()
	fs := make([]diag.Finding, 0, len(errs))
	for _, e := range errs {
		e = refine(e)
		fs = append(fs, diag.Finding{
			Severity:      diag.Deny,
			Stage:         diag.StageValidation,
			Field:         intentField(opts.Sources, r, e.Field),
			ManifestField: r + ": " + e.Field,
			Message:       message(e) + suffix(opts),
		})
	}
	return fs
}

// requestAboveLimit is the detail of the apiserver's error for a request
// above its limit, which it reports at the requests map, not at the key;
// compiled on first use, as only a refused workload needs it.
var requestAboveLimit = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^must be less than or equal to ([a-z0-9./-]+) limit`)
})

// refine narrows an error's path where the apiserver reports it at a
// parent whose child the detail names: a request above its limit is at
// resources.requests[<resource>]. The error is copied, not changed.
func refine(e *field.Error) *field.Error {
	if strings.HasSuffix(e.Field, ".resources.requests") {
		if m := requestAboveLimit().FindStringSubmatch(e.Detail); m != nil {
			cp := *e
			cp.Field += "[" + m[1] + "]"
			return &cp
		}
	}
	return e
}

// suffix names the rules a finding comes from.
func suffix(opts Options) string {
	return " (Kubernetes " + opts.Target.String() + " apiserver validation)"
}

// message is a field error without its path: "<type>: <detail>", with the
// offending value when it is safe to show. Environment values are never
// shown.
func message(e *field.Error) string {
	if strings.Contains(e.Field, ".env[") || strings.Contains(e.Field, ".envFrom[") {
		if e.Detail == "" {
			return e.Type.String()
		}
		return e.Type.String() + ": " + e.Detail
	}
	return e.ErrorBody()
}

// prepareForCreate does what the apiserver does to a new object between
// decoding and validation that matters to validation: it fills an unset
// namespace from the request, keeps a Service's clusterIP and clusterIPs in
// step, and allocates the health check node port of a LoadBalancer Service
// with externalTrafficPolicy Local (from the start of r: validation only
// needs one that is there).
func prepareForCreate(obj runtime.Object, r intent.PortRange) {
	if a, err := meta.Accessor(obj); err == nil && a.GetNamespace() == "" {
		a.SetNamespace(DefaultNamespace)
	}
	if svc, ok := obj.(*core.Service); ok {
		if svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
			svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
		}
		if svc.Spec.Type == core.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == core.ServiceExternalTrafficPolicyLocal &&
			svc.Spec.HealthCheckNodePort == 0 {
			svc.Spec.HealthCheckNodePort = r.Min
		}
	}
}

func nameOf(obj runtime.Object) string {
	if a, err := meta.Accessor(obj); err == nil {
		return a.GetName()
	}
	return ""
}

// Defaulted returns copies of objs with the kube-apiserver's defaults
// applied and TypeMeta set, as the cluster would store them. Objects of a
// kind podc does not validate are copied unchanged. objs is not changed.
//
// One default is left out: the replicas of a Deployment that a
// HorizontalPodAutoscaler among objs scales. The apiserver stores 1 for a
// new one, but written into the manifest it would scale the Deployment
// back to 1 on every apply.
func Defaulted(objs []runtime.Object) []runtime.Object {
	scaled := map[string]bool{}
	for _, obj := range objs {
		if h, ok := obj.(*autoscalingv2.HorizontalPodAutoscaler); ok && h.Spec.ScaleTargetRef.Kind == "Deployment" {
			scaled[h.Spec.ScaleTargetRef.Name] = true
		}
	}
	out := make([]runtime.Object, 0, len(objs))
	for _, obj := range objs {
		d := defaultedVersioned(obj)
		if dep, ok := d.(*appsv1.Deployment); ok && scaled[dep.Name] {
			dep.Spec.Replicas = nil
		}
		out = append(out, d)
	}
	return out
}

// defaultedVersioned defaults obj, converts it to the internal type and
// back, as the apiserver does before it stores an object.
func defaultedVersioned(obj runtime.Object) runtime.Object {
	gvk, ok := gvkOf(obj)
	if !ok {
		return obj.DeepCopyObject()
	}
	d := defaulted(obj)
	in, err := internal(d)
	if back := versioned(obj); err == nil && back != nil {
		if err := scheme().Convert(in, back, nil); err == nil {
			d = back
		}
	}
	d.GetObjectKind().SetGroupVersionKind(gvk)
	return d
}
