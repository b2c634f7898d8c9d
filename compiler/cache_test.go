package compiler_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/render"
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
	store := policy.NewStore(mustDefault(t))
	eng := compiler.New(compiler.Options{Policies: store})
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
	if err := store.Reload(dir); err != nil {
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
	eng := compiler.New(compiler.Options{Policies: policy.NewStore(mustDefault(t))})
	_, err1 := eng.Compile(ctx, req)
	_, err2 := eng.Compile(ctx, req)
	de, ok := diag.AsError(err1)
	if !ok || de.Kind != diag.Denied || err1 != err2 {
		t.Fatalf("refusal: %v / %v", err1, err2)
	}

	off := compiler.New(compiler.Options{Policies: policy.NewStore(mustDefault(t)), ResultCache: -1})
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

func mustDefault(t *testing.T) *policy.Bundle {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
