package policy

import (
	"time"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/target"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// DefaultProfile is the profile used when a request names none.
const DefaultProfile = "baseline"

// Profile is a named set of rules.
type Profile struct{ Name, Description string }

// Rule describes one policy rule.
type Rule struct {
	ID          string
	Profiles    []string
	Severity    diag.Severity
	Message     string
	Description string
	// Stage is diag.StageIntentPolicy or diag.StageManifestPolicy.
	Stage diag.Stage
	// Defaults reports whether the rule supplies defaults to the intent.
	Defaults bool
	// Each is "container" for a rule that reads one container at a time
	// (its input is container, not intent or manifests); empty for a rule
	// over the whole intent or the whole set of manifests.
	Each string
	// Exception is the bundle's terms for excepting the rule; nil when it
	// cannot be excepted.
	Exception *ExceptionTerms
}

// ExceptionTerms are the terms on which an intent may except a rule: the
// rule's exception field in the bundle.
type ExceptionTerms struct {
	// Conditional reports whether the bundle's answer depends on the
	// intent (allowed is a condition over it); false when it allows every
	// intent.
	Conditional bool
	// RequireExpiry: an exception must say when it expires.
	RequireExpiry bool
	// MaxDays bounds how many days after the compile that judges it an
	// exception may expire; 0 means no bound. It implies RequireExpiry.
	MaxDays int
}

// Params are the request-level inputs of an evaluation.
type Params struct {
	// Profile is the profile to evaluate; empty means DefaultProfile.
	Profile string
	// NodePorts is the platform's node port range; zero means
	// intent.DefaultNodePorts.
	NodePorts intent.PortRange
	// Target is the Kubernetes version compiled for; zero means
	// target.Default. The input says which sysctls its kubelet has in its
	// safe set.
	Target target.Version
	// Now is the instant the intent's exceptions are judged at: whether
	// each has expired, and how far its expiry lies. The engine sets it
	// from its one clock, so the service and the CLI judge alike; the
	// zero value means the wall clock's now. It never enters a rule's
	// input, so it never keys the outcome cache.
	Now time.Time
	// Exceptions is the intent stage's judgement of the intent's
	// exceptions (IntentResult.Exceptions), which EvaluateManifests applies
	// to the manifest rules; nil excepts nothing. EvaluateIntent ignores
	// it: it judges the intent's own.
	Exceptions *Exceptions
	// IntentOwned lets EvaluateIntent apply the defaults to the intent it
	// is given instead of a copy: for a caller that made the intent for
	// this evaluation alone (a request it decoded) and reads it afterwards
	// only through IntentResult.Intent. EvaluateManifests ignores it.
	IntentOwned bool
}

func (p Params) normalized() Params {
	if p.Profile == "" {
		p.Profile = DefaultProfile
	}
	if p.NodePorts == (intent.PortRange{}) {
		p.NodePorts = intent.DefaultNodePorts
	}
	if p.Target == (target.Version{}) {
		p.Target = target.Default
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	return p
}

// IntentResult is the outcome of the intent rules.
type IntentResult struct {
	// Intent is the intent with policy defaults applied: a copy, the input is
	// never changed, unless Params.IntentOwned (then it is the input).
	Intent *podcv1.WorkloadIntent
	// Findings are the intent rules' violations, by rule id.
	Findings []diag.Finding
	// Defaults are the values policy rules supplied, each with its field
	// path and Source diag.PolicySource(ruleID).
	Defaults []diag.Default
	// Decisions has one entry per intent rule of the profile.
	Decisions []diag.Decision
	// Excepted are the violations of intent rules that the intent's
	// exceptions excepted, by rule id.
	Excepted []diag.Finding
	// Exceptions is the judgement of the intent's exceptions, for
	// EvaluateManifests (Params.Exceptions) and for how long a result
	// holds (Exceptions.Until).
	Exceptions *Exceptions
	// Notes say what became of exceptions that have no effect under the
	// profile, for a person.
	Notes []string
}

// ManifestResult is the outcome of the manifest rules.
type ManifestResult struct {
	// Findings are the manifest rules' violations, by rule id.
	Findings []diag.Finding
	// Decisions has one entry per manifest rule of the profile.
	Decisions []diag.Decision
	// Excepted are the violations of manifest rules that the intent's
	// exceptions (Params.Exceptions) excepted, by rule id.
	Excepted []diag.Finding
}
