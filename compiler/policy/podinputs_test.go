package policy_test

import (
	"context"
	"slices"
	"testing"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/internal/bundletest"
)

// podRules read the pod-level fields of the intent input, and what a
// per-container rule sees of its pod and of its own hooks.
const podRules = `package platform

import "encoding/json"

profiles: prod: description: "production"

rules: "pod.intent": {
	profiles: ["prod"]
	severity: "warn"
	stage: "intent"
	message: "m"
	description: "The pod-level fields, as the intent input has them."
	violations: [{
		field: "securityContext"
		message: "grace=\(intent.terminationGracePeriodSeconds) \(json.Marshal(intent.securityContext))"
	}, {
		field: "nodeSelector"
		message: "\(json.Marshal(intent.nodeSelector)) \(json.Marshal(intent.tolerations)) \(json.Marshal(intent.affinity)) \(json.Marshal(intent.topologySpreadConstraints)) pc=\(intent.priorityClassName) rc=\(intent.runtimeClassName)"
	}, {
		field: "dnsPolicy"
		message: "\(json.Marshal(intent.selector)) \(json.Marshal(intent.podLabels)) \(intent.dnsPolicy) \(json.Marshal(intent.hostAliases)) \(json.Marshal(intent.imagePullSecrets)) \(json.Marshal(intent.automountServiceAccountToken)) \(intent.hostname).\(intent.subdomain)"
	}, {
		field: "volumes"
		message: "\(json.Marshal(intent.volumes))"
	}, {
		field: "strategy"
		message: "\(json.Marshal(intent.strategy)) minReady=\(intent.minReadySeconds) history=\(intent.revisionHistoryLimit) deadline=\(intent.progressDeadlineSeconds)"
	}]
}

rules: "pod.container": {
	profiles: ["prod"]
	severity: "warn"
	stage: "intent"
	each: "container"
	message: "m"
	description: "What a container sees of its pod, and its hooks."
	violations: [{
		field: container.path
		message: "pod=\(json.Marshal(pod.securityContext)) res=\(json.Marshal(pod.resources)) dev=\(json.Marshal(container.extended)) hooks=\(container.lifecycle.postStart)/\(container.lifecycle.preStop) io=\(container.stdin)/\(container.tty) env=\(json.Marshal(container.env))"
	}]
}
`

func TestPodInputs(t *testing.T) {
	b, err := policy.LoadDir(bundletest.Write(t, map[string]string{"rules.cue": podRules}), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, intent string
		want         []string
	}{
		{"set", `{"name": "a", "terminationGracePeriodSeconds": 90, "controller": "CONTROLLER_DEPLOYMENT", "strategy": {"maxSurge": 2}, "minReadySeconds": 5,
		  "securityContext": {"runAsNonRoot": true, "runAsUser": 7, "runAsGroup": 8, "fsGroup": 9, "seccompProfile": "SECCOMP_PROFILE_RUNTIME_DEFAULT",
		    "supplementalGroups": [1, 2], "sysctls": [{"name": "net/ipv4/tcp_syncookies", "value": "1"}, {"name": "net.core.somaxconn", "value": "1"}]},
		  "resources": {"cpu": {"limit": "2"}, "memory": {"request": "1Gi", "limit": "2Gi"}},
		  "containers": [{"name": "a", "image": "x:1", "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}, "resources": {"cpu": {"request": "250m"}, "extended": [{"name": "nvidia.com/gpu", "limit": "2"}]},
		    "env": [{"name": "V", "value": "secret-ish"}, {"name": "S", "secretKey": {"name": "s", "key": "k"}}, {"name": "F", "field": "status.podIP"}, {"name": "R", "resource": {"resource": "limits.cpu"}}]}],
		  "selector": {"app": "x"}, "podLabels": {"v": "2"}, "dnsPolicy": "DNS_POLICY_DEFAULT", "hostAliases": [{"ip": "1.2.3.4", "hostnames": ["a", "b"]}], "imagePullSecrets": ["reg"], "automountServiceAccountToken": false, "hostname": "h", "subdomain": "s",
		  "nodeSelector": {"zone": "a"}, "tolerations": [{"key": "k", "value": "v", "effect": "TAINT_EFFECT_NO_EXECUTE", "tolerationSeconds": 9}, {"operator": "TOLERATION_OPERATOR_EXISTS"}],
		  "affinity": {"podAnti": {"required": [{"topologyKey": "h"}]}}, "topologySpreadConstraints": [{"topologyKey": "z", "whenUnsatisfiable": "WHEN_UNSATISFIABLE_SCHEDULE_ANYWAY"}],
		  "priorityClassName": "high", "runtimeClassName": "kata",
		  "volumes": [{"name": "t", "projected": {"sources": [{"config": {"name": "c"}}, {"serviceAccountToken": {"path": "t", "audience": "vault"}}, {"serviceAccountToken": {"path": "u", "expirationSeconds": 900}}]}},
		    {"name": "d", "downwardApi": {"items": [{"path": "n", "field": "metadata.name"}]}}, {"name": "e", "scratch": {}}],
		  "sidecars": [{"name": "s", "image": "x:1", "stdin": true, "tty": true, "lifecycle": {"postStart": {"exec": {"command": ["x"]}}, "preStop": {"httpGet": {"port": "80"}}}}]}`, []string{
			`containers[0] pod={"runAsNonRoot":true,"runAsUser":7,"runAsGroup":8,"seccompProfile":"RuntimeDefault"} res={"cpu":{"request":250,"limit":2000},"memory":{"request":1073741824,"limit":2147483648}} dev=[{"name":"nvidia.com/gpu","count":2}] hooks=/sleep io=false/false env=[{"path":"containers[0].env[0]","name":"V","source":"value","field":"","container":"","resource":""},{"path":"containers[0].env[1]","name":"S","source":"secretKey","field":"","container":"","resource":""},{"path":"containers[0].env[2]","name":"F","source":"field","field":"status.podIP","container":"","resource":""},{"path":"containers[0].env[3]","name":"R","source":"resource","field":"","container":"a","resource":"limits.cpu"}]`,
			`dnsPolicy {"app":"x"} {"v":"2"} Default ["a","b"] ["reg"] false h.s`,
			`nodeSelector {"zone":"a"} [{"field":"tolerations[0]","key":"k","operator":"Equal","value":"v","effect":"NoExecute","tolerationSeconds":9},{"field":"tolerations[1]","key":"","operator":"Exists","value":"","effect":"","tolerationSeconds":null}] {"node":false,"pod":false,"podAnti":true} [{"field":"topologySpreadConstraints[0]","topologyKey":"z","maxSkew":1,"whenUnsatisfiable":"ScheduleAnyway"}] pc=high rc=kata`,
			`securityContext grace=90 {"runAsNonRoot":true,"runAsUser":7,"runAsGroup":8,"seccompProfile":"RuntimeDefault","fsGroup":9,"supplementalGroups":[1,2],"sysctls":[{"field":"securityContext.sysctls[0].name","name":"net.ipv4.tcp_syncookies","safe":true},{"field":"securityContext.sysctls[1].name","name":"net.core.somaxconn","safe":false}]}`,
			`sidecars[0] pod={"runAsNonRoot":true,"runAsUser":7,"runAsGroup":8,"seccompProfile":"RuntimeDefault"} res={"cpu":{"request":250,"limit":2000},"memory":{"request":1073741824,"limit":2147483648}} dev=[] hooks=exec/httpGet io=true/true env=[]`,
			`strategy {"type":"RollingUpdate","maxSurge":"2","maxUnavailable":"25%"} minReady=5 history=10 deadline=600`,
			`volumes [{"path":"volumes[0]","name":"t","type":"projected","serviceAccountTokens":[{"field":"volumes[0].projected.sources[1].serviceAccountToken","audience":"vault","expirationSeconds":3600},{"field":"volumes[0].projected.sources[2].serviceAccountToken","audience":"","expirationSeconds":900}]},{"path":"volumes[1]","name":"d","type":"downwardApi","serviceAccountTokens":[]},{"path":"volumes[2]","name":"e","type":"scratch","serviceAccountTokens":[]}]`,
		}},
		{"recreate", `{"name": "a", "controller": "CONTROLLER_DEPLOYMENT", "strategy": {"type": "DEPLOYMENT_STRATEGY_TYPE_RECREATE"}, "revisionHistoryLimit": 2, "progressDeadlineSeconds": 60,
		  "containers": [{"name": "a", "image": "x:1"}]}`, []string{
			`containers[0] pod={"runAsNonRoot":null,"runAsUser":null,"runAsGroup":null,"seccompProfile":null} res={"cpu":{"request":0,"limit":0},"memory":{"request":0,"limit":0}} dev=[] hooks=/ io=false/false env=[]`,
			`dnsPolicy {"app.kubernetes.io/managed-by":"podc","app.kubernetes.io/name":"a"} {} ClusterFirst [] [] null .`,
			`nodeSelector {} [] {"node":false,"pod":false,"podAnti":false} [] pc= rc=`,
			`securityContext grace=30 {"runAsNonRoot":null,"runAsUser":null,"runAsGroup":null,"seccompProfile":null,"fsGroup":null,"supplementalGroups":[],"sysctls":[]}`,
			`strategy {"type":"Recreate","maxSurge":"","maxUnavailable":""} minReady=0 history=2 deadline=60`,
			"volumes []",
		}},
		{"unset", `{"name": "a", "containers": [{"name": "a", "image": "x:1"}]}`, []string{
			`containers[0] pod={"runAsNonRoot":null,"runAsUser":null,"runAsGroup":null,"seccompProfile":null} res={"cpu":{"request":0,"limit":0},"memory":{"request":0,"limit":0}} dev=[] hooks=/ io=false/false env=[]`,
			`dnsPolicy {"app.kubernetes.io/managed-by":"podc","app.kubernetes.io/name":"a"} {} ClusterFirst [] [] null .`,
			`nodeSelector {} [] {"node":false,"pod":false,"podAnti":false} [] pc= rc=`,
			`securityContext grace=30 {"runAsNonRoot":null,"runAsUser":null,"runAsGroup":null,"seccompProfile":null,"fsGroup":null,"supplementalGroups":[],"sysctls":[]}`,
			`strategy {"type":"","maxSurge":"","maxUnavailable":""} minReady=0 history=0 deadline=0`,
			"volumes []",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wi, err := intent.Decode([]byte(tc.intent))
			if err != nil {
				t.Fatal(err)
			}
			ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "prod"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range ir.Findings {
				if f.Fault {
					t.Errorf("fault: %v", f)
				}
				got = append(got, f.Field+" "+f.Message)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}
