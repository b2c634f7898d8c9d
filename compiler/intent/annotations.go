package intent

import (
	"strconv"
	"strings"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Annotation keys the kube-apiserver gives a meaning on pods. The intent's
// annotations are written on the pod (or pod template), so these are checked
// as the apiserver checks them, and the ones that say what an intent field
// says better are refused with a pointer to that field.
const (
	annotationDeletionCost = "controller.kubernetes.io/pod-deletion-cost"
	annotationMirror       = "kubernetes.io/config.mirror"
	annotationTolerations  = "scheduler.alpha.kubernetes.io/tolerations"
	annotationSeccompPod   = "seccomp.security.alpha.kubernetes.io/pod"
	prefixSeccomp          = "container.seccomp.security.alpha.kubernetes.io/"
	prefixAppArmor         = "container.apparmor.security.beta.kubernetes.io/"
)

// podAnnotations checks the values of annotation keys with a meaning on
// pods, in every map whose annotations land on the pods: annotations,
// podAnnotations and, on a bare Pod, workloadAnnotations.
func (c *checker) podAnnotations() {
	fields := []string{"annotations", "podAnnotations"}
	if c.wi.GetController() != podcv1.Controller_CONTROLLER_DEPLOYMENT {
		fields = append(fields, "workloadAnnotations")
	}
	for _, f := range fields {
		c.podAnnotationMeanings(f, annotationMap(c.wi, f))
	}
}

// annotationMap returns the intent's annotation map called field.
func annotationMap(wi *podcv1.WorkloadIntent, field string) map[string]string {
	switch field {
	case "podAnnotations":
		return wi.GetPodAnnotations()
	case "workloadAnnotations":
		return wi.GetWorkloadAnnotations()
	case "serviceAnnotations":
		return wi.GetServiceAnnotations()
	}
	return wi.GetAnnotations()
}

// podAnnotationMeanings checks the annotations of the intent field field
// that Kubernetes gives a meaning on pods.
func (c *checker) podAnnotationMeanings(field string, annotations map[string]string) {
	for _, k := range sortedKeys(annotations) {
		p := diag.Path(field).Key(k)
		v := annotations[k]
		switch {
		case k == annotationDeletionCost:
			if _, err := strconv.ParseInt(v, 10, 32); err != nil {
				c.addf(p, "%q must be a 32-bit integer: it is the pod's deletion cost", v)
			}
		case k == annotationMirror:
			c.addf(p, "marks a static (mirror) pod, which only the kubelet creates; remove it")
		case k == annotationTolerations:
			c.addf(p, "tolerations in annotations are no longer supported by Kubernetes; remove it")
		case k == annotationSeccompPod || strings.HasPrefix(k, prefixSeccomp):
			c.addf(p, "seccomp annotations are deprecated and checked against the fields; use the containers' securityContext.seccompProfile instead")
		case strings.HasPrefix(k, prefixAppArmor):
			c.addf(p, "AppArmor annotations are deprecated and checked against the fields; remove it (podc does not set AppArmor profiles)")
		}
	}
}
