// Command podc compiles workload intents into validated Kubernetes
// manifests, as a gRPC service (podc serve) or offline (podc compile).
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
