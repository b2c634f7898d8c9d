package policy_test

import (
	"context"
	"testing"

	"github.com/podc-dev/podc/compiler/policy"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// A Go caller can build an intent with nil list elements; the engine must
// not panic on it (a gRPC request cannot carry one).
func TestNilElementsDoNotPanic(t *testing.T) {
	b := defaultBundle(t)
	wi := &podcv1.WorkloadIntent{
		Name:       "x",
		Containers: []*podcv1.Container{nil, {Name: "a", Image: "nginx:1", Ports: []*podcv1.Port{nil}}},
		Sidecars:   []*podcv1.Container{nil},
	}
	for _, profile := range []string{"baseline", "restricted"} {
		ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: profile})
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		if len(ir.Intent.GetContainers()) != 2 {
			t.Fatalf("%s: the copy has %d containers, want 2", profile, len(ir.Intent.GetContainers()))
		}
		defaulted := ir.Intent.GetContainers()[1].GetSecurityContext().GetRunAsNonRoot()
		if defaulted != (profile == "restricted") {
			t.Errorf("%s: containers[1] runAsNonRoot = %v", profile, defaulted)
		}
	}
}
