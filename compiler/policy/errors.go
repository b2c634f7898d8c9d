package policy

import (
	"fmt"
	"strings"

	"github.com/podc-dev/podc/compiler/policy/source"
)

// LoadError is a bundle that does not compile: every CUE error, each with
// its file:line:column. It is the bundle author's fault, not the request's.
type LoadError struct {
	// Source is the directory, or "embedded".
	Source string
	// Problems are the errors, one line each: "dir/rules.cue:12:3: message".
	Problems []string
}

// Error lists the problems, one per line.
func (e *LoadError) Error() string {
	if len(e.Problems) == 1 {
		return "policy bundle " + e.Source + ": " + e.Problems[0]
	}
	return fmt.Sprintf("policy bundle %s: %d problems:\n  %s", e.Source, len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// cueProblems renders a CUE error as lines that start with file:line:col.
func cueProblems(err error) []string { return source.Problems(err) }

// evalProblems is cueProblems for an error of an evaluation, whose paths
// start with the job's own label (j0): left out, so the path starts at the
// rule.
func evalProblems(err error) []string { return source.EvalProblems(err) }
