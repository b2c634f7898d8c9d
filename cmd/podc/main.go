// Command podc compiles workload intents into validated Kubernetes
// manifests, as a gRPC service (podc serve) or offline (podc compile).
package main

import (
	"os"

	// Keeps the garbage collector off while podc's packages initialize and
	// through a short-lived command; serve and a fleet compile turn it back
	// on.
	_ "github.com/podc-dev/podc/internal/gcstart"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
