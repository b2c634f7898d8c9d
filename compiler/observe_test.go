package compiler_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy/store"
)

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu        sync.Mutex
	stages    []compiler.Stage
	decisions []diag.Decision
}

func (r *recorder) StageDone(s compiler.Stage, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d < 0 {
		panic("negative duration")
	}
	r.stages = append(r.stages, s)
}

func (r *recorder) Decided(ds []diag.Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.decisions = append(r.decisions, ds...)
}

// engineStages are the stages the engine runs itself (decode is the
// caller's), in order.
var engineStages = []compiler.Stage{
	compiler.StageIntentCheck, compiler.StageIntentPolicy, compiler.StageCompile,
	compiler.StageManifestPolicy, compiler.StageValidation, compiler.StageRender,
}

func TestObserverSeesEveryStageAndDecision(t *testing.T) {
	rec := &recorder{}
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: store.New(mustDefault(t), nil), Observer: rec})
	res, err := eng.Compile(context.Background(), checkout(t))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.stages, engineStages) {
		t.Errorf("stages %v, want %v", rec.stages, engineStages)
	}
	if len(rec.decisions) == 0 || !slices.Equal(rec.decisions, res.Report.Decisions) {
		t.Errorf("decisions told %v, want the report's %v", rec.decisions, res.Report.Decisions)
	}

	// An identical request is answered from the result cache: no stage runs.
	rec.stages, rec.decisions = nil, nil
	if _, err := eng.Compile(context.Background(), checkout(t)); err != nil {
		t.Fatal(err)
	}
	if len(rec.stages) != 0 || len(rec.decisions) != 0 {
		t.Errorf("a cached answer ran stages %v, decisions %v", rec.stages, rec.decisions)
	}

	// A malformed intent stops after the intent policies.
	rec.stages = nil
	bad := checkout(t)
	bad.Intent.Name = "Not_A_Name"
	if _, err := eng.Compile(context.Background(), bad); err == nil {
		t.Fatal("a malformed intent compiled")
	}
	if want := engineStages[:2]; !slices.Equal(rec.stages, want) {
		t.Errorf("stages of a malformed intent %v, want %v", rec.stages, want)
	}
	if n := eng.InFlight(); n != 0 {
		t.Errorf("InFlight = %d after every call returned", n)
	}
}

func TestStageSpansAreChildrenOfTheCallersSpan(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil), TracerProvider: tp})

	req := checkout(t)
	ctx, parent := tp.Tracer("test").Start(context.Background(), "rpc")
	if _, err := eng.Compile(ctx, req); err != nil {
		t.Fatal(err)
	}
	parent.End()

	spans := exp.GetSpans()
	var names []compiler.Stage
	for _, s := range spans {
		if s.Name == "rpc" {
			continue
		}
		names = append(names, compiler.Stage(s.Name))
		if s.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %s is not a child of the caller's span", s.Name)
		}
	}
	if !slices.Equal(names, engineStages) {
		t.Errorf("spans %v, want %v", names, engineStages)
	}
	assertNoIntentValues(t, spans, req.Intent.GetName(), req.Intent.GetContainers()[0].GetImage())
}

// assertNoIntentValues fails when an attribute, event or status of a span
// carries one of the intent's values.
func assertNoIntentValues(t *testing.T, spans tracetest.SpanStubs, values ...string) {
	t.Helper()
	for _, s := range spans {
		texts := []string{s.Status.Description}
		for _, a := range s.Attributes {
			texts = append(texts, a.Value.Emit())
		}
		for _, ev := range s.Events {
			texts = append(texts, ev.Name)
			for _, a := range ev.Attributes {
				texts = append(texts, a.Value.Emit())
			}
		}
		for _, text := range texts {
			for _, v := range values {
				if v != "" && strings.Contains(text, v) {
					t.Errorf("span %s carries the intent's value %q: %q", s.Name, v, text)
				}
			}
		}
	}
}
