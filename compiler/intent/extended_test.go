package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/target"
)

func TestCheckResourcesExtendedAndPod(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		target int
		want   []string // "field: message fragment", in order
	}{
		{"gpus", app(`{"name": "a", "image": "x", "resources": {"extended": [{"name": "nvidia.com/gpu", "limit": "2"}, {"name": "example.com/fpga", "request": "1", "limit": "1"}]}}`), 0, nil},
		{"extended refused", app(`{"name": "a", "image": "x", "resources": {"extended": [{"name": "gpu", "limit": "1"}, {"name": "kubernetes.io/x", "limit": "1"},
			{"name": "nvidia.com/gpu", "request": "1"}, {"name": "nvidia.com/gpu", "limit": "0.5"}, {"name": "a.com/b", "request": "1", "limit": "2"}, {"name": "requests.a.com/b", "limit": "1"}, {"limit": "1"}]}}`), 0, []string{
			`containers[0].resources.extended[0].name: "gpu" is not an extended resource`,
			`containers[0].resources.extended[1].name: "kubernetes.io/x" is in the kubernetes.io domain`,
			"containers[0].resources.extended[2].limit: required",
			`containers[0].resources.extended[3].name: duplicate resource "nvidia.com/gpu"`,
			`containers[0].resources.extended[3].limit: "0.5" is not a whole number`,
			"containers[0].resources.extended[4].request: 1 is not the limit 2",
			`containers[0].resources.extended[5].name: "requests.a.com/b": a name starting with "requests." is reserved`,
			"containers[0].resources.extended[6].name: required",
		}},
		{"pod resources", `{"name": "app", "resources": {"cpu": {"request": "1", "limit": "2"}, "memory": {"limit": "1Gi"}},
			"initSteps": [{"name": "i", "image": "x", "resources": {"cpu": {"request": "900m"}}}],
			"containers": [{"name": "a", "image": "x", "resources": {"cpu": {"request": "500m", "limit": "2"}, "memory": {"limit": "512Mi"}}}],
			"sidecars": [{"name": "s", "image": "x", "resources": {"cpu": {"request": "100m"}, "memory": {"request": "256Mi"}}}]}`, 0, nil},
		{"pod request below the containers'", `{"name": "app", "resources": {"cpu": {"request": "500m"}},
			"initSteps": [{"name": "i", "image": "x", "resources": {"cpu": {"request": "450m"}}}],
			"containers": [{"name": "a", "image": "x", "resources": {"cpu": {"request": "300m"}}}],
			"sidecars": [{"name": "s", "image": "x", "resources": {"cpu": {"limit": "100m"}}}]}`, 0, []string{
			"resources.cpu.request: 500m is less than the containers request together (550m)",
		}},
		{"pod limit below a container's and the requests", `{"name": "app", "resources": {"memory": {"limit": "1Gi"}},
			"containers": [{"name": "a", "image": "x", "resources": {"memory": {"request": "800Mi", "limit": "2Gi"}}}, {"name": "b", "image": "x", "resources": {"memory": {"request": "300Mi"}}}]}`, 0, []string{
			"resources.memory.limit: 1Gi is less than the containers request together (1100Mi)",
			"resources.memory.limit: 1Gi is less than the limit 2Gi of containers[0]",
		}},
		{"pod request above limit", pod(`"resources": {"cpu": {"request": "2", "limit": "1"}}`), 0, []string{"resources.cpu.request: 2 is more than the limit 1"}},
		{"pod resources on 1.33", pod(`"resources": {"cpu": {"limit": "1"}}`), 33, []string{"resources: pod-level resources need Kubernetes 1.34 or newer; the target is 1.33"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.target != 0 {
				opts.Target = target.Version{Minor: tc.target}
			}
			var got []string
			for _, f := range Check(mustDecode(t, tc.intent), opts) {
				got = append(got, f.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}
