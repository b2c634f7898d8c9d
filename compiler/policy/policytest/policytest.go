// Package policytest runs a policy bundle's test cases: txtar files under
// tests/ beside its .cue files, each an intent and the findings and
// defaults the bundle must produce for it.
package policytest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/txtar"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// TestDir is the directory of a bundle's test cases, beside its .cue files.
const TestDir = "tests"

// TestOptions configure RunTests.
type TestOptions struct {
	// Compile compiles a case's intent (with policy defaults applied) for
	// the manifest rules: its objects, and the record of where their fields
	// came from. The manifest rules of a case without a manifests.yaml see
	// the compiled objects; those of a case with one see its objects, which
	// stand for what podc compiles from the intent, placed at the intent
	// paths the record gives for the same object and field. Nil leaves the
	// manifest rules of cases without a manifests.yaml unevaluated, and the
	// findings on a manifests.yaml without intent paths.
	Compile func(*podcv1.WorkloadIntent) ([]runtime.Object, *provenance.Record, error)
	// NodePorts is the platform's node port range; zero means
	// intent.DefaultNodePorts.
	NodePorts intent.PortRange
	// Now is the instant the intents' exceptions are judged at, for cases
	// without a now line; zero means the clock's now.
	Now time.Time
	// Update, when set, receives each case file with its want section
	// rewritten to the actual outcome (for golden updates).
	Update func(name string, data []byte) error
}

// CaseResult is the outcome of one test case.
type CaseResult struct {
	// Name is the case file's path: "tests/checkout.txtar".
	Name string
	// Passed reports whether the outcome matched the want section.
	Passed bool
	// Problems explain a failure, one line each: "- want ..." / "+ got ...".
	Problems []string
}

// RunTests runs the bundle's test cases: every tests/*.txtar file in fsys.
// A case is a txtar archive:
//
//	A description.
//	profile: restricted        (optional; else the intent's, else baseline)
//	nodePorts: 30000-30999     (optional; else the options', else the default)
//	now: 2025-06-01            (optional: the instant exceptions are judged
//	                            at, an RFC 3339 date (its midnight UTC) or
//	                            timestamp; else the options', else the clock's)
//	-- intent.json --          (or intent.yaml)
//	{...}
//	-- manifests.yaml --       (optional: compiled objects for manifest rules)
//	-- want --
//	deny restricted.team-label labels["team"]
//	deny restricted.run-as-non-root containers[0].securityContext.runAsNonRoot @ Deployment/web: spec.template.spec.containers[0].securityContext.runAsNonRoot
//	default restricted.run-as-non-root containers[0].securityContext.runAsNonRoot = true
//	excepted restricted.memory-limit containers[0].resources.memory.limit
//	exception restricted.memory-limit applied
//
// want lists every finding (severity, rule id or "-", intent field or "-", and
// "@ manifest field" for manifest rules; "fault" in place of the severity
// for a rule that failed to evaluate), every violation an exception
// excepted ("excepted" in place of the severity), what became of every
// exception to a rule of the profile ("exception", the rule id and
// applied, unused, expired or refused) and every policy default, in any
// order; a case passes when the outcome has exactly those lines. Lines
// starting with # are comments. The error is about reading the cases, not
// about their outcome.
func RunTests(b *policy.Bundle, fsys fs.FS, opts TestOptions) ([]CaseResult, error) {
	names, err := fs.Glob(fsys, TestDir+"/*.txtar")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []CaseResult
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, runCase(b, name, data, opts))
	}
	return out, nil
}

func runCase(b *policy.Bundle, name string, data []byte, opts TestOptions) CaseResult {
	res := CaseResult{Name: name}
	fail := func(format string, args ...any) CaseResult {
		res.Problems = append(res.Problems, fmt.Sprintf(format, args...))
		return res
	}
	ar := txtar.Parse(data)
	files := map[string][]byte{}
	for _, f := range ar.Files {
		files[f.Name] = f.Data
	}
	p := policy.Params{NodePorts: opts.NodePorts, Now: opts.Now}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "now:"); ok {
			v = strings.TrimSpace(v)
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				if t, err = time.Parse(time.RFC3339, v); err != nil {
					return fail("now: %q: want an RFC 3339 date or timestamp", v)
				}
			}
			p.Now = t
		}
		if v, ok := strings.CutPrefix(line, "profile:"); ok {
			p.Profile = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "nodePorts:"); ok {
			lo, hi, _ := strings.Cut(strings.TrimSpace(v), "-")
			min, err1 := strconv.ParseInt(lo, 10, 32)
			max, err2 := strconv.ParseInt(hi, 10, 32)
			if err1 != nil || err2 != nil || min > max {
				return fail("nodePorts: %q: want MIN-MAX", strings.TrimSpace(v))
			}
			p.NodePorts = intent.PortRange{Min: int32(min), Max: int32(max)}
		}
	}
	src, ok := files["intent.json"]
	if !ok {
		if src, ok = files["intent.yaml"]; !ok {
			return fail("no intent.json or intent.yaml section")
		}
	}
	want, ok := files["want"]
	if !ok {
		return fail("no want section")
	}
	wi, err := intent.Decode(src)
	if err != nil {
		return fail("intent: %v", err)
	}
	if p.Profile == "" {
		p.Profile = wi.GetProfile()
	}

	got, manifestRun, err := caseOutcome(b, wi, files["manifests.yaml"], p, opts)
	if err != nil {
		got = []string{"error " + oneLine(err.Error())}
	}
	wantLines := caseLines(want)
	for _, w := range wantLines {
		if !manifestRun && isManifestLine(b, w) && !slices.Contains(got, w) {
			res.Problems = append(res.Problems, "  "+w+" (a manifest rule: the case needs a manifests.yaml section, or run it with a compiler)")
		}
	}
	for _, w := range wantLines {
		if !slices.Contains(got, w) && !(!manifestRun && isManifestLine(b, w)) {
			res.Problems = append(res.Problems, "- "+w)
		}
	}
	for _, g := range got {
		if !slices.Contains(wantLines, g) {
			res.Problems = append(res.Problems, "+ "+g)
		}
	}
	res.Passed = len(res.Problems) == 0
	if opts.Update != nil && !res.Passed {
		for i := range ar.Files {
			if ar.Files[i].Name == "want" {
				ar.Files[i].Data = []byte(strings.Join(got, "\n") + "\n")
				if len(got) == 0 {
					ar.Files[i].Data = nil
				}
			}
		}
		if err := opts.Update(name, txtar.Format(ar)); err != nil {
			res.Problems = append(res.Problems, "update: "+err.Error())
		}
	}
	return res
}

// caseOutcome evaluates a case and renders its outcome as want lines,
// sorted. It reports whether the manifest rules ran.
func caseOutcome(b *policy.Bundle, wi *podcv1.WorkloadIntent, manifests []byte, p policy.Params, opts TestOptions) ([]string, bool, error) {
	ir, err := b.EvaluateIntent(context.Background(), wi, p)
	if err != nil {
		return nil, false, err
	}
	var lines []string
	for _, f := range ir.Findings {
		lines = append(lines, findingLine(f))
	}
	for _, f := range ir.Excepted {
		lines = append(lines, exceptedLine(f))
	}
	lines = append(lines, exceptionLines(ir.Decisions)...)
	for _, d := range ir.Defaults {
		lines = append(lines, fmt.Sprintf("default %s %s = %s", strings.TrimPrefix(d.Source, "policy:"), d.Field, d.Value))
	}
	var objs []runtime.Object
	var src *provenance.Record
	switch {
	case manifests != nil:
		if objs, err = decodeObjects(manifests); err != nil {
			return nil, false, fmt.Errorf("manifests.yaml: %w", err)
		}
		if opts.Compile != nil {
			// An intent the compiler refuses places nothing.
			_, src, _ = opts.Compile(ir.Intent)
		}
	case opts.Compile != nil:
		if objs, src, err = opts.Compile(ir.Intent); err != nil {
			return nil, false, fmt.Errorf("compile: %w", err)
		}
	}
	ran := objs != nil
	if ran {
		p.Exceptions = ir.Exceptions
		mr, err := b.EvaluateManifests(context.Background(), objs, src, p)
		if err != nil {
			return nil, false, err
		}
		for _, f := range mr.Findings {
			lines = append(lines, findingLine(f))
		}
		for _, f := range mr.Excepted {
			lines = append(lines, exceptedLine(f))
		}
		lines = append(lines, exceptionLines(mr.Decisions)...)
	}
	slices.Sort(lines)
	return lines, ran, nil
}

func findingLine(f diag.Finding) string {
	field := f.Field
	if field == "" {
		field = "-"
	}
	kind := f.Severity.String()
	if f.Fault {
		kind = "fault"
	}
	rule := f.RuleID
	if rule == "" {
		rule = "-"
	}
	s := kind + " " + rule + " " + field
	if f.ManifestField != "" {
		s += " @ " + f.ManifestField
	}
	return s
}

// exceptedLine is the want line of a violation an exception excepted.
func exceptedLine(f diag.Finding) string {
	f.Fault = false
	_, rest, _ := strings.Cut(findingLine(f), " ")
	return "excepted " + rest
}

// exceptionLines are the want lines of what became of the exceptions the
// decisions carry: "exception restricted.memory-limit applied".
func exceptionLines(ds []diag.Decision) []string {
	var out []string
	for _, d := range ds {
		if d.Exception != nil {
			out = append(out, "exception "+d.RuleID+" "+d.Exception.State.String())
		}
	}
	return out
}

// isManifestLine reports whether a want line is a finding (or an
// exception) of a manifest rule.
func isManifestLine(b *policy.Bundle, line string) bool {
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] == "default" {
		return false
	}
	r, ok := b.Rule(fields[1])
	return ok && r.Stage == diag.StageManifestPolicy
}

func caseLines(data []byte) []string {
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// decodeObjects reads a YAML stream of the kinds podc compiles: Pods,
// Deployments, Services, PodDisruptionBudgets, HorizontalPodAutoscalers
// and NetworkPolicies.
func decodeObjects(data []byte) ([]runtime.Object, error) {
	var objs []runtime.Object
	for i, doc := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		var o runtime.Object
		switch tm.Kind {
		case "Pod":
			o = &corev1.Pod{}
		case "Deployment":
			o = &appsv1.Deployment{}
		case "Service":
			o = &corev1.Service{}
		case "PodDisruptionBudget":
			o = &policyv1.PodDisruptionBudget{}
		case "HorizontalPodAutoscaler":
			o = &autoscalingv2.HorizontalPodAutoscaler{}
		case "NetworkPolicy":
			o = &networkingv1.NetworkPolicy{}
		default:
			return nil, fmt.Errorf("document %d: kind %s: want Pod, Deployment, Service, PodDisruptionBudget, HorizontalPodAutoscaler or NetworkPolicy", i+1, strconv.Quote(tm.Kind))
		}
		if err := yaml.UnmarshalStrict(doc, o); err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i+1, tm.Kind, err)
		}
		objs = append(objs, o)
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("no objects")
	}
	return objs, nil
}

// A Case is one test case's intent, for checks that evaluate a bundle on
// its own cases (the smoke set).
type Case struct {
	// Name is the case file's path: "tests/checkout.txtar".
	Name   string
	Intent *podcv1.WorkloadIntent
}

// Cases reads the intent of every test case in fsys. A case whose intent
// is missing or does not decode is an error naming the case.
func Cases(fsys fs.FS) ([]Case, error) {
	names, err := fs.Glob(fsys, TestDir+"/*.txtar")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []Case
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var src []byte
		for _, f := range txtar.Parse(data).Files {
			if f.Name == "intent.json" || f.Name == "intent.yaml" {
				src = f.Data
			}
		}
		if src == nil {
			return nil, fmt.Errorf("%s: no intent.json or intent.yaml section", name)
		}
		wi, err := intent.Decode(src)
		if err != nil {
			return nil, fmt.Errorf("%s: intent: %v", name, err)
		}
		out = append(out, Case{Name: name, Intent: wi})
	}
	return out, nil
}
