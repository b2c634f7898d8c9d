package podc_test

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
	"github.com/podc-dev/podc/clients/go/podc"
)

// replica is a PolicyService that answers with its own name as the digest.
type replica struct {
	podcv1.UnimplementedPolicyServiceServer
	name string
}

func (r replica) ListPolicies(context.Context, *podcv1.ListPoliciesRequest) (*podcv1.ListPoliciesResponse, error) {
	return &podcv1.ListPoliciesResponse{Digest: r.name}, nil
}

func startReplica(t *testing.T, name string) resolver.Address {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	podcv1.RegisterPolicyServiceServer(s, replica{name: name})
	go func() { _ = s.Serve(lis) }()
	t.Cleanup(s.Stop)
	return resolver.Address{Addr: lis.Addr().String()}
}

// A name that resolves to several replicas gets calls spread over all of
// them, as a dns:/// target does with a headless Service's addresses.
func TestCallsSpreadOverEveryResolvedAddress(t *testing.T) {
	r := manual.NewBuilderWithScheme("podc-test")
	r.InitialState(resolver.State{Addresses: []resolver.Address{startReplica(t, "a"), startReplica(t, "b")}})
	c, err := podc.Dial("podc-test:///podc", podc.WithPlaintext(), podc.WithDialOptions(grpc.WithResolvers(r)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	seen := map[string]int{}
	// round_robin sends a call to each ready replica in turn; the bound
	// leaves room for the second connection to become ready.
	for i := 0; i < 200 && (seen["a"] < 2 || seen["b"] < 2); i++ {
		resp, err := c.ListPolicies(testContext(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		seen[resp.GetDigest()]++
	}
	if seen["a"] < 2 || seen["b"] < 2 {
		t.Fatalf("calls per replica: %v", seen)
	}
}
