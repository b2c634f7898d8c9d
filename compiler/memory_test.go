//go:build !race

// The memory test measures the live heap, which the race detector's shadow
// memory would distort: scripts/test.sh runs it without -race.

package compiler_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/internal/lru"
)

// A service that sees millions of distinct intents keeps its memory within
// what it is configured to keep: after 20,000 distinct intents, each new in
// its name, its team label and its app container's cpu request (so policy
// rules are evaluated, caches fill and CUE generations turn over), the live
// heap after a collection has stopped growing.
func TestMemoryStaysBounded(t *testing.T) {
	const total, checkEvery = 20000, 2500
	src, err := os.ReadFile("../examples/checkout.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := policy.Embedded(policy.Options{Cache: lru.Bounds{Entries: 1 << 20, Bytes: 4 << 20}, EvalsPerGeneration: 1024})
	if err != nil {
		t.Fatal(err)
	}
	eng := compiler.New(compiler.Options{Policies: store.New(b, nil), ResultCache: lru.Bounds{Entries: 1 << 20, Bytes: 4 << 20}})
	seq0, _ := b.Generation()
	// What is live before the first intent (other tests' bundles and
	// caches, when the package runs whole or with -count) is not this
	// engine's: the readings are what is live above it.
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	heap := map[int]uint64{}
	for i := 1; i <= total; i++ {
		doc := strings.Replace(string(src), `"name": "checkout"`, fmt.Sprintf(`"name": "checkout-%d"`, i), 1)
		doc = strings.Replace(doc, `"team": "payments"`, fmt.Sprintf(`"team": "team-%d"`, i), 1)
		doc = strings.Replace(doc, `"request": "250m"`, fmt.Sprintf(`"request": "%dm"`, 250+i%700), 1)
		wi, err := intent.Decode([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Compile(context.Background(), compiler.Request{Intent: wi, Format: render.YAML}); err != nil {
			t.Fatalf("intent %d: %v", i, err)
		}
		if i%checkEvery == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap[i] = ms.HeapAlloc - min(ms.HeapAlloc, before.HeapAlloc)
			seq, _ := b.Generation()
			t.Logf("%6d intents: live heap %5.1f MB above the %.1f MB live before, generation %d, rule cache %+v", i, float64(heap[i])/(1<<20), float64(before.HeapAlloc)/(1<<20), seq, b.CacheStats())
		}
	}
	if seq, _ := b.Generation(); seq < seq0+5 {
		t.Errorf("only %d new generations: the test did not make the engine evaluate", seq-seq0)
	}
	if st := b.CacheStats(); st.Evictions == 0 {
		t.Errorf("the rule cache never reached its bound: %+v", st)
	}
	// The heap rises and falls with each generation (and with one being
	// compiled in the background at the moment of a reading), so a single
	// reading says little. Two things do: no reading in the second half is
	// above every reading of the first half by more than noise, which a
	// steady leak would make happen; and no reading exceeds an absolute
	// bound far above the configured caches and one generation, which a leak
	// of 2 KB per intent (40 MB over the run) would cross.
	const slack, bound = 2 << 20, 48 << 20
	var firstHigh, secondLow uint64
	secondLow = 1 << 62
	for n := checkEvery; n <= total; n += checkEvery {
		if n <= total/2 {
			firstHigh = max(firstHigh, heap[n])
		} else {
			secondLow = min(secondLow, heap[n])
		}
		if heap[n] > bound {
			t.Errorf("live heap %.1f MB at %d intents, above %d MB", float64(heap[n])/(1<<20), n, bound>>20)
		}
	}
	if secondLow > firstHigh+slack {
		t.Errorf("live heap grew: every reading of the second half (lowest %.1f MB) is above the first half's highest (%.1f MB)", float64(secondLow)/(1<<20), float64(firstHigh)/(1<<20))
	}
}
