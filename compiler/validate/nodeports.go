package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/apis/core"

	"github.com/podc-dev/podc/compiler/intent"
)

// nodePorts does the check of the apiserver's node port allocator, which
// its validation leaves out: every node port a Service asks for lies in the
// cluster's node port range.
func nodePorts(svc *core.Service, r intent.PortRange) field.ErrorList {
	var errs field.ErrorList
	for i, p := range svc.Spec.Ports {
		if p.NodePort == 0 {
			continue
		}
		if p.NodePort < r.Min || p.NodePort > r.Max {
			errs = append(errs, field.Invalid(field.NewPath("spec", "ports").Index(i).Child("nodePort"), p.NodePort,
				fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %d-%d", r.Min, r.Max)))
		}
	}
	return errs
}
