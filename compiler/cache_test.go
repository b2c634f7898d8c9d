package compiler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/internal/lru"
)

func checkout(t *testing.T) compiler.Request {
	t.Helper()
	data, err := os.ReadFile("../examples/checkout.json")
	if err != nil {
		t.Fatal(err)
	}
	wi, err := intent.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
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
	eng := compiler.New(compiler.Options{Policies: st})
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
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil)})
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
	eng := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil), ResultCache: lru.Bounds{Entries: 1000, Bytes: bound}})
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
	tiny := compiler.New(compiler.Options{Policies: store.New(mustDefault(t), nil), ResultCache: lru.Bounds{Entries: 1000, Bytes: 100}})
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
