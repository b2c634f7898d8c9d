package policy_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// exceptionBundle is a platform team's bundle with exceptions of every
// kind: a per-container intent rule anyone may except, with defaults; a
// manifest rule only some teams may except, for at most 30 days; a rule
// that cannot be excepted; one whose terms say never; one whose terms
// fault; and a rule of another profile.
const exceptionBundle = `package platform

import "list"

profiles: prod: description: "production"
profiles: dev: description: "development"

parameters: teams: ["payments", "search"]

rules: "prod.memory": {
	profiles: ["prod"], severity: "deny", stage: "intent", each: "container"
	message: "a memory limit is required", description: "d"
	defaults: [if container.securityContext.readOnlyRootFilesystem == null {
		field: "\(container.path).securityContext.readOnlyRootFilesystem", value: true
	}]
	violations: [if container.memory.limit == 0 {field: "\(container.path).resources.memory.limit"}]
	exception: allowed: true
}

rules: "prod.replicas": {
	profiles: ["prod"], severity: "deny", stage: "manifest"
	message: "two replicas at least", description: "d"
	violations: [if manifests.workload.replicas < 2 {
		field: "replicas", manifestField: "\(manifests.workload.ref): spec.replicas"
	}]
	exception: {
		allowed: list.Contains(parameters.teams, *intent.labels.team | "")
		message: "ask the platform team; exceptions are for \(parameters.teams[0]) and \(parameters.teams[1])"
		maxDays: 30
	}
}

rules: "prod.team": {
	profiles: ["prod"], severity: "deny", stage: "intent"
	message: "a team label", description: "d"
	violations: [if intent.labels.team == _|_ {field: "labels[\"team\"]"}]
}

rules: "prod.never": {
	profiles: ["prod"], severity: "warn", stage: "intent"
	message: "no host network", description: "d"
	violations: [if intent.hostNetwork {field: "hostNetwork"}]
	exception: {allowed: false, message: "host networking is never excepted"}
}

rules: "prod.broken": {
	profiles: ["prod"], severity: "deny", stage: "intent"
	message: "m", description: "d"
	violations: [if intent.name == "x" {field: "name"}]
	exception: allowed: intent.labels.tier == "gold"
}

rules: "dev.name": {
	profiles: ["dev"], severity: "warn", stage: "intent"
	message: "m", description: "d"
	violations: []
	exception: allowed: true
}
`

func loadExceptionBundle(t *testing.T) *policy.Bundle {
	t.Helper()
	b, err := policy.Load(fstest.MapFS{"rules.cue": {Data: []byte(exceptionBundle)}}, "test", policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var june1 = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// exceptionIntent is a bare Pod of two containers without memory limits,
// of team payments, asking for the exceptions given.
func exceptionIntent(exceptions ...*podcv1.PolicyException) *podcv1.WorkloadIntent {
	return &podcv1.WorkloadIntent{
		Name:       "web",
		Labels:     map[string]string{"team": "payments"},
		Exceptions: exceptions,
		Containers: []*podcv1.Container{{Name: "a", Image: "nginx:1.27.3"}, {Name: "b", Image: "nginx:1.27.3"}},
	}
}

func exc(rule, expires string) *podcv1.PolicyException {
	return &podcv1.PolicyException{Rule: rule, Reason: "adopting prod", Expires: expires}
}

// evaluated is both stages' outcome as the engine would put it together.
type evaluated struct {
	ir       *policy.IntentResult
	findings []diag.Finding
	excepted []diag.Finding
	byRule   map[string]diag.Decision
}

func evaluateExcepting(t *testing.T, b *policy.Bundle, wi *podcv1.WorkloadIntent, p policy.Params) evaluated {
	t.Helper()
	ir, err := b.EvaluateIntent(context.Background(), wi, p)
	if err != nil {
		t.Fatal(err)
	}
	objs, src := compileObjects(t, ir.Intent)
	p.Exceptions = ir.Exceptions
	mr, err := b.EvaluateManifests(context.Background(), objs, src, p)
	if err != nil {
		t.Fatal(err)
	}
	ev := evaluated{ir: ir, byRule: map[string]diag.Decision{}}
	ev.findings = append(slices.Clone(ir.Findings), mr.Findings...)
	ev.excepted = append(slices.Clone(ir.Excepted), mr.Excepted...)
	for _, d := range append(slices.Clone(ir.Decisions), mr.Decisions...) {
		ev.byRule[d.RuleID] = d
	}
	return ev
}

func lines(fs []diag.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.RuleID+" "+f.Field)
	}
	return out
}

// An allowed exception turns a rule's violations into excepted ones, in
// either stage; the decision is excepted and carries the exception; the
// rule's defaults still apply; the bundle counts it.
func TestExceptionApplies(t *testing.T) {
	b := loadExceptionBundle(t)
	wi := exceptionIntent(exc("prod.memory", ""), exc("prod.replicas", "2025-06-20"))
	ev := evaluateExcepting(t, b, wi, policy.Params{Profile: "prod", Now: june1})
	if len(ev.findings) != 0 {
		t.Errorf("findings: %v", ev.findings)
	}
	want := []string{"deny prod.memory containers[0].resources.memory.limit", "deny prod.memory containers[1].resources.memory.limit", "deny prod.replicas replicas"}
	if got := lines(ev.excepted); !slices.Equal(got, want) {
		t.Errorf("excepted\n got %q\nwant %q", got, want)
	}
	if f := ev.excepted[2]; f.ManifestField != "Pod/web: spec.replicas" {
		t.Errorf("manifest field %q", f.ManifestField)
	}
	for id, field := range map[string]string{"prod.memory": "exceptions[0]", "prod.replicas": "exceptions[1]"} {
		d := ev.byRule[id]
		if d.Outcome != diag.OutcomeExcepted || d.Exception == nil || d.Exception.State != diag.ExceptionApplied ||
			d.Exception.Field != field || d.Exception.Reason != "adopting prod" {
			t.Errorf("%s: decision %+v, exception %+v", id, d, d.Exception)
		}
	}
	if m := ev.byRule["prod.memory"].Exception.Message; m != "2 violations excepted" {
		t.Errorf("message %q", m)
	}
	if d := ev.byRule["prod.team"]; d.Outcome != diag.OutcomePass || d.Exception != nil {
		t.Errorf("prod.team: %+v", d)
	}
	if len(ev.ir.Defaults) != 2 {
		t.Errorf("defaults of the excepted rule: %v", ev.ir.Defaults)
	}
	if got := b.Excepted(); got["prod.memory"] != 1 || got["prod.replicas"] != 1 || len(got) != 2 {
		t.Errorf("Excepted() = %v", got)
	}
	// Without the intent stage's judgement, the manifest stage excepts
	// nothing: it fails closed.
	objs, src := compileObjects(t, ev.ir.Intent)
	mr, err := b.EvaluateManifests(context.Background(), objs, src, policy.Params{Profile: "prod", Now: june1})
	if err != nil {
		t.Fatal(err)
	}
	if !diag.HasDeny(mr.Findings) || len(mr.Excepted) != 0 {
		t.Errorf("manifests without Params.Exceptions: findings %v, excepted %v", mr.Findings, mr.Excepted)
	}
}

// An exception to a rule that finds nothing is unused: the rule passes,
// and its decision says the exception may be dropped.
func TestExceptionUnused(t *testing.T) {
	b := loadExceptionBundle(t)
	wi := exceptionIntent(exc("prod.memory", ""))
	for _, c := range wi.Containers {
		c.Resources = &podcv1.Resources{Memory: &podcv1.Resource{Limit: "64Mi"}}
	}
	ev := evaluateExcepting(t, b, wi, policy.Params{Profile: "prod", Now: june1})
	d := ev.byRule["prod.memory"]
	if d.Outcome != diag.OutcomePass || d.Exception == nil || d.Exception.State != diag.ExceptionUnused || !strings.Contains(d.Exception.Message, "nothing to except") {
		t.Errorf("decision %+v, exception %+v", d, d.Exception)
	}
	if len(ev.excepted) != 0 || b.Excepted()["prod.memory"] != 0 {
		t.Errorf("excepted %v, counted %v", ev.excepted, b.Excepted())
	}
}

// An expired exception stops applying: the rule decides as without it,
// a warning at its expires says so, and its decision says expired. The
// rule's outcome cache answers both judgements: the time is never part of
// what the cache keeps.
func TestExceptionExpires(t *testing.T) {
	b := loadExceptionBundle(t)
	wi := exceptionIntent(exc("prod.memory", "2025-06-30"))
	p := policy.Params{Profile: "prod", Now: time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC)}
	ev := evaluateExcepting(t, b, wi, p)
	if d := ev.byRule["prod.memory"]; d.Outcome != diag.OutcomeExcepted {
		t.Fatalf("before expiry: %+v", d)
	}
	if want := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC); !ev.ir.Exceptions.Until.Equal(want) {
		t.Errorf("Until = %v, want %v", ev.ir.Exceptions.Until, want)
	}
	hits := b.CacheStats().Hits

	p.Now = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	ev = evaluateExcepting(t, b, wi, p)
	d := ev.byRule["prod.memory"]
	if d.Outcome != diag.OutcomeDeny || d.Exception == nil || d.Exception.State != diag.ExceptionExpired || d.Exception.Message != "expired at 2025-07-01T00:00:00Z" {
		t.Errorf("after expiry: decision %+v, exception %+v", d, d.Exception)
	}
	want := []string{"deny prod.memory containers[0].resources.memory.limit", "deny prod.memory containers[1].resources.memory.limit", "warn prod.memory exceptions[0].expires", "deny prod.replicas replicas"}
	if got := lines(ev.findings); !slices.Equal(got, want) {
		t.Errorf("findings\n got %q\nwant %q", got, want)
	}
	if len(ev.excepted) != 0 {
		t.Errorf("excepted after expiry: %v", ev.excepted)
	}
	if !ev.ir.Exceptions.Until.IsZero() {
		t.Errorf("Until after the last expiry = %v, want zero", ev.ir.Exceptions.Until)
	}
	if b.CacheStats().Hits <= hits {
		t.Error("the second evaluation did not use the outcome cache")
	}
}

// Exceptions the bundle does not allow refuse the intent at the exception,
// under the rule's id, and the rule decides as without them.
func TestExceptionRefused(t *testing.T) {
	b := loadExceptionBundle(t)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		exc    *podcv1.PolicyException
		want   string // the refusal: "field: message"
		rule   string
	}{
		{"no terms", nil, exc("prod.team", ""), "exceptions[0].rule: prod.team cannot be excepted: the policy bundle allows no exception to it", "prod.team"},
		{"never", nil, exc("prod.never", ""), "exceptions[0].rule: prod.never cannot be excepted: host networking is never excepted", "prod.never"},
		{"other team", map[string]string{"team": "web"}, exc("prod.replicas", "2025-06-20"),
			"exceptions[0].rule: the policy bundle does not allow this workload an exception to prod.replicas: ask the platform team; exceptions are for payments and search", "prod.replicas"},
		{"no team", map[string]string{}, exc("prod.replicas", "2025-06-20"),
			"exceptions[0].rule: the policy bundle does not allow this workload an exception to prod.replicas", "prod.replicas"},
		{"no expiry", nil, exc("prod.replicas", ""), "exceptions[0].expires: an exception to prod.replicas needs an expiry (an RFC 3339 date or timestamp) at most 30 days away", "prod.replicas"},
		{"too long", nil, exc("prod.replicas", "2025-07-01T00:00:01Z"),
			"exceptions[0].expires: 2025-07-01T00:00:01Z is more than 30 days away: an exception to prod.replicas may last at most 30 days", "prod.replicas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wi := exceptionIntent(tc.exc)
			if tc.labels != nil {
				wi.Labels = tc.labels
			}
			ev := evaluateExcepting(t, b, wi, policy.Params{Profile: "prod", Now: june1})
			var refusals []diag.Finding
			for _, f := range ev.findings {
				if strings.HasPrefix(f.Field, "exceptions[") {
					refusals = append(refusals, f)
				}
			}
			if len(refusals) != 1 || refusals[0].Severity != diag.Deny || refusals[0].RuleID != tc.rule ||
				refusals[0].Stage != diag.StageIntentPolicy || !strings.HasPrefix(refusals[0].Field+": "+refusals[0].Message, tc.want) {
				t.Fatalf("refusals %v, want %q", refusals, tc.want)
			}
			d := ev.byRule[tc.rule]
			if d.Exception == nil || d.Exception.State != diag.ExceptionRefused || d.Exception.Message != refusals[0].Message {
				t.Errorf("decision %+v, exception %+v", d, d.Exception)
			}
			if d.Outcome == diag.OutcomeExcepted || len(ev.excepted) != 0 {
				t.Errorf("a refused exception applied: %+v, excepted %v", d, ev.excepted)
			}
		})
	}
	// Exactly 30 days is allowed, and the judgement holds until the
	// exception expires.
	ev := evaluateExcepting(t, b, exceptionIntent(exc("prod.replicas", "2025-07-01T00:00:00Z")), policy.Params{Profile: "prod", Now: june1})
	if d := ev.byRule["prod.replicas"]; d.Outcome != diag.OutcomeExcepted {
		t.Errorf("30 days: %+v %+v", d, d.Exception)
	}
	// 31 days is refused until 30 days are left: the judgement says so.
	ev = evaluateExcepting(t, b, exceptionIntent(exc("prod.replicas", "2025-07-01")), policy.Params{Profile: "prod", Now: june1})
	if d := ev.byRule["prod.replicas"]; d.Exception.State != diag.ExceptionRefused {
		t.Errorf("31 days: %+v", d.Exception)
	}
	if want := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC); !ev.ir.Exceptions.Until.Equal(want) {
		t.Errorf("Until = %v, want %v (30 days before the expiry)", ev.ir.Exceptions.Until, want)
	}
	ev = evaluateExcepting(t, b, exceptionIntent(exc("prod.replicas", "2025-07-01")), policy.Params{Profile: "prod", Now: june1.Add(24 * time.Hour)})
	if d := ev.byRule["prod.replicas"]; d.Outcome != diag.OutcomeExcepted {
		t.Errorf("a day later: %+v %+v", d, d.Exception)
	}
}

// A rule the bundle does not declare is an invalid intent at the
// exception's rule, naming the id and the rules the profile lets intents
// except; a rule of another profile is noted and has no effect.
func TestExceptionUnknownOrOtherProfile(t *testing.T) {
	b := loadExceptionBundle(t)
	wi := exceptionIntent(exc("prod.memroy", ""), exc("dev.name", ""))
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "prod", Now: june1})
	if err != nil {
		t.Fatal(err)
	}
	var got []diag.Finding
	for _, f := range ir.Findings {
		if strings.HasPrefix(f.Field, "exceptions[") {
			got = append(got, f)
		}
	}
	want := `exceptions[0].rule: no rule "prod.memroy" in the policy bundle; profile prod lets intents except prod.broken, prod.memory, prod.replicas`
	if len(got) != 1 || got[0].Stage != diag.StageIntent || got[0].Severity != diag.Deny || got[0].String() != want {
		t.Errorf("findings %v\nwant %s", got, want)
	}
	if len(ir.Notes) != 1 || ir.Notes[0] != "exceptions[1]: dev.name is not a rule of profile prod: the exception has no effect here" {
		t.Errorf("notes %q", ir.Notes)
	}
	for _, d := range ir.Decisions {
		if d.Exception != nil {
			t.Errorf("decision %s carries %+v", d.RuleID, d.Exception)
		}
	}
}

// Exception terms that fail to evaluate are the rule's fault, reported at
// the exception and failing closed: the exception does not apply.
func TestExceptionTermsFault(t *testing.T) {
	b := loadExceptionBundle(t)
	wi := exceptionIntent(exc("prod.broken", ""))
	wi.Name = "x"
	ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "prod", Now: june1})
	if err != nil {
		t.Fatal(err)
	}
	var fault *diag.Finding
	for i, f := range ir.Findings {
		if f.Fault {
			fault = &ir.Findings[i]
		}
	}
	if fault == nil || fault.RuleID != "prod.broken" || fault.Field != "exceptions[0]" || fault.Severity != diag.Deny ||
		!strings.Contains(fault.Message, "failed to evaluate its exception") {
		t.Fatalf("fault %+v in %v", fault, ir.Findings)
	}
	for _, d := range ir.Decisions {
		if d.RuleID == "prod.broken" && (d.Outcome != diag.OutcomeFault || d.Exception.State != diag.ExceptionRefused) {
			t.Errorf("decision %+v, exception %+v", d, d.Exception)
		}
	}
	if len(ir.Excepted) != 0 || b.Faults()["prod.broken"] != 1 {
		t.Errorf("excepted %v, faults %v", ir.Excepted, b.Faults())
	}
}

// The terms a bundle states are read at load: which rules may be
// excepted, on what terms, and whether that depends on the intent.
func TestExceptionTermsLoad(t *testing.T) {
	b := loadExceptionBundle(t)
	want := map[string]*policy.ExceptionTerms{
		"prod.memory":   {},
		"prod.replicas": {Conditional: true, RequireExpiry: true, MaxDays: 30},
		"prod.broken":   {Conditional: true},
		"dev.name":      {},
	}
	for _, r := range b.Rules() {
		w := want[r.ID]
		if (w == nil) != (r.Exception == nil) || w != nil && *w != *r.Exception {
			t.Errorf("%s: terms %+v, want %+v", r.ID, r.Exception, w)
		}
	}
	for name, src := range map[string]string{
		"maxDays 0":         `exception: {allowed: true, maxDays: 0}`,
		"maxDays not fixed": `exception: {allowed: true, maxDays: intent.replicas}`,
		"no allowed":        `exception: {message: "x"}`,
	} {
		bundle := `package p
profiles: p: description: "p"
rules: "p.r": {profiles: ["p"], severity: "deny", stage: "intent", message: "m", description: "d", violations: [], ` + src + `}
`
		if _, err := policy.Load(fstest.MapFS{"r.cue": {Data: []byte(bundle)}}, "test", policy.Options{}); err == nil {
			t.Errorf("%s: loaded", name)
		} else if !strings.Contains(err.Error(), "r.cue:") {
			t.Errorf("%s: error without its file: %v", name, err)
		}
	}
}

// The default bundle lets restricted workloads except the rules a team
// adopting the profile trips over, for at most parameters.exceptionMaxDays,
// and never the team label or the Pod Security Standards.
func TestDefaultBundleExceptionTerms(t *testing.T) {
	b := defaultBundle(t)
	exceptable := map[string]bool{}
	for _, r := range b.Rules() {
		if r.Exception != nil {
			exceptable[r.ID] = true
			if strings.HasPrefix(r.ID, "restricted.") && (r.Exception.MaxDays != 90 || !r.Exception.Conditional) {
				t.Errorf("%s: %+v", r.ID, r.Exception)
			}
		}
	}
	for _, id := range []string{"restricted.cpu-request", "restricted.memory-limit", "restricted.liveness-probe", "restricted.readiness-probe", "restricted.limit-ratio", "restricted.replicas", "baseline.image-pinned"} {
		if !exceptable[id] {
			t.Errorf("%s cannot be excepted", id)
		}
	}
	for _, id := range []string{"restricted.team-label", "restricted.run-as-non-root", "restricted.seccomp-profile", "baseline.privileged", "baseline.host-namespaces"} {
		if exceptable[id] {
			t.Errorf("%s can be excepted", id)
		}
	}
}
