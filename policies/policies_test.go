package policies_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/policies"
)

// TestBundleCases runs the default bundle's own test cases in tests/.
// PODC_UPDATE_GOLDEN=1 rewrites each failing case's want section.
func TestBundleCases(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	var opts policy.TestOptions
	if os.Getenv("PODC_UPDATE_GOLDEN") != "" {
		opts.Update = func(name string, data []byte) error {
			return os.WriteFile(filepath.FromSlash(name), data, 0o644)
		}
	}
	results, err := policy.RunTests(b, policies.FS(), opts)
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
