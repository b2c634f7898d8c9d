package policy

import (
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
	return p
}

// IntentResult is the outcome of the intent rules.
type IntentResult struct {
	// Intent is the intent with policy defaults applied: a copy, the input is
	// never changed.
	Intent *podcv1.WorkloadIntent
	// Findings are the intent rules' violations, by rule id.
	Findings []diag.Finding
	// Defaults are the values policy rules supplied, each with its field
	// path and Source diag.PolicySource(ruleID).
	Defaults []diag.Default
	// Decisions has one entry per intent rule of the profile.
	Decisions []diag.Decision
}

// ManifestResult is the outcome of the manifest rules.
type ManifestResult struct {
	// Findings are the manifest rules' violations, by rule id.
	Findings []diag.Finding
	// Decisions has one entry per manifest rule of the profile.
	Decisions []diag.Decision
}
