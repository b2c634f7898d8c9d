package podc_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	podcv1 "github.com/podc-dev/podc/clients/go/gen/podc/v1"
	"github.com/podc-dev/podc/clients/go/podc"
)

func TestCompileBatchAnswersInOrder(t *testing.T) {
	c := dial(t)
	reqs := []*podcv1.CompileRequest{
		{Intent: example(t, "hello")},
		{Intent: intent(t, malformed)},
		{Intent: example(t, "checkout")},
		{Intent: intent(t, denied)},
		{Intent: example(t, "resolver"), Format: podcv1.OutputFormat_OUTPUT_FORMAT_JSON},
	}
	got, err := c.CompileBatch(testContext(t), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(reqs) {
		t.Fatalf("%d answers to %d requests", len(got), len(reqs))
	}
	for _, i := range []int{0, 2, 4} {
		if got[i].Err != nil || got[i].Response == nil {
			t.Fatalf("answer %d: %v", i, got[i].Err)
		}
		if name := reqs[i].GetIntent().GetName(); !strings.Contains(kinds(got[i].Response.GetManifests()), "/"+name) {
			t.Errorf("answer %d is not %s's: %s", i, name, kinds(got[i].Response.GetManifests()))
		}
	}
	if !strings.HasPrefix(got[4].Response.GetManifests()[0].GetContent(), "{") {
		t.Errorf("answer 4 is not JSON: %.40s", got[4].Response.GetManifests()[0].GetContent())
	}

	bad, ok := podc.AsRefusal(got[1].Err)
	if !ok || bad.Code != codes.InvalidArgument || status.Code(got[1].Err) != codes.InvalidArgument || got[1].Response != nil {
		t.Fatalf("answer 1: %v", got[1].Err)
	}
	if bad.Reason != "" || bad.Report == nil || !hasField(bad.Denials(), "containers[0].ports[0].containerPort") {
		t.Errorf("answer 1: %+v", bad)
	}
	deny, ok := podc.AsRefusal(got[3].Err)
	if !ok || deny.Code != codes.FailedPrecondition {
		t.Fatalf("answer 3: %v", got[3].Err)
	}
	var rule string
	for _, f := range deny.Denials() {
		if f.Field == "hostNetwork" {
			rule = f.RuleID
		}
	}
	if rule != "baseline.host-namespaces" {
		t.Errorf("answer 3 findings %v", deny.Findings)
	}
}

func TestCompileBatchEmpty(t *testing.T) {
	got, err := dial(t).CompileBatch(testContext(t), nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("%v, %v", got, err)
	}
}

func TestCompileBatchMissingIntent(t *testing.T) {
	got, err := dial(t).CompileBatch(testContext(t), []*podcv1.CompileRequest{{}, {Intent: example(t, "hello")}})
	if err != nil {
		t.Fatal(err)
	}
	if !hasField(podc.Findings(got[0].Err), "intent") || got[1].Err != nil {
		t.Fatalf("answers %v, %v", got[0].Err, got[1].Err)
	}
}

func hasField(fs []podc.Finding, field string) bool {
	for _, f := range fs {
		if f.Field == field {
			return true
		}
	}
	return false
}
