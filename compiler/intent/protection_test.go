package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/target"
)

// withCPU is a Deployment whose one container requests cpu.
func withCPU(fields string) string {
	return `{"name": "app", "controller": "CONTROLLER_DEPLOYMENT", ` + fields + `,
		"containers": [{"name": "a", "image": "x", "resources": {"cpu": {"request": "100m"}}}]}`
}

// checkCases runs each case's intent through Check and compares the
// findings, in order, with the wanted prefixes.
func checkCases(t *testing.T, opts Options, cases []struct {
	name   string
	intent string
	want   []string
}) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
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

func TestCheckAutoscaling(t *testing.T) {
	checkCases(t, Options{}, []struct {
		name   string
		intent string
		want   []string
	}{
		{"every field", withCPU(`"autoscaling": {"minReplicas": 2, "maxReplicas": 10, "targetCpuUtilization": 70}`), nil},
		{"defaults", withCPU(`"autoscaling": {"maxReplicas": 3}`), nil},
		{"min equals max", withCPU(`"autoscaling": {"minReplicas": 3, "maxReplicas": 3}`), nil},
		{"on a pod", `{"name": "app", "autoscaling": {"maxReplicas": 3}, "containers": [{"name": "a", "image": "x"}]}`, []string{
			"autoscaling: only allowed with controller CONTROLLER_DEPLOYMENT",
		}},
		{"replicas beside it", withCPU(`"replicas": 3, "autoscaling": {"maxReplicas": 3}`), []string{
			"replicas: refused beside autoscaling: the autoscaler sets the replicas",
		}},
		{"no max", withCPU(`"autoscaling": {"minReplicas": 2}`), []string{
			"autoscaling.maxReplicas: required",
		}},
		{"max below min", withCPU(`"autoscaling": {"minReplicas": 5, "maxReplicas": 4}`), []string{
			"autoscaling.maxReplicas: 4 is less than minReplicas (5)",
		}},
		{"zero and negative", withCPU(`"autoscaling": {"minReplicas": 0, "maxReplicas": -1, "targetCpuUtilization": 0, "targetMemoryUtilization": -5}`), []string{
			"autoscaling.minReplicas: 0: want 1 or more",
			"autoscaling.maxReplicas: -1: want 1 or more",
			"autoscaling.targetCpuUtilization: 0: want a percentage",
			"autoscaling.targetMemoryUtilization: -5: want a percentage",
		}},
		// The default cpu target needs cpu requests too; memory needs
		// memory requests on every app container and sidecar, not on init
		// steps; a limit counts.
		{"default target without cpu requests", deployment(`"autoscaling": {"maxReplicas": 3}`), []string{
			"containers[0].resources.cpu.request: required by autoscaling: with no target set, autoscaling keeps the pods at 80% of their cpu requests",
		}},
		{"memory target", `{"name": "app", "controller": "CONTROLLER_DEPLOYMENT", "autoscaling": {"maxReplicas": 3, "targetMemoryUtilization": 75},
			"initSteps": [{"name": "i", "image": "x"}],
			"containers": [{"name": "a", "image": "x", "resources": {"memory": {"limit": "1Gi"}}}, {"name": "b", "image": "x"}],
			"sidecars": [{"name": "s", "image": "x"}]}`, []string{
			"containers[1].resources.memory.request: required by autoscaling: autoscaling.targetMemoryUtilization is a percentage of the pods' memory requests",
			"sidecars[0].resources.memory.request: required by autoscaling",
		}},
		{"pod-level request", `{"name": "app", "controller": "CONTROLLER_DEPLOYMENT", "autoscaling": {"maxReplicas": 3, "targetCpuUtilization": 60},
			"resources": {"cpu": {"request": "1"}}, "containers": [{"name": "a", "image": "x"}]}`, nil},
	})
}

func TestCheckProtection(t *testing.T) {
	checkCases(t, Options{}, []struct {
		name   string
		intent string
		want   []string
	}{
		{"every field", deployment(`"protection": {
			"disruptionBudget": {"maxUnavailable": "25%", "unhealthyPodEviction": "UNHEALTHY_POD_EVICTION_IF_HEALTHY_BUDGET"},
			"spreadTopologyKeys": ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
			"antiAffinityTopologyKeys": ["kubernetes.io/hostname"],
			"networkPolicy": {"clusterClients": "CLUSTER_CLIENTS_LABELLED", "clientLabels": {"role": "frontend"}}}`), nil},
		{"empty parts", deployment(`"protection": {"disruptionBudget": {}, "networkPolicy": {}}`), nil},
		{"min available as a number", deployment(`"protection": {"disruptionBudget": {"minAvailable": 2}}`), nil},
		{"budget on a pod", `{"name": "app", "protection": {"disruptionBudget": {"maxUnavailable": "1"}, "networkPolicy": {}, "spreadTopologyKeys": ["kubernetes.io/hostname"]},
			"containers": [{"name": "a", "image": "x"}]}`, []string{
			"protection.disruptionBudget: only allowed with controller CONTROLLER_DEPLOYMENT",
		}},
		{"both amounts, malformed and too large", deployment(`"protection": {"disruptionBudget": {"maxUnavailable": "one", "minAvailable": "101%"}}`), []string{
			`protection.disruptionBudget.maxUnavailable: "one" is not a number of pods`,
			"protection.disruptionBudget.minAvailable: 101% is more than 100%",
			"protection.disruptionBudget.minAvailable: refused beside maxUnavailable",
		}},
		{"unknown eviction", deployment(`"protection": {"disruptionBudget": {"unhealthyPodEviction": 7}}`), []string{
			"protection.disruptionBudget.unhealthyPodEviction: unknown value 7",
		}},
		{"bad, empty and duplicate keys", deployment(`"protection": {"spreadTopologyKeys": ["a", "", "Not A Key", "a"], "antiAffinityTopologyKeys": ["b/c/d"]}`), []string{
			"protection.spreadTopologyKeys[1]: required: a node label key",
			`protection.spreadTopologyKeys[2]: "Not A Key" is not a valid label key`,
			`protection.spreadTopologyKeys[3]: duplicate key "a": also at protection.spreadTopologyKeys[0]`,
			`protection.antiAffinityTopologyKeys[0]: "b/c/d" is not a valid label key`,
		}},
		{"a key the intent's own constraint has", deployment(`"topologySpreadConstraints": [
			{"topologyKey": "zone", "whenUnsatisfiable": "WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE"},
			{"topologyKey": "host", "whenUnsatisfiable": "WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY"}],
			"protection": {"spreadTopologyKeys": ["zone", "host"]}`), []string{
			`protection.spreadTopologyKeys[1]: "host" is the topologyKey of topologySpreadConstraints[1]`,
		}},
		{"labels without labelled", deployment(`"protection": {"networkPolicy": {"clusterClients": "CLUSTER_CLIENTS_CLUSTER", "clientLabels": {"a": "b"}}}`), []string{
			"protection.networkPolicy.clientLabels: only allowed with clusterClients CLUSTER_CLIENTS_LABELLED; CLUSTER_CLIENTS_CLUSTER admits every pod of the cluster",
		}},
		{"labelled without labels", deployment(`"protection": {"networkPolicy": {"clusterClients": "CLUSTER_CLIENTS_LABELLED"}}`), []string{
			"protection.networkPolicy.clientLabels: required with CLUSTER_CLIENTS_LABELLED",
		}},
		{"bad labels", deployment(`"protection": {"networkPolicy": {"clusterClients": "CLUSTER_CLIENTS_LABELLED", "clientLabels": {"-a": "b c"}}}`), []string{
			`protection.networkPolicy.clientLabels["-a"]: "-a" is not a valid label key`,
			`protection.networkPolicy.clientLabels["-a"]: "b c" is not a valid label value`,
		}},
		{"unknown clients", deployment(`"protection": {"networkPolicy": {"clusterClients": 9}}`), []string{
			"protection.networkPolicy.clusterClients: unknown value 9",
		}},
	})
}

// The unhealthy pod eviction policy needs 1.27: asked for on an older
// target it is refused; left unset, compile leaves it out.
func TestCheckUnhealthyPodEvictionTarget(t *testing.T) {
	intent := deployment(`"protection": {"disruptionBudget": {"unhealthyPodEviction": "UNHEALTHY_POD_EVICTION_ALWAYS_ALLOW"}}`)
	checkCases(t, Options{Target: target.Version{Minor: 26}}, []struct {
		name   string
		intent string
		want   []string
	}{
		{"1.26", intent, []string{"protection.disruptionBudget.unhealthyPodEviction: needs Kubernetes 1.27 or newer; the target is 1.26"}},
		{"1.26 unset", deployment(`"protection": {"disruptionBudget": {}}`), nil},
	})
	checkCases(t, Options{Target: target.Version{Minor: 27}}, []struct {
		name   string
		intent string
		want   []string
	}{{"1.27", intent, nil}})
}

func TestScaleOf(t *testing.T) {
	if _, ok := ScaleOf(mustDecode(t, withCPU(`"replicas": 2`))); ok {
		t.Error("an intent without autoscaling has a scale")
	}
	for _, c := range []struct {
		fields string
		want   Scale
	}{
		{`"autoscaling": {"maxReplicas": 4}`, Scale{MinReplicas: 1, MaxReplicas: 4, CPU: 80, CPUDefaulted: true}},
		{`"autoscaling": {"minReplicas": 2, "maxReplicas": 4, "targetMemoryUtilization": 70}`, Scale{MinReplicas: 2, MaxReplicas: 4, Memory: 70}},
		{`"autoscaling": {"maxReplicas": 4, "targetCpuUtilization": 50, "targetMemoryUtilization": 70}`, Scale{MinReplicas: 1, MaxReplicas: 4, CPU: 50, Memory: 70}},
	} {
		got, ok := ScaleOf(mustDecode(t, withCPU(c.fields)))
		if !ok || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.fields, got, ok, c.want)
		}
	}
}
