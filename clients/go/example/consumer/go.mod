// An example consumer of the Go SDK, as a platform backend's module would
// be. The replace points at this checkout because the SDK is not published
// from here; a real consumer requires a released version instead. A
// replace only applies in the module that declares it, and nothing imports
// this one.
module example.com/platform-backend

go 1.26.0

require github.com/podc-dev/podc/clients/go v0.0.0-00010101000000-000000000000

require (
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261110000943-09e21b237f2c // indirect
	google.golang.org/grpc v1.85.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/podc-dev/podc/clients/go => ../..
