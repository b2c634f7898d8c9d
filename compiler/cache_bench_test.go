package compiler_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
)

// BenchmarkResultCacheHit measures Engine.Compile of an intent already
// decoded and already answered (examples/checkout.json): "intent" finds
// it as the CLI does, by checking its size limits and hashing its
// deterministic serialization; "wire" as the server does, by the digest of
// the bytes it came in.
func BenchmarkResultCacheHit(b *testing.B) {
	bundle, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	eng := compiler.New(compiler.Options{Policies: store.New(bundle, nil)})
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		digest [sha256.Size]byte
	}{{"intent", [sha256.Size]byte{}}, {"wire", sha256.Sum256([]byte("checkout's bytes"))}} {
		b.Run(tc.name, func(b *testing.B) {
			req := checkoutRequest(b)
			req.WireDigest = tc.digest
			first, err := eng.Compile(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if res, err := eng.Compile(ctx, req); err != nil || res != first {
					b.Fatalf("not the remembered answer: %v", err)
				}
			}
		})
	}
}
