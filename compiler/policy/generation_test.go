package policy_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/podc-dev/podc/compiler/compile"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/target"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/internal/lru"
)

// The outcome cache and the generations are optimisations of the one
// evaluation path: a bundle that remembers nothing and compiles its rules
// into a fresh context every few evaluations decides every intent exactly
// as the default bundle does, through both stages — whose second round
// takes whole inputs' and containers' outcomes together from its cache.
func TestCacheAndGenerationsMatchFreshEvaluation(t *testing.T) {
	ref := defaultBundle(t)
	fresh, err := policy.Embedded(policy.Options{Cache: lru.Bounds{Entries: 1, Bytes: 1}, EvalsPerGeneration: 4})
	if err != nil {
		t.Fatal(err)
	}
	seq0, _ := fresh.Generation()
	ctx := context.Background()
	outcome := func(b *policy.Bundle, i int, profile string) string {
		wi := variants(exampletest.Intent(t, "checkout.json"))[i]
		wi.Name = fmt.Sprintf("checkout-%d", i%5) // names no rule reads, repeated
		p := policy.Params{Profile: profile}
		ir, err := b.EvaluateIntent(ctx, wi, p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := compile.Workload(ir.Intent, compile.Options{Target: target.Default, Defaults: ir.Defaults})
		if err != nil {
			return fmt.Sprint(ir.Findings, ir.Defaults, ir.Decisions) // a malformed variant
		}
		mr, err := b.EvaluateManifests(ctx, out.Objects(), out.Sources, p)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(ir.Findings, ir.Defaults, ir.Decisions, mr.Findings, mr.Decisions)
	}
	for round := range 2 { // the second round reads the reference's cache
		for i := range 24 {
			for _, profile := range []string{"baseline", "restricted", "production"} {
				want := outcome(ref, i, profile)
				if got := outcome(fresh, i, profile); got != want {
					t.Fatalf("round %d, variant %d, %s:\n got %s\nwant %s", round, i, profile, got, want)
				}
			}
		}
	}
	if st := fresh.CacheStats(); st.Entries > 1 || st.Hits > 0 {
		t.Errorf("the one-entry cache served %d hits and holds %d entries", st.Hits, st.Entries)
	}
	// New generations are compiled in the background.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if seq, _ := fresh.Generation(); seq > seq0+2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no new generation after many evaluations")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
