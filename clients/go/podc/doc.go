// Package podc is the Go client of podc, the pod spec compiler: it dials a
// podc server (plaintext for local use; TLS, mutual TLS and bearer tokens
// for a shared one; round_robin over every address a dns:/// target
// resolves to) and calls its CompilerService and PolicyService.
//
// A refused compile is an ordinary gRPC status error. [AsRefusal],
// [Findings] and [ReportOf] read its details: every finding with its rule
// id, severity, intent path, manifest path and message, and the report of
// everything the pipeline decided. [Client.CompileBatch] sends many intents
// on one stream and returns their answers in order, each failed one as the
// same kind of error.
//
// The request and response types are the generated ones in
// github.com/podc-dev/podc/clients/go/gen/podc/v1, which this module
// carries, so importing it brings in gRPC and protobuf and nothing of the
// server. The package speaks the API named by [APIVersion].
package podc

// APIVersion is the protobuf package of the podc API this client speaks.
const APIVersion = "podc.v1"
