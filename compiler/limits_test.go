package compiler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/lru"
)

// oversized returns intents beyond the default limits, by the field path
// of the finding each must get.
func oversized() map[string]*podcv1.WorkloadIntent {
	many := func(n int) []*podcv1.Container {
		cs := make([]*podcv1.Container, n)
		for i := range cs {
			cs[i] = &podcv1.Container{Name: "c", Image: "nginx:1.27.3"}
		}
		return cs
	}
	ports := make([]*podcv1.Port, 100000)
	for i := range ports {
		ports[i] = &podcv1.Port{Name: "p", ContainerPort: 80}
	}
	return map[string]*podcv1.WorkloadIntent{
		"containers": {Name: "x", Containers: many(10000)},
		"sidecars":   {Name: "x", Containers: many(1), Sidecars: many(5000)},
		"containers[0].ports": {Name: "x", Containers: []*podcv1.Container{
			{Name: "c", Image: "nginx:1.27.3", Ports: ports},
		}},
		"name": {Name: strings.Repeat("\x00\x1b", 1950000), Containers: many(1)},
		"containers[0].resources.cpu.limit": {Name: "x", Containers: []*podcv1.Container{
			{Name: "c", Image: "nginx:1.27.3", Resources: &podcv1.Resources{Cpu: &podcv1.Resource{Limit: strings.Repeat("1", 100000)}}},
		}},
	}
}

// TestEngineRefusesOversizedFirst: an intent beyond the limits is refused
// as Invalid with the path, and nothing else runs: no structural findings
// (the 5,000 sidecars all share one name), no policy decisions.
func TestEngineRefusesOversizedFirst(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	eng := compiler.New(compiler.Options{Policies: store.New(b, nil)})
	for path, wi := range oversized() {
		t.Run(path, func(t *testing.T) {
			_, err := eng.Compile(context.Background(), compiler.Request{Intent: wi})
			de, ok := diag.AsError(err)
			if !ok || de.Kind != diag.Invalid {
				t.Fatalf("Compile: want an Invalid error, got %v", err)
			}
			if !hasField(de.Findings, path) {
				t.Fatalf("no finding at %s: %v", path, de.Findings)
			}
			if de.Report == nil || len(de.Report.Decisions) > 0 || len(de.Report.Defaults) > 0 {
				t.Errorf("later stages ran: %+v", de.Report)
			}
			for _, f := range de.Findings {
				if len(f.Message) > 200 {
					t.Errorf("%s: a %d-byte message", f.Field, len(f.Message))
				}
			}

			res, err := eng.Validate(context.Background(), compiler.Request{Intent: wi})
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if res.Report.Allowed() || !hasField(res.Report.Findings, path) || len(res.Report.Decisions) > 0 {
				t.Errorf("Validate report: %+v", res.Report.Findings)
			}
		})
	}
}

func TestEngineLimitsAreConfigurable(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	wi := &podcv1.WorkloadIntent{Name: "x", Containers: []*podcv1.Container{
		{Name: "a", Image: "nginx:1.27.3"}, {Name: "b", Image: "nginx:1.27.3"},
	}}
	loose := compiler.New(compiler.Options{Policies: store.New(b, nil)})
	if _, err := loose.Compile(context.Background(), compiler.Request{Intent: wi}); err != nil {
		t.Fatalf("default limits: %v", err)
	}
	tight := compiler.New(compiler.Options{Policies: store.New(b, nil), Limits: intent.Limits{Containers: 1}})
	_, err = tight.Compile(context.Background(), compiler.Request{Intent: wi})
	if de, ok := diag.AsError(err); !ok || de.Kind != diag.Invalid || !hasField(de.Findings, "containers") {
		t.Fatalf("one container allowed: want containers refused, got %v", err)
	}
}

func hasField(fs []diag.Finding, path string) bool {
	for _, f := range fs {
		if f.Field == path {
			return true
		}
	}
	return false
}

// TestEngineIntentBytesExact: the whole intent's byte limit holds to the
// byte, whether the size comes from the serialization the result cache
// keys on or, with the cache off, is measured on its own.
func TestEngineIntentBytesExact(t *testing.T) {
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	wi := checkout(t).Intent
	n := proto.Size(wi)
	for _, cache := range []struct {
		name   string
		bounds lru.Bounds
	}{{"cache on", lru.Bounds{}}, {"cache off", lru.Bounds{Entries: -1}}} {
		t.Run(cache.name, func(t *testing.T) {
			at := compiler.New(compiler.Options{Policies: store.New(b, nil), ResultCache: cache.bounds, Limits: intent.Limits{IntentBytes: n}})
			if _, err := at.Compile(context.Background(), compiler.Request{Intent: proto.Clone(wi).(*podcv1.WorkloadIntent)}); err != nil {
				t.Fatalf("an intent of exactly the limit (%d bytes) was refused: %v", n, err)
			}
			under := compiler.New(compiler.Options{Policies: store.New(b, nil), ResultCache: cache.bounds, Limits: intent.Limits{IntentBytes: n - 1}})
			_, err := under.Compile(context.Background(), compiler.Request{Intent: proto.Clone(wi).(*podcv1.WorkloadIntent)})
			de, ok := diag.AsError(err)
			if !ok || de.Kind != diag.Invalid || len(de.Findings) != 1 {
				t.Fatalf("an intent one byte over the limit: want one Invalid finding, got %v", err)
			}
			if want := fmt.Sprintf("%d bytes, at most %d", n, n-1); de.Findings[0].Field != "" || de.Findings[0].Message != want {
				t.Errorf("finding %q at %q, want %q at the intent", de.Findings[0].Message, de.Findings[0].Field, want)
			}
		})
	}
}
