package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/server/metrics"
)

// decisionsTotal reads podc_policy_decisions_total{rule, outcome}; -1 when
// the series is not exported.
func decisionsTotal(t *testing.T, m *metrics.Metrics, rule, outcome string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "podc_policy_decisions_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range s.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			if got["rule"] == rule && got["outcome"] == outcome {
				return s.GetCounter().GetValue()
			}
		}
	}
	return -1
}

// An excepted rule shows in the response (its decision OUTCOME_EXCEPTED
// with the exception, its violations among the excepted findings, none
// among the findings), in ListPolicies' per-rule counts and terms, and in
// the decisions metric; an exception the bundle refuses is a
// FAILED_PRECONDITION at the exception, under the rule's id.
func TestExceptionsAreReportedAndCounted(t *testing.T) {
	// A bundle of the test's own: its per-rule counts start at zero however
	// often the test runs (-count).
	b, err := policy.Embedded(policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(b, nil)
	m := metrics.New(metrics.Options{})
	june1 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: st, Observer: m, Clock: func() time.Time { return june1 }})
	m.Track(metrics.Sources{Engine: eng, Policies: st})
	e := serveEnv(t, b, Options{Compiler: eng, Policies: st})
	ctx := context.Background()

	wi, err := intent.Decode([]byte(`{"name": "web", "profile": "restricted", "labels": {"team": "web"},
		"exceptions": [{"rule": "restricted.memory-limit", "reason": "sizing after the load test", "expires": "2025-06-30"},
			{"rule": "restricted.replicas", "reason": "a singleton", "expires": "2025-06-30"}],
		"containers": [{"name": "web", "image": "registry.example.com/web:1.0.0", "resources": {"cpu": {"request": "100m"}},
			"probes": {"liveness": {"exec": {"command": ["true"]}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: wi})
	if err != nil {
		t.Fatal(err)
	}
	rep := resp.GetReport()
	if len(rep.GetFindings()) != 0 || !rep.GetAllowed() {
		t.Errorf("findings %v", rep.GetFindings())
	}
	if ex := rep.GetExcepted(); len(ex) != 1 || ex[0].GetRuleId() != "restricted.memory-limit" || ex[0].GetField() != "containers[0].resources.memory.limit" ||
		ex[0].GetSeverity() != podcv1.Severity_SEVERITY_DENY {
		t.Errorf("excepted %v", ex)
	}
	states := map[string]string{}
	for _, d := range rep.GetDecisions() {
		if x := d.GetException(); x != nil {
			states[d.GetRuleId()] = d.GetOutcome().String() + " " + x.GetState().String() + " " + x.GetField() + " " + x.GetExpires() + " " + x.GetReason()
		}
	}
	want := map[string]string{
		"restricted.memory-limit": "OUTCOME_EXCEPTED EXCEPTION_STATE_APPLIED exceptions[0] 2025-06-30 sizing after the load test",
		"restricted.replicas":     "OUTCOME_PASS EXCEPTION_STATE_UNUSED exceptions[1] 2025-06-30 a singleton",
	}
	if len(states) != len(want) || states["restricted.memory-limit"] != want["restricted.memory-limit"] || states["restricted.replicas"] != want["restricted.replicas"] {
		t.Errorf("decisions' exceptions %q, want %q", states, want)
	}

	// The same request again is answered from the result cache, which
	// remembers every answer here: it decides nothing more.
	if _, err := e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: wi}); err != nil {
		t.Fatal(err)
	}
	lp, err := e.policy.ListPolicies(ctx, &podcv1.ListPoliciesRequest{Profile: "restricted"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lp.GetRules() {
		switch r.GetId() {
		case "restricted.memory-limit":
			if r.GetExcepted() != 1 || r.GetException().GetMaxDays() != 90 || !r.GetException().GetRequireExpiry() || !r.GetException().GetConditional() {
				t.Errorf("%s: excepted %d, terms %v", r.GetId(), r.GetExcepted(), r.GetException())
			}
		case "restricted.team-label":
			if r.GetExcepted() != 0 || r.GetException() != nil {
				t.Errorf("%s: excepted %d, terms %v", r.GetId(), r.GetExcepted(), r.GetException())
			}
		default:
			if r.GetExcepted() != 0 {
				t.Errorf("%s: excepted %d", r.GetId(), r.GetExcepted())
			}
		}
	}
	for _, c := range []struct {
		rule, outcome string
		want          float64
	}{
		{"restricted.memory-limit", "excepted", 1},
		{"restricted.memory-limit", "deny", 0},
		{"restricted.replicas", "pass", 1},
		{"restricted.replicas", "excepted", 0},
		{"restricted.team-label", "excepted", -1}, // cannot be excepted: no series
	} {
		if got := decisionsTotal(t, m, c.rule, c.outcome); got != c.want {
			t.Errorf("podc_policy_decisions_total{rule=%q,outcome=%q} = %v, want %v", c.rule, c.outcome, got, c.want)
		}
	}

	// A refused exception: FAILED_PRECONDITION, the violation at the
	// exception with the rule's id as its reason.
	wi.Exceptions = append(wi.Exceptions, &podcv1.PolicyException{Rule: "restricted.team-label", Reason: "x"})
	_, err = e.compiler.Compile(ctx, &podcv1.CompileRequest{Intent: wi})
	s, br, rep := badRequestOf(t, err)
	if s.Code() != codes.FailedPrecondition || br == nil || len(br.FieldViolations) != 1 {
		t.Fatalf("refused exception: %v", err)
	}
	if v := br.FieldViolations[0]; v.Field != "exceptions[2].rule" || v.Reason != "restricted.team-label" || !strings.Contains(v.Description, "cannot be excepted") {
		t.Errorf("violation %v", v)
	}
	if rep == nil || len(rep.GetExcepted()) != 1 {
		t.Errorf("the refusal's report lacks the excepted violation: %v", rep)
	}
}
