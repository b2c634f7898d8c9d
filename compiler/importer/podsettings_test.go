package importer_test

import "testing"

func TestImportPodSettings(t *testing.T) {
	runMapCases(t, []mapCase{
		{
			name: "the pod's security context, grace period, DNS and plumbing",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    runAsNonRoot: true
    fsGroup: 2000
    fsGroupChangePolicy: OnRootMismatch
    supplementalGroups: [4000, 5000]
    seccompProfile: {type: RuntimeDefault}
    sysctls: [{name: net.ipv4.tcp_keepalive_time, value: "600"}]
  terminationGracePeriodSeconds: 60
  dnsPolicy: None
  dnsConfig:
    nameservers: [10.0.0.10]
    searches: [svc.example.internal]
    options: [{name: ndots, value: "2"}, {name: edns0}]
  hostAliases: [{ip: 10.1.2.3, hostnames: [db.internal, db]}]
  imagePullSecrets: [{name: registry}]
  automountServiceAccountToken: false
  hostname: app-0
  subdomain: apps
  containers:
  - {name: app, image: "app:1.0", stdin: true, tty: true}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - {name: app, image: "app:1.0", stdin: true, tty: true}
securityContext:
  runAsUser: 1000
  runAsGroup: 3000
  runAsNonRoot: true
  fsGroup: 2000
  fsGroupChangePolicy: FS_GROUP_CHANGE_POLICY_ON_ROOT_MISMATCH
  supplementalGroups: [4000, 5000]
  seccompProfile: SECCOMP_PROFILE_RUNTIME_DEFAULT
  sysctls: [{name: net.ipv4.tcp_keepalive_time, value: "600"}]
terminationGracePeriodSeconds: 60
dnsPolicy: DNS_POLICY_NONE
dnsConfig:
  nameservers: [10.0.0.10]
  searches: [svc.example.internal]
  options: [{name: ndots, value: "2"}, {name: edns0}]
hostAliases: [{ip: 10.1.2.3, hostnames: [db.internal, db]}]
imagePullSecrets: [registry]
automountServiceAccountToken: false
hostname: app-0
subdomain: apps
`,
		},
		{
			name: "the values compile writes when unset are left out",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {fsGroup: 2000, fsGroupChangePolicy: Always}
  terminationGracePeriodSeconds: 30
  dnsPolicy: ClusterFirst
  containers:
  - {name: app, image: "app:1.0", stdin: false}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers: [{name: app, image: "app:1.0"}]
securityContext: {fsGroup: 2000}
`,
		},
		{
			name: "fsGroup without a change policy and a seccomp profile the intent does not have",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext:
    fsGroup: 2000
    seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
    seLinuxOptions: {level: "s0:c123,c456"}
  containers:
  - {name: app, image: "app:1.0"}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers: [{name: app, image: "app:1.0"}]
securityContext: {fsGroup: 2000}
`,
			lost: []string{
				"Pod/app: spec.securityContext.seccompProfile",
				"Pod/app: spec.securityContext.seLinuxOptions",
			},
			reasons: map[string]string{
				"Pod/app: spec.securityContext.seLinuxOptions": "the intent's pod security context has runAsUser",
				"Pod/app: spec.securityContext.seccompProfile": "RuntimeDefault and Unconfined",
			},
			notes: []string{"Pod/app: spec.securityContext.fsGroupChangePolicy: unset beside fsGroup: compile writes Always, which is what the kubelet does when it is unset"},
		},
		{
			name: "a change policy Always without fsGroup is unset",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsUser: 1000, fsGroupChangePolicy: Always}
  containers:
  - {name: app, image: "app:1.0"}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers: [{name: app, image: "app:1.0"}]
securityContext: {runAsUser: 1000}
`,
		},
		{
			name: "pod-level resources: a request the apiserver does not write is lost",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  resources:
    limits: {cpu: "2", memory: 2Gi}
    requests: {cpu: "1"}
  containers:
  - name: app
    image: "app:1.0"
    resources: {requests: {cpu: 500m, memory: 1Gi}}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - {name: app, image: "app:1.0", resources: {cpu: {request: 500m}, memory: {request: 1Gi}}}
resources:
  cpu: {request: "1", limit: "2"}
  memory: {limit: 2Gi}
`,
			lost:    []string{"Pod/app: spec.resources.requests[memory]"},
			reasons: map[string]string{"Pod/app: spec.resources.requests[memory]": "unset, but compile sets the pod's request to 1Gi"},
		},
		{
			name: "a Deployment's rollout",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: "50%"}}
  minReadySeconds: 10
  revisionHistoryLimit: 3
  progressDeadlineSeconds: 120
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1.0"}]
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers: [{name: web, image: "web:1.0"}]
strategy: {maxSurge: "0", maxUnavailable: "50%"}
minReadySeconds: 10
revisionHistoryLimit: 3
progressDeadlineSeconds: 120
`,
		},
		{
			name: "a recreate, and the rollout defaults left out",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {type: Recreate}
  minReadySeconds: 0
  revisionHistoryLimit: 10
  progressDeadlineSeconds: 600
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1.0"}]
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers: [{name: web, image: "web:1.0"}]
strategy: {type: DEPLOYMENT_STRATEGY_TYPE_RECREATE}
`,
		},
		{
			name: "a value the intent's checks refuse is lost",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 0, runAsGroup: 1000}
  containers:
  - {name: app, image: "app:1.0"}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers: [{name: app, image: "app:1.0"}]
securityContext: {runAsNonRoot: true, runAsGroup: 1000}
`,
			lost:    []string{"Pod/app: spec.securityContext.runAsUser"},
			reasons: map[string]string{"Pod/app: spec.securityContext.runAsUser": "the intent's checks refuse it: 0 is root, but runAsNonRoot is true"},
		},
	})
}
