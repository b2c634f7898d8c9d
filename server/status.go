package server

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// ErrorDomain is the domain of podc's google.rpc.ErrorInfo details.
const ErrorDomain = "podc.dev"

// Reasons carried in google.rpc.ErrorInfo.
const (
	ReasonInvalidIntent = "INVALID_INTENT"
	ReasonPolicyDenied  = "POLICY_DENIED"
	// ReasonPolicyFault: a deny rule of the policy bundle failed to
	// evaluate on the intent, so the intent is refused (the rule fails
	// closed). The bundle's fault; each field violation's reason names the
	// rule.
	ReasonPolicyFault = "POLICY_FAULT"
)

// Bounds on a status. Its message and details travel in the trailers; the
// whole trailer stays under 8 KiB, the smallest limit common gRPC clients
// enforce, however large the request was.
const (
	// maxStatusMessage bounds the status message (grpc-message).
	maxStatusMessage = 512
	// maxDetailsBytes bounds the serialized details (grpc-status-details-bin
	// carries them base64-encoded: about 6 KiB).
	maxDetailsBytes = 4608
	// maxViolationBytes is the share of maxDetailsBytes the field violations
	// may take; the rest is for the ErrorInfo and the report.
	maxViolationBytes = 2560
)

// statusOf maps a pipeline error to a gRPC status: a malformed intent is
// INVALID_ARGUMENT, a policy denial FAILED_PRECONDITION, both with a
// google.rpc.BadRequest listing the field violations, a google.rpc.ErrorInfo
// and the podc.v1.Report. Anything else is INTERNAL with no detail of podc's
// insides. Message and details are bounded (see maxDetailsBytes): echoed
// values are cut, violations past the budget are summed up in a last "and N
// more" entry, and a report too large is trimmed with a note saying so.
func statusOf(err error) *status.Status {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		return se.GRPCStatus() // already a status: a server limit
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.New(codes.Canceled, "the call was canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.New(codes.DeadlineExceeded, "the call's deadline passed")
	}
	de, ok := diag.AsError(err)
	if !ok || de.Kind == diag.Internal {
		msg := "internal error; the fault is logged"
		if ok && len(de.Findings) > 0 {
			msg = clip(de.Findings[0].Message, maxStatusMessage)
		}
		return status.New(codes.Internal, msg)
	}
	code, reason := refusalOf(de.Kind)
	st := status.New(code, summary(de))
	br := badRequest(de.Findings, maxViolationBytes)
	info := &errdetails.ErrorInfo{Reason: reason, Domain: ErrorDomain}
	details := []protoadapt.MessageV1{br, info}
	if de.Report != nil {
		left := maxDetailsBytes - anySize(br) - anySize(info) - anySize(&podcv1.Report{})
		details = append(details, trimReport(clipReport(reportProto(de.Report)), left))
	}
	withDetails, derr := st.WithDetails(details...)
	if derr != nil {
		return st
	}
	return withDetails
}

// refusalOf is the code and the ErrorInfo reason of an intent refused
// with kind k (anything but Internal).
func refusalOf(k diag.Kind) (codes.Code, string) {
	switch k {
	case diag.Denied:
		return codes.FailedPrecondition, ReasonPolicyDenied
	case diag.PolicyFault:
		return codes.FailedPrecondition, ReasonPolicyFault
	}
	return codes.InvalidArgument, ReasonInvalidIntent
}

// anySize is the size of m once packed in a google.protobuf.Any inside the
// status details.
func anySize(m proto.Message) int {
	const typeURL = len("type.googleapis.com/") + 64 // a generous full name
	n := proto.Size(m)
	return typeURL + n + 2*protowire.SizeVarint(uint64(n)) + 4
}

// summary is the status message: the kind and the first problems, each
// starting with its field path, within maxStatusMessage bytes.
func summary(de *diag.Error) string {
	const (
		shown   = 3
		perItem = (maxStatusMessage - 64) / shown
	)
	msg := de.Kind.String()
	switch n := len(de.Findings); {
	case n == 1:
		return clip(msg+": "+clip(de.Findings[0].String(), maxStatusMessage), maxStatusMessage)
	case n > 1:
		msg = fmt.Sprintf("%s: %d problems", msg, n)
		for i, f := range de.Findings {
			if i == shown {
				msg += fmt.Sprintf("; and %d more (see details)", n-shown)
				break
			}
			msg += "; " + clip(f.String(), perItem)
		}
	}
	return msg
}

// badRequest lists the findings as field violations, as many as fit in
// budget bytes; a last violation says how many more were left out. Field
// paths are relative to the intent; targetVersion and profile name request
// fields.
func badRequest(fs []diag.Finding, budget int) *errdetails.BadRequest {
	const reserve = 96 // room for the "and N more" entry
	br := &errdetails.BadRequest{}
	size := 0
	for i, f := range fs {
		fv := fieldViolation(f)
		n := proto.Size(fv) + 1 + protowire.SizeVarint(uint64(proto.Size(fv)))
		if size+n > budget-reserve && i < len(fs)-1 || size+n > budget {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
				Description: fmt.Sprintf("and %d more (Validate returns every finding)", len(fs)-i),
			})
			break
		}
		size += n
		br.FieldViolations = append(br.FieldViolations, fv)
	}
	return br
}

// fieldViolation is f as a field violation, its texts clipped.
func fieldViolation(f diag.Finding) *errdetails.BadRequest_FieldViolation {
	desc := f.Message
	if f.ManifestField != "" {
		desc += " (" + f.ManifestField + ")"
	}
	field := f.Field
	if field == "" {
		field = f.ManifestField
	}
	return &errdetails.BadRequest_FieldViolation{
		Field:       clip(field, maxFieldPath),
		Description: clip(desc, maxText),
		Reason:      clip(f.RuleID, maxRuleID),
	}
}

// batchError is the in-stream form of a failed compile.
func batchError(err error) *podcv1.BatchError {
	st := statusOf(err)
	be := &podcv1.BatchError{Code: int32(st.Code()), Message: st.Message()}
	if de, ok := diag.AsError(err); ok && de.Kind != diag.Internal {
		for _, f := range de.Findings {
			fv := fieldViolation(f) // clipped: an echoed value must not outgrow the response
			be.FieldViolations = append(be.FieldViolations, &podcv1.FieldViolation{Field: fv.Field, Description: fv.Description})
		}
		if de.Report != nil {
			be.Report = clipReport(reportProto(de.Report))
		}
	}
	return be
}
