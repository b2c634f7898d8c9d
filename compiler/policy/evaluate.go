package policy

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy/reads"
	"github.com/podc-dev/podc/compiler/provenance"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

var (
	pathField         = cue.MakePath(cue.Str("field"))
	pathManifestField = cue.MakePath(cue.Str("manifestField"))
	pathMessage       = cue.MakePath(cue.Str("message"))
	pathValue         = cue.MakePath(cue.Str("value"))
	pathReason        = cue.MakePath(cue.Str("reason"))
)

// EvaluateIntent runs the intent rules of p.Profile on wi and applies the
// profile's defaults to a copy of wi. An unknown profile is a *diag.Error
// of kind Invalid. A rule that cannot be evaluated on wi is a fault of the
// bundle, reported as a finding with Fault set under the rule's id; the
// error is only ever ctx's, or a fault in podc. It never panics on a
// malformed intent: wi may have failed the structural checks.
func (b *Bundle) EvaluateIntent(ctx context.Context, wi *podcv1.WorkloadIntent, p Params) (*IntentResult, error) {
	p = p.normalized()
	pr := b.byProfile[p.Profile]
	if pr == nil {
		return nil, b.unknownProfile(p.Profile)
	}
	if wi == nil {
		wi = &podcv1.WorkloadIntent{}
	}
	in := flattenIntent(wi, p.Target)
	params := inParams{Profile: p.Profile, NodePortMin: p.NodePorts.Min, NodePortMax: p.NodePorts.Max}
	iw := getInputWriter()
	defer iw.put()
	wholeIn := in
	if _, err := b.scope(b.gen.Load(), pr); err == nil && !pr.wholeIntentReads("containers") {
		// No form on the whole intent reads its containers (each
		// container is its own input): the whole input holds them as
		// null, which changes no form's projection, instead of a
		// few kilobytes written to be skipped.
		trimmed := *in
		trimmed.Containers = nil
		wholeIn = &trimmed
	}
	whole, err := wholeIntentInput(iw, wholeIn, params)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	each, err := containerInputs(iw, in, params)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	fields := make([]string, len(in.Containers))
	for i, c := range in.Containers {
		fields[i] = c.Path
	}
	jd := b.judgeExceptions(wi, pr, p)
	outs, err := b.evaluate(ctx, pr, inputIntent, stageInputs{whole: whole, each: each, fields: fields, also: jd.forms, alsoFields: jd.formFields})
	if err != nil {
		return nil, err
	}
	jd.finish(outs)

	res := &IntentResult{Intent: wi, Exceptions: jd.ex, Notes: jd.notes}
	if !p.IntentOwned {
		res.Intent = proto.Clone(wi).(*podcv1.WorkloadIntent)
	}
	m := res.Intent.ProtoReflect()
	var defaultFaults []diag.Finding
	for _, o := range outs {
		if o.form.part != partDefaults || o.fault != "" {
			continue
		}
		for _, d := range o.defaults {
			set, err := setDefaultSteps(m, d.field, d.steps, d.pathErr, d.value)
			if err != nil {
				defaultFaults = append(defaultFaults, b.faultFinding(o.form, diag.StageIntentPolicy, o.field, err.Error()))
				break
			}
			if set {
				res.Defaults = append(res.Defaults, diag.Default{
					Field: d.field, Value: d.shown, Source: d.source, Reason: d.reason,
				})
			}
		}
	}
	res.Findings, res.Decisions, res.Excepted = b.assemble(pr.intent, diag.StageIntentPolicy, outs, defaultFaults, jd.ex, "")
	res.Findings = append(res.Findings, jd.findings...)
	return res, nil
}

// EvaluateManifests runs the manifest rules of p.Profile on the compiled
// objects. src is compile's record of where their fields came from: the
// findings name the intent paths it gives for the containers and ports
// (with a nil record, or for objects or fields it does not describe, the
// intent paths are empty). Faults are reported as by EvaluateIntent.
func (b *Bundle) EvaluateManifests(ctx context.Context, objs []runtime.Object, src *provenance.Record, p Params) (*ManifestResult, error) {
	p = p.normalized()
	pr := b.byProfile[p.Profile]
	if pr == nil {
		return nil, b.unknownProfile(p.Profile)
	}
	if len(pr.manifest) == 0 {
		return &ManifestResult{}, nil
	}
	// The whole-manifests input is read by no form when the profile has
	// none on it: it is then neither flattened nor written.
	wholeRead := len(pr.forms[inputManifests]) > 0
	m, err := flattenManifests(objs, src, wholeRead)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	params := inParams{Profile: p.Profile, NodePortMin: p.NodePorts.Min, NodePortMax: p.NodePorts.Max}
	iw := getInputWriter()
	defer iw.put()
	var whole []byte
	if wholeRead {
		if whole, err = wholeManifestInput(iw, m, params); err != nil {
			return nil, fmt.Errorf("policy input: %w", err)
		}
	}
	each, err := manifestContainerInputs(iw, m, params)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	fields := make([]string, len(m.Workload.Containers))
	for i, c := range m.Workload.Containers {
		fields[i] = c.Field
	}
	outs, err := b.evaluate(ctx, pr, inputManifests, stageInputs{whole: whole, each: each, fields: fields})
	if err != nil {
		return nil, err
	}
	res := &ManifestResult{}
	res.Findings, res.Decisions, res.Excepted = b.assemble(pr.manifest, diag.StageManifestPolicy, outs, nil, p.Exceptions, m.Workload.Ref)
	return res, nil
}

// stageInputs are one stage's inputs as JSON: the whole intent or
// manifests, and one per container with the container's intent path.
type stageInputs struct {
	whole  []byte
	each   [][]byte
	fields []string
	// also are forms to evaluate on the whole input beside the profile's:
	// the exception forms of the rules the intent asks to except, with
	// alsoFields the intent path each is about ("exceptions[0]").
	also       []*form
	alsoFields []string
}

// formOut is a form's outcome on one input.
type formOut struct {
	*outcome
	form *form
	// field is the intent path of the input's container; empty for the
	// whole input.
	field string
}

// job is a form to evaluate on an input the cache did not know.
type job struct {
	out *formOut
	// in is the input as the form sees it: projected onto its reads.
	in  []byte
	key string
	// quiet is the cache key of the input's conds projection; empty when
	// the form has no conds.
	quiet string
}

// evaluate runs every form of the profile that reads the stage's inputs
// (whole is inputIntent or inputManifests; the per-container kind follows
// it): each form on each of its inputs, from the cache where the part of
// the input it reads was seen before, the rest compiled together in one
// CUE source. The outcomes come in form order, then input order.
func (b *Bundle) evaluate(ctx context.Context, pr *profileRules, whole inputKind, in stageInputs) ([]formOut, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The profile's forms are compiled, and so settled, before anything
	// reads what they read.
	g := b.gen.Load()
	scope, scopeErr := b.scope(g, pr)
	// Jobs point into outs, so it never grows past its capacity.
	outs := make([]formOut, 0, len(pr.forms[whole])+len(in.also)+len(pr.forms[whole+1])*len(in.each))
	var jobs []job
	bufs := scratches.Get().(*scratch)
	defer bufs.release()
	key, view := bufs.key[:0], bufs.view[:0]
	defer func() { bufs.key, bufs.view = key, view }()
	idx := indexes.Get().(*reads.Index)
	defer releaseIndex(idx)
	add := func(f *form, src []byte, field string, indexed bool) {
		outs = append(outs, formOut{form: f, field: field})
		o := &outs[len(outs)-1]
		if f.broken != "" {
			o.outcome = &outcome{fault: "it does not compile: " + f.broken}
			return
		}
		in := src
		if f.reads != nil && indexed {
			view = idx.Project(view[:0], f.reads)
			in = view
		}
		key = cacheKey(key[:0], f, 'r', in)
		if c, ok := b.cache.GetBytes(key); ok {
			o.outcome = c
			return
		}
		jb := job{out: o, key: string(key)}
		if f.conds != nil && indexed {
			view = idx.Project(view[:0], f.conds)
			key = cacheKey(key[:0], f, 'q', view)
			if _, ok := b.cache.GetBytes(key); ok {
				o.outcome = nothing
				return
			}
			jb.quiet = string(key)
		}
		// The key ends with the projected input.
		jb.in = []byte(jb.key[len(jb.key)-len(in):])
		jobs = append(jobs, jb)
	}
	// groups are the inputs whose forms' outcomes are not remembered
	// together: once they are all known, they are (see remembered).
	type group struct {
		key     string
		from, n int
	}
	var groups []group
	// together takes the outcomes of all of fs on the input src at once
	// when they are remembered together, and reports whether it did; if
	// not, the input's group is noted, to be remembered. It projects src
	// in one pass of its own: an input whose outcomes are all remembered
	// is never indexed.
	together := func(kind inputKind, fs []*form, src []byte, field string) bool {
		if scopeErr != nil || len(fs) == 0 {
			return false
		}
		key = b.groupKey(key[:0], pr, kind)
		projected := false
		if gr := pr.groupReads(kind); gr != nil {
			key, projected = reads.ProjectInput(key, src, gr)
		}
		if !projected { // as a form whose reads are unknown, or an input that does not index
			key = append(key, src...)
		}
		if g, ok := b.cache.GetBytes(key); ok && len(g.group) == len(fs) {
			for i, f := range fs {
				outs = append(outs, formOut{outcome: g.group[i], form: f, field: field})
			}
			return true
		}
		groups = append(groups, group{key: string(key), from: len(outs), n: len(fs)})
		return false
	}
	defer func() {
	groups:
		for _, g := range groups {
			all := make([]*outcome, g.n)
			for i := range all {
				if all[i] = outs[g.from+i].outcome; all[i] == nil {
					continue groups // not all known: nothing to remember together
				}
			}
			b.cache.Put(g.key, &outcome{group: all})
		}
	}()
	if fs := pr.forms[whole]; len(fs)+len(in.also) > 0 {
		taken := together(whole, fs, in.whole, "")
		if !taken || len(in.also) > 0 {
			indexed := idx.Reset(in.whole)
			if !taken {
				for _, f := range fs {
					add(f, in.whole, "", indexed)
				}
			}
			for k, f := range in.also {
				add(f, in.whole, in.alsoFields[k], indexed)
			}
		}
	}
	if fs := pr.forms[whole+1]; len(fs) > 0 {
		for k, src := range in.each {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if !together(whole+1, fs, src, in.fields[k]) {
				indexed := idx.Reset(src)
				for _, f := range fs {
					add(f, src, in.fields[k], indexed)
				}
			}
		}
	}
	switch {
	case len(jobs) == 0:
	case scopeErr != nil:
		fault := "the profile's rules do not compile together: " + strings.Join(cueProblems(scopeErr), "; ")
		for _, jb := range jobs {
			jb.out.outcome = &outcome{fault: fault}
		}
	default:
		if err := b.run(ctx, g, scope, jobs); err != nil {
			return nil, err
		}
	}
	// Form order first: the per-container outcomes of a form follow its
	// whole-input ones only by rule, which assemble restores.
	return outs, nil
}

// indexes keeps the inputs' indexes between evaluations, so that indexing
// an input allocates nothing once an index has read one as large.
var indexes = sync.Pool{New: func() any { return new(reads.Index) }}

// releaseIndex returns idx to the pool, unless it grew past what an
// unusually large input needs: the pool then lets it go.
func releaseIndex(idx *reads.Index) {
	if idx.Reset(nil); idx.Cap() <= maxKeptIndex {
		indexes.Put(idx)
	}
}

// maxKeptIndex is the most members a pooled index keeps room for.
const maxKeptIndex = 1 << 14

// scratch is an evaluation's buffers for its keys and projections, kept
// between evaluations so that neither grows again once it has held as
// large a one.
type scratch struct{ key, view []byte }

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// release returns s to the pool, unless a buffer grew past what an
// unusually large input needs: the pool then lets it go.
func (s *scratch) release() {
	if cap(s.key) <= maxKeptScratch && cap(s.view) <= maxKeptScratch {
		scratches.Put(s)
	}
}

// maxKeptScratch is the most bytes a pooled key or view buffer keeps.
const maxKeptScratch = 64 << 10

// nothing is the outcome of a form that produced nothing.
var nothing = &outcome{}

// groupKey appends the start of the key of the outcomes of every form of
// pr that reads input kind, which the input's projection onto what they
// read (profileRules.groupReads) ends: an id past every form's, so that
// no form's key is ever the same, of the profile and the kind, then 'g'.
func (b *Bundle) groupKey(dst []byte, pr *profileRules, kind inputKind) []byte {
	id := len(b.forms) + pr.index*int(numInputs) + int(kind)
	dst = binary.AppendUvarint(dst, uint64(id))
	return append(dst, 'g')
}

// cacheKey is the form's id, the kind of key ('r' for reads, 'q' for
// conds) and the projected input.
func cacheKey(dst []byte, f *form, kind byte, view []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(f.id))
	dst = append(dst, kind)
	return append(dst, view...)
}

// run evaluates the jobs in one CUE source, in the scope of their
// profile's forms compiled into generation g:
//
//	j0: (#F3 & {"container": {...}, "params": {...}}).rules
//	j1: (#F7 & {...}).rules
//
// The inputs are JSON bytes compiled by CUE, never Go values: with
// structure sharing on (the default), CUE v0.17.1 silently sees input built
// with ctx.Encode or FillPath(<Go value>) as _ in the patterns `*c.x | y`
// and `#Def & {c: c}`, so decisions would come out wrong with no error.
//
// An error in one job stays in that job: it is that form's fault on that
// input, and the other jobs read as usual.
func (b *Bundle) run(ctx context.Context, g *generation, scope cue.Value, jobs []job) error {
	n := 0
	for _, jb := range jobs {
		n += len(jb.in) + 32
	}
	buf := make([]byte, 0, n)
	for x, jb := range jobs {
		buf = append(buf, 'j')
		buf = strconv.AppendInt(buf, int64(x), 10)
		buf = append(buf, ": ("...)
		buf = append(buf, jb.out.form.name...)
		buf = append(buf, " & "...)
		buf = append(buf, jb.in...)
		buf = append(buf, ").rules\n"...)
	}
	v := g.ctx.CompileBytes(buf, cue.Filename("input.json"), cue.Scope(scope))
	b.counted(g, len(jobs))
	for x, jb := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := v.LookupPath(cue.MakePath(cue.Str("j" + strconv.Itoa(x))))
		if !e.Exists() {
			// The source as a whole did not compile: podc built it wrong.
			return fmt.Errorf("policy evaluation source: %s", strings.Join(cueProblems(v.Err()), "; "))
		}
		o := b.read(jb.out.form, e.LookupPath(jb.out.form.result))
		jb.out.outcome = o
		b.cache.Put(jb.key, o)
		if jb.quiet != "" && o.empty() {
			b.cache.Put(jb.quiet, nothing)
		}
	}
	return nil
}

// read turns a form's list into its outcome: findings or defaults, or the
// fault that kept it from being read.
func (b *Bundle) read(f *form, v cue.Value) *outcome {
	var o *outcome
	var err error
	switch f.part {
	case partDefaults:
		o, err = b.readDefaults(f, v)
	case partException:
		o, err = b.readException(v)
	default:
		o, err = b.readViolations(f, v)
	}
	if err != nil {
		fault := strings.Join(evalProblems(err), "; ")
		if fault == "" {
			// Not a CUE error (a value of the wrong kind): still a fault,
			// never an outcome of nothing.
			fault = err.Error()
		}
		return &outcome{fault: fault}
	}
	if o.empty() {
		return nothing
	}
	return o
}

func (b *Bundle) readViolations(f *form, v cue.Value) (*outcome, error) {
	r := &b.rules[f.rule]
	o := &outcome{}
	if !v.Exists() {
		return o, nil
	}
	it, err := v.List()
	if err != nil {
		return nil, err
	}
	for it.Next() {
		e := it.Value()
		fd := diag.Finding{Severity: r.Severity, Stage: r.Stage, RuleID: r.ID, Message: r.Message}
		if fd.Field, err = optString(e, pathField); err != nil {
			return nil, err
		}
		if fd.ManifestField, err = optString(e, pathManifestField); err != nil {
			return nil, err
		}
		msg, err := optString(e, pathMessage)
		if err != nil {
			return nil, err
		}
		if msg != "" {
			fd.Message = msg
		}
		o.findings = append(o.findings, fd)
	}
	return o, nil
}

func (b *Bundle) readDefaults(f *form, v cue.Value) (*outcome, error) {
	r := &b.rules[f.rule]
	o := &outcome{}
	if !v.Exists() {
		return o, nil
	}
	it, err := v.List()
	if err != nil {
		return nil, err
	}
	for it.Next() {
		e := it.Value()
		d := pendingDefault{field: "", reason: r.Description}
		if d.field, err = optString(e, pathField); err != nil {
			return nil, err
		}
		if d.field == "" {
			return nil, fmt.Errorf("%s: a default needs a field", e.Path())
		}
		reason, err := optString(e, pathReason)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			d.reason = reason
		}
		if d.value, err = decodeDefault(e.LookupPath(pathValue)); err != nil {
			return nil, err
		}
		d.settle()
		d.source = diag.PolicySource(r.ID)
		o.defaults = append(o.defaults, d)
	}
	return o, nil
}

// assemble orders the findings by rule id, then by input (whole first,
// then container by container), with each rule's faults after its
// findings, and decides each rule of the stage. faults holds faults found
// outside the forms' outcomes (a default that does not fit the intent);
// a fault of a rule outside the stage's list (the defaults of a manifest
// rule, which apply to the intent) is reported too.
//
// A rule whose exception applies (in ex, which may be nil) has its
// findings returned as excepted instead, and decides OutcomeExcepted when
// it has any; its faults stay faults, which an exception does not cover.
// Every rule the intent asks to except has its exception on its decision.
// qualified is a manifest field a rule wrote, named with its object: a
// field without one ("spec.containers[0].image", not "Pod/web:
// spec.containers[0].image") is the workload's. A per-container rule that
// leaves the object out reads nothing of the workload's name, so its
// outcome is shared by workloads of every name.
func qualified(manifestField, workloadRef string) string {
	if manifestField == "" || workloadRef == "" {
		return manifestField
	}
	// An object is "Kind/name": no dots or brackets, as a field path has.
	if i := strings.Index(manifestField, ": "); i > 0 && strings.Contains(manifestField[:i], "/") && !strings.ContainsAny(manifestField[:i], ".[") {
		return manifestField
	}
	return workloadRef + ": " + manifestField
}

func (b *Bundle) assemble(rules []int, stage diag.Stage, outs []formOut, faults []diag.Finding, ex *Exceptions, workloadRef string) (findings []diag.Finding, decisions []diag.Decision, excepted []diag.Finding) {
	// The outcomes by rule, each rule's in their order: a counting sort,
	// byRule[first[r]:first[r+1]] being rule r's.
	first := make([]int32, len(b.rules)+1)
	for i := range outs {
		if outs[i].fault == "" {
			first[outs[i].form.rule+1]++
		}
	}
	for r := 1; r < len(first); r++ {
		first[r] += first[r-1]
	}
	byRule := make([]*formOut, first[len(b.rules)])
	next := slices.Clone(first[:len(b.rules)])
	for i := range outs {
		o := &outs[i]
		if o.fault != "" {
			faults = append(faults, b.faultFinding(o.form, stage, o.field, o.fault))
			continue
		}
		byRule[next[o.form.rule]] = o
		next[o.form.rule]++
	}
	decisions = make([]diag.Decision, 0, len(rules))
	for _, i := range rules {
		r := &b.rules[i]
		before := len(findings)
		for _, o := range byRule[first[i]:first[i+1]] {
			// A per-container rule that finds a pod-level field wrong finds
			// it once per container: it is one violation.
			for _, f := range o.findings {
				f.ManifestField = qualified(f.ManifestField, workloadRef)
				if !slices.Contains(findings[before:], f) {
					findings = append(findings, f)
				}
			}
		}
		d := diag.Decision{RuleID: r.ID, Severity: r.Severity, Outcome: diag.OutcomePass}
		found := len(findings) - before
		var j *judged
		if ex != nil {
			j = ex.byRule[i]
		}
		switch {
		case j != nil && j.applies && found > 0:
			excepted = append(excepted, findings[before:]...)
			findings = findings[:before]
			d.Outcome = diag.OutcomeExcepted
		case found > 0 && r.Severity == diag.Warn:
			d.Outcome = diag.OutcomeWarn
		case found > 0:
			d.Outcome = diag.OutcomeDeny
		}
		if j != nil {
			n := 0
			if d.Outcome == diag.OutcomeExcepted {
				n = found
			}
			d.Exception = j.decided(n)
		}
		for _, f := range faults {
			if f.RuleID == r.ID {
				findings = append(findings, f)
				d.Outcome = diag.OutcomeFault
			}
		}
		if d.Outcome == diag.OutcomeExcepted {
			b.excepted[i].Add(1)
		}
		decisions = append(decisions, d)
	}
	for _, f := range faults {
		if !slices.ContainsFunc(rules, func(i int) bool { return b.rules[i].ID == f.RuleID }) {
			findings = append(findings, f) // not one of these rules': reported here
		}
	}
	return findings, decisions, excepted
}

// faultFinding reports that a form could not be evaluated on an input,
// and counts it. A deny rule's fault refuses the intent; a warn rule's
// warns.
func (b *Bundle) faultFinding(f *form, stage diag.Stage, field, problem string) diag.Finding {
	r := &b.rules[f.rule]
	b.faults[f.rule].Add(1)
	return diag.Finding{
		Severity: r.Severity, Stage: stage, RuleID: r.ID, Field: field, Fault: true,
		Message: fmt.Sprintf("policy rule %s (%s) failed to evaluate its %s: %s", r.ID, b.rulePos[f.rule], f.part.field(), problem),
	}
}

// Faults returns, by rule id, how many times each rule failed to evaluate
// since the bundle was loaded; rules that never failed are left out.
func (b *Bundle) Faults() map[string]uint64 {
	out := map[string]uint64{}
	for i := range b.faults {
		if n := b.faults[i].Load(); n > 0 {
			out[b.rules[i].ID] = n
		}
	}
	return out
}

// decodeDefault reads a default's value: bool, int, string or a list of
// strings. A value with a CUE default (a parameter such as
// `*"1Gi" | string`) is its default.
func decodeDefault(v cue.Value) (any, error) {
	if d, ok := v.Default(); ok {
		v = d
	}
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
	return nil, fmt.Errorf("%s: want a concrete bool, int, string or list of strings, got %v", v.Path(), v.IncompleteKind())
}

func optString(v cue.Value, p cue.Path) (string, error) {
	f := v.LookupPath(p)
	if !f.Exists() {
		return "", nil
	}
	return f.String()
}
