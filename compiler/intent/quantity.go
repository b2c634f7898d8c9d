package intent

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"
)

// ParseQuantity reads a Kubernetes quantity ("500m", "0.5", "512Mi", "1G",
// "1e3") and refuses malformed and negative ones. kind is "cpu" or anything
// else for byte quantities; it only picks the examples in the error.
func ParseQuantity(s, kind string) (resource.Quantity, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		if kind == "cpu" {
			return q, fmt.Errorf("%q is not a quantity: use cores like \"0.5\" or millicores like \"500m\"", s)
		}
		return q, fmt.Errorf("%q is not a quantity: use bytes with a binary suffix like \"512Mi\", \"1Gi\" or a decimal one like \"500M\", \"1G\"", s)
	}
	if q.Sign() < 0 {
		return q, fmt.Errorf("%q is negative: a quantity must be 0 or more", s)
	}
	return q, nil
}
