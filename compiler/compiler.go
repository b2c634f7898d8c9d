// Package compiler runs the podc pipeline: decode and check an intent, apply
// the intent policies, compile, apply the manifest policies, validate with
// the kube-apiserver's rules and render. The gRPC server and the CLI share
// one Engine, so the CLI is a faithful local twin of the service.
package compiler

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/compiler/validate"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/lru"
)

// Options configure an Engine.
type Options struct {
	// Policies serves the active policy bundle. Required.
	Policies *store.Store
	// NodePorts is the platform's node port range; zero means
	// intent.DefaultNodePorts.
	NodePorts intent.PortRange
	// Logger receives internal faults; nil discards them.
	Logger *slog.Logger
	// ResultCache bounds the remembered Compile outcomes, keyed by the
	// whole request and the policy bundle's digest: a zero field takes
	// DefaultResultCache's, a negative Entries turns the cache off. Beside
	// it the engine keeps an index of the wire digests requests came with
	// (see Request.WireDigest): up to four keys per entry, about 512 bytes
	// each.
	ResultCache lru.Bounds
	// ResultAdmission says which answers the result cache remembers: by
	// default (AdmitRepeats) only those of requests compiled before.
	ResultAdmission ResultAdmission
	// Limits bound the size of an intent, checked before any other work;
	// zero fields mean intent.DefaultLimits.
	Limits intent.Limits
	// Observer, when set, is told how long each stage took and what the
	// policy rules decided (see Observer).
	Observer Observer
	// TracerProvider, when set, makes a span for each stage run, a child of
	// the span in the request's context. nil makes none.
	TracerProvider trace.TracerProvider
	// Clock tells the time, read once per compile: the instant the
	// intent's policy exceptions are judged at (expired, or too far
	// away). The service and the CLI both take it from here, so they
	// judge alike. nil means time.Now.
	Clock func() time.Time
}

// DefaultResultCache bounds the remembered Compile outcomes by default.
var DefaultResultCache = lru.Bounds{Entries: 1024, Bytes: 32 << 20}

// The wire index maps the key of a request identified by its wire digest
// to its result cache key, so that a request seen before in the same bytes
// is answered without serializing its intent again. It holds up to
// wireIndexPerResult keys per remembered answer (one intent may come in
// several byte forms: clients that write a map's entries in a random
// order), and at most wireIndexEntryBytes per key on average: both keys
// and lru.EntryOverhead, for a bundle digest of 64 bytes, take about 480.
const (
	wireIndexPerResult  = 4
	wireIndexEntryBytes = 512
)

// Engine compiles intents. It is safe for concurrent use.
type Engine struct {
	policies  *store.Store
	nodePorts intent.PortRange
	limits    intent.Limits
	log       *slog.Logger
	results   *lru.Cache[outcome] // nil when off
	wire      *lru.Cache[string]  // wire key -> result cache key; nil when the cache is off
	seen      *sightings          // nil when every answer is remembered (or none)
	obs       Observer            // nil when none
	tracer    trace.Tracer        // nil when none
	now       func() time.Time
	inFlight  atomic.Int64
}

// outcome is a remembered Compile answer: a result or a refusal, which
// holds until the instant one of the intent's policy exceptions changes
// state (zero: for good).
type outcome struct {
	res   *Result
	err   error
	until time.Time
}

// New returns an Engine.
func New(opts Options) *Engine {
	e := &Engine{policies: opts.Policies, nodePorts: opts.NodePorts, limits: opts.Limits.WithDefaults(), log: opts.Logger, obs: opts.Observer, now: opts.Clock}
	if e.now == nil {
		e.now = time.Now
	}
	if opts.TracerProvider != nil {
		e.tracer = opts.TracerProvider.Tracer(TracerName)
	}
	if e.nodePorts == (intent.PortRange{}) {
		e.nodePorts = intent.DefaultNodePorts
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if b := opts.ResultCache; b.Entries >= 0 {
		if b.Entries == 0 {
			b.Entries = DefaultResultCache.Entries
		}
		if b.Bytes <= 0 {
			b.Bytes = DefaultResultCache.Bytes
		}
		e.results = lru.New[outcome](b, outcome.size)
		n := wireIndexPerResult * b.Entries
		e.wire = lru.New[string](lru.Bounds{Entries: n, Bytes: int64(n) * wireIndexEntryBytes}, func(k string) int64 { return int64(len(k)) })
		if opts.ResultAdmission != AdmitAll {
			e.seen = newSightings(b.Entries)
		}
	}
	return e
}

// size estimates the bytes a remembered outcome holds: its manifests and
// report.
func (o outcome) size() int64 {
	var rep *diag.Report
	n := int64(64)
	if o.res != nil {
		rep = &o.res.Report
		for _, m := range o.res.Manifests {
			n += 96 + int64(len(m.Content)+len(m.Name)+len(m.Namespace)+len(m.Kind)+len(m.APIVersion))
		}
	}
	if de, ok := diag.AsError(o.err); ok {
		rep = de.Report
		n += findingsSize(de.Findings)
	}
	if rep != nil {
		n += findingsSize(rep.Findings)
		for _, d := range rep.Defaults {
			n += 64 + int64(len(d.Field)+len(d.Value)+len(d.Source)+len(d.Reason))
		}
		n += int64(48 * len(rep.Decisions))
		for _, d := range rep.Decisions {
			if x := d.Exception; x != nil {
				n += 64 + int64(len(x.Field)+len(x.Reason)+len(x.Expires)+len(x.Message))
			}
		}
		n += findingsSize(rep.Excepted)
		for _, s := range rep.Sources {
			n += 88 + int64(len(s.Object)+len(s.ManifestField)+len(s.IntentField)+len(s.RuleID))
		}
		for _, note := range rep.Notes {
			n += 16 + int64(len(note))
		}
	}
	return n
}

func findingsSize(fs []diag.Finding) int64 {
	var n int64
	for _, f := range fs {
		n += 96 + int64(len(f.RuleID)+len(f.Field)+len(f.ManifestField)+len(f.Message))
	}
	return n
}

// Policies returns the engine's policy store.
func (e *Engine) Policies() *store.Store { return e.policies }

// ResultCacheStats returns the counters of the result cache; zero when it
// is off.
func (e *Engine) ResultCacheStats() lru.Stats {
	if e.results == nil {
		return lru.Stats{}
	}
	return e.results.Stats()
}

// InFlight returns how many Compile and Validate calls are running.
func (e *Engine) InFlight() int { return int(e.inFlight.Load()) }

// Request is one compile.
type Request struct {
	Intent *podcv1.WorkloadIntent
	// Profile overrides the intent's profile; empty uses the intent's, then
	// policy.DefaultProfile.
	Profile string
	Format  render.Format
	// TargetVersion is "1.NN"; empty means target.Default.
	TargetVersion string
	// APIServerDefaults writes out the defaults the kube-apiserver applies.
	APIServerDefaults bool
	// Explain fills the report's Sources: where each field of the compiled
	// objects came from. Without it they are left out (the pipeline still
	// keeps the same record, compactly, for its own use).
	Explain bool
	// WireDigest, when not zero, identifies Intent by the bytes it was
	// decoded from: a SHA-256 of the full name of the decoded message
	// type and that message's serialized bytes (the intent itself, or a
	// request that holds it). Decoding is a function of those bytes, so
	// equal digests mean equal intents; the caller must not change Intent
	// after decoding it. Compile then finds a request it has answered
	// before in the same bytes without serializing and hashing the intent
	// again, and before checking its size limits. The answer is the same
	// with or without it.
	WireDigest [sha256.Size]byte
	// IntentOwned says the caller made Intent for this request alone (it
	// decoded it) and does not read it after: the engine may then apply
	// the policy defaults to it in place instead of to a copy. Compile
	// never changes an Intent it does not own.
	IntentOwned bool
}

// Result is a compile's output.
type Result struct {
	Manifests    []render.Manifest
	Report       diag.Report
	PolicyDigest string
	Target       target.Version
}

// Compile runs the whole pipeline. A refused intent is a *diag.Error: kind
// Invalid for a malformed intent, Denied for a policy denial, Internal for a
// fault in podc. Warnings ride along in the Result's report.
//
// An intent beyond the engine's size limits is refused (Invalid) before any
// other work. The pipeline is deterministic, so an identical request under
// the same policy bundle gets the remembered answer (from its second
// time, under the default ResultAdmission) — until one of the
// intent's policy exceptions changes state (it expires, or comes within
// its rule's maxDays): a remembered answer is never served past that
// instant. Results may be shared between callers: treat them as
// read-only.
func (e *Engine) Compile(ctx context.Context, req Request) (*Result, error) {
	e.inFlight.Add(1)
	defer e.inFlight.Add(-1)
	bundle := e.policies.Bundle()
	now := e.now()
	// A request seen before in the same bytes is found through the wire
	// index, before its size limits are checked: only a request within
	// them is ever remembered, and nothing of the lookup grows with the
	// intent.
	wkey, wired := e.wireKey(bundle, req)
	var key string
	keyed := false
	if wired {
		if key, keyed = e.wire.Get(wkey); keyed {
			if o, hit := e.remembered(ctx, key, now); hit {
				return o.res, o.err
			}
		}
	}
	// The intent's deterministic serialization, made once, gives both the
	// size admit checks and the result cache's key.
	canon := canonical{size: -1}
	if !keyed && e.results != nil {
		canon = canonicalOf(req.Intent)
	}
	if err := e.admitSized(req, canon.size); err != nil {
		return nil, err
	}
	if !keyed && canon.ok() {
		key, keyed = e.key(keyIntent, canon.sum, bundle, req), true
		if o, hit := e.remembered(ctx, key, now); hit {
			if wired {
				e.wire.Put(wkey, key)
			}
			return o.res, o.err
		}
	}
	res, until, err := e.compile(ctx, bundle, req, now)
	if de, refused := diag.AsError(err); keyed && (err == nil || refused && de.Kind != diag.Internal) && e.admits(key) {
		e.results.Put(key, outcome{res, err, until})
		if wired {
			e.wire.Put(wkey, key)
		}
	}
	return res, err
}

// admits reports whether the answer under key is to be remembered (see
// ResultAdmission).
func (e *Engine) admits(key string) bool {
	return e.seen == nil || e.seen.seenBefore(key)
}

// remembered returns the outcome remembered under key that still holds at
// now.
func (e *Engine) remembered(ctx context.Context, key string, now time.Time) (outcome, bool) {
	o, hit := e.results.GetIf(key, func(o outcome) bool { return o.until.IsZero() || now.Before(o.until) })
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attrResultCached.Bool(hit))
	}
	return o, hit
}

// admit refuses an intent beyond the engine's size limits, so that every
// later stage — the result cache's lookup included — works on a bounded
// one.
func (e *Engine) admit(req Request) error { return e.admitSized(req, -1) }

// admitSized is admit for an intent whose serialized size is known
// (proto.Size, which a deterministic serialization's length equals);
// size < 0 when it is not.
func (e *Engine) admitSized(req Request, size int) error {
	if size < 0 {
		size = proto.Size(req.Intent)
	}
	fs := intent.CheckLimitsOfSize(req.Intent, e.limits, size)
	if len(fs) == 0 {
		return nil
	}
	return &diag.Error{Kind: diag.Invalid, Findings: fs, Report: &diag.Report{Findings: fs}}
}

// canonical is what the result cache needs of an intent's deterministic
// serialization: its length and its digest. Serializing comes before the
// size limits are checked; the intent is then bounded by what decoded it
// (the server's largest request message, a file read whole by the CLI),
// and its length spares the size check a second pass over it.
type canonical struct {
	sum  [sha256.Size]byte
	size int // -1: the intent did not serialize
}

func (c canonical) ok() bool { return c.size >= 0 }

// canonicalOf serializes wi deterministically into a pooled buffer and
// returns its length and digest.
func canonicalOf(wi *podcv1.WorkloadIntent) canonical {
	bp := canonBufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxKeptCanonBuf {
			canonBufs.Put(bp)
		}
	}()
	b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend((*bp)[:0], wi)
	*bp = b
	if err != nil {
		return canonical{size: -1}
	}
	return canonical{sum: sha256.Sum256(b), size: len(b)}
}

// canonBufs holds buffers for intents' serializations; one grown past
// maxKeptCanonBuf (64 KiB) is not kept.
var canonBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxKeptCanonBuf = 64 << 10

// wireKey is the wire index's key of a request that carries a wire
// digest; false when the cache is off or the request carries none.
func (e *Engine) wireKey(bundle *policy.Bundle, req Request) (string, bool) {
	if e.wire == nil || req.WireDigest == [sha256.Size]byte{} {
		return "", false
	}
	return e.key(keyWire, req.WireDigest, bundle, req), true
}

// Kinds of key: of an intent's serialization (the result cache's) and of
// the bytes it was decoded from (the wire index's).
const (
	keyIntent = 'i'
	keyWire   = 'w'
)

// key identifies a request under a bundle: the kind of key, the digest
// that identifies the intent and every option that changes the answer,
// each string preceded by its length, so that two different requests
// never share a key unless their digests collide.
func (e *Engine) key(kind byte, sum [sha256.Size]byte, bundle *policy.Bundle, req Request) string {
	digest := bundle.Digest()
	k := make([]byte, 0, 1+len(sum)+len(req.Profile)+len(req.TargetVersion)+len(digest)+48)
	k = append(k, kind)
	k = append(k, sum[:]...)
	for _, s := range []string{req.Profile, req.TargetVersion, digest} {
		k = binary.AppendUvarint(k, uint64(len(s)))
		k = append(k, s...)
	}
	k = binary.AppendVarint(k, int64(req.Format))
	k = append(k, boolByte(req.APIServerDefaults), boolByte(req.Explain))
	k = binary.AppendVarint(k, int64(e.nodePorts.Min))
	k = binary.AppendVarint(k, int64(e.nodePorts.Max))
	return string(k)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// compile runs the pipeline with the intent's exceptions judged at now.
// It also returns until when the answer holds (zero: for good).
func (e *Engine) compile(ctx context.Context, bundle *policy.Bundle, req Request, now time.Time) (*Result, time.Time, error) {
	res, rd, until, err := e.run(ctx, bundle, req, now, true)
	if err != nil {
		return nil, until, err
	}
	if !res.Report.Allowed() {
		return nil, until, refusal(res)
	}
	if err := ctx.Err(); err != nil {
		return nil, until, err
	}
	rs := e.begin(ctx, StageRender)
	res.Manifests, err = rd.render(req)
	rs.end(err)
	if err != nil {
		return nil, until, e.internal(req, err)
	}
	return res, until, nil
}

// rendering is what the stages leave for render: the compiled objects,
// or, when validation defaulted them in place, the snapshot of them taken
// before it.
type rendering struct {
	objs []runtime.Object
	snap *render.Snapshot
}

// render writes the objects out in the requested format, with the
// apiserver's defaults when asked for.
func (rd rendering) render(req Request) ([]render.Manifest, error) {
	if rd.snap != nil {
		return rd.snap.Render(req.Format)
	}
	objs := rd.objs
	if req.APIServerDefaults {
		objs = validate.Defaulted(objs)
	}
	return render.Objects(objs, req.Format)
}

// Validate runs the pipeline as a dry run and returns the whole report,
// every problem at once. Its error is only ever an Internal one. An intent
// beyond the engine's size limits gets a report of those problems alone.
func (e *Engine) Validate(ctx context.Context, req Request) (*Result, error) {
	e.inFlight.Add(1)
	defer e.inFlight.Add(-1)
	if err := e.admit(req); err != nil {
		de, _ := diag.AsError(err)
		return &Result{Report: *de.Report, PolicyDigest: e.policies.Bundle().Digest()}, nil
	}
	res, _, _, err := e.run(ctx, e.policies.Bundle(), req, e.now(), false)
	if err != nil {
		if de, ok := diag.AsError(err); ok && de.Kind != diag.Internal && de.Report != nil {
			return &Result{Report: *de.Report, PolicyDigest: res.PolicyDigest, Target: res.Target}, nil
		}
		return nil, err
	}
	return res, nil
}

// run executes every stage it can, collecting the report, with the
// intent's policy exceptions judged at now. It returns an error only when
// a stage cannot run at all; denials stay in the report. until is the
// instant the outcome stops holding because an exception changes state
// (zero: it holds for good). rendered says the objects will be rendered
// (Compile, not a dry run): rd then holds what render writes them from.
func (e *Engine) run(ctx context.Context, bundle *policy.Bundle, req Request, now time.Time, rendered bool) (res *Result, rd rendering, until time.Time, err error) {
	res, rd, ex, err := e.stages(ctx, bundle, req, now, rendered)
	if ex != nil {
		until = ex.Until
	}
	return res, rd, until, err
}

// stages is run, returning the judgement of the intent's exceptions once
// the intent policies have made it.
func (e *Engine) stages(ctx context.Context, bundle *policy.Bundle, req Request, now time.Time, rendered bool) (*Result, rendering, *policy.Exceptions, error) {
	res := &Result{PolicyDigest: bundle.Digest()}
	if err := ctx.Err(); err != nil {
		return res, rendering{}, nil, err
	}
	rep := &res.Report
	wi := req.Intent
	if wi == nil {
		wi = &podcv1.WorkloadIntent{}
	}

	check := e.begin(ctx, StageIntentCheck)
	tv, err := target.Parse(req.TargetVersion)
	if err != nil {
		rep.Findings = append(rep.Findings, diag.Denyf(diag.StageIntent, "targetVersion", "%v", err))
		check.count(rep.Findings)
		check.end(nil)
		return res, rendering{}, nil, &diag.Error{Kind: diag.Invalid, Findings: rep.Denials(), Report: rep}
	}
	res.Target = tv

	rep.Profile = req.Profile
	if rep.Profile == "" {
		rep.Profile = wi.GetProfile()
	}
	if rep.Profile == "" {
		rep.Profile = policy.DefaultProfile
	}
	params := policy.Params{Profile: rep.Profile, NodePorts: e.nodePorts, Target: tv, Now: now, IntentOwned: req.IntentOwned}

	// Structural checks and intent policies both run, so a form sees every
	// problem at once; a malformed intent is not compiled.
	rep.Findings = append(rep.Findings, intent.Check(wi, intent.Options{Target: tv, NodePorts: e.nodePorts})...)
	check.count(rep.Findings)
	check.end(nil)

	ipol := e.begin(ctx, StageIntentPolicy)
	ipol.bundle(bundle)
	ir, err := bundle.EvaluateIntent(ctx, wi, params)
	if err == nil {
		ipol.count(ir.Findings)
		e.decided(ir.Decisions)
	}
	ipol.end(err)
	if err != nil {
		if de, ok := diag.AsError(err); ok && de.Kind == diag.Invalid {
			rep.Findings = append(rep.Findings, de.Findings...)
			return res, rendering{}, nil, &diag.Error{Kind: diag.Invalid, Findings: rep.Denials(), Report: rep}
		}
		return res, rendering{}, nil, e.fault(req, err)
	}
	rep.Findings = append(rep.Findings, ir.Findings...)
	// Room at once for what compile and the manifest rules add: its
	// defaults, and about as many manifest rules as intent rules.
	rep.Defaults = append(slices.Grow(rep.Defaults, len(ir.Defaults)+compile.DefaultsRoom(wi)), ir.Defaults...)
	rep.Decisions = append(slices.Grow(rep.Decisions, 2*len(ir.Decisions)), ir.Decisions...)
	rep.Excepted = append(rep.Excepted, ir.Excepted...)
	rep.Notes = append(rep.Notes, ir.Notes...)
	// Malformed: the structural checks refuse it, or it asks to except a
	// rule the bundle does not declare.
	if len(stageDenials(rep, diag.StageIntent)) > 0 {
		return res, rendering{}, ir.Exceptions, &diag.Error{Kind: diag.Invalid, Findings: stageDenials(rep, diag.StageIntent), Report: rep}
	}
	// A value a policy default wrote that the checks refuse is the rule's
	// fault, refused before it reaches the compiler.
	if fs := unsoundDefaults(ir.Intent, ir.Defaults, intent.Options{Target: tv, NodePorts: e.nodePorts}); len(fs) > 0 {
		rep.Findings = append(rep.Findings, fs...)
		return res, rendering{}, ir.Exceptions, &diag.Error{Kind: diag.Denied, Findings: rep.Denials(), Report: rep}
	}

	if err := ctx.Err(); err != nil {
		return res, rendering{}, ir.Exceptions, err
	}
	comp := e.begin(ctx, StageCompile)
	out, err := compile.Workload(ir.Intent, compile.Options{Target: tv, Defaults: ir.Defaults})
	var objs []runtime.Object
	if err == nil {
		objs = out.Objects()
		comp.objects(len(objs))
	}
	comp.end(err)
	if err != nil {
		return res, rendering{}, ir.Exceptions, e.internal(req, err)
	}
	// The record is read by the stages below and by the explanation, all
	// within this run; its memory then serves the next compile.
	defer out.Sources.Release()
	rep.Defaults = append(rep.Defaults, out.Defaults...)
	rep.Notes = append(rep.Notes, out.Notes...)
	if req.Explain {
		rep.Sources = out.Sources.Sources()
	}

	mpol := e.begin(ctx, StageManifestPolicy)
	mpol.bundle(bundle)
	params.Exceptions = ir.Exceptions
	mr, err := bundle.EvaluateManifests(ctx, objs, out.Sources, params)
	if err == nil {
		mpol.count(mr.Findings)
		e.decided(mr.Decisions)
	}
	mpol.end(err)
	if err != nil {
		return res, rendering{}, ir.Exceptions, e.fault(req, err)
	}
	rep.Findings = append(rep.Findings, mr.Findings...)
	rep.Decisions = append(rep.Decisions, mr.Decisions...)
	rep.Excepted = append(rep.Excepted, mr.Excepted...)

	// Objects that fail the apiserver's validation are never returned: the
	// fault is a policy's when a policy default wrote the failing field or
	// a policy rule already denies it (or would, but for an exception),
	// else the compiler's.
	if err := ctx.Err(); err != nil {
		return res, rendering{}, ir.Exceptions, err
	}
	vopts := validate.Options{Target: tv, NodePorts: e.nodePorts, Sources: out.Sources}
	val := e.begin(ctx, StageValidation)
	rd := rendering{objs: objs}
	switch {
	case !rendered:
		// A dry run renders nothing: the objects are validation's to change.
		vopts.Consume = true
	case !req.APIServerDefaults && rep.Allowed():
		// The apiserver's validation defaults and converts the objects in
		// place, as it does a request's, rather than copies of them;
		// render writes them out as they were compiled, from a snapshot
		// taken first: the first half of rendering, done before.
		if rd.snap, err = render.Take(objs); err != nil {
			val.end(err)
			return res, rendering{}, ir.Exceptions, e.internal(req, err)
		}
		rd.objs, vopts.Consume = nil, true
	}
	blamed, policyFault := []diag.Finding(nil), false
	if vf := validate.Objects(objs, vopts); len(vf) > 0 {
		blamed, policyFault = validate.Blame(vf, out.Sources, append(rep.Denials(), rep.Excepted...))
	}
	val.count(blamed)
	val.end(nil)
	rep.Findings = append(rep.Findings, blamed...)
	if diag.HasDeny(blamed) {
		if !policyFault {
			return res, rendering{}, ir.Exceptions, e.internal(req, fmt.Errorf("compiled objects fail validation: %v", blamed))
		}
		return res, rendering{}, ir.Exceptions, &diag.Error{Kind: diag.Denied, Findings: rep.Denials(), Report: rep}
	}
	rep.Notes = append(rep.Notes, validate.Note(vopts))
	return res, rd, ir.Exceptions, nil
}

// refusal turns a report with denials into the error Compile returns: a
// malformed intent is Invalid; else a deny rule that failed to evaluate
// makes it a PolicyFault (the rule fails closed); else it is Denied.
func refusal(res *Result) error {
	rep := &res.Report
	denials := rep.Denials()
	kind := diag.Denied
	switch {
	case len(stageDenials(rep, diag.StageIntent)) > 0:
		kind = diag.Invalid
	case slices.ContainsFunc(denials, func(f diag.Finding) bool { return f.Fault }):
		kind = diag.PolicyFault
	}
	return &diag.Error{Kind: kind, Findings: denials, Report: rep}
}

func stageDenials(rep *diag.Report, s diag.Stage) []diag.Finding {
	var out []diag.Finding
	for _, f := range rep.Denials() {
		if f.Stage == s {
			out = append(out, f)
		}
	}
	return out
}

// fault passes on the caller's cancellation and deadline as they are; any
// other error is podc's own.
func (e *Engine) fault(req Request, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return e.internal(req, err)
}

// internal logs a fault with the intent's digest and returns an Internal
// error that tells the caller nothing of podc's insides.
func (e *Engine) internal(req Request, err error) error {
	digest := IntentDigest(req.Intent)
	e.log.Error("internal fault", "intent_digest", digest, "profile", req.Profile, "target", req.TargetVersion, "error", err)
	return &diag.Error{Kind: diag.Internal, Cause: err, Findings: []diag.Finding{{
		Severity: diag.Deny, Stage: diag.StageCompile,
		Message: "internal error compiling intent " + digest + "; the fault is logged",
	}}}
}

// IntentDigest is a short, stable digest of an intent for logs: it names the
// intent without logging its values.
func IntentDigest(wi *podcv1.WorkloadIntent) string {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(wi)
	if err != nil {
		return "unknown"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
