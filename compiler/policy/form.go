package policy

import (
	"cuelang.org/go/cue"

	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/policy/reads"
)

// inputRoots are the names of a request's inputs (see prelude.cue).
var inputRoots = map[string]bool{
	"intent": true, "manifests": true, "params": true,
	"container": true, "pod": true, "workload": true,
}

// inputKind is which of a request's inputs a form reads.
type inputKind int

const (
	// inputIntent is {intent, params}.
	inputIntent inputKind = iota
	// inputIntentContainer is {container, pod, params}, once per container.
	inputIntentContainer
	// inputManifests is {manifests, params}.
	inputManifests
	// inputManifestContainer is {container, workload, params}, once per
	// container of the workload.
	inputManifestContainer
	numInputs
)

func inputOf(stage diag.Stage, each string) inputKind {
	k := inputIntent
	if stage == diag.StageManifestPolicy {
		k = inputManifests
	}
	if each == "container" {
		k++
	}
	return k
}

// part is which part of a rule a form evaluates.
type part int

const (
	partViolations part = iota
	partDefaults
	// partException is the rule's exception terms: whether an intent may
	// except the rule.
	partException
	numParts
)

func (p part) field() string {
	switch p {
	case partDefaults:
		return "defaults"
	case partException:
		return "exception"
	}
	return "violations"
}

// others are the fields of the parts other than p.
func (p part) others() []string {
	var out []string
	for q := range numParts {
		if q != p {
			out = append(out, q.field())
		}
	}
	return out
}

// A form is one part of one rule (its violations, its defaults or its
// exception terms),
// compiled on its own as the definition #F<id> in every generation: the
// bundle trimmed to that rule and part, with the rule's metadata left out.
// The form's outcome on an input depends only on the part of the input it
// reads, which keys its cached outcomes.
//
// What a form is made of is fixed at load; how it compiles is settled the
// first time a generation compiles it (compileScope), under the bundle's
// settleMu, before any evaluation of it: whole, reads, conds and broken
// are written then, once, and only read after.
type form struct {
	id    int
	name  string
	rule  int
	part  part
	input inputKind
	// result is the path of the part's list below the form's rules.
	result cue.Path
	// settled: compiled once, so whole, reads, conds and broken hold.
	settled bool
	// whole: the rule refers to other rules, so its form keeps the whole
	// bundle, and its reads cannot be told.
	whole bool
	// broken is why the form does not compile even with the whole bundle;
	// empty when it compiles. A broken form is left out of every
	// generation, and evaluating it is a fault of its rule.
	broken string
	// reads is what the form reads; nil when that cannot be told, and then
	// the whole input keys its outcomes.
	reads *reads.Set
	// conds is what the conditions of the form's list read, when the list
	// is made only of `if` comprehensions (see reads.Conds); nil otherwise.
	// Inputs that agree on conds agree on whether the form produces
	// anything, so an input on which it produced nothing is also
	// remembered under its conds projection: a new image tag on a pinned
	// image needs no evaluation of a rule whose message alone reads the
	// image.
	conds *reads.Set
}
