package compiler_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/internal/exampletest"
	"github.com/podc-dev/podc/internal/lru"
)

func checkout(t *testing.T) compiler.Request { return checkoutRequest(t) }

// checkoutRequest is examples/checkout.json, decoded, to compile as YAML.
func checkoutRequest(t testing.TB) compiler.Request {
	t.Helper()
	wi := exampletest.Intent(t, "checkout.json")
	return compiler.Request{Intent: wi, Format: render.YAML}
}

func TestResultCacheServesIdenticalRequests(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob("../policies/*.cue")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
	}
	st := store.New(mustDefault(t), nil)
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: st})
	ctx := context.Background()

	first, err := eng.Compile(ctx, checkout(t))
	if err != nil {
		t.Fatal(err)
	}
	again, err := eng.Compile(ctx, checkout(t))
	if err != nil || again != first {
		t.Fatalf("an identical request was compiled again (%p, %p, %v)", first, again, err)
	}

	// Any change to the request is a different answer.
	other := checkout(t)
	other.TargetVersion = "1.28"
	older, err := eng.Compile(ctx, other)
	if err != nil || older == first || older.Target.Minor != 28 {
		t.Fatalf("a different target was served from the cache: %v %v", older, err)
	}

	// A new policy bundle is a different answer too.
	os.WriteFile(filepath.Join(dir, "zz.cue"), []byte("package policies\n\n// another bundle\n"), 0o644)
	if err := st.Reload(dir); err != nil {
		t.Fatal(err)
	}
	reloaded, err := eng.Compile(ctx, checkout(t))
	if err != nil || reloaded == first || reloaded.PolicyDigest == first.PolicyDigest {
		t.Fatalf("the old bundle's answer was served after a reload")
	}
}

func TestResultCacheKeepsRefusalsAndCanBeOff(t *testing.T) {
	ctx := context.Background()
	req := checkout(t)
	delete(req.Intent.Labels, "team")
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: store.New(mustDefault(t), nil)})
	_, err1 := eng.Compile(ctx, req)
	_, err2 := eng.Compile(ctx, req)
	de, ok := diag.AsError(err1)
	if !ok || de.Kind != diag.Denied || err1 != err2 {
		t.Fatalf("refusal: %v / %v", err1, err2)
	}

	off := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil), ResultCache: lru.Bounds{Entries: -1}})
	a, err := off.Compile(ctx, checkout(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := off.Compile(ctx, checkout(t))
	if err != nil || a == b {
		t.Fatal("with the cache off, a request was served from memory")
	}
	if string(render.Stream(a.Manifests, render.YAML)) != string(render.Stream(b.Manifests, render.YAML)) {
		t.Error("two compiles of one request differ")
	}
}

// The result cache stays within its byte bound: answers that do not fit
// push out older ones, and an answer larger than the whole bound is not
// kept.
func TestResultCacheByteBound(t *testing.T) {
	ctx := context.Background()
	const bound = 64 << 10
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: store.New(mustDefault(t), nil), ResultCache: lru.Bounds{Entries: 1000, Bytes: bound}})
	for i := range 40 {
		req := checkout(t)
		req.Intent.Name = fmt.Sprintf("checkout-%d", i)
		if _, err := eng.Compile(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	st := eng.ResultCacheStats()
	if st.Bytes > bound || st.Entries == 0 || st.Entries >= 40 || st.Evictions == 0 {
		t.Errorf("stats %+v: want at most %d bytes, some entries and evictions", st, bound)
	}
	tiny := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: store.New(mustDefault(t), nil), ResultCache: lru.Bounds{Entries: 1000, Bytes: 100}})
	if _, err := tiny.Compile(ctx, checkout(t)); err != nil {
		t.Fatal(err)
	}
	if st := tiny.ResultCacheStats(); st.Entries != 0 {
		t.Errorf("an answer larger than the bound was kept: %+v", st)
	}
}

func mustDefault(t *testing.T) *policy.Bundle {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// digest is a stand-in wire digest: any 32 bytes that are not all zero.
func digest(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }

// A request that carries a wire digest finds the answer to the same intent
// however it was identified before: by its serialization or by another
// wire digest (a client that writes a map's entries in another order);
// from then on its digest finds it alone. Every option and the bundle
// still make a different answer, even under the same digest.
func TestWireDigestFindsTheSameAnswer(t *testing.T) {
	dir := t.TempDir()
	files, _ := filepath.Glob("../policies/*.cue")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
	}
	st := store.New(mustDefault(t), nil)
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: st})
	ctx := context.Background()
	compile := func(req compiler.Request) *compiler.Result {
		t.Helper()
		res, err := eng.Compile(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	first := compile(checkout(t))
	wired := checkout(t)
	wired.WireDigest = digest("one form")
	if got := compile(wired); got != first {
		t.Fatal("a request with a wire digest did not find the answer to its intent")
	}
	other := checkout(t)
	other.WireDigest = digest("another form")
	if got := compile(other); got != first {
		t.Fatal("another wire form of the same intent did not find its answer")
	}
	before := eng.ResultCacheStats()
	if got := compile(wired); got != first {
		t.Fatal("the wire digest did not find the answer again")
	}
	if st := eng.ResultCacheStats(); st.Hits != before.Hits+1 || st.Misses != before.Misses {
		t.Errorf("cache %+v after %+v: want one hit", st, before)
	}

	// The same digest with another option, or under another bundle, is
	// another answer.
	older := checkout(t)
	older.WireDigest = wired.WireDigest
	older.TargetVersion = "1.28"
	if got := compile(older); got == first || got.Target.Minor != 28 {
		t.Fatalf("a different target under the same digest was served the cached answer (target %s)", got.Target)
	}
	explained := checkout(t)
	explained.WireDigest = wired.WireDigest
	explained.Explain = true
	if got := compile(explained); got == first || len(got.Report.Sources) == 0 {
		t.Fatal("an explained request under the same digest was served the unexplained answer")
	}
	os.WriteFile(filepath.Join(dir, "zz.cue"), []byte("package policies\n\n// another bundle\n"), 0o644)
	if err := st.Reload(dir); err != nil {
		t.Fatal(err)
	}
	if got := compile(wired); got == first || got.PolicyDigest == first.PolicyDigest {
		t.Fatal("the old bundle's answer was served after a reload")
	}
}

// A request beyond the size limits is refused the same with a wire
// digest, every time: nothing is remembered for it.
func TestWireDigestOversizedIsRefusedEveryTime(t *testing.T) {
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil)})
	req := checkout(t)
	req.Intent.Name = strings.Repeat("x", 1<<20)
	req.WireDigest = digest("oversized")
	for range 2 {
		_, err := eng.Compile(context.Background(), req)
		if de, ok := diag.AsError(err); !ok || de.Kind != diag.Invalid || !hasField(de.Findings, "name") {
			t.Fatalf("got %v, want Invalid at name", err)
		}
	}
	if st := eng.ResultCacheStats(); st.Entries != 0 || st.Hits != 0 {
		t.Errorf("cache %+v: an oversized intent was looked up or remembered", st)
	}
}

// An answer found through the wire digest is never served past the
// instant one of the intent's exceptions expires.
func TestWireDigestHonoursExceptionExpiry(t *testing.T) {
	clk := &clock{now: day(6, 1)}
	eng := compiler.New(compiler.Options{ResultAdmission: compiler.AdmitAll, Policies: store.New(mustDefault(t), nil), Clock: clk.Now})
	req := almostRestricted(t, `[{"rule": "restricted.memory-limit", "reason": "sizing after the load test", "expires": "2025-06-30"}]`)
	req.WireDigest = digest("excepted")
	res, err := eng.Compile(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := eng.Compile(context.Background(), req); err != nil || again != res {
		t.Fatalf("before expiry: %v, from the cache: %v", err, again == res)
	}
	clk.set(day(7, 1))
	if _, err := eng.Compile(context.Background(), req); err == nil {
		t.Fatal("after expiry the remembered compile was served")
	} else if de, ok := diag.AsError(err); !ok || de.Kind != diag.Denied {
		t.Fatalf("after expiry: %v, want a denial", err)
	}
}
