package intent

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func TestParseExpiry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time // zero: refused
	}{
		{"2025-12-31", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2024-02-28", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2025-12-31T18:00:00Z", time.Date(2025, 12, 31, 18, 0, 0, 0, time.UTC)},
		{"2025-12-31T18:00:00+02:00", time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)},
		{"2025-12-31T18:00:00.5Z", time.Date(2025, 12, 31, 18, 0, 0, 5e8, time.UTC)},
		{"2025-12-31T18:00:00", time.Time{}}, // no offset: whose midnight?
		{"2025-13-01", time.Time{}},
		{"2025-02-30", time.Time{}},
		{"31/12/2025", time.Time{}},
		{"2025-12-31 18:00:00Z", time.Time{}},
		{"next week", time.Time{}},
		{" 2025-12-31", time.Time{}},
	} {
		got, err := ParseExpiry(tc.in)
		switch {
		case tc.want.IsZero() && err == nil:
			t.Errorf("ParseExpiry(%q) = %v, want an error", tc.in, got)
		case tc.want.IsZero():
			if !strings.Contains(err.Error(), "RFC 3339") {
				t.Errorf("ParseExpiry(%q) error %q does not say what to write", tc.in, err)
			}
		case err != nil:
			t.Errorf("ParseExpiry(%q): %v", tc.in, err)
		case !got.Equal(tc.want):
			t.Errorf("ParseExpiry(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCheckExceptions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		exceptions string
		want       []string // "field: message fragment", in order
	}{
		{"well formed", `[{"rule": "restricted.memory-limit", "reason": "sized after load tests", "expires": "2025-12-31"},
			{"rule": "restricted.liveness-probe", "reason": "batch-like", "expires": "2025-12-31T18:00:00+02:00"},
			{"rule": "restricted.replicas", "reason": "a singleton"}]`, nil},
		{"no rule, no reason", `[{}]`, []string{
			"exceptions[0].rule: a rule id is needed",
			"exceptions[0].reason: a reason is needed",
		}},
		{"blank reason", `[{"rule": "a.b", "reason": " \t"}]`, []string{"exceptions[0].reason: a reason is needed"}},
		{"duplicate", `[{"rule": "a.b", "reason": "x"}, {"rule": "a.c", "reason": "x"}, {"rule": "a.b", "reason": "y"}]`, []string{
			"exceptions[2].rule: a.b is excepted already by exceptions[0]: one exception per rule",
		}},
		{"bad expiry", `[{"rule": "a.b", "reason": "x", "expires": "31/12/2025"}]`, []string{
			`exceptions[0].expires: "31/12/2025" is not an RFC 3339 date (2025-12-31) or timestamp`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Check(mustDecode(t, pod(`"exceptions": `+tc.exceptions)), Options{}) {
				got = append(got, f.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n  %s", len(got), len(tc.want), strings.Join(got, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestCheckExceptionsNilEntry: a nil entry is an empty one, never a panic.
func TestCheckExceptionsNilEntry(t *testing.T) {
	wi := mustDecode(t, pod(`"profile": "restricted"`))
	wi.Exceptions = []*podcv1.PolicyException{nil}
	fs := Check(wi, Options{})
	if _, ok := findingAt(fs, "exceptions[0].rule"); !ok {
		t.Errorf("no finding at exceptions[0].rule: %v", fs)
	}
	if fs := CheckLimits(wi, Limits{}); len(fs) > 0 {
		t.Errorf("CheckLimits = %v", fs)
	}
}

func TestCheckLimitsExceptions(t *testing.T) {
	wi := mustDecode(t, pod(`"profile": "restricted"`))
	for i := range 3 {
		wi.Exceptions = append(wi.Exceptions, &podcv1.PolicyException{Rule: fmt.Sprintf("r.%d", i), Reason: "x"})
	}
	wi.Exceptions[1].Reason = strings.Repeat("y", 1025)
	fs := CheckLimits(wi, Limits{Exceptions: 3})
	if f, ok := findingAt(fs, "exceptions[1].reason"); !ok || f.Message != "1025 bytes, at most 1024" {
		t.Errorf("reason: %v", fs)
	}
	if len(fs) != 1 {
		t.Errorf("got %d findings, want 1: %v", len(fs), fs)
	}
	fs = CheckLimits(wi, Limits{Exceptions: 2})
	if f, ok := findingAt(fs, "exceptions"); !ok || f.Message != "3 exceptions, at most 2" || f.Severity != diag.Deny {
		t.Errorf("count: %v", fs)
	}
}
