package policy

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/lru"
)

var (
	pathField         = cue.MakePath(cue.Str("field"))
	pathManifestField = cue.MakePath(cue.Str("manifestField"))
	pathMessage       = cue.MakePath(cue.Str("message"))
	pathValue         = cue.MakePath(cue.Str("value"))
	pathReason        = cue.MakePath(cue.Str("reason"))
)

// A unit is one kind of evaluation of a profile: the whole-intent or
// per-container rules of one stage, with the bundle's evaluation form
// trimmed to those rules. Units are built at load and never change.
type unit struct {
	stage diag.Stage
	// each: the rules read one container (input "container"), and the unit
	// runs once per container, each cached on its own.
	each bool
	// viol and defs are the rules whose violations and defaults the unit
	// reads, by index.
	viol, defs []int
	scope      cue.Value
	tail       []byte
	// needsContainers: some rule of a whole unit may read the containers,
	// so the input carries them.
	needsContainers bool
	// cache holds outcomes by input bytes; outcomes are never changed.
	cache *lru.Cache[[]ruleOut]
	// forms are the unit's rules compiled one by one in formScope, each
	// with its own cache; formIndex maps a rule index to its form. No forms:
	// the unit evaluates with scope only.
	forms     []*ruleForm
	formScope cue.Value
	formIndex map[int]int
}

func (u *unit) empty() bool { return len(u.viol) == 0 && len(u.defs) == 0 }

// ruleOut is what one rule produced for one input.
type ruleOut struct {
	rule     int
	findings []diag.Finding
	defaults []pendingDefault
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
	in := flattenIntent(wi)
	params := inParams{Profile: p.Profile, NodePortMin: p.NodePorts.Min, NodePortMax: p.NodePorts.Max}

	outs, err := b.runStage(pr.intentWhole, pr.intentEach, len(in.Containers),
		func(needsContainers bool) ([]byte, error) { return wholeIntentInput(in, params, needsContainers) },
		func() ([][]byte, error) { return containerInputs(in, params) })
	if err != nil {
		return nil, err
	}

	res := &IntentResult{Intent: proto.Clone(wi).(*podcv1.WorkloadIntent)}
	res.Findings, res.Decisions = b.assemble(pr.intent, outs)
	m := res.Intent.ProtoReflect()
	for _, i := range pr.defaults {
		for _, o := range outs {
			for _, ro := range o {
				if ro.rule != i {
					continue
				}
				for _, d := range ro.defaults {
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
			}
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
	m, err := flattenManifests(objs, wi)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	params := inParams{Profile: p.Profile, NodePortMin: p.NodePorts.Min, NodePortMax: p.NodePorts.Max}
	outs, err := b.runStage(pr.manifestWhole, pr.manifestEach, len(m.Workload.Containers),
		func(needsContainers bool) ([]byte, error) { return wholeManifestInput(m, params, needsContainers) },
		func() ([][]byte, error) { return manifestContainerInputs(m, params) })
	if err != nil {
		return nil, err
	}
	res := &ManifestResult{}
	res.Findings, res.Decisions = b.assemble(pr.manifest, outs)
	return res, nil
}

// runStage evaluates one stage's units: the whole-input unit on the input
// wholeInput builds, and the per-container unit on each of the containers
// eachInputs builds (skipped when there are none).
func (b *Bundle) runStage(whole, each *unit, containers int, wholeInput func(needsContainers bool) ([]byte, error), eachInputs func() ([][]byte, error)) ([][]ruleOut, error) {
	var outs [][]ruleOut
	if !whole.empty() {
		src, err := wholeInput(whole.needsContainers)
		if err != nil {
			return nil, fmt.Errorf("policy input: %w", err)
		}
		o, err := b.run(whole, [][]byte{src})
		if err != nil {
			return nil, err
		}
		outs = append(outs, o...)
	}
	if !each.empty() && containers > 0 {
		srcs, err := eachInputs()
		if err != nil {
			return nil, fmt.Errorf("policy input: %w", err)
		}
		o, err := b.run(each, srcs)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o...)
	}
	return outs, nil
}

// assemble orders the findings by rule id, then by input (whole first, then
// container by container), and decides each rule.
func (b *Bundle) assemble(rules []int, outs [][]ruleOut) ([]diag.Finding, []diag.Decision) {
	var findings []diag.Finding
	decisions := make([]diag.Decision, 0, len(rules))
	for _, i := range rules {
		r := &b.rules[i]
		before := len(findings)
		for _, o := range outs {
			for _, ro := range o {
				if ro.rule == i {
					findings = append(findings, ro.findings...)
				}
			}
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
	return findings, decisions
}

// run evaluates the unit on each input, from the cache where it can; the
// inputs not cached are evaluated together in one CUE source.
func (b *Bundle) run(u *unit, srcs [][]byte) ([][]ruleOut, error) {
	outs := make([][]ruleOut, len(srcs))
	var missing []int
	for k, src := range srcs {
		if o, ok := u.cache.GetBytes(src); ok {
			outs[k] = o
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return outs, nil
	}
	if u.forms != nil {
		if err := b.runRules(u, srcs, missing, outs); err == nil {
			for _, k := range missing {
				u.cache.Put(string(srcs[k]), outs[k])
			}
			return outs, nil
		}
		// An error is reported as the unit's own form reports it.
	}
	batch := make([][]byte, len(missing))
	for j, k := range missing {
		batch[j] = srcs[k]
	}
	res, err := b.evalBatch(u, u.scope, batch)
	if err != nil && u.scope != b.scope {
		// Never expected from a form that compiled, but the whole bundle is
		// the reference: try it before failing.
		if res2, err2 := b.evalBatch(u, b.scope, batch); err2 == nil {
			res, err = res2, nil
		}
	}
	if err != nil {
		return nil, err
	}
	for j, k := range missing {
		outs[k] = res[j]
		u.cache.Put(string(srcs[k]), res[j])
	}
	return outs, nil
}

// evalPrefix starts each input's struct in a request's CUE source.
const evalPrefix = "let B = " + evalDef + " & "

// evalBatch compiles one CUE source for several inputs of a unit, in the
// scope of the compiled bundle:
//
//	c0: {
//		let B = #Bundle & {"intent": ..., "params": ...}
//		v3: B.rules["restricted.image-pinned"].violations
//		...
//	}
//	c1: {...}
//
// The inputs are JSON bytes compiled by CUE, never Go values: with
// structure sharing on (the default), CUE v0.17.1 silently sees input built
// with ctx.Encode or FillPath(<Go value>) as _ in the patterns `*c.x | y`
// and `#Def & {c: c}`, so decisions would come out wrong with no error.
// Only the unit's rules are evaluated.
func (b *Bundle) evalBatch(u *unit, scope cue.Value, srcs [][]byte) ([][]ruleOut, error) {
	n := 0
	for _, s := range srcs {
		n += len(s) + len(u.tail) + len(evalPrefix) + 16
	}
	buf := make([]byte, 0, n)
	for k, s := range srcs {
		buf = append(buf, 'c')
		buf = strconv.AppendInt(buf, int64(k), 10)
		buf = append(buf, ": {\n"...)
		buf = append(buf, evalPrefix...)
		buf = append(buf, s...)
		buf = append(buf, u.tail...)
		buf = append(buf, "}\n"...)
	}
	v := b.ctx.CompileBytes(buf, cue.Filename("input.json"), cue.Scope(scope))
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("policy input does not fit the bundle: %s", strings.Join(cueProblems(err), "; "))
	}
	out := make([][]ruleOut, len(srcs))
	for k := range srcs {
		e := v.LookupPath(cue.MakePath(cue.Str("c" + strconv.Itoa(k))))
		ros := make([]ruleOut, 0, len(u.viol)+len(u.defs))
		for _, i := range u.viol {
			fs, err := b.readViolations(e, i, u.stage)
			if err != nil {
				return nil, err
			}
			ros = append(ros, ruleOut{rule: i, findings: fs})
		}
		for _, i := range u.defs {
			ds, err := b.readDefaults(e, i)
			if err != nil {
				return nil, err
			}
			ros = append(ros, ruleOut{rule: i, defaults: ds})
		}
		out[k] = ros
	}
	return out, nil
}

func (b *Bundle) ruleError(i int, what string, err error) error {
	return fmt.Errorf("policy rule %s: %s: %s", b.rules[i].ID, what, strings.Join(cueProblems(err), "; "))
}

func (b *Bundle) readViolations(v cue.Value, i int, stage diag.Stage) ([]diag.Finding, error) {
	r := &b.rules[i]
	lv := v.LookupPath(b.violations[i])
	if !lv.Exists() {
		return nil, nil
	}
	it, err := lv.List()
	if err != nil {
		return nil, b.ruleError(i, "violations", err)
	}
	var dst []diag.Finding
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

func (b *Bundle) readDefaults(v cue.Value, i int) ([]pendingDefault, error) {
	r := &b.rules[i]
	lv := v.LookupPath(b.defaults[i])
	if !lv.Exists() {
		return nil, nil
	}
	it, err := lv.List()
	if err != nil {
		return nil, b.ruleError(i, "defaults", err)
	}
	var dst []pendingDefault
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
