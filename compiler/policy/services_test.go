package policy_test

import (
	"context"
	"slices"
	"testing"

	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/bundletest"
)

// serviceRules read every field of the Services in both inputs: the
// intent's named Services and the compiled ones.
const serviceRules = `package platform

import "strings"

profiles: prod: description: "production"

rules: "svc.intent": {
	profiles: ["prod"]
	severity: "warn"
	stage: "intent"
	message: "m"
	description: "Every named Service, as the intent says it."
	violations: [for s in intent.services {
		field: s.path
		message: "\(s.name) \(s.type) etp=\(s.externalTrafficPolicy) pnra=\(s.publishNotReadyAddresses) class=\(s.loadBalancerClass) ranges=\(len(s.loadBalancerSourceRanges)) ports=\(strings.Join([for p in s.ports {"\(p.path):\(p.name):\(p.servicePort):\(p.nodePort)"}], ","))"
	}]
}

rules: "svc.lb-ranges": {
	profiles: ["prod"]
	severity: "deny"
	stage: "manifest"
	message: "a LoadBalancer Service accepts only listed clients"
	description: "LoadBalancer Services set loadBalancerSourceRanges."
	violations: [for s in manifests.services if s.type == "LoadBalancer" && len(s.loadBalancerSourceRanges) == 0 {
		field: "\(s.field).loadBalancerSourceRanges"
		manifestField: "\(s.ref): spec.loadBalancerSourceRanges"
	}]
}

rules: "svc.ports": {
	profiles: ["prod"]
	severity: "warn"
	stage: "manifest"
	message: "m"
	description: "Every Service port, with what the manifests say of its Service."
	violations: [for s in manifests.services for p in s.ports {
		field: p.field
		manifestField: "\(s.ref): \(p.path)"
		message: "\(s.field) \(s.type) clusterIP=\(s.clusterIP) aff=\(s.sessionAffinity) etp=\(s.externalTrafficPolicy) pnra=\(s.publishNotReadyAddresses) class=\(s.loadBalancerClass) ranges=\(len(s.loadBalancerSourceRanges)) ann=\(len(s.annotations)) | \(p.portField) \(p.name) \(p.protocol) \(p.port)->\(p.targetPort) node=\(p.nodePort)"
	}]
}
`

// TestServiceInputs: rules see the intent's named Services and every
// field of the compiled Services, each with the intent path it comes from,
// in both forms.
func TestServiceInputs(t *testing.T) {
	b, err := policy.LoadDir(bundletest.Write(t, map[string]string{"rules.cue": serviceRules}), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	named, err := intent.Decode([]byte(`{"name": "shop", "annotations": {"a": "1"},
	  "containers": [{"name": "app", "image": "x:1", "ports": [
	    {"name": "http", "containerPort": 8080, "expose": "EXPOSE_NODE"},
	    {"name": "dns", "containerPort": 5353, "protocol": "PROTOCOL_UDP", "expose": "EXPOSE_CLUSTER"}]}],
	  "services": [
	    {"name": "shop", "type": "SERVICE_TYPE_HEADLESS", "publishNotReadyAddresses": true, "ports": [{"name": "http"}, {"name": "dns"}]},
	    {"name": "shop-public", "type": "SERVICE_TYPE_LOAD_BALANCER", "externalTrafficPolicy": "EXTERNAL_TRAFFIC_POLICY_LOCAL",
	     "loadBalancerClass": "example.com/lb", "sessionAffinity": "SESSION_AFFINITY_CLIENT_IP", "annotations": {"b": "2"},
	     "ports": [{"name": "http", "servicePort": 443, "nodePort": 30443}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	simple, err := intent.Decode([]byte(`{"name": "shop", "containers": [{"name": "app", "image": "x:1", "ports": [
	    {"name": "http", "containerPort": 8080, "expose": "EXPOSE_NODE", "servicePort": 80, "nodePort": 30080}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		wi   *podcv1.WorkloadIntent
		want []string
	}{
		{"named", named, []string{
			"warn svc.intent services[0]  shop Headless etp= pnra=true class= ranges=0 ports=services[0].ports[0]:http:0:0,services[0].ports[1]:dns:0:0",
			"warn svc.intent services[1]  shop-public LoadBalancer etp=Local pnra=false class=example.com/lb ranges=0 ports=services[1].ports[0]:http:443:30443",
			"deny svc.lb-ranges services[1].loadBalancerSourceRanges Service/shop-public: spec.loadBalancerSourceRanges a LoadBalancer Service accepts only listed clients",
			"warn svc.ports services[0].ports[0] Service/shop: spec.ports[0] services[0] ClusterIP clusterIP=None aff=None etp= pnra=true class= ranges=0 ann=1 | containers[0].ports[0] http TCP 8080->http node=0",
			"warn svc.ports services[0].ports[1] Service/shop: spec.ports[1] services[0] ClusterIP clusterIP=None aff=None etp= pnra=true class= ranges=0 ann=1 | containers[0].ports[1] dns UDP 5353->dns node=0",
			"warn svc.ports services[1].ports[0] Service/shop-public: spec.ports[0] services[1] LoadBalancer clusterIP= aff=ClientIP etp=Local pnra=false class=example.com/lb ranges=0 ann=2 | containers[0].ports[0] http TCP 443->http node=30443",
		}},
		{"simple", simple, []string{
			"warn svc.ports containers[0].ports[0] Service/shop: spec.ports[0]  ClusterIP clusterIP= aff= etp= pnra=false class= ranges=0 ann=0 | containers[0].ports[0] http TCP 80->http node=0",
			"warn svc.ports containers[0].ports[0] Service/shop-nodeport: spec.ports[0]  NodePort clusterIP= aff= etp= pnra=false class= ranges=0 ann=0 | containers[0].ports[0] http TCP 80->http node=30080",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wi := tc.wi
			p := policy.Params{Profile: "prod"}
			ir, err := b.EvaluateIntent(context.Background(), wi, p)
			if err != nil {
				t.Fatal(err)
			}
			objs, src := compileObjects(t, wi)
			mr, err := b.EvaluateManifests(context.Background(), objs, src, p)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range append(ir.Findings, mr.Findings...) {
				if f.Fault {
					t.Errorf("fault: %v", f)
				}
				got = append(got, f.Severity.String()+" "+f.RuleID+" "+f.Field+" "+f.ManifestField+" "+f.Message)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
