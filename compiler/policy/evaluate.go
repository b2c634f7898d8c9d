package policy

import (
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

var (
	pathField         = cue.MakePath(cue.Str("field"))
	pathManifestField = cue.MakePath(cue.Str("manifestField"))
	pathMessage       = cue.MakePath(cue.Str("message"))
	pathValue         = cue.MakePath(cue.Str("value"))
	pathReason        = cue.MakePath(cue.Str("reason"))
)

// intentOutcome is the cached result of an intent evaluation. It is never
// changed once built; callers get copies.
type intentOutcome struct {
	findings  []diag.Finding
	decisions []diag.Decision
	defaults  []pendingDefault
}

// manifestOutcome is the cached result of a manifest evaluation.
type manifestOutcome struct {
	findings  []diag.Finding
	decisions []diag.Decision
}

// EvaluateIntent runs the intent rules of p.Profile on wi and applies the
// profile's defaults to a copy of wi. An unknown profile is a *diag.Error
// of kind Invalid; any other error is a fault in the bundle or in podc. It
// never panics on a malformed intent: wi may have failed the structural
// checks.
func (b *Bundle) EvaluateIntent(wi *podcv1.WorkloadIntent, p Params) (*IntentResult, error) {
	p = p.normalized()
	pr := b.byProfile[p.Profile]
	if pr == nil {
		return nil, b.unknownProfile(p.Profile)
	}
	if wi == nil {
		wi = &podcv1.WorkloadIntent{}
	}
	src, err := intentInput(wi, p)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	out, ok := b.intentCache.get(string(src))
	if !ok {
		if out, err = b.evalIntent(src, pr); err != nil {
			return nil, err
		}
		b.intentCache.put(string(src), out)
	}

	res := &IntentResult{
		Intent:    proto.Clone(wi).(*podcv1.WorkloadIntent),
		Findings:  slices.Clone(out.findings),
		Decisions: slices.Clone(out.decisions),
	}
	m := res.Intent.ProtoReflect()
	for _, d := range out.defaults {
		set, err := setDefault(m, d.field, d.value)
		if err != nil {
			return nil, fmt.Errorf("policy rule %s: %w", d.ruleID, err)
		}
		if set {
			res.Defaults = append(res.Defaults, diag.Default{
				Field: d.field, Value: d.text(), Source: diag.PolicySource(d.ruleID), Reason: d.reason,
			})
		}
	}
	return res, nil
}

// EvaluateManifests runs the manifest rules of p.Profile on the compiled
// objects of wi (the intent with policy defaults applied).
func (b *Bundle) EvaluateManifests(objs []runtime.Object, wi *podcv1.WorkloadIntent, p Params) (*ManifestResult, error) {
	p = p.normalized()
	pr := b.byProfile[p.Profile]
	if pr == nil {
		return nil, b.unknownProfile(p.Profile)
	}
	if len(pr.manifest) == 0 {
		return &ManifestResult{}, nil
	}
	src, err := manifestInput(objs, wi, p)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	out, ok := b.manifestCache.get(string(src))
	if !ok {
		if out, err = b.evalManifests(src, pr); err != nil {
			return nil, err
		}
		b.manifestCache.put(string(src), out)
	}
	return &ManifestResult{Findings: slices.Clone(out.findings), Decisions: slices.Clone(out.decisions)}, nil
}

// evalPrefix starts a request's CUE source; the input and a stage's tail
// follow.
const evalPrefix = "let B = " + evalDef + " & "

// unify compiles a request's source in the scope of the compiled bundle:
//
//	let B = #Bundle & {"intent": ..., "params": ...}
//	v3: B.rules["restricted.image-pinned"].violations
//	...
//
// The input is JSON bytes compiled by CUE, never Go values (DESIGN.md §6).
// Only the selected rules of the profile and stage are evaluated.
func (b *Bundle) unify(scope cue.Value, src, tail []byte) (cue.Value, error) {
	buf := make([]byte, 0, len(evalPrefix)+len(src)+len(tail))
	buf = append(buf, evalPrefix...)
	buf = append(buf, src...)
	buf = append(buf, tail...)
	v := b.ctx.CompileBytes(buf, cue.Filename("input.json"), cue.Scope(scope))
	if err := v.Err(); err != nil {
		return cue.Value{}, fmt.Errorf("policy input does not fit the bundle: %s", strings.Join(cueProblems(err), "; "))
	}
	return v, nil
}

func (b *Bundle) evalIntent(src []byte, pr *profileRules) (*intentOutcome, error) {
	out, err := b.readIntent(pr.intentScope, src, pr)
	if err != nil {
		// A rule may refer to a rule the trimmed form left out: try the
		// whole bundle before giving up.
		if out, err2 := b.readIntent(b.scope, src, pr); err2 == nil {
			return out, nil
		}
	}
	return out, err
}

func (b *Bundle) readIntent(scope cue.Value, src []byte, pr *profileRules) (*intentOutcome, error) {
	v, err := b.unify(scope, src, pr.intentTail)
	if err != nil {
		return nil, err
	}
	out := &intentOutcome{}
	if out.findings, out.decisions, err = b.decide(v, pr.intent, diag.StageIntentPolicy); err != nil {
		return nil, err
	}
	for _, i := range pr.defaults {
		if out.defaults, err = b.readDefaults(v, i, out.defaults); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (b *Bundle) evalManifests(src []byte, pr *profileRules) (*manifestOutcome, error) {
	out, err := b.readManifests(pr.manifestScope, src, pr)
	if err != nil {
		if out, err2 := b.readManifests(b.scope, src, pr); err2 == nil {
			return out, nil
		}
	}
	return out, err
}

func (b *Bundle) readManifests(scope cue.Value, src []byte, pr *profileRules) (*manifestOutcome, error) {
	v, err := b.unify(scope, src, pr.manifestTail)
	if err != nil {
		return nil, err
	}
	out := &manifestOutcome{}
	out.findings, out.decisions, err = b.decide(v, pr.manifest, diag.StageManifestPolicy)
	return out, err
}

// decide reads the violations of each rule: every one is a finding, and each
// rule gets one decision.
func (b *Bundle) decide(v cue.Value, rules []int, stage diag.Stage) ([]diag.Finding, []diag.Decision, error) {
	var findings []diag.Finding
	decisions := make([]diag.Decision, 0, len(rules))
	for _, i := range rules {
		r := &b.rules[i]
		before := len(findings)
		var err error
		if findings, err = b.readViolations(v, i, stage, findings); err != nil {
			return nil, nil, err
		}
		d := diag.Decision{RuleID: r.ID, Severity: r.Severity, Outcome: diag.OutcomePass}
		if len(findings) > before {
			d.Outcome = diag.OutcomeDeny
			if r.Severity == diag.Warn {
				d.Outcome = diag.OutcomeWarn
			}
		}
		decisions = append(decisions, d)
	}
	return findings, decisions, nil
}

func (b *Bundle) ruleError(i int, what string, err error) error {
	return fmt.Errorf("policy rule %s: %s: %s", b.rules[i].ID, what, strings.Join(cueProblems(err), "; "))
}

func (b *Bundle) readViolations(v cue.Value, i int, stage diag.Stage, dst []diag.Finding) ([]diag.Finding, error) {
	r := &b.rules[i]
	lv := v.LookupPath(b.violations[i])
	if !lv.Exists() {
		return dst, nil
	}
	it, err := lv.List()
	if err != nil {
		return nil, b.ruleError(i, "violations", err)
	}
	for it.Next() {
		e := it.Value()
		f := diag.Finding{Severity: r.Severity, Stage: stage, RuleID: r.ID, Message: r.Message}
		if f.Field, err = optString(e, pathField); err != nil {
			return nil, b.ruleError(i, "violations.field", err)
		}
		if f.ManifestField, err = optString(e, pathManifestField); err != nil {
			return nil, b.ruleError(i, "violations.manifestField", err)
		}
		msg, err := optString(e, pathMessage)
		if err != nil {
			return nil, b.ruleError(i, "violations.message", err)
		}
		if msg != "" {
			f.Message = msg
		}
		dst = append(dst, f)
	}
	return dst, nil
}

func (b *Bundle) readDefaults(v cue.Value, i int, dst []pendingDefault) ([]pendingDefault, error) {
	r := &b.rules[i]
	lv := v.LookupPath(b.defaults[i])
	if !lv.Exists() {
		return dst, nil
	}
	it, err := lv.List()
	if err != nil {
		return nil, b.ruleError(i, "defaults", err)
	}
	for it.Next() {
		e := it.Value()
		d := pendingDefault{ruleID: r.ID, reason: r.Description}
		if d.field, err = optString(e, pathField); err != nil || d.field == "" {
			if err == nil {
				err = fmt.Errorf("a default needs a field")
			}
			return nil, b.ruleError(i, "defaults.field", err)
		}
		reason, err := optString(e, pathReason)
		if err != nil {
			return nil, b.ruleError(i, "defaults.reason", err)
		}
		if reason != "" {
			d.reason = reason
		}
		if d.value, err = decodeDefault(e.LookupPath(pathValue)); err != nil {
			return nil, b.ruleError(i, "defaults.value", err)
		}
		dst = append(dst, d)
	}
	return dst, nil
}

// decodeDefault reads a default's value: bool, int, string or a list of
// strings.
func decodeDefault(v cue.Value) (any, error) {
	switch v.Kind() {
	case cue.BoolKind:
		return v.Bool()
	case cue.IntKind:
		return v.Int64()
	case cue.StringKind:
		return v.String()
	case cue.ListKind:
		var out []string
		err := v.Decode(&out)
		return out, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("want a concrete bool, int, string or list of strings, got %v", v.IncompleteKind())
}

func optString(v cue.Value, p cue.Path) (string, error) {
	f := v.LookupPath(p)
	if !f.Exists() {
		return "", nil
	}
	return f.String()
}
