package compiler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/internal/lru"
)

// cancelAfter is a context that reports itself canceled from its n-th
// Err() call on: a deadline that passes at a chosen point of the pipeline.
type cancelAfter struct {
	context.Context
	n, calls atomic.Int64
}

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) > c.n.Load() {
		return context.Canceled
	}
	return nil
}

// The pipeline looks at its context between stages, between containers and
// between policy rules: a call whose deadline passes at any of those points
// ends with the context's error (never a result, a refusal or an internal
// fault), and a later call still compiles.
func TestCancellationInsideThePipeline(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: newEngine(t, intent.PortRange{}).Policies(), ResultCache: lru.Bounds{Entries: -1}})
	req := checkout(t)
	req.Format = render.YAML
	checks := 0
	for n := int64(0); ; n++ {
		ctx := &cancelAfter{Context: context.Background()}
		ctx.n.Store(n)
		res, err := eng.Compile(ctx, req)
		if err == nil {
			if res == nil || len(res.Manifests) == 0 {
				t.Fatal("no manifests")
			}
			checks = int(n)
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled at check %d: got %v, want context.Canceled", n, err)
		}
		if n > 1000 {
			t.Fatal("the pipeline never finished")
		}
	}
	t.Logf("the pipeline looked at its context %d times", checks)
	// Stages, checkout's four containers in each policy stage and the
	// policy jobs: many more points than the six stages alone.
	if checks < 12 {
		t.Errorf("the pipeline looked at its context %d times; want it between stages, containers and rules", checks)
	}
}
