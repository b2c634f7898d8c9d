package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// TestExceptionsCLIAndServerAgree: podc compile and podc serve judge an
// intent's exceptions alike, each with the engine's one clock: the same
// decisions, exceptions and excepted violations. The expiries lie far
// from the time the test runs: one long past, one a month ahead.
func TestExceptionsCLIAndServerAgree(t *testing.T) {
	ahead := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	src := `{"name": "web", "profile": "restricted", "labels": {"team": "web"},
		"exceptions": [
			{"rule": "restricted.memory-limit", "reason": "sizing after the load test", "expires": "` + ahead + `"},
			{"rule": "restricted.liveness-probe", "reason": "the health endpoint ships later", "expires": "2020-01-31"},
			{"rule": "restricted.replicas", "reason": "a singleton", "expires": "` + ahead + `T12:00:00Z"},
			{"rule": "baseline.image-pinned", "reason": "another profile's"}],
		"containers": [{"name": "web", "image": "registry.example.com/web:1.0.0", "resources": {"cpu": {"request": "100m"}}}]}`

	code, _, errs := run(t, src, "compile", "-f", "-", "--explain")
	if code != exitRefused {
		t.Fatalf("exit %d, want %d (the expired exception lets the liveness rule deny)\n%s", code, exitRefused, errs)
	}
	var cli []string
	for _, line := range strings.Split(errs, "\n") {
		if strings.HasPrefix(line, "decision: ") && strings.Contains(line, " exception ") || strings.HasPrefix(line, "excepted: ") ||
			strings.HasPrefix(line, "warning: ") || strings.HasPrefix(line, "note: exceptions[") {
			cli = append(cli, line)
		}
	}

	srv := serveForTest(t, "--drain-delay", "0")
	conn, err := grpc.NewClient(srv.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	wi, err := intent.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := podcv1.NewCompilerServiceClient(conn).Validate(context.Background(), &podcv1.ValidateRequest{Intent: wi})
	if err != nil {
		t.Fatal(err)
	}
	rep := resp.GetReport()
	var served []string
	for _, d := range rep.GetDecisions() {
		if x := d.GetException(); x != nil {
			outcome := strings.ToLower(strings.TrimPrefix(d.GetOutcome().String(), "OUTCOME_"))
			severity := strings.ToLower(strings.TrimPrefix(d.GetSeverity().String(), "SEVERITY_"))
			state := strings.ToLower(strings.TrimPrefix(x.GetState().String(), "EXCEPTION_STATE_"))
			served = append(served, "decision: "+d.GetRuleId()+" "+outcome+" (severity "+severity+") exception "+x.GetField()+" "+state+": "+x.GetMessage())
		}
	}
	for _, f := range rep.GetExcepted() {
		served = append(served, "excepted: "+f.GetField()+": "+f.GetMessage()+" ["+f.GetRuleId()+"]")
	}
	for _, f := range rep.GetFindings() {
		if f.GetSeverity() == podcv1.Severity_SEVERITY_WARN {
			served = append(served, "warning: "+f.GetField()+": "+f.GetMessage()+" ["+f.GetRuleId()+"]")
		}
	}
	for _, n := range rep.GetNotes() {
		if strings.HasPrefix(n, "exceptions[") {
			served = append(served, "note: "+n)
		}
	}
	slices.Sort(cli)
	slices.Sort(served)
	if !slices.Equal(cli, served) {
		js, _ := protojson.Marshal(rep)
		t.Errorf("the CLI and the server disagree\nCLI:\n  %s\nserver:\n  %s\n(report %s)", strings.Join(cli, "\n  "), strings.Join(served, "\n  "), js)
	}
	for _, want := range []string{
		"decision: restricted.memory-limit excepted (severity deny) exception exceptions[0] applied: 1 violation excepted",
		"decision: restricted.liveness-probe deny (severity deny) exception exceptions[1] expired: expired at 2020-02-01T00:00:00Z",
		"decision: restricted.replicas pass (severity deny) exception exceptions[2] unused: the rule found nothing to except: the exception may be dropped",
		"excepted: containers[0].resources.memory.limit: a memory limit is required [restricted.memory-limit]",
		"warning: exceptions[1].expires: the exception to restricted.liveness-probe expired (2020-01-31): the rule decides as without it [restricted.liveness-probe]",
		"note: exceptions[3]: baseline.image-pinned is not a rule of profile restricted: the exception has no effect here",
	} {
		if !slices.Contains(cli, want) {
			t.Errorf("podc compile --explain lacks %q:\n%s", want, errs)
		}
	}
}
