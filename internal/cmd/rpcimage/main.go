// Command rpcimage writes the google.rpc protos podc's error details use
// (google/rpc/status.proto and google/rpc/error_details.proto, with the
// well-known types they import) as a binary FileDescriptorSet, which buf
// reads as an image. The descriptors are the ones compiled into
// google.golang.org/genproto/googleapis/rpc at the version go.mod pins: the
// same definitions the server encodes its details with. The TypeScript and
// Python SDKs generate their google.rpc code from this image.
//
//	go run ./internal/cmd/rpcimage -o bin/google-rpc.binpb
package main

import (
	"flag"
	"fmt"
	"os"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

func main() {
	out := flag.String("o", "", "the file to write")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: rpcimage -o FILE")
		os.Exit(2)
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(image(
		rpcstatus.File_google_rpc_status_proto,
		errdetails.File_google_rpc_error_details_proto,
	))
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "rpcimage: %v\n", err)
		os.Exit(1)
	}
}

// image is a FileDescriptorSet of files and everything they import, each
// file after its imports.
func image(files ...protoreflect.FileDescriptor) *descriptorpb.FileDescriptorSet {
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			add(imports.Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	for _, fd := range files {
		add(fd)
	}
	return set
}
