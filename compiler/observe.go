package compiler

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
)

// Stage names a step of the pipeline in metrics and traces.
type Stage string

// The stages, in the order a request goes through them.
const (
	// StageDecode turns the request's bytes into an intent. The server
	// reports it from its codec; the engine receives intents decoded.
	StageDecode Stage = "decode"
	// StageIntentCheck parses the target version and checks the intent's
	// structure.
	StageIntentCheck Stage = "intent_check"
	// StageIntentPolicy evaluates the intent rules.
	StageIntentPolicy Stage = "intent_policy"
	// StageCompile builds the Kubernetes objects.
	StageCompile Stage = "compile"
	// StageManifestPolicy evaluates the manifest rules.
	StageManifestPolicy Stage = "manifest_policy"
	// StageValidation runs the kube-apiserver's validation.
	StageValidation Stage = "validation"
	// StageRender writes the objects out (and the apiserver's defaults,
	// when asked for).
	StageRender Stage = "render"
)

// Stages lists every stage, in pipeline order.
var Stages = []Stage{StageDecode, StageIntentCheck, StageIntentPolicy, StageCompile, StageManifestPolicy, StageValidation, StageRender}

// Observer is told what the engine does, for metrics: how long each stage
// took and what the policy rules decided. The server implements it with
// Prometheus; the CLI leaves it nil. Its methods are called on the request
// path, from many goroutines at once: they must be safe for concurrent use
// and cheap, and must not keep the slices they are given.
type Observer interface {
	// StageDone reports that one run of stage took d.
	StageDone(stage Stage, d time.Duration)
	// Decided reports the decisions of one policy stage: one per rule of
	// the request's profile that applies at that stage.
	Decided(decisions []diag.Decision)
}

// TracerName is the instrumentation name of the engine's spans.
const TracerName = "github.com/podc-dev/podc/compiler"

// Attributes of the stage spans. They count things and name the bundle;
// they never carry a value of the intent.
const (
	attrPolicyDigest = attribute.Key("podc.policy.digest")
	attrFindings     = attribute.Key("podc.findings")
	attrDenials      = attribute.Key("podc.denials")
	attrObjects      = attribute.Key("podc.objects")
	attrResultCached = attribute.Key("podc.result_cache.hit")
)

// noSpan stands for the stage spans of an engine without a
// TracerProvider: it costs nothing.
var noSpan trace.Span = noop.Span{}

// stageRun is one run of a stage: its span and its start.
type stageRun struct {
	e     *Engine
	stage Stage
	span  trace.Span
	start time.Time
}

// begin starts a run of stage: a child span of the one in ctx (the RPC's,
// on the server) and the clock for the observer.
func (e *Engine) begin(ctx context.Context, stage Stage) stageRun {
	r := stageRun{e: e, stage: stage, span: noSpan}
	if e.tracer != nil {
		_, r.span = e.tracer.Start(ctx, string(stage), trace.WithSpanKind(trace.SpanKindInternal))
	}
	if e.obs != nil {
		r.start = time.Now()
	}
	return r
}

// count records on the span how many findings the stage made and how many
// of them deny.
func (r stageRun) count(fs []diag.Finding) {
	if r.span.IsRecording() {
		r.span.SetAttributes(attrFindings.Int(len(fs)), attrDenials.Int(countDenials(fs)))
	}
}

// bundle records on the span which policy bundle decided.
func (r stageRun) bundle(b *policy.Bundle) {
	if r.span.IsRecording() {
		r.span.SetAttributes(attrPolicyDigest.String(b.Digest()))
	}
}

// objects records on the span how many objects the stage made.
func (r stageRun) objects(n int) {
	if r.span.IsRecording() {
		r.span.SetAttributes(attrObjects.Int(n))
	}
}

// end ends the run. A stage that could not run (err) marks its span failed
// with the kind of failure only: error texts may quote the intent. A
// refused intent is not a failed stage: its findings are counted.
func (r stageRun) end(err error) {
	if r.e.obs != nil {
		r.e.obs.StageDone(r.stage, time.Since(r.start))
	}
	if err != nil && r.span.IsRecording() {
		r.span.SetStatus(codes.Error, failure(err))
	}
	r.span.End()
}

// failure names what kind of failure err is, for a span's status.
func failure(err error) string {
	if de, ok := diag.AsError(err); ok {
		return de.Kind.String()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	}
	return "error"
}

// decided passes one policy stage's decisions to the observer.
func (e *Engine) decided(ds []diag.Decision) {
	if e.obs != nil {
		e.obs.Decided(ds)
	}
}

func countDenials(fs []diag.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == diag.Deny {
			n++
		}
	}
	return n
}
