package validate

import (
	"testing"

	"k8s.io/kubernetes/pkg/features"

	"github.com/podc-dev/podc/compiler/target"
)

func TestEnabledAt(t *testing.T) {
	cases := []struct {
		minor int
		want  bool
	}{
		// RelaxedEnvironmentVariableValidation: alpha (off) in 1.30, beta (on) in 1.32.
		{25, false}, {29, false}, {30, false}, {31, false}, {32, true}, {37, true},
	}
	for _, c := range cases {
		if got := enabledAt(features.RelaxedEnvironmentVariableValidation, target.Version{Minor: c.minor}); got != c.want {
			t.Errorf("RelaxedEnvironmentVariableValidation at 1.%d = %v, want %v", c.minor, got, c.want)
		}
	}
	if enabledAt("NoSuchFeature", target.Default) {
		t.Error("an unknown feature is enabled")
	}
}

func TestPodOptionsFollowTarget(t *testing.T) {
	old := podOptions(nil, nil, target.Version{Minor: 30})
	if old.AllowRelaxedEnvironmentVariableValidation {
		t.Error("1.30 allows relaxed env names")
	}
	cur := podOptions(nil, nil, target.Default)
	if !cur.AllowRelaxedEnvironmentVariableValidation {
		t.Error("1.37 refuses relaxed env names")
	}
}
