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
	labels := wi.GetLabels()
	for _, k := range sortedKeys(labels) {
		p := diag.Path("labels").Key(k)
		if k == LabelName || k == LabelManagedBy {
			c.addf(p, "%q is set by podc on every object and may not be set in the intent", k)
			continue
		}
		c.addMsgs(p, "label key", k, content.IsLabelKey(k))
		c.addMsgs(p, "label value", labels[k], content.IsLabelValue(labels[k]))
	}
	annotations := wi.GetAnnotations()
	for _, k := range sortedKeys(annotations) {
		// Annotation keys follow the label key syntax, case-insensitively.
		c.addMsgs(diag.Path("annotations").Key(k), "annotation key", k, content.IsLabelKey(strings.ToLower(k)))
	}
	if err := apivalidation.ValidateAnnotationsSize(annotations); err != nil {
		c.addf("annotations", "too large (keys and values together): %v", err)
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
