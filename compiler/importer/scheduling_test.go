package importer_test

import "testing"

func TestImportScheduling(t *testing.T) {
	runMapCases(t, []mapCase{
		{
			name: "node selector, tolerations, affinity, spread constraints, priority and runtime classes",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app, labels: {app: app}}
spec:
  nodeSelector: {kubernetes.io/os: linux, disk: ssd}
  tolerations:
  - {operator: Exists}
  - {key: dedicated, operator: Equal, value: batch, effect: NoSchedule}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: topology.kubernetes.io/zone, operator: In, values: [a, b]}
          - {key: cores, operator: Gt, values: ["8"]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 10
        preference: {matchExpressions: [{key: disk, operator: Exists}]}
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: cache}}
        namespaces: [shared]
        namespaceSelector: {}
        topologyKey: kubernetes.io/hostname
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector: {matchExpressions: [{key: app, operator: In, values: [app]}]}
          topologyKey: topology.kubernetes.io/zone
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: DoNotSchedule
    labelSelector: {matchLabels: {app: app}}
    minDomains: 2
    nodeAffinityPolicy: Honor
    nodeTaintsPolicy: Ignore
    matchLabelKeys: [pod-template-hash]
  - maxSkew: 2
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector: {matchLabels: {app: app}}
  priorityClassName: high
  runtimeClassName: gvisor
  containers:
  - {name: app, image: "app:1.0"}
`,
			intent: `
name: app
labels: {app: app}
controller: CONTROLLER_POD
containers: [{name: app, image: "app:1.0"}]
nodeSelector: {kubernetes.io/os: linux, disk: ssd}
tolerations:
  - {operator: TOLERATION_OPERATOR_EXISTS}
  - {key: dedicated, operator: TOLERATION_OPERATOR_EQUAL, value: batch, effect: TAINT_EFFECT_NO_SCHEDULE}
  - {key: node.kubernetes.io/unreachable, operator: TOLERATION_OPERATOR_EXISTS, effect: TAINT_EFFECT_NO_EXECUTE, tolerationSeconds: 60}
affinity:
  node:
    required:
      - matchExpressions:
          - {key: topology.kubernetes.io/zone, operator: NODE_SELECTOR_OPERATOR_IN, values: [a, b]}
          - {key: cores, operator: NODE_SELECTOR_OPERATOR_GT, values: ["8"]}
    preferred:
      - weight: 10
        term: {matchExpressions: [{key: disk, operator: NODE_SELECTOR_OPERATOR_EXISTS}]}
  pod:
    required:
      - labelSelector: {matchLabels: {app: cache}}
        namespaces: [shared]
        namespaceSelector: {}
        topologyKey: kubernetes.io/hostname
  podAnti:
    preferred:
      - weight: 100
        term:
          labelSelector: {matchExpressions: [{key: app, operator: LABEL_SELECTOR_OPERATOR_IN, values: [app]}]}
          topologyKey: topology.kubernetes.io/zone
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE
    labelSelector: {matchLabels: {app: app}}
    minDomains: 2
    nodeAffinityPolicy: NODE_INCLUSION_POLICY_HONOR
    nodeTaintsPolicy: NODE_INCLUSION_POLICY_IGNORE
    matchLabelKeys: [pod-template-hash]
  - maxSkew: 2
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY
    labelSelector: {matchLabels: {app: app}}
priorityClassName: high
runtimeClassName: gvisor
`,
		},
		{
			name: "what compile writes for unset selectors and operators, node fields and label keys of pod terms are lost",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app, labels: {app: app}}
spec:
  tolerations:
  - {key: dedicated, value: batch}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchFields: [{key: metadata.name, operator: In, values: [node-1]}]
        - matchExpressions: [{key: disk, operator: Exists}]
          matchFields: [{key: metadata.name, operator: NotIn, values: [node-2]}]
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
      - labelSelector: {matchLabels: {app: app}}
        matchLabelKeys: [pod-template-hash]
        topologyKey: topology.kubernetes.io/zone
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule}
  containers:
  - {name: app, image: "app:1.0"}
`,
			intent: `
name: app
labels: {app: app}
controller: CONTROLLER_POD
containers: [{name: app, image: "app:1.0"}]
tolerations: [{key: dedicated, value: batch}]
affinity:
  node:
    required:
      - {matchFields: [{key: metadata.name, operator: NODE_SELECTOR_OPERATOR_IN, values: [node-1]}]}
      - {matchExpressions: [{key: disk, operator: NODE_SELECTOR_OPERATOR_EXISTS}], matchFields: [{key: metadata.name, operator: NODE_SELECTOR_OPERATOR_NOT_IN, values: [node-2]}]}
  podAnti:
    required:
      - topologyKey: kubernetes.io/hostname
      - {labelSelector: {matchLabels: {app: app}}, matchLabelKeys: [pod-template-hash], topologyKey: topology.kubernetes.io/zone}
topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: WHEN_UNSATISFIABLE_DO_NOT_SCHEDULE}
`,
			lost: []string{
				"Pod/app: spec.tolerations[0].operator",
				"Pod/app: spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector",
				"Pod/app: spec.topologySpreadConstraints[0].labelSelector",
			},
			reasons: map[string]string{
				"Pod/app: spec.tolerations[0].operator": "unset, but compile writes Equal",
				"Pod/app: spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector": "unset, so it selects no pods, but compile writes the workload's own pods",
				"Pod/app: spec.topologySpreadConstraints[0].labelSelector":                                               "compile writes the workload's own pods",
			},
		},
	})
}
