package diag

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind says whose fault a failed compile is.
type Kind int

const (
	// Invalid means the intent is malformed: the caller's fault.
	Invalid Kind = iota + 1
	// Denied means a policy rule refused the intent.
	Denied
	// Internal means podc failed: a compiler or engine fault.
	Internal
	// PolicyFault means a deny rule of the policy bundle could not be
	// evaluated on the intent, so the intent is refused (the rule fails
	// closed): the bundle's fault, neither the caller's nor podc's.
	PolicyFault
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid intent"
	case Denied:
		return "denied by policy"
	case Internal:
		return "internal error"
	case PolicyFault:
		return "policy fault"
	}
	return "unknown"
}

// Error is a failed compile: whose fault it is and every finding that refuses
// the intent. Report, when set, is the whole report up to the failure.
type Error struct {
	Kind     Kind
	Findings []Finding
	Report   *Report
	// Cause is the underlying fault of an Internal error; it is logged, never
	// shown to callers.
	Cause error
}

// Error lists the findings, one per line, each starting with its field path.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", e.Kind)
	switch len(e.Findings) {
	case 0:
	case 1:
		b.WriteString(": ")
		b.WriteString(e.Findings[0].String())
	default:
		fmt.Fprintf(&b, ": %d problems", len(e.Findings))
		for _, f := range e.Findings {
			b.WriteString("\n  ")
			b.WriteString(f.String())
		}
	}
	return b.String()
}

// Unwrap returns the cause of an internal error.
func (e *Error) Unwrap() error { return e.Cause }

// AsError returns err as an *Error, if it is one.
func AsError(err error) (*Error, bool) {
	var de *Error
	ok := errors.As(err, &de)
	return de, ok
}

// Path builds intent field paths: Path("containers").Index(0).Field("image")
// is "containers[0].image".
type Path string

// Field appends a named field.
func (p Path) Field(name string) Path {
	if p == "" {
		return Path(name)
	}
	return p + "." + Path(name)
}

// Index appends a list index.
func (p Path) Index(i int) Path {
	if i >= 0 && i < len(containerPaths[0]) {
		for r, root := range containerRoots {
			if p == root {
				return containerPaths[r][i]
			}
		}
	}
	b := make([]byte, 0, len(p)+8)
	b = append(b, p...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(i), 10)
	return Path(append(b, ']'))
}

// containerRoots are the intent's lists of containers, whose first items'
// paths every compile names many times: containerPaths holds them made.
var (
	containerRoots = [...]Path{"containers", "sidecars", "initSteps"}
	containerPaths = func() (t [len(containerRoots)][16]Path) {
		for r, root := range containerRoots {
			for i := range t[r] {
				t[r][i] = Path(fmt.Sprintf("%s[%d]", root, i))
			}
		}
		return t
	}()
)

// Key appends a map key.
func (p Path) Key(k string) Path {
	b := make([]byte, 0, len(p)+len(k)+4)
	b = append(b, p...)
	b = append(b, '[')
	b = strconv.AppendQuote(b, k)
	return Path(append(b, ']'))
}

// String returns the path.
func (p Path) String() string { return string(p) }
