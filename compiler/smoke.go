package compiler

import (
	"context"
	"fmt"
	"io/fs"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/policytest"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/examples"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// LoadBundle loads the policy bundle in dir and checks it on its smoke set
// (CheckBundle): what `podc serve --policies`, every reload and
// `podc policy vet` run, so a bundle that would fail at request time never
// serves.
func LoadBundle(dir string, opts policy.Options, nodePorts intent.PortRange) (*policy.Bundle, error) {
	b, err := policy.LoadDir(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := CheckBundle(b, nodePorts); err != nil {
		return nil, err
	}
	return b, nil
}

// CheckBundle compiles every profile's rules (a bundle loaded with
// policy.Options.Lazy compiles them only on first use) and evaluates the
// bundle on its smoke set, its own test cases (tests/*.txtar) and the
// example intents, under every profile it declares, through both policy
// stages and the compiler, as a request would; and the exception terms of
// every rule of the profile that has them, on each intent as if it asked
// to except them all. A rule that does not compile, or fails to evaluate
// on any of them, or whose default writes a value the structural checks
// refuse, makes the bundle unfit to serve: the error, a *policy.LoadError,
// names each such rule with its file:line, the profile and the smoke
// input.
func CheckBundle(b *policy.Bundle, nodePorts intent.PortRange) error {
	if err := b.CompileProfiles(); err != nil {
		return err
	}
	cases, err := smokeSet(b)
	if err != nil {
		return &policy.LoadError{Source: b.Source(), Problems: []string{err.Error()}}
	}
	if nodePorts == (intent.PortRange{}) {
		nodePorts = intent.DefaultNodePorts
	}
	ctx := context.Background()
	// The first fault of each rule, and how many more inputs it failed on.
	var first []string
	more := map[string]int{}
	msgs := map[string]string{}
	report := func(profile, input string, fs []diag.Finding) {
		for _, f := range fs {
			switch {
			case !f.Fault:
			case slices.Contains(first, f.RuleID):
				more[f.RuleID]++
			default:
				first = append(first, f.RuleID)
				msgs[f.RuleID] = fmt.Sprintf("%s [profile %s, smoke input %s]", f.Message, profile, input)
			}
		}
	}
	for _, p := range b.Profiles() {
		params := policy.Params{Profile: p.Name, NodePorts: nodePorts}
		exceptAll := exceptionsTo(b, p.Name)
		for _, c := range cases {
			if len(exceptAll) > 0 {
				wi := proto.Clone(c.Intent).(*podcv1.WorkloadIntent)
				wi.Exceptions = exceptAll
				ir, err := b.EvaluateIntent(ctx, wi, params)
				if err != nil {
					return fmt.Errorf("smoke input %s: %w", c.Name, err)
				}
				report(p.Name, c.Name+" (excepting every rule that allows it)", ir.Findings)
			}
			ir, err := b.EvaluateIntent(ctx, c.Intent, params)
			if err != nil {
				return fmt.Errorf("smoke input %s: %w", c.Name, err)
			}
			report(p.Name, c.Name, ir.Findings)
			params := params
			params.Exceptions = ir.Exceptions
			checks := intent.Options{Target: target.Default, NodePorts: nodePorts}
			if diag.HasDeny(intent.Check(c.Intent, checks)) {
				continue // malformed: a request would stop before compiling
			}
			// A default that writes a value the checks refuse fails every
			// request it applies to: the rule is unfit to serve.
			if fs := unsoundDefaults(ir.Intent, ir.Defaults, checks); len(fs) > 0 {
				for i := range fs {
					fs[i].Fault = true
				}
				report(p.Name, c.Name, fs)
				continue
			}
			out, err := compile.Workload(ir.Intent, compile.Options{Target: target.Default, Defaults: ir.Defaults})
			if err != nil {
				continue // the compiler's own refusal, not the bundle's
			}
			mr, err := b.EvaluateManifests(ctx, out.Objects(), out.Sources, params)
			if err != nil {
				return fmt.Errorf("smoke input %s: %w", c.Name, err)
			}
			report(p.Name, c.Name, mr.Findings)
		}
	}
	if len(first) == 0 {
		return nil
	}
	problems := make([]string, 0, len(first))
	for _, id := range first {
		line := msgs[id]
		if n := more[id]; n > 0 {
			line += fmt.Sprintf(" (and %d more smoke evaluations)", n)
		}
		problems = append(problems, line)
	}
	return &policy.LoadError{Source: b.Source(), Problems: problems}
}

// exceptionsTo asks to except every rule of the profile that has
// exception terms, without an expiry, so that each rule's terms are
// evaluated whatever else they require.
func exceptionsTo(b *policy.Bundle, profile string) []*podcv1.PolicyException {
	var out []*podcv1.PolicyException
	for _, r := range b.Rules() {
		if r.Exception != nil && slices.Contains(r.Profiles, profile) {
			out = append(out, &podcv1.PolicyException{Rule: r.ID, Reason: "smoke"})
		}
	}
	return out
}

// smokeSet is the bundle's own test cases and the example intents.
func smokeSet(b *policy.Bundle) ([]policytest.Case, error) {
	cases, err := policytest.Cases(b.Files())
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(examples.FS(), "*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := fs.ReadFile(examples.FS(), name)
		if err != nil {
			return nil, err
		}
		wi, err := intent.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("example %s: %v", name, err)
		}
		cases = append(cases, policytest.Case{Name: "examples/" + name, Intent: wi})
	}
	return cases, nil
}
