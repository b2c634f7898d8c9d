package importer_test

import "testing"

func TestImportContainers(t *testing.T) {
	runMapCases(t, []mapCase{
		{
			name: "env and envFrom",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: "app:1.0"
    env:
    - {name: PLAIN, value: "1"}
    - {name: EMPTY}
    - {name: FROM_CM, valueFrom: {configMapKeyRef: {name: cm, key: k, optional: true}}}
    - {name: FROM_SECRET, valueFrom: {secretKeyRef: {name: s, key: k}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: AFTER, value: after}
    envFrom:
    - {configMapRef: {name: cm}, prefix: CM_}
    - {secretRef: {name: s, optional: true}}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - name: app
    image: "app:1.0"
    env:
      - {name: PLAIN, value: "1"}
      - {name: EMPTY}
      - {name: FROM_CM, configMapKey: {name: cm, key: k, optional: true}}
      - {name: FROM_SECRET, secretKey: {name: s, key: k}}
      - {name: POD_IP, field: status.podIP}
      - {name: AFTER, value: after}
    envFrom:
      - {configMap: cm, prefix: CM_}
      - {secret: s}
`,
			lost: []string{
				"Pod/app: spec.containers[0].envFrom[1].secretRef.optional",
			},
			reasons: map[string]string{
				"Pod/app: spec.containers[0].envFrom[1].secretRef.optional": "has no optional",
			},
		},
		{
			name: "resources in a pod: the apiserver sets requests from limits too",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: "app:1.0"
    resources:
      limits: {cpu: "0.5", memory: 1Gi, ephemeral-storage: 2G, nvidia.com/gpu: 1}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - name: app
    image: "app:1.0"
    resources:
      cpu: {limit: 500m}
      memory: {limit: 1Gi}
      ephemeralStorage: {limit: 2G}
      extended: [{name: nvidia.com/gpu, limit: "1"}]
`,
		},
		{
			name: "resources in a deployment: a request compile writes is a loss",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, labels: {app: app}}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: app
        image: "app:1.0"
        resources:
          requests: {cpu: 100m}
          limits: {cpu: 200m, memory: 128Mi}
`,
			intent: `
name: app
labels: {app: app}
selector: {app: app}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: app
    image: "app:1.0"
    resources:
      cpu: {request: 100m, limit: 200m}
      memory: {limit: 128Mi}
`,
			lost:    []string{"Deployment/app: spec.template.spec.containers[0].resources.requests[memory]"},
			reasons: map[string]string{"Deployment/app: spec.template.spec.containers[0].resources.requests[memory]": "equal to the limit, 128Mi"},
		},
		{
			name: "probes",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: "app:1.0"
    ports: [{name: http, containerPort: 8080}, {containerPort: 9000}]
    livenessProbe:
      httpGet: {path: /healthz, port: http, scheme: HTTPS, httpHeaders: [{name: X, value: "y"}]}
      initialDelaySeconds: 5
      periodSeconds: 20
      failureThreshold: 6
    readinessProbe:
      tcpSocket: {port: 9000}
      timeoutSeconds: 2
    startupProbe:
      exec: {command: [cat, /ready]}
      terminationGracePeriodSeconds: 5
  - name: grpc
    image: "grpc:1.0"
    ports: [{name: grpc, containerPort: 50051}]
    livenessProbe:
      grpc: {port: 50051, service: health}
    readinessProbe:
      httpGet: {host: example.com, port: 80}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - name: app
    image: "app:1.0"
    ports: [{name: http, containerPort: 8080}, {containerPort: 9000}]
    probes:
      liveness:
        httpGet: {path: /healthz, port: http, scheme: SCHEME_HTTPS, headers: [{name: X, value: y}]}
        initialDelaySeconds: 5
        periodSeconds: 20
        failureThreshold: 6
      readiness: {tcpSocket: {port: "9000"}, timeoutSeconds: 2}
      startup: {exec: {command: [cat, /ready]}}
  - name: grpc
    image: "grpc:1.0"
    ports: [{name: grpc, containerPort: 50051}]
    probes:
      liveness: {grpc: {port: 50051, service: health}}
      readiness: {httpGet: {port: "80"}}
`,
			lost: []string{
				"Pod/app: spec.containers[0].startupProbe.terminationGracePeriodSeconds",
				"Pod/app: spec.containers[1].readinessProbe.httpGet.host",
			},
			reasons: map[string]string{"Pod/app: spec.containers[1].readinessProbe.httpGet.host": "pod's own IP"},
		},
		{
			name: "volumes and mounts",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  volumes:
  - {name: scratch, emptyDir: {}}
  - {name: cache, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
  - {name: config, configMap: {name: app-config, defaultMode: 420}}
  - {name: tls, secret: {secretName: app-tls, optional: true, items: [{key: tls.crt, path: cert}]}}
  - {name: data, persistentVolumeClaim: {claimName: app-data, readOnly: true}}
  - {name: host, hostPath: {path: /var/log}}
  containers:
  - name: app
    image: "app:1.0"
    volumeMounts:
    - {name: scratch, mountPath: /tmp}
    - {name: cache, mountPath: /cache}
    - {name: config, mountPath: /etc/app, readOnly: true, subPath: app.yaml}
    - {name: tls, mountPath: /tls}
    - {name: data, mountPath: /data, mountPropagation: None}
    - {name: host, mountPath: /host}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - name: app
    image: "app:1.0"
    mounts:
      - {volume: scratch, path: /tmp}
      - {volume: cache, path: /cache}
      - {volume: config, path: /etc/app, readOnly: true, subPath: app.yaml}
      - {volume: tls, path: /tls}
      - {volume: data, path: /data}
volumes:
  - {name: scratch, scratch: {}}
  - {name: cache, scratch: {memory: true, sizeLimit: 64Mi}}
  - {name: config, config: {name: app-config}}
  - {name: tls, secret: {name: app-tls, optional: true, items: [{key: tls.crt, path: cert}]}}
  - {name: data, persistent: {claimName: app-data, readOnly: true}}
`,
			lost: []string{
				"Pod/app: spec.volumes[5]",
				"Pod/app: spec.containers[0].volumeMounts[4].mountPropagation",
				"Pod/app: spec.containers[0].volumeMounts[5]",
			},
			reasons: map[string]string{
				"Pod/app: spec.volumes[5]":                    "a hostPath volume: the intent declares emptyDir, configMap, secret",
				"Pod/app: spec.containers[0].volumeMounts[5]": "mounts volume host, which is lost",
			},
		},
		{
			name: "security contexts",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: a
    image: "app:1.0"
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      runAsGroup: 3000
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      privileged: false
      capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
      seccompProfile: {type: RuntimeDefault}
  - name: b
    image: "app:1.0"
    securityContext:
      seLinuxOptions: {level: "s0:c123,c456"}
      seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - name: a
    image: "app:1.0"
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      runAsGroup: 3000
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      privileged: false
      capabilitiesAdd: [NET_BIND_SERVICE]
      capabilitiesDrop: [ALL]
      seccompProfile: SECCOMP_PROFILE_RUNTIME_DEFAULT
  - {name: b, image: "app:1.0"}
`,
			lost: []string{"Pod/app: spec.containers[1].securityContext"},
		},
		{
			name: "host namespaces: each port is its own host port",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: agent}
spec:
  hostNetwork: true
  hostPID: true
  hostIPC: true
  containers:
  - name: agent
    image: "agent:1.0"
    ports: [{name: metrics, containerPort: 9100, hostPort: 9100}, {name: debug, containerPort: 9200}]
`,
			intent: `
name: agent
controller: CONTROLLER_POD
hostNetwork: true
hostPid: true
hostIpc: true
containers:
  - {name: agent, image: "agent:1.0", ports: [{name: metrics, containerPort: 9100}, {name: debug, containerPort: 9200}]}
`,
			denied: "baseline.host-namespaces",
		},
		{
			name: "a host port is lost",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: agent}
spec:
  containers:
  - {name: agent, image: "agent:1.0", ports: [{name: metrics, containerPort: 9100, hostPort: 19100, hostIP: 127.0.0.1}]}
`,
			intent: `
name: agent
controller: CONTROLLER_POD
containers:
  - {name: agent, image: "agent:1.0", ports: [{name: metrics, containerPort: 9100}]}
`,
			lost:    []string{"Pod/agent: spec.containers[0].ports[0].hostPort", "Pod/agent: spec.containers[0].ports[0].hostIP"},
			reasons: map[string]string{"Pod/agent: spec.containers[0].ports[0].hostPort": "binds no port on the node"},
		},
		{
			name: "env from pod fields and container resources",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: "app:1.0"
    resources: {limits: {cpu: "1", memory: 512Mi}}
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: TEAM, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: "metadata.labels['team']"}}}
    - {name: MEM_MB, valueFrom: {resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}}
    - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
    - {name: SIDECAR_MEM, valueFrom: {resourceFieldRef: {containerName: proxy, resource: requests.memory}}}
  - name: proxy
    image: "proxy:1.0"
    resources: {requests: {memory: 64Mi}}
`,
			intent: `
name: app
controller: CONTROLLER_POD
containers:
  - name: app
    image: "app:1.0"
    resources: {cpu: {limit: "1"}, memory: {limit: 512Mi}}
    env:
      - {name: POD_NAME, field: metadata.name}
      - {name: TEAM, field: "metadata.labels['team']"}
      - {name: MEM_MB, resource: {container: app, resource: limits.memory, divisor: 1Mi}}
      - {name: CPU, resource: {resource: limits.cpu}}
      - {name: SIDECAR_MEM, resource: {container: proxy, resource: requests.memory}}
  - {name: proxy, image: "proxy:1.0", resources: {memory: {request: 64Mi}}}
`,
			lost:    []string{"Pod/app: spec.containers[0].env[3].valueFrom.resourceFieldRef.containerName"},
			reasons: map[string]string{"Pod/app: spec.containers[0].env[3].valueFrom.resourceFieldRef.containerName": "unset, but compile names the container itself, app: the same resource"},
		},
		{
			name: "lifecycle hooks, stdin, stdinOnce and tty",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  terminationGracePeriodSeconds: 45
  initContainers:
  - {name: proxy, image: "envoy:1.30", restartPolicy: Always, lifecycle: {preStop: {sleep: {seconds: 5}}}}
  containers:
  - name: app
    image: "app:1.0"
    stdin: true
    stdinOnce: true
    tty: true
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo started"]}}
      preStop: {httpGet: {path: /drain, port: 8080, scheme: HTTPS, httpHeaders: [{name: X-Drain, value: "1"}]}}
  - name: legacy
    image: "legacy:1.0"
    lifecycle:
      postStart: {httpGet: {host: example.com, port: 80}}
      preStop: {tcpSocket: {port: 80}}
`,
			intent: `
name: app
controller: CONTROLLER_POD
terminationGracePeriodSeconds: 45
containers:
  - name: app
    image: "app:1.0"
    stdin: true
    stdinOnce: true
    tty: true
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo started"]}}
      preStop: {httpGet: {path: /drain, port: "8080", scheme: SCHEME_HTTPS, headers: [{name: X-Drain, value: "1"}]}}
  - name: legacy
    image: "legacy:1.0"
    lifecycle:
      postStart: {httpGet: {port: "80"}}
sidecars:
  - {name: proxy, image: "envoy:1.30", lifecycle: {preStop: {sleep: {seconds: 5}}}}
`,
			lost: []string{
				"Pod/app: spec.containers[1].lifecycle.postStart.httpGet.host",
				"Pod/app: spec.containers[1].lifecycle.preStop",
			},
			reasons: map[string]string{
				"Pod/app: spec.containers[1].lifecycle.postStart.httpGet.host": "the intent's HTTP hooks ask the pod's own IP",
				"Pod/app: spec.containers[1].lifecycle.preStop":                "tcpSocket hooks only for backward compatibility",
			},
		},
		{
			name: "extended resources in a Deployment: a request compile writes is a loss; hugepages are lost",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, labels: {app: app}}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: app
        image: "app:1.0"
        resources:
          requests: {nvidia.com/gpu: 2, memory: 1Gi, hugepages-2Mi: 64Mi}
          limits: {nvidia.com/gpu: 2, example.com/fpga: 1, memory: 1Gi, hugepages-2Mi: 64Mi}
`,
			intent: `
name: app
labels: {app: app}
selector: {app: app}
controller: CONTROLLER_DEPLOYMENT
containers:
  - name: app
    image: "app:1.0"
    resources:
      memory: {request: 1Gi, limit: 1Gi}
      extended:
        - {name: example.com/fpga, limit: "1"}
        - {name: nvidia.com/gpu, limit: "2"}
`,
			lost: []string{
				"Deployment/app: spec.template.spec.containers[0].resources.requests[example.com/fpga]",
				"Deployment/app: spec.template.spec.containers[0].resources.requests[hugepages-2Mi]",
				"Deployment/app: spec.template.spec.containers[0].resources.limits[hugepages-2Mi]",
			},
			reasons: map[string]string{
				"Deployment/app: spec.template.spec.containers[0].resources.requests[example.com/fpga]": "unset, but compile sets a device's request equal to its limit, 1",
				"Deployment/app: spec.template.spec.containers[0].resources.limits[hugepages-2Mi]":      "not hugepages-2Mi",
			},
		},
	})
}
