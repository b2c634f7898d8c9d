package podc_test

import (
	"context"
	"fmt"
	"log"

	"google.golang.org/protobuf/encoding/protojson"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
	"github.com/podc-dev/podc/clients/go/podc"
)

// Compile an intent and print what came back. addr is the server's
// address, such as "localhost:50051".
func Example() {
	c, err := podc.Dial(addr, podc.WithPlaintext())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	resp, err := c.Compile(context.Background(), &podcv1.CompileRequest{
		Intent: &podcv1.WorkloadIntent{
			Name: "hello",
			Containers: []*podcv1.Container{{
				Name:  "web",
				Image: "nginx:1.27.3",
				Ports: []*podcv1.Port{{Name: "http", ContainerPort: 80, Expose: podcv1.Expose_EXPOSE_CLUSTER}},
			}},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range resp.GetManifests() {
		fmt.Println(m.GetKind(), m.GetName())
	}
	// Output:
	// Pod hello
	// Service hello
}

// A refused intent is a status error; AsRefusal reads every finding, each
// at the field that caused it.
func ExampleAsRefusal() {
	c, err := podc.Dial(addr, podc.WithPlaintext())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	wi := &podcv1.WorkloadIntent{}
	if err := protojson.Unmarshal([]byte(`{
		"name": "agent",
		"hostNetwork": true,
		"containers": [{"name": "agent", "image": "registry.example.com/agent:2.0.1"}]
	}`), wi); err != nil {
		log.Fatal(err)
	}
	_, err = c.Compile(context.Background(), &podcv1.CompileRequest{Intent: wi})
	if r, ok := podc.AsRefusal(err); ok {
		fmt.Println(r.Code, r.Reason)
		for _, f := range r.Denials() {
			fmt.Println(f.Field, f.RuleID)
		}
	}
	// Output:
	// FailedPrecondition POLICY_DENIED
	// hostNetwork baseline.host-namespaces
}

// CompileBatch sends many intents on one stream; each answer is a response
// or the error Compile would have returned.
func ExampleClient_CompileBatch() {
	c, err := podc.Dial(addr, podc.WithPlaintext())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	web := func(name string) *podcv1.CompileRequest {
		return &podcv1.CompileRequest{Intent: &podcv1.WorkloadIntent{
			Name:       name,
			Containers: []*podcv1.Container{{Name: "web", Image: "nginx:1.27.3"}},
		}}
	}
	answers, err := c.CompileBatch(context.Background(), []*podcv1.CompileRequest{web("first"), web("Not_A_Name"), web("third")})
	if err != nil {
		log.Fatal(err)
	}
	for i, a := range answers {
		if r, ok := podc.AsRefusal(a.Err); ok {
			for _, f := range r.Denials() {
				fmt.Println(i, "refused:", f.Field)
			}
			continue
		}
		fmt.Println(i, a.Response.GetManifests()[0].GetName())
	}
	// Output:
	// 0 first
	// 1 refused: name
	// 2 third
}

// Dial a shared server: TLS verified against the platform's CA, a client
// certificate for mutual TLS and a bearer token read from a file that may
// be rotated; dns:/// spreads calls over every replica behind the name.
func ExampleDial_tls() {
	c, err := podc.Dial("dns:///podc.platform.svc.cluster.local:50051",
		podc.WithServerCA("/etc/podc/ca.pem"),
		podc.WithClientCertificate("/etc/podc/client.pem", "/etc/podc/client-key.pem"),
		podc.WithBearerTokenFile("/var/run/secrets/podc/token"),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
}
