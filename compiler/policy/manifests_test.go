package policy_test

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podc-dev/podc/compiler/policy"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/exampletest"
)

// TestManifestFindingsNameRecordedPaths: the intent paths of manifest
// findings are the ones compile recorded for the containers and Service
// ports, not found by name: they hold when every container and port is
// renamed after compile, and without a record the containers have none
// (container.field is "").
func TestManifestFindingsNameRecordedPaths(t *testing.T) {
	b := defaultBundle(t)
	wi := exampletest.Intent(t, "checkout.json")
	f := false
	wi.Sidecars[0].SecurityContext = &podcv1.SecurityContext{RunAsNonRoot: &f}
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	objs, src := compileObjects(t, ir.Intent)
	dep := objs[0].(*appsv1.Deployment)
	for _, cs := range [][]corev1.Container{dep.Spec.Template.Spec.InitContainers, dep.Spec.Template.Spec.Containers} {
		for i := range cs {
			cs[i].Name = "renamed"
		}
	}
	const manifestField = "Deployment/checkout: spec.template.spec.initContainers[0].securityContext.runAsNonRoot"
	field := func(mr *policy.ManifestResult) (string, bool) {
		for _, f := range mr.Findings {
			if f.RuleID == "restricted.run-as-non-root" && f.ManifestField == manifestField {
				return f.Field, true
			}
		}
		return "", false
	}
	mr, err := b.EvaluateManifests(context.Background(), objs, src, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := field(mr); !ok || got != "sidecars[0].securityContext.runAsNonRoot" {
		t.Errorf("with the record: %q (%v); findings %v", got, ok, mr.Findings)
	}
	mr, err = b.EvaluateManifests(context.Background(), objs, nil, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := field(mr); !ok || got != ".securityContext.runAsNonRoot" {
		t.Errorf("without a record: %q (%v), want the rule's path on an empty container field", got, ok)
	}
}
