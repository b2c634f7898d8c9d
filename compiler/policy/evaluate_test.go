package policy_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/exampletest"
)

func defaultBundle(t testing.TB) *policy.Bundle {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every example compiles under the profile it names: no denial from either
// policy stage (dev-latest.json gets warnings only).
func TestExamplesPassTheirProfile(t *testing.T) {
	b := defaultBundle(t)
	for _, name := range []string{"checkout.json", "dev-latest.json", "hello.json", "nightly-report.json", "resolver.json"} {
		t.Run(name, func(t *testing.T) {
			wi := exampletest.Intent(t, name)
			p := policy.Params{Profile: wi.GetProfile()}
			ir, err := b.EvaluateIntent(context.Background(), wi, p)
			if err != nil {
				t.Fatal(err)
			}
			objs, src := compileObjects(t, ir.Intent)
			mr, err := b.EvaluateManifests(context.Background(), objs, src, p)
			if err != nil {
				t.Fatal(err)
			}
			all := append(slices.Clone(ir.Findings), mr.Findings...)
			if diag.HasDeny(all) {
				t.Errorf("denied under %q: %v", p.Profile, all)
			}
			if name == "dev-latest.json" && len(all) == 0 {
				t.Error("dev-latest.json: want warnings for alpine:latest and the untagged image")
			}
		})
	}
}

// The restricted profile defaults the Pod Security Standards fields on every
// container of a copy, and leaves the default service account's token out
// of a pod that names no service account; the input is never changed; each
// default names its rule.
func TestRestrictedDefaultsOnACopy(t *testing.T) {
	b := defaultBundle(t)
	wi := exampletest.Intent(t, "checkout.json")
	before := proto.Clone(wi)
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(wi, before) {
		t.Fatal("EvaluateIntent changed its input")
	}
	if len(ir.Defaults) != 17 {
		t.Errorf("got %d defaults, want 17 (4 fields x 4 containers, and the token): %v", len(ir.Defaults), ir.Defaults)
	}
	if ir.Intent.AutomountServiceAccountToken == nil || ir.Intent.GetAutomountServiceAccountToken() {
		t.Errorf("automountServiceAccountToken = %v, want false", ir.Intent.AutomountServiceAccountToken)
	}
	for _, group := range [][]*podcv1.Container{ir.Intent.GetContainers(), ir.Intent.GetSidecars(), ir.Intent.GetInitSteps()} {
		for _, c := range group {
			sc := c.GetSecurityContext()
			if !sc.GetRunAsNonRoot() || sc.AllowPrivilegeEscalation == nil || sc.GetAllowPrivilegeEscalation() ||
				!slices.Equal(sc.GetCapabilitiesDrop(), []string{"ALL"}) || sc.GetSeccompProfile() != podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT {
				t.Errorf("%s: security context not defaulted: %v", c.GetName(), sc)
			}
		}
	}
	for _, d := range ir.Defaults {
		if d.Field == "automountServiceAccountToken" && d.Source == "policy:restricted.service-account-token" {
			continue
		}
		if !strings.HasPrefix(d.Source, "policy:restricted.") || !strings.Contains(d.Field, ".securityContext.") {
			t.Errorf("default %+v: want a policy:restricted.* source and a securityContext path", d)
		}
	}
	// baseline supplies nothing.
	ir, err = b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "baseline"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ir.Defaults) != 0 || !proto.Equal(ir.Intent, wi) {
		t.Errorf("baseline applied defaults: %v", ir.Defaults)
	}
}

// An explicit value is never overridden by a default.
func TestDefaultsKeepExplicitValues(t *testing.T) {
	b := defaultBundle(t)
	wi := exampletest.Intent(t, "checkout.json")
	f := false
	wi.Containers[0].SecurityContext = &podcv1.SecurityContext{RunAsNonRoot: &f, CapabilitiesDrop: []string{"NET_RAW"}}
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	sc := ir.Intent.Containers[0].GetSecurityContext()
	if sc.GetRunAsNonRoot() || !slices.Equal(sc.GetCapabilitiesDrop(), []string{"NET_RAW"}) {
		t.Errorf("explicit values overridden: %v", sc)
	}
	for _, d := range ir.Defaults {
		if d.Field == "containers[0].securityContext.runAsNonRoot" || d.Field == "containers[0].securityContext.capabilitiesDrop" {
			t.Errorf("reported a default for an explicit field: %+v", d)
		}
	}
	// The manifest rules then deny what the intent asked for, at both paths.
	objs, src := compileObjects(t, ir.Intent)
	mr, err := b.EvaluateManifests(context.Background(), objs, src, policy.Params{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"restricted.run-as-non-root": false, "restricted.drop-all-capabilities": false}
	for _, f := range mr.Findings {
		if _, ok := want[f.RuleID]; ok && strings.HasPrefix(f.Field, "containers[0].") && strings.HasPrefix(f.ManifestField, "Deployment/checkout: spec.template.spec.containers[0].") {
			want[f.RuleID] = true
		}
	}
	for id, seen := range want {
		if !seen {
			t.Errorf("no %s denial with both paths; findings: %v", id, mr.Findings)
		}
	}
}

func TestOneDecisionPerRule(t *testing.T) {
	b := defaultBundle(t)
	wi := exampletest.Intent(t, "dev-latest.json")
	for _, profile := range []string{"baseline", "restricted"} {
		p := policy.Params{Profile: profile}
		ir, err := b.EvaluateIntent(context.Background(), wi, p)
		if err != nil {
			t.Fatal(err)
		}
		objs, src := compileObjects(t, ir.Intent)
		mr, err := b.EvaluateManifests(context.Background(), objs, src, p)
		if err != nil {
			t.Fatal(err)
		}
		decisions := append(slices.Clone(ir.Decisions), mr.Decisions...)
		var want []string
		for _, r := range b.Rules() {
			if slices.Contains(r.Profiles, profile) {
				want = append(want, r.ID)
			}
		}
		var got []string
		for _, d := range decisions {
			got = append(got, d.RuleID)
			failed := slices.ContainsFunc(append(slices.Clone(ir.Findings), mr.Findings...), func(f diag.Finding) bool { return f.RuleID == d.RuleID })
			wantOutcome := diag.OutcomePass
			if failed {
				wantOutcome = diag.OutcomeWarn
				if d.Severity == diag.Deny {
					wantOutcome = diag.OutcomeDeny
				}
			}
			if d.Outcome != wantOutcome {
				t.Errorf("%s %s: outcome %v, want %v", profile, d.RuleID, d.Outcome, wantOutcome)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s decisions %v, want one per rule %v", profile, got, want)
		}
	}
}

func TestUnknownProfile(t *testing.T) {
	b := defaultBundle(t)
	_, err := b.EvaluateIntent(context.Background(), exampletest.Intent(t, "hello.json"), policy.Params{Profile: "prod"})
	de, ok := diag.AsError(err)
	if !ok || de.Kind != diag.Invalid || len(de.Findings) != 1 || de.Findings[0].Field != "profile" ||
		!strings.Contains(de.Findings[0].Message, "baseline, production, restricted") {
		t.Fatalf("got %v, want an Invalid error at profile listing the known profiles", err)
	}
	_, err = b.EvaluateManifests(context.Background(), nil, nil, policy.Params{Profile: "prod"})
	if de, ok := diag.AsError(err); !ok || de.Kind != diag.Invalid {
		t.Errorf("EvaluateManifests: got %v, want Invalid", err)
	}
}

// The cache returns the same outcome as a fresh evaluation, and callers
// cannot change what it holds.
func TestCachedResultsAreCopies(t *testing.T) {
	b := defaultBundle(t)
	wi := exampletest.Intent(t, "dev-latest.json")
	p := policy.Params{Profile: "restricted"}
	first, err := b.EvaluateIntent(context.Background(), wi, p)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint(first.Findings, first.Decisions, first.Defaults)
	first.Findings[0].Message = "changed"
	first.Decisions[0].RuleID = "changed"
	second, err := b.EvaluateIntent(context.Background(), wi, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(second.Findings, second.Decisions, second.Defaults); got != want {
		t.Errorf("second evaluation differs:\n got %s\nwant %s", got, want)
	}
	if second.Intent == first.Intent {
		t.Error("both results share one intent copy")
	}
}

// Intents that failed the structural checks (Validate's dry run) and odd
// objects never make the engine panic.
func TestMalformedInputDoesNotPanic(t *testing.T) {
	b := defaultBundle(t)
	intents := []*podcv1.WorkloadIntent{
		nil,
		{},
		{Containers: []*podcv1.Container{{}}},
		{Containers: []*podcv1.Container{{Image: "::@@::", Resources: &podcv1.Resources{
			Cpu:    &podcv1.Resource{Request: "lots", Limit: "-1"},
			Memory: &podcv1.Resource{Request: "1Ki", Limit: "1e400"},
		}, Ports: []*podcv1.Port{{NodePort: -5, Expose: podcv1.Expose(99)}}, Probes: &podcv1.Probes{}}}},
		{Labels: map[string]string{"team": "\"quoted\" \\ \n"}, Name: "{\"x\": 1}", Replicas: proto.Int32(-3), Controller: podcv1.Controller_CONTROLLER_DEPLOYMENT},
		{InitSteps: []*podcv1.Container{{SecurityContext: &podcv1.SecurityContext{CapabilitiesAdd: []string{"", "\x00"}}}}},
		{Services: []*podcv1.Service{nil, {}, {Type: podcv1.ServiceType(99), ExternalTrafficPolicy: podcv1.ExternalTrafficPolicy(-1),
			Ports: []*podcv1.ServicePort{nil, {NodePort: -1, ServicePort: 1 << 30}}, LoadBalancerSourceRanges: []string{"\"", ""}}}},
	}
	for i, wi := range intents {
		for _, profile := range []string{"baseline", "restricted"} {
			p := policy.Params{Profile: profile}
			ir, err := b.EvaluateIntent(context.Background(), wi, p)
			if err != nil {
				t.Errorf("intent %d %s: %v", i, profile, err)
				continue
			}
			if ir.Intent == nil {
				t.Errorf("intent %d %s: nil intent copy", i, profile)
			}
			for _, f := range ir.Findings {
				if f.Fault {
					t.Errorf("intent %d %s: the default bundle faulted: %v", i, profile, f)
				}
			}
		}
	}
	bad := [][]runtime.Object{nil, {nil}, {&corev1.Service{}}, {&corev1.Pod{}, &corev1.Pod{}}, {&corev1.ConfigMap{}}}
	for i, objs := range bad {
		if _, err := b.EvaluateManifests(context.Background(), objs, nil, policy.Params{Profile: "restricted"}); err == nil {
			t.Errorf("objects %d: want an error", i)
		}
	}
	// A bare Pod with no containers is a valid input: nothing to deny.
	if _, err := b.EvaluateManifests(context.Background(), []runtime.Object{&corev1.Pod{}}, nil, policy.Params{Profile: "restricted"}); err != nil {
		t.Errorf("empty pod: %v", err)
	}
}

// reference is an independent, plain-Go statement of some default rules,
// to check the CUE engine's decisions against: CUE v0.17.1 with structure
// sharing on silently sees input built from Go values (ctx.Encode,
// FillPath) as _ in some patterns, so a wrong answer comes with no error.
func reference(wi *podcv1.WorkloadIntent, profile string, ports intent.PortRange) []string {
	var out []string
	add := func(rule, field string) { out = append(out, rule+" "+field) }
	qty := func(s string, milli bool) int64 {
		q, err := resource.ParseQuantity(s)
		if err != nil || s == "" {
			return 0
		}
		if milli {
			return q.MilliValue()
		}
		return q.Value()
	}
	groups := []struct {
		field string
		list  []*podcv1.Container
	}{{"containers", wi.GetContainers()}, {"sidecars", wi.GetSidecars()}, {"initSteps", wi.GetInitSteps()}}
	// A pod-level cpu request (or limit, which sets one) and memory limit
	// count for every container.
	podCPU := qty(wi.GetResources().GetCpu().GetRequest(), true) + qty(wi.GetResources().GetCpu().GetLimit(), true)
	podMem := qty(wi.GetResources().GetMemory().GetLimit(), false)
	for _, g := range groups {
		for i, c := range g.list {
			path := fmt.Sprintf("%s[%d]", g.field, i)
			img := c.GetImage()
			if at := strings.IndexByte(img, '@'); at >= 0 {
				img = "pinned:x"
			}
			last := img[strings.LastIndexByte(img, '/')+1:]
			tag := ""
			if j := strings.LastIndexByte(last, ':'); j >= 0 {
				tag = last[j+1:]
			}
			unpinned := tag == "" || tag == "latest"
			cpuReq := qty(c.GetResources().GetCpu().GetRequest(), true)
			cpuLim := qty(c.GetResources().GetCpu().GetLimit(), true)
			memReq := qty(c.GetResources().GetMemory().GetRequest(), false)
			memLim := qty(c.GetResources().GetMemory().GetLimit(), false)
			if cpuReq == 0 {
				cpuReq = cpuLim
			}
			if memReq == 0 {
				memReq = memLim
			}
			if profile == "baseline" {
				if unpinned {
					add("baseline.image-pinned", path+".image")
				}
				if cpuReq == 0 && podCPU == 0 {
					add("baseline.cpu-request", path+".resources.cpu.request")
				}
				if memLim == 0 && podMem == 0 {
					add("baseline.memory-limit", path+".resources.memory.limit")
				}
			} else {
				if unpinned {
					add("restricted.image-pinned", path+".image")
				}
				if cpuReq == 0 && podCPU == 0 {
					add("restricted.cpu-request", path+".resources.cpu.request")
				}
				if memLim == 0 && podMem == 0 {
					add("restricted.memory-limit", path+".resources.memory.limit")
				}
				if cpuReq > 0 && cpuLim > 4*cpuReq {
					add("restricted.limit-ratio", path+".resources.cpu.limit")
				}
				if memReq > 0 && memLim > 4*memReq {
					add("restricted.limit-ratio", path+".resources.memory.limit")
				}
			}
			if c.GetSecurityContext().GetPrivileged() {
				add("baseline.privileged", path+".securityContext.privileged")
			}
			for j, p := range c.GetPorts() {
				if n := p.GetNodePort(); n != 0 && (n < ports.Min || n > ports.Max) {
					add("baseline.node-port-range", fmt.Sprintf("%s.ports[%d].nodePort", path, j))
				}
			}
		}
	}
	for i, s := range wi.GetServices() {
		for j, p := range s.GetPorts() {
			if n := p.GetNodePort(); n != 0 && (n < ports.Min || n > ports.Max) {
				add("baseline.node-port-range", fmt.Sprintf("services[%d].ports[%d].nodePort", i, j))
			}
		}
	}
	for i, sc := range wi.GetSecurityContext().GetSysctls() {
		if !referenceSafeSysctls[strings.ReplaceAll(sc.GetName(), "/", ".")] {
			add("baseline.sysctls", fmt.Sprintf("securityContext.sysctls[%d].name", i))
		}
	}
	if wi.GetHostNetwork() {
		add("baseline.host-namespaces", "hostNetwork")
	}
	if wi.GetHostPid() {
		add("baseline.host-namespaces", "hostPid")
	}
	if profile != "baseline" { // restricted, and production, which keeps it
		if _, ok := wi.GetLabels()["team"]; !ok {
			add("restricted.team-label", `labels["team"]`)
		}
		if a := wi.GetAutoscaling(); wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT && a != nil {
			if a.MinReplicas == nil || a.GetMinReplicas() < 2 {
				add("restricted.replicas", "autoscaling.minReplicas")
			}
		} else if wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT && (wi.Replicas == nil || wi.GetReplicas() < 2) {
			add("restricted.replicas", "replicas")
		}
		if strings.HasPrefix(wi.GetPriorityClassName(), "system-") {
			add("restricted.priority-class", "priorityClassName")
		}
		for i, t := range wi.GetTolerations() {
			if t.GetKey() == "" && t.GetOperator() == podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS {
				add("restricted.tolerate-all", fmt.Sprintf("tolerations[%d]", i))
			}
		}
	}
	slices.Sort(out)
	return out
}

// referenceSafeSysctls is the kubelet's safe set of Kubernetes 1.37, as
// its documentation lists it.
var referenceSafeSysctls = map[string]bool{
	"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true, "net.ipv4.tcp_syncookies": true,
	"net.ipv4.ping_group_range": true, "net.ipv4.ip_unprivileged_port_start": true, "net.ipv4.ip_local_reserved_ports": true,
	"net.ipv4.tcp_keepalive_time": true, "net.ipv4.tcp_fin_timeout": true, "net.ipv4.tcp_keepalive_intvl": true,
	"net.ipv4.tcp_keepalive_probes": true, "net.ipv4.tcp_rmem": true, "net.ipv4.tcp_wmem": true,
	"net.ipv4.tcp_slow_start_after_idle": true, "net.ipv4.tcp_notsent_lowat": true,
}

var referenceRules = []string{
	"baseline.sysctls",
	"baseline.image-pinned", "baseline.cpu-request", "baseline.memory-limit", "baseline.privileged",
	"baseline.node-port-range", "baseline.host-namespaces", "restricted.image-pinned", "restricted.cpu-request",
	"restricted.memory-limit", "restricted.limit-ratio", "restricted.team-label", "restricted.replicas",
	"restricted.priority-class", "restricted.tolerate-all",
}

// variants derives many intents from checkout.json, each flipping a few of
// the fields the reference rules read.
func variants(base *podcv1.WorkloadIntent) []*podcv1.WorkloadIntent {
	images := []string{"registry.example.com/shop/checkout:1.4.2", "alpine", "alpine:latest", "r.io/x@sha256:4c1e0f3a8d2b6e9f7a5c3b1d0e8f6a4c2b0d9e7f5a3c1b8d6e4f2a0c9b7d5e3f", "localhost:5000/x", "nginx:1.27"}
	cpus := []*podcv1.Resource{nil, {Limit: "200m"}, {Request: "100m", Limit: "1"}, {Request: "0.5"}, {Request: "bad"}}
	mems := []*podcv1.Resource{nil, {Limit: "64Mi"}, {Request: "64Mi", Limit: "1Gi"}, {Request: "1G", Limit: "2G"}}
	var out []*podcv1.WorkloadIntent
	for i := range 60 {
		wi := proto.Clone(base).(*podcv1.WorkloadIntent)
		all := append(append(slices.Clone(wi.Containers), wi.Sidecars...), wi.InitSteps...)
		for j, c := range all {
			k := i*7 + j*3
			c.Image = images[k%len(images)]
			if c.Resources == nil {
				c.Resources = &podcv1.Resources{}
			}
			c.Resources.Cpu = cpus[(k/2)%len(cpus)]
			c.Resources.Memory = mems[(k/3)%len(mems)]
			if k%11 == 0 {
				c.SecurityContext = &podcv1.SecurityContext{Privileged: proto.Bool(true)}
			}
		}
		if i%4 == 0 {
			delete(wi.Labels, "team")
		}
		wi.HostNetwork = i%5 == 0
		wi.HostPid = i%6 == 0
		switch i % 3 {
		case 0:
			wi.Replicas = nil
		case 1:
			wi.Replicas = proto.Int32(1)
		}
		if i%8 == 3 {
			wi.Replicas = nil
			wi.Autoscaling = &podcv1.Autoscaling{MaxReplicas: 6}
			if i%16 == 3 {
				wi.Autoscaling.MinReplicas = proto.Int32(2)
			}
		}
		if i%3 != 2 {
			names := []string{"net.ipv4.tcp_keepalive_time", "net/ipv4/tcp_rmem", "net.core.somaxconn", "kernel.msgmax",
				"net.ipv4.tcp_notsent_lowat", "vm.swappiness", "kernel/shm_rmid_forced"}
			wi.SecurityContext = &podcv1.PodSecurityContext{}
			for j := range i%4 + 1 {
				wi.SecurityContext.Sysctls = append(wi.SecurityContext.Sysctls, &podcv1.Sysctl{Name: names[(i+j*3)%len(names)], Value: "1"})
			}
		}
		wi.PriorityClassName = []string{"", "system-node-critical", "system", "high", "system-x"}[i%5]
		switch i % 7 {
		case 2:
			wi.Resources = &podcv1.PodResources{Cpu: &podcv1.Resource{Limit: "4"}, Memory: &podcv1.Resource{Limit: "8Gi"}}
		case 5:
			wi.Resources = &podcv1.PodResources{Cpu: &podcv1.Resource{Request: "1"}}
		}
		if i%4 == 1 {
			wi.Tolerations = []*podcv1.Toleration{{Key: "k", Value: "v"}, {Operator: podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS}, {Key: "k", Operator: podcv1.TolerationOperator_TOLERATION_OPERATOR_EXISTS}}
		}
		wi.Containers[0].Ports[0].NodePort = []int32{30080, 29999, 32768, 0}[i%4]
		if i%5 == 1 {
			// Named Services carry the node ports.
			wi.Containers[0].Ports[0].NodePort = 0
			wi.Services = []*podcv1.Service{
				{Name: "checkout", Ports: []*podcv1.ServicePort{{Name: "http"}, {Name: "grpc"}}},
				{Name: "checkout-edge", Type: podcv1.ServiceType_SERVICE_TYPE_NODE_PORT,
					Ports: []*podcv1.ServicePort{{Name: "http", NodePort: []int32{29999, 30080, 0, 40000}[(i/5)%4]}}},
				{Name: "checkout-lb", Type: podcv1.ServiceType_SERVICE_TYPE_LOAD_BALANCER,
					Ports: []*podcv1.ServicePort{{Name: "http", NodePort: []int32{32767, 32768, 1, 0}[(i/5)%4]}}},
			}
		}
		out = append(out, wi)
	}
	return out
}

func TestDecisionsMatchReference(t *testing.T) {
	b := defaultBundle(t)
	base := exampletest.Intent(t, "checkout.json")
	ports := intent.DefaultNodePorts
	for i, wi := range variants(base) {
		for _, profile := range []string{"baseline", "restricted", "production"} {
			ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: profile})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range ir.Findings {
				if slices.Contains(referenceRules, f.RuleID) && f.Field != "hostIpc" {
					got = append(got, f.RuleID+" "+f.Field)
				}
			}
			slices.Sort(got)
			want := reference(wi, profile, ports)
			if !slices.Equal(got, want) {
				t.Errorf("variant %d under %s:\n got %v\nwant %v", i, profile, got, want)
			}
		}
	}
}

// Quantities reach the rules exactly, whatever their size: a limit far
// beyond 64 bits against a small request is over the ratio, as a limit of
// 2 cores is, and a quantity too long to read counts as unset.
func TestQuantitiesAreExact(t *testing.T) {
	b := defaultBundle(t)
	ratioFields := func(wi *podcv1.WorkloadIntent) []string {
		t.Helper()
		ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "restricted"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range ir.Findings {
			if f.RuleID == "restricted.limit-ratio" {
				out = append(out, f.Field)
			}
		}
		return out
	}
	for _, limit := range []string{"2", "1e19", "9223372036854775807", "1e400", "9223372036854775807k"} {
		wi := exampletest.Intent(t, "checkout.json")
		wi.Containers[0].Resources.Cpu = &podcv1.Resource{Request: "250m", Limit: limit}
		if got := ratioFields(wi); !slices.Equal(got, []string{"containers[0].resources.cpu.limit"}) {
			t.Errorf("cpu limit %s over a 250m request: ratio findings %v", limit, got)
		}
	}
	for _, limit := range []string{"999999999999Gi", "1e30", "8Ei"} {
		wi := exampletest.Intent(t, "checkout.json")
		wi.Containers[0].Resources.Memory = &podcv1.Resource{Request: "1Gi", Limit: limit}
		if got := ratioFields(wi); !slices.Equal(got, []string{"containers[0].resources.memory.limit"}) {
			t.Errorf("memory limit %s over a 1Gi request: ratio findings %v", limit, got)
		}
	}
	// Within the ratio, exactly: 1 core over 250m is 4 times, allowed.
	wi := exampletest.Intent(t, "checkout.json")
	wi.Containers[0].Resources.Cpu = &podcv1.Resource{Request: "250m", Limit: "1000m"}
	if got := ratioFields(wi); len(got) != 0 {
		t.Errorf("a ratio of exactly 4: %v", got)
	}
	// 100,000 digits are not read (the structural checks refuse them): the
	// limit counts as unset, so the ratio rule has nothing to compare.
	for _, unreadable := range []string{strings.Repeat("9", 100_000), "1e-999999999"} {
		wi.Containers[0].Resources.Cpu = &podcv1.Resource{Request: "250m", Limit: unreadable}
		if got := ratioFields(wi); len(got) != 0 {
			t.Errorf("an unreadable limit %.20q: %v", unreadable, got)
		}
	}
}

// The restricted defaults of runAsNonRoot and seccompProfile, against a
// plain-Go statement: a container gets one only where both it and the pod
// leave the field unset, so a pod-level value, true or false, is never
// fought by a container default.
func TestPodSecurityDefaultsMatchReference(t *testing.T) {
	b := defaultBundle(t)
	bools := []*bool{nil, proto.Bool(true), proto.Bool(false)}
	profiles := []podcv1.SeccompProfile{podcv1.SeccompProfile_SECCOMP_PROFILE_UNSPECIFIED,
		podcv1.SeccompProfile_SECCOMP_PROFILE_RUNTIME_DEFAULT, podcv1.SeccompProfile_SECCOMP_PROFILE_UNCONFINED}
	n := 0
	for _, podNonRoot := range bools {
		for _, podSeccomp := range profiles {
			for _, ownNonRoot := range bools {
				for _, ownSeccomp := range profiles {
					wi := exampletest.Intent(t, "checkout.json")
					wi.SecurityContext = &podcv1.PodSecurityContext{RunAsNonRoot: podNonRoot, SeccompProfile: podSeccomp}
					wi.Containers[0].SecurityContext = &podcv1.SecurityContext{RunAsNonRoot: ownNonRoot, SeccompProfile: ownSeccomp}
					ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "restricted"})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, d := range ir.Defaults {
						if strings.HasPrefix(d.Field, "containers[0].securityContext.runAsNonRoot") || strings.HasPrefix(d.Field, "containers[0].securityContext.seccompProfile") {
							got = append(got, d.Field+"="+d.Value)
						}
					}
					var want []string
					if podNonRoot == nil && ownNonRoot == nil {
						want = append(want, "containers[0].securityContext.runAsNonRoot=true")
					}
					if podSeccomp == 0 && ownSeccomp == 0 {
						want = append(want, "containers[0].securityContext.seccompProfile=SECCOMP_PROFILE_RUNTIME_DEFAULT")
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("pod %v/%v, container %v/%v: defaults %v, want %v", podNonRoot, podSeccomp, ownNonRoot, ownSeccomp, got, want)
					}
					n++
				}
			}
		}
	}
	if n != 81 {
		t.Fatalf("%d combinations", n)
	}
}

// Which sysctls are safe depends on the target: tcp_keepalive_time joined
// the kubelet's safe set in 1.29.
func TestSysctlSafetyFollowsTarget(t *testing.T) {
	b := defaultBundle(t)
	wi := exampletest.Intent(t, "hello.json")
	wi.SecurityContext = &podcv1.PodSecurityContext{Sysctls: []*podcv1.Sysctl{{Name: "net/ipv4/tcp_keepalive_time", Value: "600"}}}
	for _, c := range []struct {
		minor int
		deny  bool
	}{{28, true}, {29, false}, {0, false}} {
		ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "baseline", Target: target.Version{Minor: c.minor}})
		if err != nil {
			t.Fatal(err)
		}
		denied := slices.ContainsFunc(ir.Findings, func(f diag.Finding) bool {
			return f.RuleID == "baseline.sysctls" && f.Field == "securityContext.sysctls[0].name"
		})
		if denied != c.deny {
			t.Errorf("target 1.%d: denied %t, want %t (%v)", c.minor, denied, c.deny, ir.Findings)
		}
	}
}

// A per-container manifest rule names the workload's fields without the
// workload ("spec.containers[0]..."), so its outcome is shared by
// workloads of every name; each finding still names its own object.
func TestManifestOutcomesSharedAcrossNames(t *testing.T) {
	b := defaultBundle(t)
	p := policy.Params{Profile: "restricted"}
	evaluate := func(name string) *policy.ManifestResult {
		wi := exampletest.Intent(t, "hello.json")
		wi.Name = name
		// A container that denies itself root explicitly, against the profile.
		wi.Containers[0].SecurityContext = &podcv1.SecurityContext{RunAsUser: proto.Int64(0)}
		objs, src := compileObjects(t, wi)
		mr, err := b.EvaluateManifests(context.Background(), objs, src, p)
		if err != nil {
			t.Fatal(err)
		}
		return mr
	}
	first := evaluate("api-one")
	before := b.CacheStats()
	second := evaluate("api-two")
	after := b.CacheStats()
	if after.Misses != before.Misses {
		t.Errorf("a new name missed %d rule outcomes: want every one shared", after.Misses-before.Misses)
	}
	for _, c := range []struct {
		name string
		mr   *policy.ManifestResult
	}{{"api-one", first}, {"api-two", second}} {
		found := false
		for _, f := range c.mr.Findings {
			if f.RuleID == "restricted.run-as-user" {
				found = true
				if !strings.HasPrefix(f.ManifestField, "Pod/"+c.name+": spec.containers[0].securityContext.runAsUser") {
					t.Errorf("%s: manifest field %q, want it under Pod/%s", c.name, f.ManifestField, c.name)
				}
			}
		}
		if !found {
			t.Errorf("%s: no restricted.run-as-user finding: %v", c.name, c.mr.Findings)
		}
	}
}
