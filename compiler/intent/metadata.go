package intent

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// The labels podc sets on every object itself; an intent may not set them.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedBy is the value of LabelManagedBy.
	ManagedBy = "podc"
	// NodePortSuffix is appended to the workload's name to name its NodePort
	// Service.
	NodePortSuffix = "-nodeport"
)

// metadata checks the workload's name, namespace, labels, annotations and
// service account.
func (c *checker) metadata() {
	wi := c.wi
	name := wi.GetName()
	switch {
	case name == "":
		c.addf("name", "required: a DNS-1123 label (lower case letters, digits and '-')")
	case c.addMsgs("name", "name", name, content.IsDNS1123Label(name)):
	default:
		cluster, node := exposes(wi)
		if cluster || node {
			if msgs := validation.IsDNS1035Label(name); len(msgs) > 0 {
				c.addf("name", "%q must start with a letter: it names the workload's Service, and Service names are DNS-1035 labels", name)
			}
		}
		if node && len(name)+len(NodePortSuffix) > validation.DNS1035LabelMaxLength {
			c.addf("name", "%q is too long: it names the NodePort Service %q, which must be at most %d characters, so the name is at most %d",
				name, name+NodePortSuffix, validation.DNS1035LabelMaxLength, validation.DNS1035LabelMaxLength-len(NodePortSuffix))
		}
	}
	if ns := wi.GetNamespace(); ns != "" {
		c.addMsgs("namespace", "namespace", ns, apivalidation.ValidateNamespaceName(ns, false))
	}
	if sa := wi.GetServiceAccountName(); sa != "" {
		c.addMsgs("serviceAccountName", "service account name", sa, apivalidation.ValidateServiceAccountName(sa, false))
	}
	c.labelMap("labels", wi.GetLabels())
	c.labelMap("podLabels", wi.GetPodLabels())
	c.selector()
	for _, f := range []string{"annotations", "podAnnotations", "workloadAnnotations", "serviceAnnotations"} {
		annotations := annotationMap(wi, f)
		for _, k := range sortedKeys(annotations) {
			// Annotation keys follow the label key syntax, case-insensitively.
			c.addMsgs(diag.Path(f).Key(k), "annotation key", k, content.IsLabelKey(strings.ToLower(k)))
		}
	}
	if err := apivalidation.ValidateAnnotationsSize(wi.GetAnnotations()); err != nil {
		c.addf("annotations", "too large (keys and values together): %v", err)
		return
	}
	for _, o := range []struct{ field, what string }{
		{"podAnnotations", "on the pods"}, {"workloadAnnotations", "on the workload"}, {"serviceAnnotations", "on the Services"},
	} {
		own := annotationMap(wi, o.field)
		if len(own) == 0 {
			continue
		}
		merged := map[string]string{}
		for _, m := range []map[string]string{wi.GetAnnotations(), own} {
			for k, v := range m {
				merged[k] = v
			}
		}
		if err := apivalidation.ValidateAnnotationsSize(merged); err != nil {
			c.addf(diag.Path(o.field), "too large %s, with annotations (keys and values together): %v", o.what, err)
		}
	}
}

// labelMap checks a map of labels the intent puts on objects or pods:
// podc's managed-by label is its own, and app.kubernetes.io/name may be
// set (it then names the workload in podc's selector).
func (c *checker) labelMap(field string, labels map[string]string) {
	for _, k := range sortedKeys(labels) {
		p := diag.Path(field).Key(k)
		if k == LabelManagedBy {
			c.addf(p, "%q is set by podc on every object and may not be set in the intent (a selector kept from an existing workload may hold it)", k)
			continue
		}
		c.addMsgs(p, "label key", k, content.IsLabelKey(k))
		c.addMsgs(p, "label value", labels[k], content.IsLabelValue(labels[k]))
	}
}

// selector checks the selector kept from an existing workload: valid
// labels, which the pods carry, so the intent's labels and pod labels
// may not give its keys other values.
func (c *checker) selector() {
	sel := c.wi.GetSelector()
	for _, k := range sortedKeys(sel) {
		p := diag.Path("selector").Key(k)
		c.addMsgs(p, "label key", k, content.IsLabelKey(k))
		c.addMsgs(p, "label value", sel[k], content.IsLabelValue(sel[k]))
		for _, f := range []string{"labels", "podLabels"} {
			m := c.wi.GetLabels()
			if f == "podLabels" {
				m = c.wi.GetPodLabels()
			}
			if v, ok := m[k]; ok && v != sel[k] {
				c.addf(diag.Path(f).Key(k), "%q, but the selector says %q: the pods carry the selector's labels", v, sel[k])
			}
		}
	}
}

// exposes reports whether the ports' expose forms the ClusterIP Service
// and whether it forms the NodePort Service: never when the intent names
// its Services.
func exposes(wi *podcv1.WorkloadIntent) (cluster, node bool) {
	if len(wi.GetServices()) > 0 {
		return false, false
	}
	for _, r := range all(wi) {
		if r.role == roleInit {
			continue // init steps are never in a Service
		}
		for _, p := range r.c.GetPorts() {
			switch p.GetExpose() {
			case podcv1.Expose_EXPOSE_CLUSTER:
				cluster = true
			case podcv1.Expose_EXPOSE_NODE:
				node = true
			}
		}
	}
	return cluster, node
}
