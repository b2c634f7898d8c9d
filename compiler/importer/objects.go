package importer

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// object is one manifest object of the input: its tree and, for the kinds
// podc imports, its typed form.
type object struct {
	doc  *document
	kind string // "Deployment"
	name string
	ref  string // "Deployment/web"

	pod        *corev1.Pod
	deployment *appsv1.Deployment
	service    *corev1.Service
}

// objects is the input sorted out: the one workload, the Services that
// select its pods, and everything else, each whole object lost.
type objects struct {
	workload *object
	services []*object
	lost     []Loss
}

// sortObjects decodes the documents podc imports and finds the workload
// and its Services. The input must hold exactly one Pod or Deployment.
func sortObjects(docs []*document) (*objects, error) {
	out := &objects{}
	var svcs []*object
	var problems []Problem
	for _, d := range docs {
		o, err := decodeObject(d)
		if err != nil {
			problems = append(problems, err.(*InputError).Problems...)
			continue
		}
		switch {
		case o.pod != nil || o.deployment != nil:
			if out.workload != nil {
				problems = append(problems, Problem{Object: o.ref, Line: d.at.line, Column: d.at.col,
					Message: fmt.Sprintf("a second workload: an import reads one Pod or Deployment, and %s came first", out.workload.ref)})
				continue
			}
			out.workload = o
		case o.service != nil:
			svcs = append(svcs, o)
		default:
			out.lost = append(out.lost, Loss{Object: o.ref, Line: d.at.line, Column: d.at.col, Reason: otherKindReason(o)})
		}
	}
	if len(problems) > 0 {
		return nil, &InputError{Problems: problems}
	}
	if out.workload == nil {
		msg := "no Pod or Deployment: an import reads one (apiVersion v1 kind Pod, or apiVersion apps/v1 kind Deployment) and the Services that select it"
		if len(out.lost) > 0 {
			msg += fmt.Sprintf("; found %s", out.lost[0].Object)
		}
		return nil, &InputError{Problems: []Problem{{Message: msg}}}
	}
	podLabels := labels.Set(out.workload.podMeta().Labels)
	ns := out.workload.namespace()
	for _, s := range svcs {
		sel := s.service.Spec.Selector
		switch {
		case s.namespace() != ns:
			out.lost = append(out.lost, s.whole(fmt.Sprintf("in namespace %q, not the workload's %q: it cannot select the workload's pods", s.namespace(), ns)))
		case len(sel) == 0:
			out.lost = append(out.lost, s.whole("selects no pods by label (no selector): podc's Services select the workload's pods"))
		case !labels.SelectorFromSet(sel).Matches(podLabels):
			out.lost = append(out.lost, s.whole(fmt.Sprintf("its selector %s does not select the pods of %s", labels.Set(sel), out.workload.ref)))
		default:
			out.services = append(out.services, s)
		}
	}
	return out, nil
}

// otherKindReason says why an object of a kind podc does not import is lost.
func otherKindReason(o *object) string {
	apiVersion, _ := o.doc.tree["apiVersion"].(string)
	switch o.kind {
	case "Pod", "Deployment", "Service":
		return fmt.Sprintf("apiVersion %s: podc imports v1 Pods and Services and apps/v1 Deployments", apiVersion)
	}
	return fmt.Sprintf("a %s: podc imports a Pod or a Deployment and the Services that select it", o.kind)
}

// decodeObject reads the identity of a document and, for a v1 Pod or
// Service or an apps/v1 Deployment, its typed form. Values of the wrong
// type are an InputError at their field.
func decodeObject(d *document) (*object, error) {
	apiVersion, _ := d.tree["apiVersion"].(string)
	kind, _ := d.tree["kind"].(string)
	if apiVersion == "" || kind == "" {
		return nil, &InputError{Problems: []Problem{{Line: d.at.line, Column: d.at.col,
			Message: "not a Kubernetes object: apiVersion and kind are required strings"}}}
	}
	name := ""
	if md, ok := d.tree["metadata"].(map[string]any); ok {
		name, _ = md["name"].(string)
	}
	o := &object{doc: d, kind: kind, name: name, ref: kind + "/" + name}
	var into runtime.Object
	switch {
	case apiVersion == "v1" && kind == "Pod":
		o.pod = &corev1.Pod{}
		into = o.pod
	case apiVersion == "apps/v1" && kind == "Deployment":
		o.deployment = &appsv1.Deployment{}
		into = o.deployment
	case apiVersion == "v1" && kind == "Service":
		o.service = &corev1.Service{}
		into = o.service
	default:
		return o, nil
	}
	if name == "" {
		p := fieldPath{}.f("metadata").f("name")
		return nil, inputErr(o.ref, p, d.position(p), "required")
	}
	t := reflect.TypeOf(into).Elem()
	v, err := decodeNew(t, d.tree)
	if err != nil {
		p, cause := locate(t, d.tree, nil)
		if cause == nil {
			cause = err
		}
		return nil, inputErr(o.ref, typed(t, p), d.position(p), "%s", decodeMessage(cause, "Kubernetes"))
	}
	reflect.ValueOf(into).Elem().Set(reflect.ValueOf(v).Elem())
	return o, nil
}

// decodeMessage says what a decoding error found, without Go type names;
// who (Kubernetes, Score) is whose format wants another type.
func decodeMessage(err error, who string) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("a %s, where %s wants %s", jsonKind(te.Value), who, goTypeName(te.Type))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names the kind of a JSON value as the decoder describes it
// ("number -5", "string").
func jsonKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	return kind
}

// goTypeName names a Go type of the Kubernetes API for a person.
func goTypeName(t reflect.Type) string {
	switch deref(t).Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map:
		return "a mapping"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	}
	return "an object"
}

// whole is the loss of the whole object.
func (o *object) whole(reason string) Loss {
	return Loss{Object: o.ref, Reason: reason, Line: o.doc.at.line, Column: o.doc.at.col}
}

// namespace is the object's namespace, empty when unset.
func (o *object) namespace() string {
	switch {
	case o.pod != nil:
		return o.pod.Namespace
	case o.deployment != nil:
		return o.deployment.Namespace
	case o.service != nil:
		return o.service.Namespace
	}
	return ""
}

// podMeta is the metadata of the workload's pods: the Pod's own, or the
// Deployment's pod template's.
func (o *object) podMeta() *metaOf {
	if o.pod != nil {
		return &metaOf{Labels: o.pod.Labels, Annotations: o.pod.Annotations}
	}
	t := &o.deployment.Spec.Template
	return &metaOf{Labels: t.Labels, Annotations: t.Annotations}
}

// metaOf is the labels and annotations of one object or template.
type metaOf struct {
	Labels      map[string]string
	Annotations map[string]string
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
