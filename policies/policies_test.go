package policies_test

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/policytest"
	"github.com/podc-dev/podc/compiler/provenance"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/policies"
)

// TestBundleCases runs the default bundle's own test cases in tests/.
// PODC_UPDATE_GOLDEN=1 rewrites each failing case's want section.
func TestBundleCases(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	// Cases without manifests.yaml are compiled by podc's compiler, as
	// "podc policy test" does, so both runners expect the same decisions.
	opts := policytest.TestOptions{Compile: func(wi *podcv1.WorkloadIntent) ([]runtime.Object, *provenance.Record, error) {
		out, err := compile.Workload(wi, compile.Options{Target: target.Default})
		if err != nil {
			return nil, nil, err
		}
		return out.Objects(), out.Sources, nil
	}}
	if os.Getenv("PODC_UPDATE_GOLDEN") != "" {
		opts.Update = func(name string, data []byte) error {
			return os.WriteFile(filepath.FromSlash(name), data, 0o644)
		}
	}
	results, err := policytest.RunTests(b, policies.FS(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 10 {
		t.Fatalf("found %d test cases in tests/, want at least 10", len(results))
	}
	for _, r := range results {
		if !r.Passed {
			t.Errorf("%s:", r.Name)
			for _, p := range r.Problems {
				t.Errorf("  %s", p)
			}
		}
	}
}
