package importer_test

import "testing"

// deployment is a Deployment "web" with one container: its ports follow.
const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: "web:1.0"
        ports:
`

func TestImportServices(t *testing.T) {
	runMapCases(t, []mapCase{
		{
			name: "the simple form: a ClusterIP Service named after the workload",
			in: deployment + `        - {name: http, containerPort: 8080}
        - {name: grpc, containerPort: 9090}
        - {name: admin, containerPort: 9901}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: grpc, port: 9090, targetPort: grpc, protocol: TCP}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: web
    image: "web:1.0"
    ports:
      - {name: http, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}
      - {name: grpc, containerPort: 9090, expose: EXPOSE_CLUSTER}
      - {name: admin, containerPort: 9901}
`,
			notes: []string{"the ports' expose forms them (Service web)", "Deployment/web: spec.selector: kept as the intent's selector (app=web)"},
		},
		{
			name: "the simple form with the NodePort Service",
			in: deployment + `        - {name: http, containerPort: 8080}
        - {name: metrics, containerPort: 9100}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9100, targetPort: metrics}
---
apiVersion: v1
kind: Service
metadata: {name: web-nodeport, labels: {app: web}}
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: web
    image: "web:1.0"
    ports:
      - {name: http, containerPort: 8080, expose: EXPOSE_NODE, servicePort: 80, nodePort: 30080}
      - {name: metrics, containerPort: 9100, expose: EXPOSE_CLUSTER}
`,
			notes: []string{"Service web and its NodePort Service web-nodeport"},
		},
		{
			name: "named Services and their settings",
			in: deployment + `        - {name: http, containerPort: 8080}
        - {name: peer, containerPort: 7946, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}, annotations: {team: storefront}}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: v1
kind: Service
metadata: {name: web-peers, labels: {app: web}}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: web}
  ports:
  - {name: peer, port: 7946, targetPort: peer, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata:
  name: web-public
  labels: {app: web}
  annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  loadBalancerClass: example.com/lb
  loadBalancerSourceRanges: [203.0.113.0/24]
  selector: {app: web}
  ports:
  - {name: http, port: 443, targetPort: http, nodePort: 31443}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: web
    image: "web:1.0"
    ports:
      - {name: http, containerPort: 8080, expose: EXPOSE_NODE}
      - {name: peer, containerPort: 7946, protocol: PROTOCOL_UDP, expose: EXPOSE_CLUSTER}
services:
  - name: web
    ports: [{name: http, servicePort: 80}]
    sessionAffinity: SESSION_AFFINITY_CLIENT_IP
    sessionAffinityTimeoutSeconds: 600
    annotations: {team: storefront}
  - name: web-peers
    type: SERVICE_TYPE_HEADLESS
    ports: [{name: peer}]
    publishNotReadyAddresses: true
  - name: web-public
    type: SERVICE_TYPE_LOAD_BALANCER
    ports: [{name: http, servicePort: 443, nodePort: 31443}]
    externalTrafficPolicy: EXTERNAL_TRAFFIC_POLICY_LOCAL
    loadBalancerClass: example.com/lb
    loadBalancerSourceRanges: [203.0.113.0/24]
    annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
`,
			notes: []string{"named in the intent's services"},
		},
		{
			name: "ports targeted by number and unnamed are named (or left to compile to name); a port no container declares is declared",
			in: deployment + `        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: web-admin, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {port: 9090}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: web
    image: "web:1.0"
    ports:
      - {name: http, containerPort: 8080, expose: EXPOSE_CLUSTER}
      - {containerPort: 9090, expose: EXPOSE_CLUSTER}
services:
  - {name: web, ports: [{name: http, servicePort: 80}]}
  - {name: web-admin, ports: [{name: tcp-9090}]}
`,
			lost: []string{"Deployment/web: spec.template.spec.containers[0].ports"},
			reasons: map[string]string{
				"Deployment/web: spec.template.spec.containers[0].ports": "compile declares port 9090/TCP on container web",
			},
			notes: []string{
				"Deployment/web: spec.template.spec.containers[0].ports[0].name: unset: compile names the port http, an addition, and Service/web targets it by that name",
				"Service/web: spec.ports[0].targetPort: 8080 by number: compile targets the same container port by its name, http",
				"Service/web-admin: spec.ports[0].name: unset: compile names the Service port after the container port it carries, tcp-9090, an addition",
				"Service/web-admin: spec.ports[0].targetPort: unset (the Service port, 9090): compile targets the same container port by its name, tcp-9090",
			},
		},
		{
			name: "a named port targeted by number from an unnamed Service port loses nothing",
			in: deployment + `        - {name: http, containerPort: 8080}
        - {name: admin, containerPort: 9000}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {port: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: web-admin, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: admin, port: 9000, targetPort: 9000}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: web
    image: "web:1.0"
    ports:
      - {name: http, containerPort: 8080, expose: EXPOSE_CLUSTER}
      - {name: admin, containerPort: 9000, expose: EXPOSE_CLUSTER}
services:
  - {name: web, ports: [{name: http}]}
  - {name: web-admin, ports: [{name: admin}]}
`,
			notes: []string{
				"Service/web: spec.ports[0].name: unset: compile names the Service port after the container port it carries, http, an addition",
				"Service/web: spec.ports[0].targetPort: unset (the Service port, 8080): compile targets the same container port by its name, http",
				"Service/web-admin: spec.ports[0].targetPort: 9000 by number: compile targets the same container port by its name, admin",
			},
		},
		{
			name: "a Service port named otherwise than the container port it carries is lost",
			in: deployment + `        - {name: http, containerPort: 8080}
        - {name: admin, containerPort: 9000}
        - containerPort: 9100
        - containerPort: 9200
        - containerPort: 9300
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: web, port: 80, targetPort: 8080}
  - {name: admin, port: 9100, targetPort: 9100}
  - {name: prometheus-metrics, port: 9200, targetPort: 9200}
  - {name: stats, port: 9300, targetPort: 9300}
---
apiVersion: v1
kind: Service
metadata: {name: web-stats, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: telemetry, port: 9300, targetPort: 9300}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: web
    image: "web:1.0"
    ports:
      - {name: http, containerPort: 8080, expose: EXPOSE_CLUSTER}
      - {name: admin, containerPort: 9000}
      - {containerPort: 9100, expose: EXPOSE_CLUSTER}
      - {containerPort: 9200, expose: EXPOSE_CLUSTER}
      - {name: stats, containerPort: 9300, expose: EXPOSE_CLUSTER}
services:
  - name: web
    ports:
      - {name: http, servicePort: 80}
      - {name: tcp-9100}
      - {name: tcp-9200}
      - {name: stats}
  - {name: web-stats, ports: [{name: stats}]}
`,
			lost: []string{
				"Service/web: spec.ports[0].name",
				"Service/web: spec.ports[1].name",
				"Service/web: spec.ports[2].name",
				"Service/web-stats: spec.ports[0].name",
			},
			reasons: map[string]string{
				"Service/web: spec.ports[0].name":       "named web, but the container port it carries is named http: an intent's Service port takes the name of the container port it carries",
				"Service/web: spec.ports[1].name":       "named admin, which the container port it carries, unnamed, cannot take (another port of the pod is named admin), so compile names both tcp-9100",
				"Service/web: spec.ports[2].name":       "named prometheus-metrics, which the container port it carries, unnamed, cannot take (it is not a valid container port name: must be no more than 15 characters), so compile names both tcp-9200",
				"Service/web-stats: spec.ports[0].name": "named telemetry, but the container port it carries, unnamed, takes the name stats from the port of Service/web that carries it too",
			},
		},
		{
			name: "a number no container declares, in a pod of two containers, is lost",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "web:1.0", ports: [{containerPort: 8080}]}
      - {name: proxy, image: "proxy:1.0"}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: other, port: 81, targetPort: 8081}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}]}
  - {name: proxy, image: "proxy:1.0"}
`,
			lost:    []string{"Service/web: spec.ports[1]"},
			reasons: map[string]string{"Service/web: spec.ports[1]": "targets port 8081/TCP, which no container declares, and the pod has more than one container to declare it on"},
			notes: []string{
				"Deployment/web: spec.template.spec.containers[0].ports[0].name: unset: compile names the port http, an addition, and Service/web targets it by that name",
				"Service/web: spec.ports[0].targetPort: 8080 by number: compile targets the same container port by its name, http",
			},
		},
		{
			name: "a LoadBalancer the workload's own Service does not reach",
			in: deployment + `        - {name: http, containerPort: 8080}
        - {name: admin, containerPort: 9000}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: v1
kind: Service
metadata: {name: web-lb, labels: {app: web}}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: admin, port: 9000, targetPort: admin}
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: web
    image: "web:1.0"
    ports:
      - {name: http, containerPort: 8080, expose: EXPOSE_NODE}
      - {name: admin, containerPort: 9000}
services:
  - {name: web, ports: [{name: http, servicePort: 80}]}
  - {name: web-lb, type: SERVICE_TYPE_LOAD_BALANCER, ports: [{name: http, servicePort: 80}]}
`,
			lost:    []string{"Service/web-lb: spec.ports[1]"},
			reasons: map[string]string{"Service/web-lb: spec.ports[1]": "the Service named web, the workload's in-cluster name, does not carry it"},
		},
		{
			name: "objects that are not the workload's are lost whole",
			in: `
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {a: b}
---
` + deployment + `        - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: other, labels: {app: web}}
spec:
  selector: {app: other}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: elsewhere, namespace: other, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: external, labels: {app: web}}
spec:
  type: ExternalName
  externalName: example.com
---
apiVersion: v1
kind: Service
metadata: {name: nowhere, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: x, port: 80, targetPort: missing}]
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080}]}
`,
			lost: []string{
				"ConfigMap/web-config",
				"Service/other",
				"Service/elsewhere",
				"Service/external",
				"Service/nowhere",
			},
			reasons: map[string]string{
				"ConfigMap/web-config": "a ConfigMap: podc imports a Pod or a Deployment and the Services that select it",
				"Service/other":        "does not select the pods of Deployment/web",
				"Service/elsewhere":    `in namespace "other"`,
				"Service/external":     "selects no pods",
				"Service/nowhere":      `targets the port named "missing"`,
			},
		},
	})
}

func TestImportMetadata(t *testing.T) {
	runMapCases(t, []mapCase{
		{
			name: "labels most objects share and annotations all share are the intent's; the rest are the pods', the workload's or the Services'",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, chart: web-1.2.0, app.kubernetes.io/managed-by: Helm}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, app.kubernetes.io/name: web}
      annotations: {prometheus.io/scrape: "true"}
    spec:
      containers:
      - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
  annotations: {prometheus.io/scrape: "true", owner: team-a}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
podAnnotations: {prometheus.io/scrape: "true"}
serviceAnnotations: {prometheus.io/scrape: "true", owner: team-a}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}]}
`,
			lost: []string{
				"Deployment/web: metadata.labels[chart]",
				"Deployment/web: metadata.labels[app.kubernetes.io/managed-by]",
			},
			reasons: map[string]string{
				"Deployment/web: metadata.labels[app.kubernetes.io/managed-by]": "podc sets app.kubernetes.io/managed-by=podc",
				"Deployment/web: metadata.labels[chart]":                        "not on Deployment/web's pod template, Service/web: the intent's labels go on the workload, its pods and its Services alike",
			},
			notes: []string{"the ports' expose forms them (Service web)"},
		},
		{
			name: "a bare Pod keeps its Services' selector; shared labels and annotations are the intent's, the rest the pod's",
			in: `
apiVersion: v1
kind: Pod
metadata:
  name: db
  labels: {app: db, role: primary, app.kubernetes.io/name: postgres}
  annotations: {team: data, backup: daily}
spec:
  containers:
  - {name: db, image: "postgres:16", ports: [{name: pg, containerPort: 5432}]}
---
apiVersion: v1
kind: Service
metadata:
  name: db
  labels: {app: db, app.kubernetes.io/name: postgres}
  annotations: {team: data}
spec:
  selector: {app: db, role: primary}
  ports: [{name: pg, port: 5432, targetPort: pg}]
`,
			intent: `
name: db
labels: {app: db, app.kubernetes.io/name: postgres}
selector: {app: db, role: primary}
annotations: {team: data}
podAnnotations: {backup: daily}
controller: CONTROLLER_POD
containers:
  - {name: db, image: "postgres:16", ports: [{name: pg, containerPort: 5432, expose: EXPOSE_CLUSTER}]}
`,
			notes: []string{"Service/db: spec.selector: kept as the intent's selector (app=db,role=primary): every Service selects the pods with it"},
		},
		{
			name: "annotations of the workload, the pods, every Service and each Service; labels of the pods",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  annotations: {team: shop, deployment.kubernetes.io/revision: "3"}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, version: v2}
      annotations: {team: shop, prometheus.io/scrape: "true"}
    spec:
      containers:
      - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
  annotations: {team: shop, owner: team-a, example.com/tier: gold}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
  labels: {app: web}
  annotations: {team: shop, owner: team-a, service.beta.kubernetes.io/aws-load-balancer-type: nlb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 443, targetPort: http}]
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web}
podLabels: {version: v2}
annotations: {team: shop}
workloadAnnotations: {deployment.kubernetes.io/revision: "3"}
podAnnotations: {prometheus.io/scrape: "true"}
serviceAnnotations: {owner: team-a}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080, expose: EXPOSE_NODE}]}
services:
  - {name: web, ports: [{name: http, servicePort: 80}], annotations: {example.com/tier: gold}}
  - name: web-lb
    type: SERVICE_TYPE_LOAD_BALANCER
    ports: [{name: http, servicePort: 443}]
    annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
`,
		},
		{
			name: "a selector's match expressions are lost, its matchLabels kept; a Service that selects otherwise loses its selector",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector:
    matchLabels: {app: web, track: stable}
    matchExpressions: [{key: tier, operator: In, values: [front]}]
  template:
    metadata: {labels: {app: web, track: stable, tier: front}}
    spec:
      containers:
      - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
			intent: `
name: web
labels: {app: web}
selector: {app: web, track: stable}
podLabels: {tier: front}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}]}
`,
			lost: []string{
				"Deployment/web: spec.selector.matchExpressions",
				"Service/web: spec.selector",
			},
			reasons: map[string]string{
				"Deployment/web: spec.selector.matchExpressions": "the intent keeps a selector of labels only; its matchLabels are kept",
				"Service/web: spec.selector":                     "app=web, but compile selects the pods with the workload's selector, app=web,track=stable, in every Service",
			},
		},
		{
			name: "a selector of match expressions alone cannot be kept: podc selects with its own labels",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector:
    matchExpressions: [{key: app, operator: In, values: [web]}]
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
			intent: `
name: web
podLabels: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}]}
`,
			lost: []string{
				"Deployment/web: spec.selector",
				"Service/web: spec.selector",
			},
			reasons: map[string]string{
				"Deployment/web: spec.selector": "podc selects the pods with its own labels, app.kubernetes.io/managed-by=podc,app.kubernetes.io/name=web; a Deployment's selector cannot change",
				"Service/web: spec.selector":    "app=web, but compile selects the pods with podc's own labels",
			},
		},
		{
			name: "app.kubernetes.io/name is the intent's when every object shares it; managed-by is podc's",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app.kubernetes.io/name: shop, app.kubernetes.io/managed-by: Helm}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, app.kubernetes.io/name: shop, app.kubernetes.io/managed-by: Helm}}
    spec:
      containers:
      - {name: api, image: "api:1.0", ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, labels: {app.kubernetes.io/name: shop}}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: http}]
`,
			intent: `
name: api
labels: {app.kubernetes.io/name: shop}
selector: {app: api}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: api, image: "api:1.0", ports: [{name: http, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}]}
`,
			lost: []string{
				"Deployment/api: metadata.labels[app.kubernetes.io/managed-by]",
				"Deployment/api: spec.template.metadata.labels[app.kubernetes.io/managed-by]",
			},
			reasons: map[string]string{
				"Deployment/api: metadata.labels[app.kubernetes.io/managed-by]": "podc sets app.kubernetes.io/managed-by=podc on every object itself",
			},
		},
		{
			name: "a label the kept selector gives the pods another value is lost on the other objects",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web-deploy}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web-deploy}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
			intent: `
name: web
selector: {app: web}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: web, image: "web:1.0", ports: [{name: http, containerPort: 8080, expose: EXPOSE_CLUSTER, servicePort: 80}]}
`,
			lost: []string{
				"Deployment/web: metadata.labels[app]",
				"Service/web: metadata.labels[app]",
			},
			reasons: map[string]string{
				"Service/web: metadata.labels[app]": "web-deploy here, but the pods carry the selector's app=web, and the intent's labels, which go on every object, may not say otherwise",
			},
		},
		{
			name: "a value the intent's checks refuse is left out",
			in: `
apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}
spec:
  containers:
  - name: app
    image: "app:1.0"
    env: [{name: "1BAD", value: x}, {name: GOOD, value: "y"}]
    resources: {requests: {memory: 100m}}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - {name: app, image: "app:1.0", env: [{name: GOOD, value: "y"}]}
`,
			lost: []string{
				"Pod/app: metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
				"Pod/app: spec.containers[0].env[0]",
				"Pod/app: spec.containers[0].resources",
			},
			reasons: map[string]string{
				"Pod/app: metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]": "the intent's checks refuse it: seccomp annotations are deprecated",
				"Pod/app: spec.containers[0].env[0]":                                      "the intent's checks refuse it",
				"Pod/app: spec.containers[0].resources":                                   "the intent's checks refuse it: \"100m\" is not a whole number of bytes",
			},
		},
	})
}
