package policy

import (
	"fmt"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"
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
func cueProblems(err error) []string { return problemLines(err, false) }

// evalProblems is cueProblems for an error of an evaluation, whose paths
// start with the job's own label (j0): left out, so the path starts at the
// rule.
func evalProblems(err error) []string { return problemLines(err, true) }

func problemLines(err error, dropJob bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		p := e.Path()
		if dropJob && len(p) > 0 && strings.HasPrefix(p[0], "j") {
			p = p[1:]
		}
		if len(p) > 0 {
			msg = strings.Join(p, ".") + ": " + msg
		}
		pos := ""
		for _, p := range cueerrors.Positions(e) {
			if p.IsValid() && p.Filename() != preludeName {
				pos = fmt.Sprintf("%s:%d:%d", p.Filename(), p.Line(), p.Column())
				break
			}
		}
		if pos == "" {
			if p := e.Position(); p.IsValid() {
				pos = fmt.Sprintf("%s:%d:%d", p.Filename(), p.Line(), p.Column())
			}
		}
		line := msg
		if pos != "" {
			line = pos + ": " + msg
		}
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	if len(out) == 0 && err != nil {
		out = append(out, err.Error())
	}
	return out
}
