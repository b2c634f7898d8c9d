// Package compile turns a checked, policy-approved workload intent into
// Kubernetes objects: a Pod or a Deployment, the Services that expose it
// and, where the intent asks for them, the PodDisruptionBudget,
// HorizontalPodAutoscaler and NetworkPolicy that govern it.
// It is pure Go: it knows nothing of gRPC, CUE or wire formats.
//
// Every value the intent leaves unset but the objects need is written out
// and reported as a diag.Default with the intent field it stands for, so
// the output says everything the cluster will do with it.
//
// Every field it writes is recorded, as it is written, in a
// provenance.Record: the intent field it came from, or the compiler default
// and the intent field that default stands for; fields copied from what a
// policy default wrote are that rule's (Options.Defaults). Later stages read
// the record instead of working it out again.
package compile

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Options configure a compile.
type Options struct {
	// Target is the Kubernetes version to compile for; the zero value means
	// target.Default.
	Target target.Version
	// Defaults are the defaults applied to the intent before compile: the
	// fields compiled from what a policy rule's default wrote (Source
	// "policy:<rule id>") are recorded as that rule's. Others are ignored.
	Defaults []diag.Default
}

// Output is what a compile produces: exactly one of Pod and Deployment, the
// Services, the objects that govern the workload where the intent asks for
// them, and every default the compiler wrote.
type Output struct {
	Pod        *corev1.Pod
	Deployment *appsv1.Deployment
	// Services are in name order: the ClusterIP Service "<name>" (every
	// exposed port), then the NodePort Service "<name>-nodeport" (the
	// EXPOSE_NODE ports).
	Services []*corev1.Service
	// DisruptionBudget is the Deployment's PodDisruptionBudget
	// (protection.disruptionBudget); nil when none.
	DisruptionBudget *policyv1.PodDisruptionBudget
	// Autoscaler is the Deployment's HorizontalPodAutoscaler
	// (autoscaling); nil when none.
	Autoscaler *autoscalingv2.HorizontalPodAutoscaler
	// NetworkPolicy admits the pods' exposed ports
	// (protection.networkPolicy); nil when none.
	NetworkPolicy *networkingv1.NetworkPolicy
	// Defaults are the values the compiler wrote that the intent did not
	// say: the workload's first, then each container's in intent order
	// (init steps, containers, sidecars), then the Services', then those
	// of the PodDisruptionBudget, the HorizontalPodAutoscaler and the
	// NetworkPolicy.
	Defaults []diag.Default
	// Notes are the compiler's choices, for a person.
	Notes []string
	// Sources records where every field of the objects came from.
	Sources *provenance.Record
}

// Objects returns the objects in the order they are rendered and applied:
// the workload first, then its Services in name order, then its
// PodDisruptionBudget, HorizontalPodAutoscaler and NetworkPolicy, those
// there are.
func (o *Output) Objects() []runtime.Object {
	var objs []runtime.Object
	if o.Pod != nil {
		objs = append(objs, o.Pod)
	}
	if o.Deployment != nil {
		objs = append(objs, o.Deployment)
	}
	for _, s := range o.Services {
		objs = append(objs, s)
	}
	if o.DisruptionBudget != nil {
		objs = append(objs, o.DisruptionBudget)
	}
	if o.Autoscaler != nil {
		objs = append(objs, o.Autoscaler)
	}
	if o.NetworkPolicy != nil {
		objs = append(objs, o.NetworkPolicy)
	}
	return objs
}

// Workload compiles wi, which must have passed intent.Check. It is a pure
// function of its inputs: the same intent and options give the same objects,
// defaults and notes. An error means a fault in the compiler (or an intent
// that skipped the checks), not a problem the user can fix. Workload is safe
// for concurrent use and never changes wi.
func Workload(wi *podcv1.WorkloadIntent, opts Options) (*Output, error) {
	if wi == nil {
		return nil, fmt.Errorf("compile: no intent")
	}
	if opts.Target == (target.Version{}) {
		opts.Target = target.Default
	}
	b := &builder{wi: wi, opts: opts, out: &Output{}, rec: provenance.New(opts.Defaults)}
	b.out.Defaults = make([]diag.Default, 0, DefaultsRoom(wi))
	b.out.Sources = b.rec
	b.controllerDefaults()
	b.namePorts()
	b.selectorNote()
	spec, specNode, err := b.podSpec()
	if err != nil {
		return nil, err
	}
	b.workload(spec, specNode)
	b.services()
	sort.SliceStable(b.out.Services, func(i, j int) bool { return b.out.Services[i].Name < b.out.Services[j].Name })
	b.disruptionBudget()
	b.autoscaler()
	b.networkPolicy()
	return b.out, nil
}

// DefaultsRoom is about how many defaults Workload writes out for wi: a
// dozen per container (pull policy, requests, probe timings) and as many
// for the pod, room a caller can make at once.
func DefaultsRoom(wi *podcv1.WorkloadIntent) int {
	return 12 + 12*(len(wi.GetInitSteps())+len(wi.GetContainers())+len(wi.GetSidecars()))
}

// builder carries one compile's inputs and collects its output.
type builder struct {
	wi   *podcv1.WorkloadIntent
	opts Options
	out  *Output
	rec  *provenance.Record
	// generatedPorts are the intent paths of the ports namePorts named.
	generatedPorts map[string]bool
}

// def records a default the compiler wrote at intent field p.
func (b *builder) def(p diag.Path, value, reason string) {
	b.out.Defaults = append(b.out.Defaults, diag.Default{
		Field: p.String(), Value: value, Source: diag.SourceCompiler, Reason: reason,
	})
}

// note records a choice, for a person.
func (b *builder) note(format string, args ...any) {
	b.out.Notes = append(b.out.Notes, fmt.Sprintf(format, args...))
}
