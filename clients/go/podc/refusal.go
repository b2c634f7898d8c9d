package podc

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
)

// ErrorDomain is the domain of the google.rpc.ErrorInfo podc sends.
const ErrorDomain = "podc.dev"

// Reasons in the google.rpc.ErrorInfo of a refused call.
const (
	// ReasonInvalidIntent: the intent is malformed (codes.InvalidArgument).
	ReasonInvalidIntent = "INVALID_INTENT"
	// ReasonPolicyDenied: a policy rule denied the intent
	// (codes.FailedPrecondition).
	ReasonPolicyDenied = "POLICY_DENIED"
	// ReasonPolicyFault: a deny rule of the policy bundle failed to evaluate
	// on the intent, so the intent is refused (codes.FailedPrecondition).
	// The bundle's fault, not the intent's.
	ReasonPolicyFault = "POLICY_FAULT"
	// ReasonInvalidManifests: the manifests of an Import cannot be read
	// (codes.InvalidArgument).
	ReasonInvalidManifests = "INVALID_MANIFESTS"
	// ReasonLossyImport: the manifests of an Import hold fields the intent
	// cannot say, and AllowLoss is off (codes.FailedPrecondition); each
	// finding's Field names one ("Deployment/web: spec.template.spec.affinity").
	ReasonLossyImport = "LOSSY_IMPORT"
)

// Finding is one problem or warning, placed at the field that caused it.
type Finding struct {
	// RuleID is the policy rule's id; empty for the compiler's own checks.
	RuleID string
	// Severity is SEVERITY_DENY (refuses the intent) or SEVERITY_WARN.
	Severity podcv1.Severity
	// Stage is the pipeline stage that found it; STAGE_UNSPECIFIED when
	// the server sent no report.
	Stage podcv1.Stage
	// Field is the intent path, such as "containers[0].ports[0].name".
	Field string
	// ManifestField names the object and the field in it, for findings on
	// the compiled manifests: "Deployment/checkout spec.replicas".
	ManifestField string
	// Message says what is wrong.
	Message string
	// Fault is true when a policy rule could not be evaluated: the policy
	// bundle's fault.
	Fault bool
}

// String is the finding as one line that starts with its field path.
func (f Finding) String() string {
	s := f.Message
	if f.Field != "" {
		s = f.Field + ": " + s
	}
	if f.RuleID != "" {
		s += " [" + f.RuleID + "]"
	}
	return s
}

// Refusal is a refused compile: the typed form of the status error and its
// details.
type Refusal struct {
	// Code is codes.InvalidArgument for a malformed intent and
	// codes.FailedPrecondition for a policy denial or fault.
	Code codes.Code
	// Reason is ReasonInvalidIntent, ReasonPolicyDenied, ReasonPolicyFault,
	// or for an Import ReasonInvalidManifests or ReasonLossyImport; empty for an answer inside a batch, whose error
	// carries no ErrorInfo.
	Reason string
	// Message is the status message: the first problems in one line.
	Message string
	// Findings are every finding of the report, denials and warnings in
	// pipeline order; without a report, the field violations of the
	// google.rpc.BadRequest, each a denial.
	Findings []Finding
	// Report is everything the pipeline found and decided up to the
	// refusal; nil if the server sent none.
	Report *podcv1.Report
}

// Denials are the findings that refused the intent.
func (r *Refusal) Denials() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == podcv1.Severity_SEVERITY_DENY {
			out = append(out, f)
		}
	}
	return out
}

// AsRefusal reads a refused compile out of err, a status error returned by
// a call of this package (wrapped or not). It returns false for any other
// error, including a status without podc's details (an unreachable server,
// a deadline, a missing token).
func AsRefusal(err error) (*Refusal, bool) {
	st, ok := status.FromError(err)
	if !ok || (st.Code() != codes.InvalidArgument && st.Code() != codes.FailedPrecondition) {
		return nil, false
	}
	ref := &Refusal{Code: st.Code(), Message: st.Message()}
	var bad *errdetails.BadRequest
	found := false
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			if d.GetDomain() == ErrorDomain {
				ref.Reason, found = d.GetReason(), true
			}
		case *errdetails.BadRequest:
			bad, found = d, true
		case *podcv1.Report:
			ref.Report, found = d, true
		}
	}
	if !found {
		return nil, false
	}
	ref.Findings = findingsOf(ref.Report, bad)
	return ref, true
}

// Findings returns the findings of a refused compile, or nil when err is
// not one.
func Findings(err error) []Finding {
	r, ok := AsRefusal(err)
	if !ok {
		return nil
	}
	return r.Findings
}

// ReportOf returns the report of a refused compile, or nil when err is not
// one or the server sent none.
func ReportOf(err error) *podcv1.Report {
	r, ok := AsRefusal(err)
	if !ok {
		return nil
	}
	return r.Report
}

// findingsOf are the report's findings, or the field violations when there
// is no report.
func findingsOf(rep *podcv1.Report, bad *errdetails.BadRequest) []Finding {
	if rep != nil {
		out := make([]Finding, 0, len(rep.GetFindings()))
		for _, f := range rep.GetFindings() {
			out = append(out, Finding{
				RuleID:        f.GetRuleId(),
				Severity:      f.GetSeverity(),
				Stage:         f.GetStage(),
				Field:         f.GetField(),
				ManifestField: f.GetManifestField(),
				Message:       f.GetMessage(),
				Fault:         f.GetFault(),
			})
		}
		return out
	}
	out := make([]Finding, 0, len(bad.GetFieldViolations()))
	for _, v := range bad.GetFieldViolations() {
		out = append(out, Finding{
			RuleID:   v.GetReason(),
			Severity: podcv1.Severity_SEVERITY_DENY,
			Field:    v.GetField(),
			Message:  v.GetDescription(),
		})
	}
	return out
}
