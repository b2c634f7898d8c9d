package compiler_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/lru"
)

// TestIntentOwned: an intent the caller owns gets the policy defaults in
// place, with the same answer as one the engine copies; an intent it does
// not own is never changed.
func TestIntentOwned(t *testing.T) {
	src, err := os.ReadFile("../examples/checkout.json")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	// No result cache: each call compiles.
	eng := compiler.New(compiler.Options{Policies: store.New(bundle, nil), ResultCache: lru.Bounds{Entries: -1}})
	decode := func() *podcv1.WorkloadIntent {
		wi, err := intent.Decode(src)
		if err != nil {
			t.Fatal(err)
		}
		return wi
	}
	pristine := decode()
	answer := func(owned bool) (string, *podcv1.WorkloadIntent) {
		wi := decode()
		res, err := eng.Compile(context.Background(), compiler.Request{Intent: wi, Profile: "restricted", Format: render.YAML, IntentOwned: owned})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(string(render.Stream(res.Manifests, render.YAML)), res.Report), wi
	}
	copied, kept := answer(false)
	inPlace, changed := answer(true)
	if copied != inPlace {
		t.Errorf("an owned intent is answered differently:\n%s\nwant\n%s", inPlace, copied)
	}
	if !proto.Equal(kept, pristine) {
		t.Error("an intent the caller did not hand over was changed")
	}
	if proto.Equal(changed, pristine) || !changed.GetContainers()[0].GetSecurityContext().GetRunAsNonRoot() {
		t.Error("an owned intent did not take restricted's defaults in place")
	}
	if !bytes.Contains([]byte(copied), []byte("runAsNonRoot: true")) {
		t.Error("the answer lacks restricted's defaults")
	}
}
