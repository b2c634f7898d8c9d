package source

import (
	"fmt"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"
)

// Problems renders a CUE error as lines that start with file:line:col:
// the first position outside the prelude, where there is one.
func Problems(err error) []string { return problemLines(err, false) }

// EvalProblems is Problems for an error of an evaluation, whose paths
// start with the job's own label (j0): left out, so the path starts at the
// rule.
func EvalProblems(err error) []string { return problemLines(err, true) }

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
			if p.IsValid() && p.Filename() != PreludeName {
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
