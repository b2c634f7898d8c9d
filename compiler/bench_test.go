package compiler_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// benchTeam numbers the team label of fresh intents across runs (-count),
// so no cache ever sees the same intent twice.
var benchTeam atomic.Int64

// BenchmarkCompile measures the whole pipeline through Engine.Compile on
// examples/checkout.json under its restricted profile: decode, structural
// checks, intent policies, compile, manifest policies, validation and YAML
// rendering. "fresh" changes the team label every iteration: a new intent
// whose containers the per-container policy caches have seen;
// "fresh-images" changes every container's image tag, so no policy cache
// helps; "cached" compiles the same document every time.
func BenchmarkCompile(b *testing.B) {
	src, err := os.ReadFile("../examples/checkout.json")
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	eng := compiler.New(compiler.Options{Policies: store.New(bundle, nil)})
	ctx := context.Background()
	var lat []time.Duration
	// compileDecoded compiles an intent decoded for this call, as the server
	// and the CLI hand theirs over.
	compileDecoded := func(b *testing.B, wi *podcv1.WorkloadIntent) {
		res, err := eng.Compile(ctx, compiler.Request{Intent: wi, Format: render.YAML, IntentOwned: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Manifests) == 0 {
			b.Fatal("no manifests")
		}
	}
	run := func(b *testing.B, data []byte) {
		start := time.Now()
		defer func() { lat = append(lat, time.Since(start)) }()
		wi, err := intent.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		compileDecoded(b, wi)
	}
	b.Run("restricted/fresh-label", func(b *testing.B) {
		b.ReportAllocs()
		lat = lat[:0]
		defer reportPercentiles(b, &lat)
		for b.Loop() {
			data := bytes.Replace(src, []byte(`"payments"`), fmt.Appendf(nil, `"payments-%d"`, benchTeam.Add(1)), 1)
			run(b, data)
		}
	})
	b.Run("restricted/fresh-name", func(b *testing.B) {
		b.ReportAllocs()
		lat = lat[:0]
		defer reportPercentiles(b, &lat)
		for b.Loop() {
			data := bytes.Replace(src, []byte(`"checkout"`), fmt.Appendf(nil, `"checkout-%d"`, benchTeam.Add(1)), 1)
			run(b, data)
		}
	})
	// As a served request arrives: the intent in protobuf's binary
	// encoding, a new workload name each time, decoded as the server's
	// codec does; the requests are encoded before the clock starts.
	b.Run("restricted/fresh-name-binary", func(b *testing.B) {
		base, err := intent.Decode(src)
		if err != nil {
			b.Fatal(err)
		}
		reqs := make([][]byte, b.N)
		for i := range reqs {
			wi := proto.CloneOf(base)
			wi.Name = fmt.Sprintf("checkout-%d", benchTeam.Add(1))
			if reqs[i], err = proto.Marshal(wi); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		lat = lat[:0]
		defer reportPercentiles(b, &lat)
		b.ResetTimer()
		for i := range b.N {
			start := time.Now()
			wi := new(podcv1.WorkloadIntent)
			if err := proto.Unmarshal(reqs[i], wi); err != nil {
				b.Fatal(err)
			}
			compileDecoded(b, wi)
			lat = append(lat, time.Since(start))
		}
	})
	b.Run("restricted/fresh-images", func(b *testing.B) {
		b.ReportAllocs()
		lat = lat[:0]
		defer reportPercentiles(b, &lat)
		for b.Loop() {
			n := benchTeam.Add(1)
			data := bytes.ReplaceAll(src, []byte(`:1.4.2"`), fmt.Appendf(nil, `:1.4.2-%d"`, n))
			data = bytes.ReplaceAll(data, []byte(`:3.1.0"`), fmt.Appendf(nil, `:3.1.0-%d"`, n))
			run(b, data)
		}
	})
	b.Run("restricted/cached", func(b *testing.B) {
		b.ReportAllocs()
		lat = lat[:0]
		defer reportPercentiles(b, &lat)
		for b.Loop() {
			run(b, src)
		}
	})
}

// reportPercentiles adds the p50 and p90 of the recorded latencies to the
// benchmark's output: the targets are stated as percentiles, and the mean
// ns/op also carries the garbage collector's pauses.
func reportPercentiles(b *testing.B, lat *[]time.Duration) {
	l := slices.Clone(*lat)
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(l[len(l)*9/10].Microseconds()), "p90-µs")
}
