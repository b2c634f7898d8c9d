package importer_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/importer"
	"github.com/podc-dev/podc/compiler/intent"
)

// mapCase is one mapping: manifests, the intent they import as, and the
// fields lost, each as Loss.Path().
type mapCase struct {
	name   string
	in     string
	intent string
	lost   []string
	// reasons, by lost path, are parts of the loss's reason.
	reasons map[string]string
	// notes are parts of the notes, in any order.
	notes []string
	// denied, when set, is the baseline rule that refuses the intent: the
	// round trip then judges compile's own output.
	denied string
}

// runMapCases imports each case with loss allowed and checks the intent,
// the lost fields and the round trip; without AllowLoss, a case with lost
// fields is refused with every one of them and a case without imports the
// same intent.
func runMapCases(t *testing.T, cases []mapCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := importer.Import([]byte(c.in), importer.Options{AllowLoss: true})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			want, err := intent.Decode([]byte(c.intent))
			if err != nil {
				t.Fatalf("the expected intent: %v", err)
			}
			if !proto.Equal(res.Intent, want) {
				got, _ := importer.Encode(res.Intent, importer.YAML)
				t.Errorf("intent:\n%s\nwant:\n%s", got, c.intent)
			}
			var paths []string
			for _, l := range res.Lost {
				paths = append(paths, l.Path())
			}
			if !slices.Equal(paths, c.lost) {
				t.Errorf("lost:\n  %s\nwant:\n  %s", strings.Join(paths, "\n  "), strings.Join(c.lost, "\n  "))
			}
			for path, part := range c.reasons {
				found := false
				for _, l := range res.Lost {
					if l.Path() == path {
						found = true
						if !strings.Contains(l.Reason, part) {
							t.Errorf("%s: reason %q, want it to say %q", path, l.Reason, part)
						}
					}
				}
				if !found {
					t.Errorf("%s: not lost", path)
				}
			}
			notes := strings.Join(res.Notes, "\n")
			for _, n := range c.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes %q do not say %q", res.Notes, n)
				}
			}
			if errs := judged([]byte(c.in), res, c.denied); len(errs) > 0 {
				t.Errorf("round trip:\n  %s", strings.Join(errs, "\n  "))
			}
			strict, err := importer.Import([]byte(c.in), importer.Options{})
			var le *importer.LossError
			switch {
			case len(c.lost) == 0 && err != nil:
				t.Errorf("without AllowLoss: %v", err)
			case len(c.lost) == 0 && !proto.Equal(strict.Intent, res.Intent):
				t.Errorf("without AllowLoss, another intent")
			case len(c.lost) > 0 && !errors.As(err, &le):
				t.Errorf("without AllowLoss: %v, want a *LossError", err)
			case len(c.lost) > 0 && len(le.Lost) != len(c.lost):
				t.Errorf("without AllowLoss: %d lost, want %d", len(le.Lost), len(c.lost))
			}
		})
	}
}

func TestImportWorkloads(t *testing.T) {
	runMapCases(t, []mapCase{
		{
			name: "a bare pod",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: hello, namespace: shop}
spec:
  restartPolicy: OnFailure
  shareProcessNamespace: true
  serviceAccountName: hello
  serviceAccount: hello
  containers:
  - name: hello
    image: busybox:1.36
    command: [sh, -c]
    args: [echo hello]
    workingDir: /work
`,
			intent: `
name: hello
namespace: shop
controller: CONTROLLER_POD
restartPolicy: RESTART_POLICY_ON_FAILURE
shareProcessNamespace: true
serviceAccountName: hello
containers:
  - {name: hello, image: "busybox:1.36", command: [sh, -c], args: [echo hello], workingDir: /work}
`,
		},
		{
			name: "a deployment whose defaults are written out",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  revisionHistoryLimit: 10
  progressDeadlineSeconds: 600
  template:
    metadata:
      labels: {app: web}
    spec:
      restartPolicy: Always
      dnsPolicy: ClusterFirst
      terminationGracePeriodSeconds: 30
      schedulerName: default-scheduler
      securityContext: {}
      containers:
      - name: web
        image: nginx:1.27.3
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
        resources: {}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
replicas: 3
restartPolicy: RESTART_POLICY_ALWAYS
containers:
  - {name: web, image: "nginx:1.27.3"}
`,
			notes: []string{"Deployment/web: spec.selector: kept as the intent's selector (app=web): the Deployment and every Service select the pods with it"},
		},
		{
			name: "a pod as the cluster returns it: its token volume and default tolerations are carried, what the cluster wrote is lost",
			in: `
apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubectl.kubernetes.io/restartedAt: "2024-01-01T00:00:00Z"
  creationTimestamp: "2024-01-01T00:00:00Z"
  generateName: web-7d9c7c8b6d-
  labels:
    app: web
    pod-template-hash: 7d9c7c8b6d
  name: web-7d9c7c8b6d-abcde
  namespace: shop
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: ReplicaSet
    name: web-7d9c7c8b6d
    uid: 1b8e0c1e-0000-0000-0000-000000000000
  resourceVersion: "12345"
  uid: 2b8e0c1e-0000-0000-0000-000000000000
spec:
  containers:
  - image: nginx:1.27.3
    imagePullPolicy: IfNotPresent
    name: web
    ports:
    - containerPort: 8080
      name: http
      protocol: TCP
    resources: {}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access-xyz12
      readOnly: true
  dnsPolicy: ClusterFirst
  enableServiceLinks: true
  nodeName: node-1
  preemptionPolicy: PreemptLowerPriority
  priority: 0
  restartPolicy: Always
  schedulerName: default-scheduler
  securityContext: {}
  serviceAccount: default
  serviceAccountName: default
  terminationGracePeriodSeconds: 30
  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
  - effect: NoExecute
    key: node.kubernetes.io/unreachable
    operator: Exists
    tolerationSeconds: 300
  volumes:
  - name: kube-api-access-xyz12
    projected:
      defaultMode: 420
      sources:
      - serviceAccountToken:
          expirationSeconds: 3607
          path: token
      - configMap:
          items:
          - key: ca.crt
            path: ca.crt
          name: kube-root-ca.crt
      - downwardAPI:
          items:
          - fieldRef:
              apiVersion: v1
              fieldPath: metadata.namespace
            path: namespace
status:
  phase: Running
`,
			intent: `
name: web-7d9c7c8b6d-abcde
namespace: shop
labels: {app: web, pod-template-hash: 7d9c7c8b6d}
annotations: {kubectl.kubernetes.io/restartedAt: "2024-01-01T00:00:00Z"}
controller: CONTROLLER_POD
restartPolicy: RESTART_POLICY_ALWAYS
serviceAccountName: default
containers:
  - name: web
    image: "nginx:1.27.3"
    ports: [{name: http, containerPort: 8080}]
    mounts: [{volume: kube-api-access-xyz12, path: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}]
volumes:
  - name: kube-api-access-xyz12
    projected:
      sources:
        - serviceAccountToken: {path: token, expirationSeconds: 3607}
        - config: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
        - downwardApi: {items: [{path: namespace, field: metadata.namespace}]}
tolerations:
  - {key: node.kubernetes.io/not-ready, operator: TOLERATION_OPERATOR_EXISTS, effect: TAINT_EFFECT_NO_EXECUTE, tolerationSeconds: 300}
  - {key: node.kubernetes.io/unreachable, operator: TOLERATION_OPERATOR_EXISTS, effect: TAINT_EFFECT_NO_EXECUTE, tolerationSeconds: 300}
`,
			lost: []string{
				"Pod/web-7d9c7c8b6d-abcde: metadata.creationTimestamp",
				"Pod/web-7d9c7c8b6d-abcde: metadata.generateName",
				"Pod/web-7d9c7c8b6d-abcde: metadata.ownerReferences",
				"Pod/web-7d9c7c8b6d-abcde: metadata.resourceVersion",
				"Pod/web-7d9c7c8b6d-abcde: metadata.uid",
				"Pod/web-7d9c7c8b6d-abcde: spec.nodeName",
				"Pod/web-7d9c7c8b6d-abcde: spec.preemptionPolicy",
				"Pod/web-7d9c7c8b6d-abcde: spec.priority",
				"Pod/web-7d9c7c8b6d-abcde: status",
			},
			reasons: map[string]string{"Pod/web-7d9c7c8b6d-abcde: spec.priority": "the cluster's admission sets it from the class"},
		},
		{
			name: "init steps and native sidecars",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  initContainers:
  - {name: proxy, image: "envoy:1.30", restartPolicy: Always}
  - {name: migrate, image: "tool:1.0", args: [migrate]}
  containers:
  - {name: app, image: "app:1.0"}
`,
			intent: `
name: app
controller: CONTROLLER_POD
initSteps:
  - {name: migrate, image: "tool:1.0", args: [migrate]}
containers:
  - {name: app, image: "app:1.0"}
sidecars:
  - {name: proxy, image: "envoy:1.30"}
`,
		},
		{
			name: "a sidecar after an init step changes the order",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  initContainers:
  - {name: migrate, image: "tool:1.0"}
  - {name: proxy, image: "envoy:1.30", restartPolicy: Always}
  containers:
  - {name: app, image: "app:1.0"}
`,
			intent: `
name: app
controller: CONTROLLER_POD
initSteps: [{name: migrate, image: "tool:1.0"}]
containers: [{name: app, image: "app:1.0"}]
sidecars: [{name: proxy, image: "envoy:1.30"}]
`,
			lost:    []string{"Pod/app: spec.initContainers"},
			reasons: map[string]string{"Pod/app: spec.initContainers": "native sidecar proxy comes after init step migrate"},
		},
		{
			name: "pull policies: the one compile derives is left out",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - {name: a, image: "app:1.0", imagePullPolicy: IfNotPresent}
  - {name: b, image: "app:1.0", imagePullPolicy: Always}
  - {name: c, image: "app:latest", imagePullPolicy: Always}
  - {name: d, image: "app", imagePullPolicy: Never}
  - {name: e, image: "app:latest"}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - {name: a, image: "app:1.0"}
  - {name: b, image: "app:1.0", pullPolicy: PULL_POLICY_ALWAYS}
  - {name: c, image: "app:latest"}
  - {name: d, image: "app", pullPolicy: PULL_POLICY_NEVER}
  - {name: e, image: "app:latest"}
`,
		},
		{
			name: "an unknown field is lost",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - {name: app, image: "app:1.0", imagePullPolcy: Always}
`,
			intent:  "name: app\ncontroller: CONTROLLER_POD\ncontainers: [{name: app, image: \"app:1.0\"}]",
			lost:    []string{"Pod/app: spec.containers[0].imagePullPolcy"},
			reasons: map[string]string{"Pod/app: spec.containers[0].imagePullPolcy": "not a field of Container"},
		},
		{
			name: "explicit falses podc leaves unset",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  shareProcessNamespace: false
  hostNetwork: false
  containers:
  - name: app
    image: "app:1.0"
    env:
    - {name: A, valueFrom: {configMapKeyRef: {name: cm, key: a, optional: false}}}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - name: app
    image: "app:1.0"
    env: [{name: A, configMapKey: {name: cm, key: a}}]
`,
			lost: []string{
				"Pod/app: spec.shareProcessNamespace",
				"Pod/app: spec.containers[0].env[0].valueFrom.configMapKeyRef.optional",
			},
			reasons: map[string]string{"Pod/app: spec.shareProcessNamespace": "explicit false"},
		},
	})
}
