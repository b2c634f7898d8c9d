package intent

import (
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
)

// withServices returns an intent named "web" with the given services JSON
// list. Its ports: http (EXPOSE_NODE) and grpc (EXPOSE_CLUSTER) and metrics
// (not exposed) on the app, admin (EXPOSE_CLUSTER) on a sidecar, setup on
// an init step.
func withServices(services string) string {
	return `{"name": "web",
	  "initSteps": [{"name": "init", "image": "x", "ports": [{"name": "setup", "containerPort": 7000}]}],
	  "containers": [{"name": "app", "image": "x", "ports": [
	    {"name": "http", "containerPort": 8080, "expose": "EXPOSE_NODE"},
	    {"name": "grpc", "containerPort": 9000, "expose": "EXPOSE_CLUSTER"},
	    {"name": "metrics", "containerPort": 9090}]}],
	  "sidecars": [{"name": "proxy", "image": "x", "ports": [{"name": "admin", "containerPort": 15000, "expose": "EXPOSE_CLUSTER"}]}],
	  "services": ` + services + `}`
}

// A valid set of Services for withServices: every exposed port in the
// Service named after the workload, http also behind a load balancer.
const (
	svcWeb = `{"name": "web", "ports": [{"name": "http"}, {"name": "grpc"}, {"name": "admin"}]}`
	svcLB  = `{"name": "web-public", "type": "SERVICE_TYPE_LOAD_BALANCER", "ports": [{"name": "http", "servicePort": 80, "nodePort": 30080}]}`
)

func TestCheckServices(t *testing.T) {
	for _, tc := range []struct {
		name     string
		services string
		want     []string
	}{
		{"valid", `[` + svcWeb + `, ` + svcLB + `]`, nil},
		{"every field", `[` + svcWeb + `,
		  {"name": "web-public", "type": "SERVICE_TYPE_LOAD_BALANCER", "ports": [{"name": "http", "servicePort": 443, "nodePort": 30443}],
		   "sessionAffinity": "SESSION_AFFINITY_CLIENT_IP", "sessionAffinityTimeoutSeconds": 600,
		   "externalTrafficPolicy": "EXTERNAL_TRAFFIC_POLICY_LOCAL", "publishNotReadyAddresses": true,
		   "loadBalancerClass": "example.com/internal", "loadBalancerSourceRanges": ["10.0.0.0/8", "2001:db8::/32"],
		   "annotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}},
		  {"name": "web-node", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "http", "nodePort": 30080}], "externalTrafficPolicy": "EXTERNAL_TRAFFIC_POLICY_CLUSTER"},
		  {"name": "web-peers", "type": "SERVICE_TYPE_HEADLESS", "publishNotReadyAddresses": true, "ports": [{"name": "grpc", "servicePort": 9000}]}]`, nil},
		{"the Service named after the workload may be the external one", `[{"name": "web", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "http"}]},
		  {"name": "internal", "ports": [{"name": "grpc"}, {"name": "admin"}]}]`, nil},

		{"name required", `[{"ports": [{"name": "grpc"}]}, ` + svcWeb + `, ` + svcLB + `]`, []string{"services[0].name: required: a DNS-1035 label"}},
		{"name not DNS-1035", `[` + svcWeb + `, ` + svcLB + `, {"name": "1web", "ports": [{"name": "grpc"}]}, {"name": "Web_x", "ports": [{"name": "grpc"}]}]`,
			[]string{`services[2].name: "1web" is not a valid Service name`, `services[3].name: "Web_x" is not a valid Service name`}},
		{"duplicate name", `[` + svcWeb + `, ` + svcLB + `, {"name": "web", "ports": [{"name": "grpc"}]}]`,
			[]string{`services[2].name: duplicate Service name "web": also at services[0]`}},
		{"unknown type", `[` + svcWeb + `, ` + svcLB + `, {"name": "other", "type": 9, "ports": [{"name": "grpc"}]}]`,
			[]string{"services[2].type: unknown type 9"}},
		{"no ports", `[` + svcWeb + `, ` + svcLB + `, {"name": "empty"}]`, []string{"services[2].ports: required: at least one port"}},

		{"unknown port", `[` + svcWeb + `, ` + svcLB + `, {"name": "other", "ports": [{"name": "nope"}, {}]}]`,
			[]string{`services[2].ports[0].name: no port named "nope" in the app containers or sidecars`, "services[2].ports[1].name: required"}},
		{"init step port", `[` + svcWeb + `, ` + svcLB + `, {"name": "other", "ports": [{"name": "setup"}]}]`,
			[]string{`services[2].ports[0].name: "setup" is a port of init step initSteps[0]`}},
		{"port twice in a Service", `[{"name": "web", "ports": [{"name": "http"}, {"name": "grpc"}, {"name": "admin"}, {"name": "grpc", "servicePort": 1}]}, ` + svcLB + `]`,
			[]string{`services[0].ports[3].name: port "grpc" is already in this Service at services[0].ports[1]`}},
		{"unexposed port", `[` + svcWeb + `, ` + svcLB + `, {"name": "other", "ports": [{"name": "metrics"}]}]`,
			[]string{`services[2].ports[0].name: port "metrics" is not exposed (containers[0].ports[2].expose is EXPOSE_NONE)`}},
		{"cluster-only port in a NodePort Service", `[` + svcWeb + `, ` + svcLB + `, {"name": "other", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "http"}, {"name": "grpc"}]}]`,
			[]string{`services[2].ports[1].name: port "grpc" is cluster-only (containers[0].ports[1].expose is EXPOSE_CLUSTER), and every port of a NodePort Service gets a node port, reachable from outside the cluster`}},
		{"cluster-only port in a LoadBalancer Service", `[` + svcWeb + `, {"name": "web-public", "type": "SERVICE_TYPE_LOAD_BALANCER", "ports": [{"name": "http"}, {"name": "admin"}]}]`,
			[]string{`services[1].ports[1].name: port "admin" is cluster-only (sidecars[0].ports[0].expose is EXPOSE_CLUSTER), and every port of a LoadBalancer Service`}},

		{"exposed port in no Service", `[{"name": "web", "ports": [{"name": "http"}, {"name": "grpc"}]}, ` + svcLB + `]`,
			[]string{"sidecars[0].ports[0].expose: EXPOSE_CLUSTER, but the port is in none of the intent's services"}},
		{"node port in no external Service", `[` + svcWeb + `]`,
			[]string{"containers[0].ports[0].expose: EXPOSE_NODE, but the port is in no NodePort or LoadBalancer Service"}},
		{"no Service named after the workload", `[{"name": "internal", "ports": [{"name": "http"}, {"name": "grpc"}, {"name": "admin"}]}, ` + svcLB + `]`,
			[]string{`services[1].ports[0].name: port "http" is reachable from outside the cluster through Service "web-public", so the workload's in-cluster name must reach it too: add a Service named "web" that carries it`}},
		{"the Service named after the workload lacks the port", `[{"name": "web", "type": "SERVICE_TYPE_HEADLESS", "ports": [{"name": "grpc"}, {"name": "admin"}]}, ` + svcLB + `]`,
			[]string{`services[1].ports[0].name: port "http" is reachable from outside the cluster through Service "web-public", so the workload's in-cluster name must reach it too: add it to Service "web" (services[0])`}},

		{"service port clash", `[{"name": "web", "ports": [{"name": "http", "servicePort": 9000}, {"name": "grpc"}, {"name": "admin", "servicePort": 70000}]}, ` + svcLB + `]`,
			[]string{"services[0].ports[1]: Service port 9000/TCP is already used in this Service by services[0].ports[0]", "services[0].ports[2].servicePort: 70000 is out of range"}},
		{"headless service port", `[` + svcWeb + `, ` + svcLB + `, {"name": "peers", "type": "SERVICE_TYPE_HEADLESS", "ports": [{"name": "grpc", "servicePort": 80}]}]`,
			[]string{"services[2].ports[0].servicePort: a headless Service has no virtual IP to map ports: clients reach each pod at its containerPort 9000"}},
		{"node ports", `[{"name": "web", "ports": [{"name": "http", "nodePort": 30001}, {"name": "grpc"}, {"name": "admin"}]},
		  {"name": "a", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "http", "nodePort": 29999}]},
		  {"name": "b", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "http", "nodePort": 30080}]},
		  {"name": "c", "type": "SERVICE_TYPE_LOAD_BALANCER", "ports": [{"name": "http", "nodePort": 30080}]}]`,
			[]string{"services[0].ports[0].nodePort: only allowed in a NodePort or LoadBalancer Service",
				"services[1].ports[0].nodePort: 29999 is outside the platform's node port range 30000-32767",
				"services[3].ports[0].nodePort: node port 30080 is already used by services[2].ports[0]: a node port belongs to one Service"}},
		{"port's own servicePort and nodePort", `{"name": "web", "containers": [{"name": "app", "image": "x", "ports": [
		    {"name": "http", "containerPort": 8080, "expose": "EXPOSE_NODE", "servicePort": 80, "nodePort": 30080}]}],
		  "services": [{"name": "web", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "http"}]}]}`,
			[]string{"containers[0].ports[0].servicePort: not used with services", "containers[0].ports[0].nodePort: not used with services"}},

		{"session affinity", `[` + svcWeb + `, ` + svcLB + `,
		  {"name": "a", "ports": [{"name": "grpc"}], "sessionAffinityTimeoutSeconds": 10},
		  {"name": "b", "ports": [{"name": "grpc"}], "sessionAffinity": "SESSION_AFFINITY_CLIENT_IP", "sessionAffinityTimeoutSeconds": 86401},
		  {"name": "c", "ports": [{"name": "grpc"}], "sessionAffinity": 7}]`,
			[]string{"services[2].sessionAffinityTimeoutSeconds: only used with SESSION_AFFINITY_CLIENT_IP",
				"services[3].sessionAffinityTimeoutSeconds: 86401 is out of range: want 1-86400 seconds",
				"services[4].sessionAffinity: unknown session affinity 7"}},
		{"external traffic policy", `[` + svcWeb + `, ` + svcLB + `,
		  {"name": "a", "ports": [{"name": "grpc"}], "externalTrafficPolicy": "EXTERNAL_TRAFFIC_POLICY_LOCAL"},
		  {"name": "b", "type": "SERVICE_TYPE_HEADLESS", "ports": [{"name": "grpc"}], "externalTrafficPolicy": "EXTERNAL_TRAFFIC_POLICY_CLUSTER"}]`,
			[]string{"services[2].externalTrafficPolicy: only for NodePort and LoadBalancer Services", "services[3].externalTrafficPolicy: only for NodePort and LoadBalancer Services"}},
		{"load balancer fields", `[` + svcWeb + `,
		  {"name": "a", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "http"}], "loadBalancerClass": "x", "loadBalancerSourceRanges": ["10.0.0.0/8"]},
		  {"name": "b", "type": "SERVICE_TYPE_LOAD_BALANCER", "ports": [{"name": "http"}], "loadBalancerClass": "-bad-", "loadBalancerSourceRanges": ["10.0.0.1/8", "10.0.0.0/33", " 10.0.0.0/8"]}]`,
			[]string{"services[1].loadBalancerClass: only for a LoadBalancer Service",
				"services[1].loadBalancerSourceRanges: only for a LoadBalancer Service",
				`services[2].loadBalancerClass: "-bad-" is not a valid load balancer class`,
				`services[2].loadBalancerSourceRanges[0]: "10.0.0.1/8" is not a valid CIDR: must not have bits set beyond the prefix length`,
				`services[2].loadBalancerSourceRanges[1]: "10.0.0.0/33" is not a valid CIDR`,
				`services[2].loadBalancerSourceRanges[2]: " 10.0.0.0/8" is not a valid CIDR`}},
		{"annotations", `[{"name": "web", "ports": [{"name": "http"}, {"name": "grpc"}, {"name": "admin"}], "annotations": {"bad key!": "x", "service.kubernetes.io/topology-mode": "Auto"}},
		  {"name": "web-public", "type": "SERVICE_TYPE_LOAD_BALANCER", "ports": [{"name": "http"}], "annotations": {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8", "service.kubernetes.io/topology-aware-hints": "Auto"}}]`,
			[]string{`services[0].annotations["bad key!"]: "bad key!" is not a valid annotation key`,
				`services[1].annotations["service.beta.kubernetes.io/load-balancer-source-ranges"]: use the Service's loadBalancerSourceRanges instead of this annotation`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			js := tc.services
			if strings.HasPrefix(js, "[") {
				js = withServices(js)
			}
			checkFindings(t, Check(mustDecode(t, js), Options{}), tc.want)
		})
	}
}

// TestCheckServiceAnnotations: the annotations a Service gets from the
// intent are checked as the kube-apiserver checks them on a Service, in
// both forms, at the field that set them.
func TestCheckServiceAnnotations(t *testing.T) {
	exposed := `"containers": [{"name": "app", "image": "x", "ports": [{"name": "http", "containerPort": 80, "expose": "EXPOSE_CLUSTER"}]}]`
	for _, tc := range []struct {
		name, intent string
		want         []string
	}{
		{"source ranges on the simple form's Services", `{"name": "web", "annotations": {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8"}, ` + exposed + `}`,
			[]string{`annotations["service.beta.kubernetes.io/load-balancer-source-ranges"]: only a LoadBalancer Service may have it`}},
		{"no Service, no Service rules", `{"name": "web", "annotations": {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8"}, "containers": [{"name": "app", "image": "x"}]}`, nil},
		{"topology annotations disagree", `{"name": "web", "annotations": {"service.kubernetes.io/topology-aware-hints": "Auto", "service.kubernetes.io/topology-mode": "auto"}, ` + exposed + `}`,
			[]string{`annotations["service.kubernetes.io/topology-mode"]: "auto" must equal the value of service.kubernetes.io/topology-aware-hints ("Auto")`}},
		{"a Service's own annotation against the intent's", `{"name": "web", "annotations": {"service.kubernetes.io/topology-aware-hints": "Auto"}, ` + exposed + `,
		  "services": [{"name": "web", "ports": [{"name": "http"}], "annotations": {"service.kubernetes.io/topology-mode": "Disabled"}}]}`,
			[]string{`services[0].annotations["service.kubernetes.io/topology-mode"]: "Disabled" must equal`}},
		{"a Service's own value wins", `{"name": "web", "annotations": {"service.kubernetes.io/topology-mode": "Disabled"}, ` + exposed + `,
		  "services": [{"name": "web", "ports": [{"name": "http"}], "annotations": {"service.kubernetes.io/topology-mode": "Auto", "service.kubernetes.io/topology-aware-hints": "Auto"}}]}`, nil},
		{"too large together", `{"name": "web", "annotations": {"a": "` + strings.Repeat("x", 150<<10) + `"}, ` + exposed + `,
		  "services": [{"name": "web", "ports": [{"name": "http"}], "annotations": {"b": "` + strings.Repeat("x", 150<<10) + `"}}]}`,
			[]string{"services[0].annotations: too large together with the intent's annotations"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkFindings(t, Check(mustDecode(t, tc.intent), Options{}), tc.want)
		})
	}
}

// TestCheckServicesSkipSimpleFormRules: with services, the workload's name
// need not be a Service name, and the simple form's Service port rules do
// not apply.
func TestCheckServicesSkipSimpleFormRules(t *testing.T) {
	js := `{"name": "1web", "containers": [{"name": "app", "image": "x", "ports": [
	    {"name": "a", "containerPort": 80, "expose": "EXPOSE_CLUSTER"},
	    {"name": "b", "containerPort": 8080, "expose": "EXPOSE_CLUSTER"}]}],
	  "services": [{"name": "one", "ports": [{"name": "a"}]}, {"name": "two", "ports": [{"name": "b", "servicePort": 80}]}]}`
	checkFindings(t, Check(mustDecode(t, js), Options{}), nil)

	js = `{"name": "1web", "containers": [{"name": "app", "image": "x", "ports": [{"name": "a", "containerPort": 80, "expose": "EXPOSE_NODE"}]}],
	  "services": [{"name": "public", "type": "SERVICE_TYPE_NODE_PORT", "ports": [{"name": "a"}]}]}`
	checkFindings(t, Check(mustDecode(t, js), Options{}), []string{`services[0].ports[0].name: port "a" is reachable from outside the cluster through Service "public", so the workload's in-cluster name must reach it too, but the workload's name "1web" is not a Service name`})
}

// checkFindings compares findings with the wanted ones, in order: each
// wanted string is a prefix or a part of its finding.
func checkFindings(t *testing.T, fs []diag.Finding, want []string) {
	t.Helper()
	var got []string
	for _, f := range fs {
		got = append(got, f.String())
		if f.Severity != diag.Deny || f.Stage != diag.StageIntent {
			t.Errorf("%v: want a deny of the intent stage", f)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(want), strings.Join(got, "\n  "))
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) && !strings.Contains(got[i], want[i]) {
			t.Errorf("finding %d = %q, want %q", i, got[i], want[i])
		}
	}
}
