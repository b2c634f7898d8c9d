// Package hostile is a corpus of hostile and malformed intents, each with
// the answer podc must give: from the gRPC service (a status code) and from
// podc compile (an exit code), both with the field path of a problem. The
// service's and the CLI's tests run every case; a case that has no form on
// one side (a YAML quirk has no protobuf form, raw wire bytes no file form)
// runs on the other only.
package hostile

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Case is one hostile input.
type Case struct {
	// Name identifies the case, and says its class first: limits-,
	// quantity-, yaml-, json-, path-, name-, input- or wire-.
	Name string

	// Input is the document podc compile reads, JSON or YAML; nil when
	// the case has no file form.
	Input []byte
	// Exit is podc compile's exit code: 1 for a refused intent, 2 for
	// input it will not read.
	Exit int

	// Wire, when set, is sent to CompilerService/Compile as the request's
	// raw bytes. Otherwise the request holds Input decoded, when it
	// decodes.
	Wire []byte
	// Code is the gRPC status code of Compile; codes.OK when the case has
	// no gRPC form (Input does not decode and Wire is nil).
	Code codes.Code

	// Field is the path of a problem the refusal names, "" for the whole
	// intent; Message is text that problem's message holds. Both are
	// checked on every side the case runs on, except for input- and wire-
	// cases, refused before any field is read.
	Field, Message string
}

// Request returns the CompileRequest of a case that has a gRPC form and
// no raw Wire bytes: Input decoded. ok is false when Input does not decode.
func (c Case) Request() (req *podcv1.CompileRequest, ok bool) {
	if c.Input == nil {
		return nil, false
	}
	wi, err := intent.Decode(c.Input)
	if err != nil {
		return nil, false
	}
	return &podcv1.CompileRequest{Intent: wi}, true
}

// Cases returns the corpus. Large inputs are built on each call.
func Cases() []Case {
	var out []Case
	out = append(out, limitCases()...)
	out = append(out, quantityCases()...)
	out = append(out, decodeCases()...)
	out = append(out, pathCases()...)
	out = append(out, inputCases()...)
	return out
}

// refused is a case of an intent given as a message, refused with
// INVALID_ARGUMENT (exit 1) at field.
func refused(name string, wi *podcv1.WorkloadIntent, field, msg string) Case {
	b, err := protojson.Marshal(wi)
	if err != nil {
		panic(name + ": " + err.Error())
	}
	return Case{Name: name, Input: b, Exit: 1, Code: codes.InvalidArgument, Field: field, Message: msg}
}

// text is a case of a document given as text: refused with
// INVALID_ARGUMENT (exit 1) at field when it decodes, by the decoder (exit
// 1, no gRPC form) when it does not.
func text(name, doc, field, msg string) Case {
	c := Case{Name: name, Input: []byte(doc), Exit: 1, Field: field, Message: msg}
	if _, ok := c.Request(); ok {
		c.Code = codes.InvalidArgument
	}
	return c
}

// app returns a minimal valid container named name.
func app(name string) *podcv1.Container {
	return &podcv1.Container{Name: name, Image: "registry.example.com/app:1.0"}
}

// pod returns a minimal valid intent with the containers cs.
func pod(cs ...*podcv1.Container) *podcv1.WorkloadIntent {
	return &podcv1.WorkloadIntent{Name: "hostile", Containers: cs}
}
