package diag

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	p := Path("containers").Index(0).Field("probes").Field("liveness").Field("httpGet").Field("port")
	if got, want := p.String(), "containers[0].probes.liveness.httpGet.port"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if got, want := Path("labels").Key("team").String(), `labels["team"]`; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if got := Path("").Field("name").String(); got != "name" {
		t.Errorf("path = %q, want name", got)
	}
	// The containers' paths are made ahead for small indexes: every root and
	// index, made or not, reads the same.
	for _, root := range []Path{"containers", "sidecars", "initSteps", "volumes", "containers[0].ports"} {
		for _, i := range []int{0, 1, 9, 15, 16, 17, 123} {
			if got, want := root.Index(i).String(), fmt.Sprintf("%s[%d]", root, i); got != want {
				t.Errorf("path = %q, want %q", got, want)
			}
		}
	}
}

func TestFindingStartsWithItsPath(t *testing.T) {
	for _, tc := range []struct {
		f    Finding
		want string
	}{
		{Denyf(StageIntent, "containers[0].image", "no tag"), "containers[0].image: no tag"},
		{Finding{Field: "labels", Message: "a team label is required", RuleID: "restricted.team-label"}, "labels: a team label is required [restricted.team-label]"},
		{Finding{ManifestField: "Pod/x: spec.containers[0].name", Message: "bad"}, "Pod/x: spec.containers[0].name: bad"},
		{Finding{Field: "containers[0]", ManifestField: "Pod/x: spec.containers[0]", Message: "bad", RuleID: "r"}, "containers[0]: bad [r] (Pod/x: spec.containers[0])"},
		{Finding{Message: "whole"}, "(intent): whole"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestReportSplitsDenialsAndWarnings(t *testing.T) {
	r := &Report{Findings: []Finding{Warnf(StageIntentPolicy, "a", "w"), Denyf(StageIntent, "b", "d")}}
	if r.Allowed() || len(r.Denials()) != 1 || len(r.Warnings()) != 1 || r.Denials()[0].Field != "b" {
		t.Errorf("report = %+v", r)
	}
	r.Findings = r.Warnings()
	if !r.Allowed() {
		t.Error("a report with only warnings must allow")
	}
}

func TestError(t *testing.T) {
	cause := errors.New("boom")
	var err error = &Error{Kind: Internal, Cause: cause}
	if !errors.Is(err, cause) {
		t.Error("Error does not unwrap to its cause")
	}
	de, ok := AsError(fmt.Errorf("wrapped: %w", err))
	if !ok || de.Kind != Internal {
		t.Errorf("AsError = %v, %v", de, ok)
	}
	multi := &Error{Kind: Invalid, Findings: []Finding{Denyf(StageIntent, "name", "required"), Denyf(StageIntent, "containers", "required")}}
	lines := strings.Split(multi.Error(), "\n")
	if len(lines) != 3 || lines[0] != "invalid intent: 2 problems" || strings.TrimSpace(lines[1]) != "name: required" {
		t.Errorf("Error() = %q", multi.Error())
	}
	if _, err := ParseSeverity("block"); err == nil {
		t.Error("ParseSeverity accepted block")
	}
	if s, err := ParseSeverity("warn"); err != nil || s != Warn || s.String() != "warn" {
		t.Errorf("ParseSeverity(warn) = %v, %v", s, err)
	}
}
