package server

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
)

// Observer is told, for metrics, how long decoding each podc request took
// (StageDone with compiler.StageDecode) and every refusal. Package
// server/metrics implements it with Prometheus. Its methods are called on
// the request path, from many goroutines at once: they must be safe for
// concurrent use and cheap.
type Observer interface {
	compiler.Observer
	// Refused reports a call, or an entry of a batch, refused for reason:
	// one of RefusalReasons.
	Refused(reason string)
}

// ReasonUnauthenticated is the reason Observer.Refused is given for a call
// without a valid bearer token. Such a call's status carries no ErrorInfo.
const ReasonUnauthenticated = "UNAUTHENTICATED"

// RefusalReasons lists every reason an Observer is given: the ErrorInfo
// reasons of refused calls, and ReasonUnauthenticated.
var RefusalReasons = []string{
	ReasonInvalidIntent, ReasonPolicyDenied, ReasonPolicyFault,
	ReasonOverloaded, ReasonBatchTooLarge, ReasonUnauthenticated,
	ReasonInvalidManifests, ReasonLossyImport,
}

// reasonOf is the ErrorInfo reason of the status statusOf(err) makes; ""
// when err refuses nothing (an internal fault, a cancellation).
func reasonOf(err error) string {
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		for _, d := range se.GRPCStatus().Proto().GetDetails() {
			var info errdetails.ErrorInfo
			if d.MessageIs(&info) && d.UnmarshalTo(&info) == nil && info.GetDomain() == ErrorDomain {
				return info.GetReason()
			}
		}
		return ""
	}
	if de, ok := diag.AsError(err); ok && de.Kind != diag.Internal {
		_, reason := refusalOf(de.Kind)
		return reason
	}
	return ""
}
