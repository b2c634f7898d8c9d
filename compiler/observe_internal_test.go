package compiler

import (
	"context"
	"testing"

	"github.com/podc-dev/podc/compiler/diag"
)

// Without an Observer or a TracerProvider, a stage run allocates nothing:
// the CLI and an untraced server pay nothing for the hooks.
func TestStageRunsCostNothingWhenOff(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	fs := []diag.Finding{{Severity: diag.Deny}}
	allocs := testing.AllocsPerRun(100, func() {
		r := e.begin(ctx, StageIntentPolicy)
		r.count(fs)
		r.objects(3)
		r.end(nil)
		e.decided(nil)
	})
	if allocs != 0 {
		t.Errorf("a stage run allocates %v times with observability off", allocs)
	}
}
