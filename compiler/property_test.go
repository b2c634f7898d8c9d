package compiler_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/randintent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/compiler/validate"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// customNodePorts is a platform node port range other than the default.
var customNodePorts = intent.PortRange{Min: 31000, Max: 31999}

// newEngine returns an engine with the embedded default policies.
func newEngine(t testing.TB, nodePorts intent.PortRange) *compiler.Engine {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatalf("default policy bundle: %v", err)
	}
	return compiler.New(compiler.Options{Policies: store.New(b, nil), NodePorts: nodePorts})
}

// run is one compile to judge.
type run struct {
	Intent    *podcv1.WorkloadIntent
	Target    target.Version
	NodePorts intent.PortRange
	Format    render.Format
	Defaults  bool // ask for the apiserver's defaults
	// Valid says the intent passes intent.Check, so refusing it as invalid
	// is itself a problem.
	Valid bool
	// Profile is the policy profile; empty means baseline.
	Profile string
	// Defaulted is the intent as the profile's policy defaults leave it,
	// which the objects are held to; nil means Intent (baseline writes no
	// defaults).
	Defaulted *podcv1.WorkloadIntent
}

// verdict is what went wrong with a compile; the zero value is success or
// a legitimate refusal.
type verdict struct {
	// Problem explains, for a person; empty when nothing is wrong.
	Problem string
	// Sig groups problems of one kind: it has no names, indices or values.
	Sig string
	// Compiled says manifests were returned.
	Compiled bool
}

func (v verdict) bad() bool { return v.Problem != "" }

// judge compiles r with e and checks every promise of the engine: a valid
// intent is compiled or refused by policy; a malformed one is refused as
// invalid; no compile is an internal fault; every returned manifest decodes
// and passes the apiserver's validation; the Services expose exactly the
// ports the intent exposes, each at the reach it asked for.
func judge(e *compiler.Engine, r run) verdict {
	profile := r.Profile
	if profile == "" {
		profile = "baseline"
	}
	res, err := e.Compile(context.Background(), compiler.Request{
		Intent: r.Intent, Profile: profile, TargetVersion: r.Target.String(),
		Format: r.Format, APIServerDefaults: r.Defaults,
	})
	if err != nil {
		de, ok := diag.AsError(err)
		if !ok {
			return verdict{Problem: "error is not a *diag.Error: " + err.Error(), Sig: "untyped error"}
		}
		switch de.Kind {
		case diag.Internal:
			cause := "no cause"
			if de.Cause != nil {
				cause = de.Cause.Error()
			}
			return verdict{Problem: "internal error: " + cause, Sig: "internal: " + signature(cause)}
		case diag.Invalid:
			if r.Valid {
				return verdict{Problem: "a valid intent refused as invalid: " + err.Error(), Sig: "invalid: " + signature(firstFinding(de))}
			}
			return verdict{}
		case diag.Denied:
			for _, f := range de.Findings {
				if f.RuleID == "" {
					return verdict{Problem: "denied without a policy rule: " + f.String(), Sig: "denied without rule: " + signature(f.ManifestField+" "+f.Message)}
				}
			}
			if p := checkExceptions(r.Intent, de.Report, false); p != "" {
				return verdict{Problem: p, Sig: "exceptions: " + signature(p)}
			}
			return verdict{}
		}
		return verdict{Problem: "unknown error kind: " + err.Error(), Sig: "unknown kind"}
	}
	if res.Target != r.Target {
		return verdict{Problem: fmt.Sprintf("result target %s, asked for %s", res.Target, r.Target), Sig: "wrong target"}
	}
	note := "validated with Kubernetes " + r.Target.String() + " apiserver rules"
	if !slices.ContainsFunc(res.Report.Notes, func(n string) bool { return strings.Contains(n, note) }) {
		return verdict{Problem: "no report note says " + note, Sig: "no validation note"}
	}
	objs, err := decode(res.Manifests, r.Format)
	if err != nil {
		return verdict{Problem: "manifest does not decode: " + err.Error(), Sig: "decode: " + signature(err.Error())}
	}
	if fs := validate.Objects(objs, validate.Options{Target: r.Target, NodePorts: r.NodePorts}); len(fs) > 0 {
		var b strings.Builder
		for _, f := range fs {
			b.WriteString("\n  " + f.String())
		}
		return verdict{Problem: "returned manifests fail validation:" + b.String(), Sig: "validation: " + signature(fs[0].ManifestField+" "+fs[0].Message)}
	}
	wi := r.Intent
	if r.Defaulted != nil {
		wi = r.Defaulted
	}
	if p := checkShape(wi, objs); p != "" {
		return verdict{Problem: p, Sig: "shape: " + signature(p)}
	}
	if p := checkPodSpec(wi, objs); p != "" {
		return verdict{Problem: p, Sig: "pod spec: " + signature(p)}
	}
	if p := checkExceptions(r.Intent, &res.Report, true); p != "" {
		return verdict{Problem: p, Sig: "exceptions: " + signature(p)}
	}
	if p := checkGoverning(wi, objs); p != "" {
		return verdict{Problem: p, Sig: "governing: " + signature(p)}
	}
	if profile == "production" {
		if p := checkProduction(objs); p != "" {
			return verdict{Problem: p, Sig: "production: " + signature(p)}
		}
	}
	return verdict{Compiled: true}
}

// checkExceptions checks what became of the intent's exceptions in a
// report of a compile that ran both policy stages: the decision of every
// rule it asks to except, and only those, carries the exception at its
// field; an excepted decision's rule has excepted violations and no
// findings, and every excepted violation's rule was excepted; a compile
// that succeeded refused no exception.
func checkExceptions(wi *podcv1.WorkloadIntent, rep *diag.Report, compiled bool) string {
	if rep == nil {
		return ""
	}
	asked := map[string]string{}
	for i, e := range wi.GetExceptions() {
		if _, dup := asked[e.GetRule()]; !dup {
			asked[e.GetRule()] = fmt.Sprintf("exceptions[%d]", i)
		}
	}
	excepted := map[string]bool{}
	for _, d := range rep.Decisions {
		field, ok := asked[d.RuleID]
		switch {
		case ok && (d.Exception == nil || d.Exception.Field != field):
			return fmt.Sprintf("decision %s %s: exception %+v, want the one at %s", d.RuleID, d.Outcome, d.Exception, field)
		case !ok && d.Exception != nil:
			return fmt.Sprintf("decision %s carries an exception the intent does not ask for: %+v", d.RuleID, d.Exception)
		case d.Outcome == diag.OutcomeExcepted && d.Exception.State != diag.ExceptionApplied:
			return fmt.Sprintf("decision %s excepted with its exception %s", d.RuleID, d.Exception.State)
		case compiled && d.Exception != nil && d.Exception.State == diag.ExceptionRefused:
			return fmt.Sprintf("compiled with a refused exception to %s: %s", d.RuleID, d.Exception.Message)
		}
		if d.Outcome == diag.OutcomeExcepted {
			excepted[d.RuleID] = true
		}
	}
	for _, f := range rep.Findings {
		if excepted[f.RuleID] {
			return "a finding of the excepted rule " + f.RuleID + ": " + f.String()
		}
	}
	for _, f := range rep.Excepted {
		if !excepted[f.RuleID] {
			return "an excepted violation of a rule not excepted: " + f.String()
		}
	}
	return ""
}

func firstFinding(de *diag.Error) string {
	if len(de.Findings) == 0 {
		return ""
	}
	return de.Findings[0].Field + " " + de.Findings[0].Message
}

var (
	quoted  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	numbers = regexp.MustCompile(`[0-9]+`)
	objRef  = regexp.MustCompile(`(Pod|Deployment|Service|PodDisruptionBudget|HorizontalPodAutoscaler|NetworkPolicy)/[a-z0-9.-]+`)
)

// signature strips a message of names, values and indices.
func signature(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = objRef.ReplaceAllString(s, "$1")
	s = quoted.ReplaceAllString(s, `"…"`)
	s = numbers.ReplaceAllString(s, "N")
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

// decode reads rendered manifests back into typed objects, refusing
// unknown fields.
func decode(ms []render.Manifest, f render.Format) ([]runtime.Object, error) {
	var objs []runtime.Object
	for _, m := range ms {
		var obj runtime.Object
		switch m.Kind {
		case "Pod":
			obj = &corev1.Pod{}
		case "Service":
			obj = &corev1.Service{}
		case "Deployment":
			obj = &appsv1.Deployment{}
		case "PodDisruptionBudget":
			obj = &policyv1.PodDisruptionBudget{}
		case "HorizontalPodAutoscaler":
			obj = &autoscalingv2.HorizontalPodAutoscaler{}
		case "NetworkPolicy":
			obj = &networkingv1.NetworkPolicy{}
		default:
			return nil, fmt.Errorf("unexpected kind %q", m.Kind)
		}
		var err error
		if f == render.JSON {
			d := json.NewDecoder(strings.NewReader(string(m.Content)))
			d.DisallowUnknownFields()
			err = d.Decode(obj)
		} else {
			err = yaml.UnmarshalStrict(m.Content, obj)
		}
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", m.Kind, m.Name, err)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// checkShape checks the objects against the intent: the workload is of the
// controller's kind, and the Services are the ones the intent asks for.
// Without named Services, the ClusterIP Service has exactly the
// EXPOSE_CLUSTER and EXPOSE_NODE ports and the NodePort Service exactly the
// EXPOSE_NODE ports; with them, each named Service has its type and exactly
// its ports. In both forms a cluster-only port is never reachable from
// outside the cluster (NodePort and LoadBalancer Services carry EXPOSE_NODE
// ports only), no unexposed port is in a Service, and the Service named
// after the workload carries every port reachable from outside.
func checkShape(wi *podcv1.WorkloadIntent, objs []runtime.Object) string {
	wantKind := "Pod"
	if wi.GetController() == podcv1.Controller_CONTROLLER_DEPLOYMENT {
		wantKind = "Deployment"
	}
	expose := map[string]podcv1.Expose{}
	var cluster, node []string
	for _, cs := range [][]*podcv1.Container{wi.GetContainers(), wi.GetSidecars()} {
		for _, c := range cs {
			for _, p := range c.GetPorts() {
				expose[intent.PortName(p)] = p.GetExpose()
				switch p.GetExpose() {
				case podcv1.Expose_EXPOSE_CLUSTER:
					cluster = append(cluster, intent.PortName(p))
				case podcv1.Expose_EXPOSE_NODE:
					node = append(node, intent.PortName(p))
				}
			}
		}
	}
	workloads := 0
	gotServices := map[string][]string{}
	var services []*corev1.Service
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.Pod:
			if wantKind != "Pod" {
				return "a Pod for controller " + wi.GetController().String()
			}
			workloads++
		case *appsv1.Deployment:
			if wantKind != "Deployment" {
				return "a Deployment for controller " + wi.GetController().String()
			}
			workloads++
		case *corev1.Service:
			services = append(services, o)
			var names []string
			for _, p := range o.Spec.Ports {
				names = append(names, p.Name)
			}
			key := string(o.Spec.Type) + " " + o.Name
			if o.Spec.ClusterIP == corev1.ClusterIPNone {
				key += " (headless)"
			}
			gotServices[key] = names
		}
	}
	if workloads != 1 {
		return fmt.Sprintf("%d workload objects, want 1", workloads)
	}
	want := map[string][]string{}
	if named := wi.GetServices(); len(named) > 0 {
		for _, s := range named {
			key := intent.ServiceTypeName(s.GetType()) + " " + s.GetName()
			if s.GetType() == podcv1.ServiceType_SERVICE_TYPE_HEADLESS {
				key = "ClusterIP " + s.GetName() + " (headless)"
			}
			for _, p := range s.GetPorts() {
				want[key] = append(want[key], p.GetName())
			}
		}
	} else {
		if len(cluster)+len(node) > 0 {
			want["ClusterIP "+wi.GetName()] = append(slices.Clone(cluster), node...)
		}
		if len(node) > 0 {
			want["NodePort "+wi.GetName()+intent.NodePortSuffix] = node
		}
	}
	for k := range want {
		slices.Sort(want[k])
	}
	for k := range gotServices {
		slices.Sort(gotServices[k])
	}
	if len(want) != len(gotServices) {
		return fmt.Sprintf("Services %v, want %v", gotServices, want)
	}
	for k, w := range want {
		if !slices.Equal(gotServices[k], w) {
			return fmt.Sprintf("Service %s exposes %v, want %v", k, gotServices[k], w)
		}
	}
	// The reach of every port, whatever formed the Services.
	for _, s := range services {
		external := s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer
		for _, p := range s.Spec.Ports {
			e := expose[p.Name]
			switch {
			case e != podcv1.Expose_EXPOSE_CLUSTER && e != podcv1.Expose_EXPOSE_NODE:
				return fmt.Sprintf("port %s (%s) is in Service %s", p.Name, e, s.Name)
			case external && e != podcv1.Expose_EXPOSE_NODE:
				return fmt.Sprintf("cluster-only port %s is in %s Service %s", p.Name, s.Spec.Type, s.Name)
			case external && !slices.Contains(gotServices["ClusterIP "+wi.GetName()], p.Name) &&
				!slices.Contains(gotServices["ClusterIP "+wi.GetName()+" (headless)"], p.Name) &&
				!slices.Contains(gotServices["NodePort "+wi.GetName()], p.Name) &&
				!slices.Contains(gotServices["LoadBalancer "+wi.GetName()], p.Name):
				return fmt.Sprintf("port %s is reachable from outside through Service %s but not at the in-cluster name %s", p.Name, s.Name, wi.GetName())
			}
		}
	}
	return ""
}

// shrink removes list elements, map entries and set fields from wi while
// the compile still goes wrong in the same way, and returns the smallest
// intent found.
func shrink(wi *podcv1.WorkloadIntent, stillFails func(*podcv1.WorkloadIntent) bool) *podcv1.WorkloadIntent {
	cur := proto.Clone(wi).(*podcv1.WorkloadIntent)
	for n := 0; ; n++ {
		cand := proto.Clone(cur).(*podcv1.WorkloadIntent)
		k := n
		if !edit(cand.ProtoReflect(), &k) {
			return cur
		}
		if stillFails(cand) {
			cur, n = cand, -1
		}
	}
}

// edit applies the n-th smallest-making edit of m: drop a list element, a
// map entry, or a set field, in a walk that goes depth first. It reports
// false when m has fewer edits than n+1.
func edit(m protoreflect.Message, n *int) bool {
	done := false
	var fields []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		fields = append(fields, fd)
		return true
	})
	slices.SortFunc(fields, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number() - b.Number()) })
	for _, fd := range fields {
		v := m.Get(fd)
		switch {
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				if *n == 0 {
					for j := i; j+1 < l.Len(); j++ {
						l.Set(j, l.Get(j+1))
					}
					l.Truncate(l.Len() - 1)
					return true
				}
				*n--
			}
			if fd.Message() != nil {
				for i := 0; i < l.Len(); i++ {
					if edit(l.Get(i).Message(), n) {
						return true
					}
				}
			}
		case fd.IsMap():
			mp := v.Map()
			var keys []string
			mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
				keys = append(keys, k.String())
				return true
			})
			slices.Sort(keys)
			for _, k := range keys {
				if *n == 0 {
					mp.Clear(protoreflect.ValueOfString(k).MapKey())
					return true
				}
				*n--
			}
		default:
			if *n == 0 {
				m.Clear(fd)
				return true
			}
			*n--
			if fd.Message() != nil && edit(v.Message(), n) {
				return true
			}
		}
	}
	return done
}

// regressCase is a saved counterexample: the request and what went wrong.
type regressCase struct {
	// Target is the Kubernetes version, "1.NN".
	Target string `json:"target"`
	// NodePorts is the platform's node port range; zero means the default.
	NodePorts intent.PortRange `json:"nodePorts"`
	// Found is the problem when the case was saved, for a person.
	Found string `json:"found"`
	// Intent is the shrunk intent, in protojson.
	Intent json.RawMessage `json:"intent"`
}

// saveRegression writes a shrunk counterexample to testdata/regress when
// PODC_WRITE_REGRESS is set, and returns the file name.
func saveRegression(t *testing.T, r run, v verdict) string {
	t.Helper()
	js, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(r.Intent)
	if err != nil {
		t.Fatal(err)
	}
	rc := regressCase{Target: r.Target.String(), Found: v.Problem, Intent: js}
	if r.NodePorts != intent.DefaultNodePorts {
		rc.NodePorts = r.NodePorts
	}
	out, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(v.Sig))
	name := filepath.Join("testdata", "regress", hex.EncodeToString(sum[:6])+".json")
	if os.Getenv("PODC_WRITE_REGRESS") == "" {
		t.Logf("counterexample (set PODC_WRITE_REGRESS=1 to save it as %s):\n%s", name, out)
		return name
	}
	if err := os.WriteFile(name, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// propertyRuns is how many random intents the property test compiles:
// PODC_PROPERTY_N, else 300 with -short and 2000 without.
func propertyRuns(t *testing.T) int {
	if s := os.Getenv("PODC_PROPERTY_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("PODC_PROPERTY_N=%q: %v", s, err)
		}
		return n
	}
	if testing.Short() {
		return 300
	}
	return 2000
}

// TestPropertyRandomIntents compiles thousands of random valid intents for
// every target version, two node port ranges, both formats, with and
// without the apiserver's defaults. Each must be compiled into manifests
// that pass the apiserver's validation, or be refused by policy. Every
// kind of failure is shrunk and reported once.
func TestPropertyRandomIntents(t *testing.T) {
	engines := map[intent.PortRange]*compiler.Engine{
		intent.DefaultNodePorts: newEngine(t, intent.DefaultNodePorts),
		customNodePorts:         newEngine(t, customNodePorts),
	}
	n := propertyRuns(t)
	seed := int64(1)
	if s := os.Getenv("PODC_PROPERTY_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("PODC_PROPERTY_SEED=%q: %v", s, err)
		}
	}
	// The intents ask for exceptions to any rule of the bundle: of the
	// profile or not, exceptable or not.
	var ruleIDs []string
	for _, r := range engines[intent.DefaultNodePorts].Policies().Bundle().Rules() {
		ruleIDs = append(ruleIDs, r.ID)
	}
	versions := target.Newest - target.Oldest + 1
	failures := map[string]int{}
	compiled := 0
	states := map[diag.ExceptionState]int{}
	for i := range n {
		r := run{
			Target:    target.Version{Minor: target.Oldest + i%versions},
			NodePorts: intent.DefaultNodePorts,
			Format:    render.Format(i % 2),
			Defaults:  i%3 == 0,
			Valid:     true,
		}
		if i%5 == 4 {
			r.NodePorts = customNodePorts
		}
		g := randintent.NewWithOptions(seed*1_000_003+int64(i), randintent.Options{Target: r.Target, NodePorts: r.NodePorts, ExceptionRules: ruleIDs})
		r.Intent = g.Next()
		e := engines[r.NodePorts]
		v := judge(e, r)
		if v.Compiled {
			compiled++
		}
		if len(r.Intent.GetExceptions()) > 0 {
			// Counted from Validate, which reports on refused intents too.
			if res, err := e.Validate(context.Background(), compiler.Request{Intent: r.Intent, Profile: "baseline", TargetVersion: r.Target.String()}); err == nil {
				for _, d := range res.Report.Decisions {
					if d.Exception != nil {
						states[d.Exception.State]++
					}
				}
			}
		}
		if !v.bad() {
			continue
		}
		failures[v.Sig]++
		if failures[v.Sig] > 1 {
			continue
		}
		small := r
		small.Intent = shrink(r.Intent, func(wi *podcv1.WorkloadIntent) bool {
			if len(intent.Check(wi, intent.Options{Target: r.Target, NodePorts: r.NodePorts})) > 0 {
				return false
			}
			c := r
			c.Intent = wi
			return judge(e, c).Sig == v.Sig
		})
		sv := judge(e, small)
		name := saveRegression(t, small, sv)
		t.Errorf("intent %d (target %s): %s\nshrunk counterexample: %s", i, r.Target, sv.Problem, name)
	}
	for sig, count := range failures {
		t.Logf("%d× %s", count, sig)
	}
	// Most random intents pass the baseline policies: the property is not
	// met by refusing everything.
	t.Logf("%d of %d intents compiled, the rest refused by policy", compiled, n)
	if compiled < n/2 {
		t.Errorf("only %d of %d random valid intents compiled", compiled, n)
	}
	// The exceptions are judged every way: the property is not met by
	// intents that never ask for one.
	t.Logf("exceptions: %v", states)
	for _, s := range []diag.ExceptionState{diag.ExceptionApplied, diag.ExceptionUnused, diag.ExceptionExpired, diag.ExceptionRefused} {
		if n >= 1000 && states[s] == 0 {
			t.Errorf("no exception was %s", s)
		}
	}
}

// TestPropertyProduction compiles random intents, made ready for the
// production profile where a few fields decide it, under that profile for
// every target version: each must be compiled or refused by policy; what
// compiles must pass the apiserver's validation of every object, alone and
// together, match the intent as the policy defaults left it, and keep
// every promise of the profile (a disruption budget, an ingress network
// policy, a read-only root filesystem, high ids, bounded ephemeral
// storage).
func TestPropertyProduction(t *testing.T) {
	e := newEngine(t, intent.DefaultNodePorts)
	b := e.Policies().Bundle()
	n := propertyRuns(t) / 4
	versions := target.Newest - target.Oldest + 1
	failures := map[string]int{}
	compiled, ready := 0, 0
	for i := range n {
		tv := target.Version{Minor: target.Oldest + i%versions}
		wi := randintent.NewWithOptions(int64(i)*7_919+3, randintent.Options{Target: tv}).Next()
		productionReady(wi)
		if len(intent.Check(wi, intent.Options{Target: tv})) > 0 {
			continue
		}
		ready++
		ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "production", Target: tv})
		if err != nil {
			t.Fatal(err)
		}
		r := run{Intent: wi, Defaulted: ir.Intent, Target: tv, NodePorts: intent.DefaultNodePorts,
			Format: render.Format(i % 2), Defaults: i%3 == 0, Valid: true, Profile: "production"}
		v := judge(e, r)
		if v.Compiled {
			compiled++
		}
		if !v.bad() {
			continue
		}
		failures[v.Sig]++
		if failures[v.Sig] == 1 {
			js, _ := protojson.Marshal(wi)
			t.Errorf("intent %d (target %s): %s\n%s", i, tv, v.Problem, js)
		}
	}
	for sig, count := range failures {
		t.Logf("%d× %s", count, sig)
	}
	// The property is not met by refusing everything.
	t.Logf("%d of %d production-ready intents compiled under production, the rest refused by policy", compiled, ready)
	if compiled < ready/2 {
		t.Errorf("only %d of %d production-ready intents compiled", compiled, ready)
	}
}

// TestRegressions runs every saved counterexample in testdata/regress: each
// must now compile to valid manifests or be refused as invalid or by policy.
func TestRegressions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "regress", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	engines := map[intent.PortRange]*compiler.Engine{}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var rc regressCase
			if err := json.Unmarshal(raw, &rc); err != nil {
				t.Fatal(err)
			}
			wi := &podcv1.WorkloadIntent{}
			if err := protojson.Unmarshal(rc.Intent, wi); err != nil {
				t.Fatal(err)
			}
			tv, err := target.Parse(rc.Target)
			if err != nil {
				t.Fatal(err)
			}
			np := rc.NodePorts
			if np == (intent.PortRange{}) {
				np = intent.DefaultNodePorts
			}
			e := engines[np]
			if e == nil {
				e = newEngine(t, np)
				engines[np] = e
			}
			for _, f := range []render.Format{render.YAML, render.JSON} {
				for _, d := range []bool{false, true} {
					if v := judge(e, run{Intent: wi, Target: tv, NodePorts: np, Format: f, Defaults: d}); v.bad() {
						t.Errorf("format %d, apiserver defaults %v: %s\n(found: %s)", f, d, v.Problem, rc.Found)
					}
				}
			}
		})
	}
}

// TestExamplesCompile runs the examples through the same judge: each must
// compile (or be refused by policy) for every target version.
func TestExamplesCompile(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	e := newEngine(t, intent.DefaultNodePorts)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wi, err := intent.Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for m := target.Oldest; m <= target.Newest; m++ {
			tv := target.Version{Minor: m}
			if fs := intent.Check(wi, intent.Options{Target: tv}); len(fs) > 0 {
				continue // e.g. gRPC probes before 1.27: refused as invalid, as documented
			}
			if v := judge(e, run{Intent: wi, Target: tv, NodePorts: intent.DefaultNodePorts, Valid: true}); v.bad() {
				t.Errorf("%s for %s: %s", filepath.Base(f), tv, v.Problem)
			}
		}
	}
}
