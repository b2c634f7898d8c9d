package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/target"
)

func TestCheckScheduling(t *testing.T) {
	for _, tc := range []struct {
		name   string
		intent string
		target int
		want   []string // "field: message fragment", in order
	}{
		{"every field", pod(`"nodeSelector": {"kubernetes.io/arch": "arm64"},
			"tolerations": [{"key": "dedicated", "value": "batch", "effect": "TAINT_EFFECT_NO_SCHEDULE"}, {"operator": "TOLERATION_OPERATOR_EXISTS"},
			  {"key": "node.kubernetes.io/unreachable", "operator": "TOLERATION_OPERATOR_EXISTS", "effect": "TAINT_EFFECT_NO_EXECUTE", "tolerationSeconds": 30}],
			"affinity": {
			  "node": {"required": [{"matchExpressions": [{"key": "zone", "operator": "NODE_SELECTOR_OPERATOR_IN", "values": ["a", "b"]}, {"key": "gen", "operator": "NODE_SELECTOR_OPERATOR_GT", "values": ["3"]}]},
			                        {"matchFields": [{"key": "metadata.name", "operator": "NODE_SELECTOR_OPERATOR_NOT_IN", "values": ["node-7"]}]}],
			           "preferred": [{"weight": 100, "term": {"matchExpressions": [{"key": "ssd", "operator": "NODE_SELECTOR_OPERATOR_EXISTS"}]}}]},
			  "pod": {"preferred": [{"weight": 1, "term": {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "kubernetes.io/hostname", "namespaces": ["shared"]}}]},
			  "podAnti": {"required": [{"topologyKey": "kubernetes.io/hostname", "matchLabelKeys": ["pod-template-hash"], "mismatchLabelKeys": ["tenant"]}, {"topologyKey": "topology.kubernetes.io/zone", "namespaceSelector": {}, "labelSelector": {"matchExpressions": [{"key": "tier", "operator": "LABEL_SELECTOR_OPERATOR_NOT_IN", "values": ["web"]}]}}]}},
			"topologySpreadConstraints": [{"topologyKey": "topology.kubernetes.io/zone", "minDomains": 3, "matchLabelKeys": ["pod-template-hash"], "nodeTaintsPolicy": "NODE_INCLUSION_POLICY_HONOR"},
			  {"maxSkew": 2, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY", "labelSelector": {"matchLabels": {"app": "x"}}}],
			"priorityClassName": "high", "runtimeClassName": "gvisor"`), 0, nil},
		{"tolerations", pod(`"tolerations": [{"value": "x"}, {"key": "k", "operator": "TOLERATION_OPERATOR_EXISTS", "value": "v"}, {"key": "k k", "tolerationSeconds": 5},
			{"key": "k", "value": "-bad-", "effect": 9}, {"key": "k", "operator": 7}]`), 0, []string{
			"tolerations[0].key: required with TOLERATION_OPERATOR_EQUAL",
			"tolerations[1].value: refused with TOLERATION_OPERATOR_EXISTS",
			`tolerations[2].key: "k k" is not a valid taint key`,
			"tolerations[2].tolerationSeconds: only allowed with effect TAINT_EFFECT_NO_EXECUTE",
			"tolerations[3].effect: unknown effect 9",
			`tolerations[3].value: "-bad-" is not a valid taint value`,
			"tolerations[4].operator: unknown operator 7",
		}},
		{"node selector", pod(`"nodeSelector": {"a/b/c": "v", "ok": "-"}`), 0, []string{
			`nodeSelector["a/b/c"]: "a/b/c" is not a valid label key`,
			`nodeSelector["ok"]: "-" is not a valid label value`,
		}},
		{"node affinity", pod(`"affinity": {"node": {"required": [{}, {"matchExpressions": [{"key": "k", "operator": "NODE_SELECTOR_OPERATOR_IN"}, {"key": "k", "operator": "NODE_SELECTOR_OPERATOR_EXISTS", "values": ["v"]},
			{"key": "k", "operator": "NODE_SELECTOR_OPERATOR_LT", "values": ["x"]}, {"key": "k", "operator": "NODE_SELECTOR_OPERATOR_LT", "values": ["-1"]}, {"key": "", "operator": "NODE_SELECTOR_OPERATOR_GT", "values": ["1", "2"]}, {"key": "k"}]}],
			"preferred": [{"weight": 0, "term": {"matchExpressions": [{"key": "k", "operator": "NODE_SELECTOR_OPERATOR_EXISTS"}]}}]}}`), 0, []string{
			"affinity.node.required[0].matchExpressions: at least one requirement (here or in matchFields) is needed",
			"affinity.node.required[1].matchExpressions[0].values: at least one value is needed with NODE_SELECTOR_OPERATOR_IN",
			"affinity.node.required[1].matchExpressions[1].values: refused with NODE_SELECTOR_OPERATOR_EXISTS",
			`affinity.node.required[1].matchExpressions[2].values[0]: "x" is not an integer`,
			`affinity.node.required[1].matchExpressions[3].values[0]: "-1" is not a valid label value`,
			"affinity.node.required[1].matchExpressions[4].key: required",
			"affinity.node.required[1].matchExpressions[4].values: exactly one integer is needed",
			"affinity.node.required[1].matchExpressions[5].operator: required",
			"affinity.node.preferred[0].weight: 0: want 1-100",
		}},
		{"node fields", pod(`"affinity": {"node": {"required": [{"matchFields": [{"key": "metadata.labels", "operator": "NODE_SELECTOR_OPERATOR_EXISTS"},
			{"key": "metadata.name", "operator": "NODE_SELECTOR_OPERATOR_IN", "values": ["a", "b"]}, {"key": "metadata.name", "operator": "NODE_SELECTOR_OPERATOR_IN", "values": ["Node_1"]}]}]}}`), 0, []string{
			`affinity.node.required[0].matchFields[0].key: "metadata.labels" is not a node field a term can match`,
			"affinity.node.required[0].matchFields[0].operator: required: NODE_SELECTOR_OPERATOR_IN or _NOT_IN",
			"affinity.node.required[0].matchFields[0].values: exactly one value is needed",
			"affinity.node.required[0].matchFields[1].values: exactly one value is needed",
			`affinity.node.required[0].matchFields[2].values[0]: "Node_1" is not a valid node name`,
		}},
		{"pod affinity label keys", pod(`"affinity": {"pod": {"required": [{"topologyKey": "zone", "matchLabelKeys": ["app.kubernetes.io/name", "h", "h", ""], "mismatchLabelKeys": ["h", "a b"]},
			{"topologyKey": "zone", "labelSelector": {"matchLabels": {"tier": "web"}}, "matchLabelKeys": ["tier"], "mismatchLabelKeys": ["tier"]}]}}`), 0, []string{
			`affinity.pod.required[0].matchLabelKeys[0]: "app.kubernetes.io/name" is a key of the labelSelector already`,
			`affinity.pod.required[0].matchLabelKeys[2]: duplicate key "h": also at matchLabelKeys[1]`,
			"affinity.pod.required[0].matchLabelKeys[3]: required: a label key",
			`affinity.pod.required[0].mismatchLabelKeys[0]: duplicate key "h": also at matchLabelKeys[1]`,
			`affinity.pod.required[0].mismatchLabelKeys[1]: "a b" is not a valid label key`,
			`affinity.pod.required[1].matchLabelKeys[0]: "tier" is a key of the labelSelector already`,
		}},
		{"pod affinity label keys on 1.30", pod(`"affinity": {"podAnti": {"required": [{"topologyKey": "zone", "mismatchLabelKeys": ["tenant"]}]}}`), 30, []string{
			"affinity.podAnti.required[0].mismatchLabelKeys: needs Kubernetes 1.31 or newer; the target is 1.30",
		}},
		{"pod affinity", pod(`"affinity": {"node": {}, "pod": {"required": [{"labelSelector": {"matchLabels": {"k": "v v"}, "matchExpressions": [{"key": "k", "operator": "LABEL_SELECTOR_OPERATOR_EXISTS", "values": ["x"]}]}, "namespaces": ["Bad"]}]},
			"podAnti": {"preferred": [{"weight": 101, "term": {"topologyKey": "zone"}}]}}`), 0, []string{
			"affinity.node: at least one required or preferred term is needed",
			`affinity.pod.required[0].labelSelector.matchLabels["k"]: "v v" is not a valid label value`,
			"affinity.pod.required[0].labelSelector.matchExpressions[0].values: refused with LABEL_SELECTOR_OPERATOR_EXISTS",
			`affinity.pod.required[0].namespaces[0]: "Bad" is not a valid namespace`,
			"affinity.pod.required[0].topologyKey: required",
			"affinity.podAnti.preferred[0].weight: 101: want 1-100",
		}},
		{"spread", pod(`"topologySpreadConstraints": [{"maxSkew": -1}, {"topologyKey": "zone", "whenUnsatisfiable": "WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY", "minDomains": 2},
			{"topologyKey": "zone", "whenUnsatisfiable": "WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY"}, {"topologyKey": "host", "matchLabelKeys": ["app.kubernetes.io/name", "h", "h"], "minDomains": 0}]`), 0, []string{
			"topologySpreadConstraints[0].maxSkew: -1: want 1 or more",
			"topologySpreadConstraints[0].topologyKey: required",
			"topologySpreadConstraints[1].minDomains: only allowed with WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE",
			`topologySpreadConstraints[2]: a second constraint on "zone"`,
			"topologySpreadConstraints[3].minDomains: 0: want 1 or more",
			`topologySpreadConstraints[3].matchLabelKeys[0]: "app.kubernetes.io/name" is a key of the labelSelector already`,
			`topologySpreadConstraints[3].matchLabelKeys[2]: duplicate key "h"`,
		}},
		{"spread on 1.25", pod(`"topologySpreadConstraints": [{"topologyKey": "zone", "minDomains": 2, "matchLabelKeys": ["pod-template-hash"], "nodeAffinityPolicy": "NODE_INCLUSION_POLICY_IGNORE"}]`), 25, []string{
			"topologySpreadConstraints[0].minDomains: needs Kubernetes 1.27 or newer; the target is 1.25",
			"topologySpreadConstraints[0].nodeAffinityPolicy: needs Kubernetes 1.26 or newer; the target is 1.25",
			"topologySpreadConstraints[0].matchLabelKeys: needs Kubernetes 1.27 or newer; the target is 1.25",
		}},
		{"class names", pod(`"priorityClassName": "High", "runtimeClassName": "a_b"`), 0, []string{
			`priorityClassName: "High" is not a valid PriorityClass name`,
			`runtimeClassName: "a_b" is not a valid RuntimeClass name`,
		}},
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
