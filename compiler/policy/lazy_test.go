package policy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/bundletest"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/internal/lru"
)

// decide runs both policy stages on wi under profile and prints every
// finding, default and decision.
func decide(t *testing.T, b *policy.Bundle, wi *podcv1.WorkloadIntent, profile string) string {
	t.Helper()
	p := policy.Params{Profile: profile}
	ir, err := b.EvaluateIntent(context.Background(), wi, p)
	if err != nil {
		t.Error(err)
		return ""
	}
	objs, src := compileObjects(t, ir.Intent)
	p.Exceptions = ir.Exceptions
	mr, err := b.EvaluateManifests(context.Background(), objs, src, p)
	if err != nil {
		t.Error(err)
		return ""
	}
	return fmt.Sprint(ir.Findings, ir.Defaults, ir.Decisions, ir.Excepted, mr.Findings, mr.Decisions, mr.Excepted)
}

// A bundle that compiles each profile's rules on the profile's first use
// decides as one that compiles them all at load, when many requests use
// a profile for the first time at once (run with -race), and when its
// generations renew and compile each profile again.
func TestLazyProfilesDecideAsEager(t *testing.T) {
	eager := defaultBundle(t)
	examples := []string{"checkout.json", "hello.json", "resolver.json", "nightly-report.json", "dev-latest.json"}
	profiles := []string{"baseline", "restricted", "production"}
	want := map[string]string{}
	for _, name := range examples {
		for _, profile := range profiles {
			want[name+" "+profile] = decide(t, eager, exampletest.Intent(t, name), profile)
		}
	}
	for _, opts := range []policy.Options{
		{Lazy: true},
		{Lazy: true, Cache: lru.Bounds{Entries: 1, Bytes: 1}, EvalsPerGeneration: 3},
	} {
		lazy, err := policy.Embedded(opts)
		if err != nil {
			t.Fatal(err)
		}
		// Every goroutine starts at once: several meet each profile's
		// first use.
		start := make(chan struct{})
		var wg sync.WaitGroup
		for round := range 2 {
			for _, name := range examples {
				for _, profile := range profiles {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						if got := decide(t, lazy, exampletest.Intent(t, name), profile); got != want[name+" "+profile] {
							t.Errorf("%+v, round %d, %s under %s:\n got %s\nwant %s", opts, round, name, profile, got, want[name+" "+profile])
						}
					}()
				}
			}
		}
		close(start)
		wg.Wait()
		if opts.EvalsPerGeneration > 0 {
			// Its successors compile in the background, as it evaluates.
			deadline := time.Now().Add(10 * time.Second)
			for seq, _ := lazy.Generation(); seq < 3; seq, _ = lazy.Generation() {
				if time.Now().After(deadline) {
					t.Fatalf("%+v: generation %d after many evaluations", opts, seq)
				}
				decide(t, lazy, exampletest.Intent(t, "hello.json"), "restricted")
				time.Sleep(10 * time.Millisecond)
			}
			for _, name := range examples {
				for _, profile := range profiles {
					if got := decide(t, lazy, exampletest.Intent(t, name), profile); got != want[name+" "+profile] {
						t.Errorf("%+v, renewed, %s under %s:\n got %s\nwant %s", opts, name, profile, got, want[name+" "+profile])
					}
				}
			}
		}
		if err := lazy.CompileProfiles(); err != nil {
			t.Errorf("%+v: CompileProfiles: %v", opts, err)
		}
	}
}

// brokenBundle has a rule of profile b whose form cannot compile in any
// evaluation file: its parameter reads the intent, which parameters,
// evaluated once for every request, cannot. Profile a does not use it.
const brokenBundle = `package p
profiles: a: description: "a"
profiles: b: description: "b"
parameters: greeting: "hello \(intent.name)"
rules: "a.fine": {profiles: ["a"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.name == "x" {field: "name"}]}
rules: "b.greets": {profiles: ["b"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if parameters.greeting == "hello x" {field: "name"}]}
rules: "b.warns": {profiles: ["b"], severity: "warn", stage: "intent", message: "m", description: "d", each: "container",
	violations: [if parameters.greeting == "hello x" {field: "\(container.path).name"}]}
`

// A rule whose form does not compile is refused at load by default, naming
// the rule and the cause; loaded lazily, it is found when its profile is
// first used (concurrently, here) and is a fault of that rule, never an
// error of the call: the deny rule's fault denies, the warn rule's warns,
// and the other profile serves. CompileProfiles reports it as load does.
func TestLazyRuleThatDoesNotCompile(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": brokenBundle})
	_, err := policy.LoadDir(dir, policy.Options{})
	var le *policy.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("eager load: got %v, want a *LoadError", err)
	}
	for _, w := range []string{`rules.cue:7:`, `rules["b.greets"].violations`, `rules.cue:4:`, `"intent" not found`, `rules["b.warns"].violations`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("eager load error %q does not mention %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "a.fine") {
		t.Errorf("eager load error %q blames a.fine", err)
	}

	b, err := policy.LoadDir(dir, policy.Options{Lazy: true})
	if err != nil {
		t.Fatalf("lazy load: %v", err)
	}
	wi := exampletest.Intent(t, "hello.json")
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "b"})
			if err != nil {
				t.Errorf("profile b: a rule that does not compile is an error of the call: %v", err)
				return
			}
			var got []string
			for _, f := range ir.Findings {
				if !f.Fault || !strings.Contains(f.Message, "rules.cue:4:") || !strings.Contains(f.Message, "does not compile") {
					t.Errorf("profile b: finding %v: want a fault that names the cause", f)
				}
				got = append(got, f.Severity.String()+" "+f.RuleID+" "+f.Field)
			}
			if want := "[deny b.greets  warn b.warns containers[0]]"; fmt.Sprint(got) != want {
				t.Errorf("profile b: findings %q, want %s", got, want)
			}
			for _, d := range ir.Decisions {
				if d.Outcome != diag.OutcomeFault {
					t.Errorf("profile b: %s decided %v, want a fault", d.RuleID, d.Outcome)
				}
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			ir, err := b.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "a"})
			if err != nil {
				t.Errorf("profile a: %v", err)
				return
			}
			if len(ir.Findings) != 0 || len(ir.Decisions) != 1 || ir.Decisions[0].Outcome != diag.OutcomePass {
				t.Errorf("profile a: findings %v, decisions %v", ir.Findings, ir.Decisions)
			}
		}()
	}
	close(start)
	wg.Wait()
	if f := b.Faults(); f["b.greets"] != 4 || f["b.warns"] != 4 || f["a.fine"] != 0 {
		t.Errorf("fault counts %v", f)
	}
	err = b.CompileProfiles()
	if !errors.As(err, &le) || !strings.Contains(err.Error(), `rules["b.greets"].violations`) || strings.Contains(err.Error(), "a.fine") {
		t.Errorf("CompileProfiles: %v", err)
	}
}

// A profile prepared ahead, while other profiles are first used and
// evaluated at once (run with -race), decides as one compiled on its
// first use; preparing an unknown profile does nothing, and that profile
// is still refused when evaluated.
func TestPrepareProfileDecidesAsFirstUse(t *testing.T) {
	eager := defaultBundle(t)
	wi := exampletest.Intent(t, "checkout.json")
	want := map[string]string{}
	for _, profile := range []string{"baseline", "restricted", "production"} {
		want[profile] = decide(t, eager, wi, profile)
	}
	lazy, err := policy.Embedded(policy.Options{Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	lazy.PrepareProfile("no-such-profile")
	var wg sync.WaitGroup
	for _, profile := range []string{"restricted", "production"} {
		wg.Add(2)
		go func() { defer wg.Done(); lazy.PrepareProfile(profile) }()
		go func() {
			defer wg.Done()
			if got := decide(t, lazy, exampletest.Intent(t, "checkout.json"), profile); got != want[profile] {
				t.Errorf("%s prepared ahead decides\n%s\nwant\n%s", profile, got, want[profile])
			}
		}()
	}
	wg.Wait()
	if got := decide(t, lazy, wi, "baseline"); got != want["baseline"] {
		t.Errorf("baseline, not prepared, decides\n%s\nwant\n%s", got, want["baseline"])
	}
	if _, err := lazy.EvaluateIntent(context.Background(), wi, policy.Params{Profile: "no-such-profile"}); err == nil {
		t.Error("an unknown profile, prepared, was not refused")
	}
}
