package importer_test

import "testing"

func TestImportVolumeSources(t *testing.T) {
	runMapCases(t, []mapCase{
		{
			name: "ConfigMap and Secret items and modes, projected and downward API volumes",
			in: `
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  serviceAccountName: app
  volumes:
  - name: config
    configMap:
      name: app-config
      defaultMode: 256
      items: [{key: app.yaml, path: conf/app.yaml, mode: 292}, {key: log.yaml, path: log.yaml}]
  - {name: tls, secret: {secretName: app-tls, defaultMode: 420, items: [{key: tls.crt, path: tls.crt}]}}
  - name: bundle
    projected:
      defaultMode: 288
      sources:
      - serviceAccountToken: {path: token, audience: vault, expirationSeconds: 7200}
      - serviceAccountToken: {path: api-token}
      - configMap: {name: ca, items: [{key: ca.crt, path: ca.crt}], optional: true}
      - secret: {name: creds}
      - downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
  - name: info
    downwardAPI:
      items:
      - {path: name, fieldRef: {apiVersion: v1, fieldPath: metadata.name}, mode: 256}
      - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
  - name: plain
  containers:
  - name: app
    image: "app:1.0"
    resources: {limits: {memory: 256Mi}}
    volumeMounts:
    - {name: config, mountPath: /etc/app}
    - {name: tls, mountPath: /tls}
    - {name: bundle, mountPath: /var/run/bundle}
    - {name: info, mountPath: /etc/info}
    - {name: plain, mountPath: /tmp}
`,
			intent: `
name: app
controller: CONTROLLER_POD
serviceAccountName: app
containers:
  - name: app
    image: "app:1.0"
    resources: {memory: {limit: 256Mi}}
    mounts:
      - {volume: config, path: /etc/app}
      - {volume: tls, path: /tls}
      - {volume: bundle, path: /var/run/bundle}
      - {volume: info, path: /etc/info}
      - {volume: plain, path: /tmp}
volumes:
  - name: config
    config:
      name: app-config
      defaultMode: 256
      items: [{key: app.yaml, path: conf/app.yaml, mode: 292}, {key: log.yaml, path: log.yaml}]
  - {name: tls, secret: {name: app-tls, items: [{key: tls.crt, path: tls.crt}]}}
  - name: bundle
    projected:
      defaultMode: 288
      sources:
        - serviceAccountToken: {path: token, audience: vault, expirationSeconds: 7200}
        - serviceAccountToken: {path: api-token}
        - config: {name: ca, items: [{key: ca.crt, path: ca.crt}], optional: true}
        - secret: {name: creds}
        - downwardApi: {items: [{path: labels, field: metadata.labels}]}
  - name: info
    downwardApi:
      items:
        - {path: name, field: metadata.name, mode: 256}
        - {path: mem, resource: {container: app, resource: limits.memory, divisor: 1Mi}}
  - {name: plain, scratch: {}}
`,
		},
		{
			name: "a projected token without a service account, and a projected source the intent does not have",
			in: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, labels: {app: app}}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      volumes:
      - name: bundle
        projected:
          sources:
          - serviceAccountToken: {path: token}
          - clusterTrustBundle: {signerName: example.com/signer, path: bundle.pem}
      containers:
      - name: app
        image: "app:1.0"
        volumeMounts: [{name: bundle, mountPath: /var/run/bundle}]
`,
			intent: `
name: app
labels: {app: app}
selector: {app: app}
controller: CONTROLLER_DEPLOYMENT
containers:
  - {name: app, image: "app:1.0", mounts: [{volume: bundle, path: /var/run/bundle}]}
volumes:
  - {name: bundle, projected: {sources: [{serviceAccountToken: {path: token}}]}}
`,
			lost: []string{
				"Deployment/app: spec.template.spec.serviceAccountName",
				"Deployment/app: spec.template.spec.volumes[0].projected.sources[1]",
			},
			reasons: map[string]string{
				"Deployment/app: spec.template.spec.serviceAccountName":              "compile names the namespace's default service account",
				"Deployment/app: spec.template.spec.volumes[0].projected.sources[1]": "serviceAccountToken, configMap, secret and downwardAPI",
			},
		},
	})
}
