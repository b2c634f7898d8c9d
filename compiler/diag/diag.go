// Package diag holds the findings, defaults and errors that every stage of
// the compile pipeline reports. It depends on nothing else in podc.
package diag

import (
	"fmt"
	"strings"
)

// Severity is how serious a finding is.
type Severity int

const (
	// Deny refuses the intent.
	Deny Severity = iota + 1
	// Warn is reported; the intent still compiles.
	Warn
)

// String returns "deny" or "warn".
func (s Severity) String() string {
	switch s {
	case Deny:
		return "deny"
	case Warn:
		return "warn"
	}
	return "unknown"
}

// ParseSeverity reads "deny" or "warn".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "deny":
		return Deny, nil
	case "warn":
		return Warn, nil
	}
	return 0, fmt.Errorf("severity %q: must be deny or warn", s)
}

// Stage is the pipeline stage that found something.
type Stage int

const (
	// StageIntent is decoding and structural checks of the intent.
	StageIntent Stage = iota + 1
	// StageIntentPolicy is policy rules on the intent.
	StageIntentPolicy
	// StageCompile is the compiler's own rules.
	StageCompile
	// StageManifestPolicy is policy rules on the compiled manifests.
	StageManifestPolicy
	// StageValidation is the kube-apiserver's validation of the manifests.
	StageValidation
)

// String names the stage.
func (s Stage) String() string {
	switch s {
	case StageIntent:
		return "intent"
	case StageIntentPolicy:
		return "intent-policy"
	case StageCompile:
		return "compile"
	case StageManifestPolicy:
		return "manifest-policy"
	case StageValidation:
		return "validation"
	}
	return "unknown"
}

// Finding is one problem or warning, placed at the intent field that caused
// it. Field paths use the intent's JSON names: "containers[0].ports[1].name".
type Finding struct {
	Severity Severity
	Stage    Stage
	// RuleID is the policy rule's id; empty for findings that are not policy
	// decisions.
	RuleID string
	// Field is the intent field path; empty when the finding is about the
	// whole intent.
	Field string
	// ManifestField is, for findings on compiled objects, the object and the
	// field inside it: "Deployment/checkout: spec.replicas".
	ManifestField string
	// Message says what is wrong, for a person.
	Message string
	// Fault marks a policy rule that could not be evaluated on this input:
	// a fault in the policy bundle, not in the intent. A deny rule's fault
	// refuses the intent (it fails closed); a warn rule's fault warns.
	Fault bool
}

// String renders the finding as one line that starts with its field path:
// "containers[0].image: no tag [restricted.image-pinned]".
func (f Finding) String() string {
	var b strings.Builder
	switch {
	case f.Field != "":
		b.WriteString(f.Field)
	case f.ManifestField != "":
		b.WriteString(f.ManifestField)
	default:
		b.WriteString("(intent)")
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.RuleID != "" {
		b.WriteString(" [")
		b.WriteString(f.RuleID)
		b.WriteString("]")
	}
	if f.Field != "" && f.ManifestField != "" {
		b.WriteString(" (")
		b.WriteString(f.ManifestField)
		b.WriteString(")")
	}
	return b.String()
}

// Denyf returns a deny finding at field, found by stage.
func Denyf(stage Stage, field, format string, args ...any) Finding {
	return Finding{Severity: Deny, Stage: stage, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Warnf returns a warn finding at field, found by stage.
func Warnf(stage Stage, field, format string, args ...any) Finding {
	return Finding{Severity: Warn, Stage: stage, Field: field, Message: fmt.Sprintf(format, args...)}
}

// HasDeny reports whether any finding refuses the intent.
func HasDeny(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Deny {
			return true
		}
	}
	return false
}

// Default is one value written into the output that the intent did not say.
type Default struct {
	// Field is the intent field the default stands for.
	Field string
	// Value is the value written, as text.
	Value string
	// Source is who decided: "compiler" or "policy:<rule id>".
	Source string
	// Reason says why, for a person.
	Reason string
}

// SourceCompiler is the Source of defaults the compiler applies.
const SourceCompiler = "compiler"

// PolicySource returns the Source of a default a policy rule applied.
func PolicySource(ruleID string) string { return "policy:" + ruleID }

// Outcome is what a policy rule decided.
type Outcome int

const (
	// OutcomePass means the rule held.
	OutcomePass Outcome = iota + 1
	// OutcomeWarn means the rule failed with severity warn.
	OutcomeWarn
	// OutcomeDeny means the rule failed with severity deny.
	OutcomeDeny
	// OutcomeFault means the rule could not be evaluated: a fault in the
	// policy bundle. It refuses the intent when the rule denies.
	OutcomeFault
	// OutcomeExcepted means the rule failed, but the intent's exception to
	// it applies: its violations are excepted, neither refusing nor
	// warning.
	OutcomeExcepted
)

// String returns "pass", "warn", "deny", "fault" or "excepted".
func (o Outcome) String() string {
	switch o {
	case OutcomePass:
		return "pass"
	case OutcomeWarn:
		return "warn"
	case OutcomeDeny:
		return "deny"
	case OutcomeFault:
		return "fault"
	case OutcomeExcepted:
		return "excepted"
	}
	return "unknown"
}

// Decision is the outcome of one policy rule for one intent.
type Decision struct {
	RuleID   string
	Severity Severity
	Outcome  Outcome
	// Exception is what became of the intent's exception to the rule; nil
	// when the intent asks for none.
	Exception *Exception
}

// ExceptionState is what became of an intent's exception to a rule.
type ExceptionState int

const (
	// ExceptionApplied: the bundle allows it and the rule's violations
	// are excepted (the decision is OutcomeExcepted).
	ExceptionApplied ExceptionState = iota + 1
	// ExceptionUnused: the bundle allows it, but the rule found nothing to
	// except.
	ExceptionUnused
	// ExceptionExpired: it expired, and the rule decides as without it.
	ExceptionExpired
	// ExceptionRefused: the bundle does not allow it; the rule decides as
	// without it and the intent is refused.
	ExceptionRefused
)

// String returns "applied", "unused", "expired" or "refused".
func (s ExceptionState) String() string {
	switch s {
	case ExceptionApplied:
		return "applied"
	case ExceptionUnused:
		return "unused"
	case ExceptionExpired:
		return "expired"
	case ExceptionRefused:
		return "refused"
	}
	return "unknown"
}

// Exception is an intent's exception to one rule and what became of it.
type Exception struct {
	// Field is the exception in the intent: "exceptions[0]".
	Field string
	// Reason and Expires are as the intent gives them.
	Reason, Expires string
	State           ExceptionState
	// Message says what became of it, for a person.
	Message string
}

// Report explains a compile: every finding, default, decision and note.
type Report struct {
	// Profile is the policy profile the intent was evaluated against.
	Profile   string
	Findings  []Finding
	Defaults  []Default
	Decisions []Decision
	// Excepted are the violations the intent's exceptions excepted: what
	// the rules decided OutcomeExcepted found. They neither refuse nor
	// warn.
	Excepted []Finding
	// Notes are choices the compiler made, for a person.
	Notes []string
	// Sources say where each field of the compiled objects came from, in
	// the objects' order and each object's field order. They are filled
	// only when asked for (an explain request): the pipeline keeps the same
	// knowledge in a compact record and builds these texts on demand.
	Sources []FieldSource
}

// Allowed reports whether nothing in the report refuses the intent.
func (r *Report) Allowed() bool { return !HasDeny(r.Findings) }

// Denials returns the findings that refuse the intent.
func (r *Report) Denials() []Finding { return filter(r.Findings, Deny) }

// Warnings returns the findings that do not refuse the intent.
func (r *Report) Warnings() []Finding { return filter(r.Findings, Warn) }

func filter(fs []Finding, s Severity) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}
