package server

import (
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/render"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// reportProto converts a pipeline report to its API form.
func reportProto(r *diag.Report) *podcv1.Report {
	out := &podcv1.Report{Allowed: r.Allowed(), Profile: r.Profile, Notes: r.Notes}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, findingProto(f))
	}
	for _, f := range r.Excepted {
		out.Excepted = append(out.Excepted, findingProto(f))
	}
	for _, d := range r.Defaults {
		out.Defaults = append(out.Defaults, &podcv1.AppliedDefault{Field: d.Field, Value: d.Value, Source: d.Source, Reason: d.Reason})
	}
	for _, d := range r.Decisions {
		pd := &podcv1.PolicyDecision{RuleId: d.RuleID, Severity: severityProto(d.Severity), Outcome: outcomeProto(d.Outcome)}
		if x := d.Exception; x != nil {
			pd.Exception = &podcv1.ExceptionDecision{Field: x.Field, Reason: x.Reason, Expires: x.Expires, State: exceptionStateProto(x.State), Message: x.Message}
		}
		out.Decisions = append(out.Decisions, pd)
	}
	if len(r.Sources) > 0 {
		out.FieldSources = make([]*podcv1.FieldSource, len(r.Sources))
		for i, s := range r.Sources {
			out.FieldSources[i] = &podcv1.FieldSource{
				Object:        s.Object,
				ManifestField: s.ManifestField,
				SourceKind:    sourceKindProto(s.Origin),
				IntentField:   s.IntentField,
				RuleId:        s.RuleID,
			}
		}
	}
	return out
}

func findingProto(f diag.Finding) *podcv1.Finding {
	return &podcv1.Finding{
		Severity:      severityProto(f.Severity),
		Stage:         stageProto(f.Stage),
		RuleId:        f.RuleID,
		Field:         f.Field,
		ManifestField: f.ManifestField,
		Message:       f.Message,
		Fault:         f.Fault,
	}
}

func exceptionStateProto(s diag.ExceptionState) podcv1.ExceptionState {
	switch s {
	case diag.ExceptionApplied:
		return podcv1.ExceptionState_EXCEPTION_STATE_APPLIED
	case diag.ExceptionUnused:
		return podcv1.ExceptionState_EXCEPTION_STATE_UNUSED
	case diag.ExceptionExpired:
		return podcv1.ExceptionState_EXCEPTION_STATE_EXPIRED
	case diag.ExceptionRefused:
		return podcv1.ExceptionState_EXCEPTION_STATE_REFUSED
	}
	return podcv1.ExceptionState_EXCEPTION_STATE_UNSPECIFIED
}

func sourceKindProto(o diag.Origin) podcv1.SourceKind {
	switch o {
	case diag.OriginIntent:
		return podcv1.SourceKind_SOURCE_KIND_INTENT
	case diag.OriginCompiler:
		return podcv1.SourceKind_SOURCE_KIND_COMPILER_DEFAULT
	case diag.OriginPolicy:
		return podcv1.SourceKind_SOURCE_KIND_POLICY_DEFAULT
	}
	return podcv1.SourceKind_SOURCE_KIND_UNSPECIFIED
}

func severityProto(s diag.Severity) podcv1.Severity {
	switch s {
	case diag.Deny:
		return podcv1.Severity_SEVERITY_DENY
	case diag.Warn:
		return podcv1.Severity_SEVERITY_WARN
	}
	return podcv1.Severity_SEVERITY_UNSPECIFIED
}

func stageProto(s diag.Stage) podcv1.Stage {
	switch s {
	case diag.StageIntent:
		return podcv1.Stage_STAGE_INTENT
	case diag.StageIntentPolicy:
		return podcv1.Stage_STAGE_INTENT_POLICY
	case diag.StageCompile:
		return podcv1.Stage_STAGE_COMPILE
	case diag.StageManifestPolicy:
		return podcv1.Stage_STAGE_MANIFEST_POLICY
	case diag.StageValidation:
		return podcv1.Stage_STAGE_VALIDATION
	}
	return podcv1.Stage_STAGE_UNSPECIFIED
}

func outcomeProto(o diag.Outcome) podcv1.Outcome {
	switch o {
	case diag.OutcomePass:
		return podcv1.Outcome_OUTCOME_PASS
	case diag.OutcomeWarn:
		return podcv1.Outcome_OUTCOME_WARN
	case diag.OutcomeDeny:
		return podcv1.Outcome_OUTCOME_DENY
	case diag.OutcomeFault:
		return podcv1.Outcome_OUTCOME_FAULT
	case diag.OutcomeExcepted:
		return podcv1.Outcome_OUTCOME_EXCEPTED
	}
	return podcv1.Outcome_OUTCOME_UNSPECIFIED
}

func formatOf(f podcv1.OutputFormat) render.Format {
	if f == podcv1.OutputFormat_OUTPUT_FORMAT_JSON {
		return render.JSON
	}
	return render.YAML
}
