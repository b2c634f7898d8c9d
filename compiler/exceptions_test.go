package compiler_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy/store"
)

// clock is a settable Clock for an engine.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func day(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }

// almostRestricted is a restricted intent that lacks only its memory
// limit, with the exceptions given.
func almostRestricted(t *testing.T, exceptions string) compiler.Request {
	t.Helper()
	wi, err := intent.Decode([]byte(`{"name": "web", "profile": "restricted", "labels": {"team": "web"},
		"exceptions": ` + exceptions + `,
		"containers": [{"name": "web", "image": "registry.example.com/web:1.0.0", "resources": {"cpu": {"request": "100m"}},
			"probes": {"liveness": {"exec": {"command": ["true"]}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return compiler.Request{Intent: wi}
}

func decisionOf(rep *diag.Report, rule string) diag.Decision {
	for _, d := range rep.Decisions {
		if d.RuleID == rule {
			return d
		}
	}
	return diag.Decision{}
}

// An exception applies until it expires, judged at the engine's clock;
// the result cache serves the compile until then and not a moment after.
func TestExceptionExpiresOutOfTheResultCache(t *testing.T) {
	clk := &clock{now: day(6, 1)}
	rec := &recorder{}
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: store.New(mustDefault(t), nil), Clock: clk.Now, Observer: rec})
	req := almostRestricted(t, `[{"rule": "restricted.memory-limit", "reason": "sizing after the load test", "expires": "2025-06-30"}]`)

	res, err := eng.Compile(context.Background(), req)
	if err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	d := decisionOf(&res.Report, "restricted.memory-limit")
	if d.Outcome != diag.OutcomeExcepted || d.Exception == nil || d.Exception.State != diag.ExceptionApplied || d.Exception.Reason != "sizing after the load test" {
		t.Errorf("decision %+v, exception %+v", d, d.Exception)
	}
	if len(res.Report.Excepted) != 1 || res.Report.Excepted[0].Field != "containers[0].resources.memory.limit" {
		t.Errorf("excepted %v", res.Report.Excepted)
	}
	if len(res.Report.Warnings()) != 0 || len(res.Report.Denials()) != 0 {
		t.Errorf("findings %v", res.Report.Findings)
	}
	told := false
	for _, d := range rec.decisions {
		told = told || d.RuleID == "restricted.memory-limit" && d.Outcome == diag.OutcomeExcepted
	}
	if !told {
		t.Error("the observer was not told of the excepted decision")
	}

	clk.set(time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC))
	before := eng.ResultCacheStats()
	again, err := eng.Compile(context.Background(), req)
	if err != nil || again != res {
		t.Fatalf("the last second before expiry: %v, from the cache: %v", err, again == res)
	}
	if st := eng.ResultCacheStats(); st.Hits != before.Hits+1 {
		t.Errorf("cache %+v after %+v: want a hit", st, before)
	}

	clk.set(day(7, 1))
	_, err = eng.Compile(context.Background(), req)
	de, ok := diag.AsError(err)
	if !ok || de.Kind != diag.Denied {
		t.Fatalf("after expiry: %v, want a denial", err)
	}
	var got []string
	for _, f := range de.Report.Findings {
		got = append(got, f.Severity.String()+" "+f.RuleID+" "+f.Field)
	}
	for _, want := range []string{"deny restricted.memory-limit containers[0].resources.memory.limit", "warn restricted.memory-limit exceptions[0].expires"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("findings %q lack %q", got, want)
		}
	}
	if x := decisionOf(de.Report, "restricted.memory-limit").Exception; x == nil || x.State != diag.ExceptionExpired {
		t.Errorf("exception %+v", x)
	}
	if st := eng.ResultCacheStats(); st.Misses != before.Misses+1 {
		t.Errorf("cache %+v after %+v: want a miss", st, before)
	}

	// The refusal is remembered: nothing else expires.
	clk.set(day(12, 1))
	if _, err := eng.Compile(context.Background(), req); err == nil {
		t.Error("compiled after expiry")
	}
	if st := eng.ResultCacheStats(); st.Hits != before.Hits+2 {
		t.Errorf("cache %+v after %+v: the refusal was not remembered", st, before)
	}
}

// An exception that lasts longer than its rule's maxDays is refused until
// its expiry comes within them: the cached refusal holds until that
// instant, then the exception applies.
func TestExceptionComesWithinMaxDays(t *testing.T) {
	clk := &clock{now: day(6, 1)}
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil), Clock: clk.Now})
	// Expires at the end of August 31: 90 days later than June 3.
	req := almostRestricted(t, `[{"rule": "restricted.memory-limit", "reason": "sizing", "expires": "2025-08-31"}]`)

	_, err := eng.Compile(context.Background(), req)
	de, ok := diag.AsError(err)
	if !ok || de.Kind != diag.Denied || len(de.Findings) != 2 {
		t.Fatalf("June 1: %v", err)
	}
	if f := de.Findings[1]; f.Field != "exceptions[0].expires" || f.RuleID != "restricted.memory-limit" || !strings.Contains(f.Message, "at most 90 days") {
		t.Errorf("refusal %v", f)
	}
	clk.set(time.Date(2025, 6, 2, 23, 59, 59, 0, time.UTC))
	if _, err := eng.Compile(context.Background(), req); err == nil {
		t.Error("June 2: compiled")
	}
	clk.set(day(6, 3))
	res, err := eng.Compile(context.Background(), req)
	if err != nil {
		t.Fatalf("June 3: %v", err)
	}
	if d := decisionOf(&res.Report, "restricted.memory-limit"); d.Outcome != diag.OutcomeExcepted {
		t.Errorf("June 3: %+v", d)
	}
}

// The intent's problems with its exceptions, each at its field path: an
// unknown rule and a malformed entry are invalid; an exception the bundle
// does not allow is a policy denial under the rule's id.
func TestExceptionRefusals(t *testing.T) {
	clk := &clock{now: day(6, 1)}
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil), Clock: clk.Now})
	for _, tc := range []struct {
		name, exceptions string
		kind             diag.Kind
		want             string // a denial, as it prints
	}{
		{"unknown rule", `[{"rule": "restricted.memory-limits", "reason": "x"}]`, diag.Invalid,
			`exceptions[0].rule: no rule "restricted.memory-limits" in the policy bundle; profile restricted lets intents except restricted.cpu-request, restricted.limit-ratio, restricted.liveness-probe, restricted.memory-limit, restricted.readiness-probe, restricted.replicas`},
		{"no reason", `[{"rule": "restricted.memory-limit", "expires": "2025-06-30"}]`, diag.Invalid,
			"exceptions[0].reason: a reason is needed"},
		{"bad expiry", `[{"rule": "restricted.memory-limit", "reason": "x", "expires": "June 30"}]`, diag.Invalid,
			`exceptions[0].expires: "June 30" is not an RFC 3339 date`},
		{"not exceptable", `[{"rule": "restricted.memory-limit", "reason": "x", "expires": "2025-06-30"}, {"rule": "restricted.team-label", "reason": "x"}]`, diag.Denied,
			"exceptions[1].rule: restricted.team-label cannot be excepted: the team label names who owns the workload, and its exceptions [restricted.team-label]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eng.Compile(context.Background(), almostRestricted(t, tc.exceptions))
			de, ok := diag.AsError(err)
			if !ok || de.Kind != tc.kind {
				t.Fatalf("got %v, want %s", err, tc.kind)
			}
			var got []string
			for _, f := range de.Findings {
				got = append(got, f.String())
				if strings.HasPrefix(f.String(), tc.want) {
					return
				}
			}
			t.Errorf("denials %q lack %q", got, tc.want)
		})
	}
}
