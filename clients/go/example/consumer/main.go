// Command platform-backend compiles examples/hello.json's intent with the
// podc Go SDK, the way a platform backend would: it shows that importing
// the SDK needs nothing of the server's dependencies.
//
//	go run . -addr localhost:50051
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
	"github.com/podc-dev/podc/clients/go/podc"
)

func main() {
	addr := flag.String("addr", "localhost:50051", "the podc server")
	flag.Parse()
	c, err := podc.Dial(*addr, podc.WithPlaintext())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.Compile(ctx, &podcv1.CompileRequest{Intent: &podcv1.WorkloadIntent{
		Name:       "hello",
		Containers: []*podcv1.Container{{Name: "web", Image: "nginx:1.27.3"}},
	}})
	if r, ok := podc.AsRefusal(err); ok {
		for _, f := range r.Denials() {
			fmt.Println("refused:", f)
		}
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range resp.GetManifests() {
		fmt.Println(m.GetKind(), m.GetName())
	}
}
