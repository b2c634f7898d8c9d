package server

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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

// statusOf maps a pipeline error to a gRPC status: a malformed intent is
// INVALID_ARGUMENT, a policy denial FAILED_PRECONDITION, both with a
// google.rpc.BadRequest listing every field violation, a google.rpc.ErrorInfo
// and the podc.v1.Report. Anything else is INTERNAL with no detail of podc's
// insides.
func statusOf(err error) *status.Status {
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
			msg = de.Findings[0].Message
		}
		return status.New(codes.Internal, msg)
	}
	code, reason := codes.InvalidArgument, ReasonInvalidIntent
	switch de.Kind {
	case diag.Denied:
		code, reason = codes.FailedPrecondition, ReasonPolicyDenied
	case diag.PolicyFault:
		code, reason = codes.FailedPrecondition, ReasonPolicyFault
	}
	st := status.New(code, summary(de))
	details := []protoadapt.MessageV1{
		badRequest(de.Findings),
		&errdetails.ErrorInfo{Reason: reason, Domain: ErrorDomain},
	}
	if de.Report != nil {
		details = append(details, reportProto(de.Report))
	}
	withDetails, derr := st.WithDetails(details...)
	if derr != nil {
		return st
	}
	return withDetails
}

// summary is the status message: the kind and the first problems, each
// starting with its field path.
func summary(de *diag.Error) string {
	const shown = 3
	msg := de.Kind.String()
	switch n := len(de.Findings); {
	case n == 1:
		return msg + ": " + de.Findings[0].String()
	case n > 1:
		msg = fmt.Sprintf("%s: %d problems", msg, n)
		for i, f := range de.Findings {
			if i == shown {
				msg += fmt.Sprintf("; and %d more (see details)", n-shown)
				break
			}
			msg += "; " + f.String()
		}
	}
	return msg
}

// badRequest lists every finding as a field violation. Field paths are
// relative to the intent; targetVersion and profile name request fields.
func badRequest(fs []diag.Finding) *errdetails.BadRequest {
	br := &errdetails.BadRequest{}
	for _, f := range fs {
		br.FieldViolations = append(br.FieldViolations, fieldViolation(f))
	}
	return br
}

func fieldViolation(f diag.Finding) *errdetails.BadRequest_FieldViolation {
	desc := f.Message
	if f.ManifestField != "" {
		desc += " (" + f.ManifestField + ")"
	}
	field := f.Field
	if field == "" {
		field = f.ManifestField
	}
	return &errdetails.BadRequest_FieldViolation{Field: field, Description: desc, Reason: f.RuleID}
}

// batchError is the in-stream form of a failed compile.
func batchError(err error) *podcv1.BatchError {
	st := statusOf(err)
	be := &podcv1.BatchError{Code: int32(st.Code()), Message: st.Message()}
	if de, ok := diag.AsError(err); ok && de.Kind != diag.Internal {
		for _, f := range de.Findings {
			fv := fieldViolation(f)
			be.FieldViolations = append(be.FieldViolations, &podcv1.FieldViolation{Field: fv.Field, Description: fv.Description})
		}
		if de.Report != nil {
			be.Report = reportProto(de.Report)
		}
	}
	return be
}
