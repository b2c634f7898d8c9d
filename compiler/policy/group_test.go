package policy

import (
	"context"
	"fmt"
	"testing"

	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/internal/lru"
)

// An intent that differs from one evaluated before only in what no rule
// reads (its name) takes every outcome from the cache together: one
// lookup for the whole input and one per container, none per form. One
// that differs in what a container rule reads (an image) takes that
// container's outcomes form by form, and decides it anew.
func TestOutcomesOfAnInputTakenTogether(t *testing.T) {
	b, err := Embedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := Params{Profile: "restricted"}
	wi := exampletest.Intent(t, "checkout.json")
	containers := len(wi.GetContainers()) + len(wi.GetSidecars()) + len(wi.GetInitSteps())
	first, err := b.EvaluateIntent(ctx, wi, p)
	if err != nil {
		t.Fatal(err)
	}
	lookups := func(s0, s1 lru.Stats) (uint64, uint64) { return s1.Hits - s0.Hits, s1.Misses - s0.Misses }

	wi.Name = "checkout-2"
	s0 := b.CacheStats()
	again, err := b.EvaluateIntent(ctx, wi, p)
	if err != nil {
		t.Fatal(err)
	}
	if hits, misses := lookups(s0, b.CacheStats()); hits != uint64(1+containers) || misses != 0 {
		t.Errorf("a new name: %d hits, %d misses; want %d hits (the whole input and %d containers), none missed", hits, misses, 1+containers, containers)
	}
	if got, want := summary(again), summary(first); got != want {
		t.Errorf("outcomes taken together differ:\n got %s\nwant %s", got, want)
	}

	wi.Containers[0].Image = "alpine:latest" // restricted.image-pinned reads it
	s0 = b.CacheStats()
	changed, err := b.EvaluateIntent(ctx, wi, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, misses := lookups(s0, b.CacheStats()); misses == 0 {
		t.Error("a new image missed nothing: the container's group was taken for another input")
	}
	if summary(changed) == summary(first) {
		t.Error("an unpinned image decided as the pinned one")
	}
}

func summary(r *IntentResult) string {
	return fmt.Sprint(r.Findings, r.Defaults, r.Decisions)
}
