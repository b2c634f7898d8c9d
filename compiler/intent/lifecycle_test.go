package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/target"
)

func TestCheckLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		target int
		want   []string // "field: message fragment", in order
	}{
		{"every action", `{"name": "a", "terminationGracePeriodSeconds": 60, "containers": [{"name": "a", "image": "x", "ports": [{"name": "http", "containerPort": 80}],
			"lifecycle": {"postStart": {"httpGet": {"port": "http", "path": "/warm"}}, "preStop": {"sleep": {"seconds": 60}}}}],
			"sidecars": [{"name": "s", "image": "x", "lifecycle": {"preStop": {"exec": {"command": ["/drain"]}}}}]}`, 0, nil},
		{"empty lifecycle", app(`{"name": "a", "image": "x", "lifecycle": {}}`), 0, nil},
		{"negative grace period", `{"name": "a", "terminationGracePeriodSeconds": -1, "containers": [{"name": "a", "image": "x"}]}`, 0,
			[]string{"terminationGracePeriodSeconds: -1 is negative"}},
		{"zero grace period", `{"name": "a", "terminationGracePeriodSeconds": 0, "containers": [{"name": "a", "image": "x"}]}`, 0, nil},
		{"init step hook", `{"name": "a", "initSteps": [{"name": "i", "image": "x", "lifecycle": {"preStop": {"exec": {"command": ["x"]}}}}], "containers": [{"name": "a", "image": "x"}]}`, 0,
			[]string{"initSteps[0].lifecycle: init steps may not have lifecycle hooks"}},
		{"no action", app(`{"name": "a", "image": "x", "lifecycle": {"preStop": {}, "postStart": {"exec": {}}}}`), 0, []string{
			"containers[0].lifecycle.postStart.exec.command: required",
			"containers[0].lifecycle.preStop: an action is required: one of exec, httpGet or sleep",
		}},
		{"http port and path", app(`{"name": "a", "image": "x", "lifecycle": {"preStop": {"httpGet": {"port": "web", "path": "drain", "headers": [{"name": "a b", "value": "v"}]}}}}`), 0, []string{
			`containers[0].lifecycle.preStop.httpGet.port: no port named "web" on this container`,
			`containers[0].lifecycle.preStop.httpGet.path: "drain" must start with '/'`,
			`containers[0].lifecycle.preStop.httpGet.headers[0].name: "a b" is not a valid HTTP header name`,
		}},
		{"sleep longer than the default grace period", app(`{"name": "a", "image": "x", "lifecycle": {"preStop": {"sleep": {"seconds": 31}}}}`), 0, []string{
			"containers[0].lifecycle.preStop.sleep.seconds: 31 is longer than the pod's termination grace period (30 seconds)",
		}},
		{"sleep zero", app(`{"name": "a", "image": "x", "lifecycle": {"postStart": {"sleep": {}}}}`), 0, []string{
			"containers[0].lifecycle.postStart.sleep.seconds: 0: want 1 or more seconds",
		}},
		{"sleep on 1.29", app(`{"name": "a", "image": "x", "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}`), 29, []string{
			"containers[0].lifecycle.preStop.sleep: sleep hooks need Kubernetes 1.30 or newer; the target is 1.29",
		}},
		{"sleep on 1.30", app(`{"name": "a", "image": "x", "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}`), 30, nil},
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
