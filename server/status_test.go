package server

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// trailerBytes is about what a status costs in the trailers: the message
// and the serialized details (sent base64-encoded).
func trailerBytes(st *status.Status) int {
	details := 0
	for _, d := range st.Proto().GetDetails() {
		details += proto.Size(d)
	}
	return len(st.Message()) + details*4/3
}

// TestHugeEchoedValueKeepsTheConnection sends a name of 3.9 MB of control
// characters. The refusal must be bounded, and the connection must live on:
// the client here accepts trailers of 8 KiB at most, as gRPC C-core clients
// do, and a larger trailer would have closed the connection under every
// call on it.
func TestHugeEchoedValueKeepsTheConnection(t *testing.T) {
	e := start(t)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return e.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithMaxHeaderListSize(8<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := podcv1.NewCompilerServiceClient(conn)

	wi := example(t, "hello.json")
	wi.Name = strings.Repeat("\x01", 3_900_000)
	_, err = client.Compile(context.Background(), &podcv1.CompileRequest{Intent: wi})
	st, br, rep := badRequestOf(t, err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v, want InvalidArgument: %.300v", st.Code(), err)
	}
	if n := trailerBytes(st); n > 7<<10 {
		t.Errorf("the status costs %d bytes of trailer", n)
	}
	var name *errdetails.BadRequest_FieldViolation
	for _, v := range br.GetFieldViolations() {
		if v.Field == "name" {
			name = v
		}
	}
	// The intent's size limits refuse the name by its length, before any
	// check could echo it.
	if name == nil || !strings.Contains(name.Description, "3900000 bytes") || strings.ContainsRune(name.Description, '\x01') {
		t.Errorf("the name violation does not state the length alone: %v", name)
	}
	if rep == nil || len(rep.Findings) == 0 {
		t.Errorf("the report detail is missing: %v", rep)
	}
	if !strings.Contains(st.Message(), "name: ") || strings.ContainsRune(st.Message(), '\x01') {
		t.Errorf("message = %q", st.Message())
	}

	// The same connection serves the next call.
	if _, err := client.Compile(context.Background(), &podcv1.CompileRequest{Intent: example(t, "hello.json")}); err != nil {
		t.Fatalf("the next call on the same connection failed: %v", err)
	}
}

// TestCompileBatchHugeValue sends the same huge name in a batch: the entry's
// error is bounded too, and the stream goes on.
func TestCompileBatchHugeValue(t *testing.T) {
	e := start(t)
	stream, err := e.compiler.CompileBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wi := example(t, "hello.json")
	wi.Name = strings.Repeat("\x01", 3_900_000)
	for _, r := range []*podcv1.CompileRequest{{Intent: wi}, {Intent: example(t, "hello.json")}} {
		if err := stream.Send(&podcv1.CompileBatchRequest{Request: r}); err != nil {
			t.Fatal(err)
		}
	}
	stream.CloseSend()
	first, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if be := first.GetError(); be == nil || codes.Code(be.Code) != codes.InvalidArgument || proto.Size(be) > 16<<10 {
		t.Errorf("first entry: code %v, %d bytes", codes.Code(be.GetCode()), proto.Size(be))
	}
	if second, err := stream.Recv(); err != nil || second.GetResponse() == nil {
		t.Fatalf("second entry: %v %v", second, err)
	}
}

// manyFindings is a refusal with n findings, each echoing a long value.
func manyFindings(n int) *diag.Error {
	de := &diag.Error{Kind: diag.Denied, Report: &diag.Report{Profile: "restricted"}}
	for i := range n {
		f := diag.Finding{
			Severity: diag.Deny, Stage: diag.StageIntentPolicy, RuleID: "restricted.rule",
			Field:   fmt.Sprintf("containers[%d].image", i),
			Message: fmt.Sprintf("%q is not pinned", strings.Repeat("i", 300)),
		}
		de.Findings = append(de.Findings, f)
		de.Report.Findings = append(de.Report.Findings, f)
		de.Report.Decisions = append(de.Report.Decisions, diag.Decision{RuleID: fmt.Sprintf("r%d", i), Severity: diag.Deny, Outcome: diag.OutcomeDeny})
		de.Report.Defaults = append(de.Report.Defaults, diag.Default{Field: fmt.Sprintf("containers[%d].imagePullPolicy", i), Value: "IfNotPresent", Source: "compiler"})
	}
	return de
}

var andMore = regexp.MustCompile(`^and (\d+) more`)

func TestStatusOfManyViolationsIsBounded(t *testing.T) {
	for _, n := range []int{1, 5, 40, 5000} {
		st, br, rep := badRequestOf(t, statusOf(manyFindings(n)).Err())
		if got := trailerBytes(st); got > 7<<10 {
			t.Errorf("%d findings: the status costs %d bytes", n, got)
		}
		if len(st.Message()) > maxStatusMessage {
			t.Errorf("%d findings: message of %d bytes", n, len(st.Message()))
		}
		vs := br.GetFieldViolations()
		last := vs[len(vs)-1]
		if m := andMore.FindStringSubmatch(last.Description); m != nil {
			more, _ := strconv.Atoi(m[1])
			if len(vs)-1+more != n {
				t.Errorf("%d findings: %d violations and %d more", n, len(vs)-1, more)
			}
		} else if len(vs) != n {
			t.Errorf("%d findings: %d violations and no 'and N more' entry", n, len(vs))
		}
		for _, v := range vs[:len(vs)-1] {
			if !strings.Contains(v.Description, "…(300 bytes)") {
				t.Errorf("%d findings: the echoed value is not cut: %q", n, v.Description)
				break
			}
		}
		if rep == nil || rep.Profile != "restricted" || len(rep.Findings) == 0 {
			t.Fatalf("%d findings: report = %v", n, rep)
		}
		trimmed := len(rep.Notes) > 0 && strings.HasPrefix(rep.Notes[len(rep.Notes)-1], "report trimmed")
		if whole := len(rep.Findings) == n && len(rep.Decisions) == n && len(rep.Defaults) == n; whole == trimmed {
			t.Errorf("%d findings: the report has %d findings, %d decisions, %d defaults; trimmed note: %v",
				n, len(rep.Findings), len(rep.Decisions), len(rep.Defaults), trimmed)
		}
	}
}

func TestTrimReportKeepsASmallReport(t *testing.T) {
	r := &podcv1.Report{Profile: "baseline", Allowed: true, Notes: []string{"a note"}}
	if got := trimReport(r, 1024); got != r {
		t.Errorf("a report that fits was changed: %v", got)
	}
}

func TestTrimReportNote(t *testing.T) {
	r := reportProto(manyFindings(50).Report)
	got := trimReport(r, 2048)
	if proto.Size(got) > 2048 {
		t.Errorf("trimmed report has %d bytes", proto.Size(got))
	}
	want := fmt.Sprintf("report trimmed to keep the error small: %d of 50 findings, 0 of 50 policy decisions and 0 of 50 defaults shown", len(got.Findings))
	if len(got.Notes) != 1 || !strings.HasPrefix(got.Notes[0], want) {
		t.Errorf("notes = %q, want %q…", got.Notes, want)
	}
}

// TestTrimReportExcepted: excepted violations come after the decisions,
// their echoed texts (and the exceptions' reasons) are clipped, and the
// note counts them.
func TestTrimReportExcepted(t *testing.T) {
	rep := &diag.Report{Profile: "restricted"}
	for i := range 40 {
		rep.Decisions = append(rep.Decisions, diag.Decision{RuleID: fmt.Sprintf("r%d", i), Severity: diag.Deny, Outcome: diag.OutcomeExcepted,
			Exception: &diag.Exception{Field: fmt.Sprintf("exceptions[%d]", i), Reason: strings.Repeat("why ", 250), State: diag.ExceptionApplied}})
		rep.Excepted = append(rep.Excepted, diag.Finding{Severity: diag.Deny, Stage: diag.StageIntentPolicy, RuleID: fmt.Sprintf("r%d", i),
			Field: fmt.Sprintf("containers[%d].image", i), Message: strings.Repeat("m", 600)})
	}
	r := clipReport(reportProto(rep))
	if n := len(r.Decisions[0].Exception.Reason); n > maxText+32 {
		t.Errorf("an exception's reason of %d bytes", n)
	}
	if n := len(r.Excepted[0].Message); n > maxText+32 {
		t.Errorf("an excepted violation's message of %d bytes", n)
	}
	got := trimReport(r, 32<<10)
	if proto.Size(got) > 32<<10 || len(got.Decisions) != 40 || len(got.Excepted) == 0 || len(got.Excepted) == 40 {
		t.Fatalf("trimmed to %d bytes: %d decisions, %d excepted", proto.Size(got), len(got.Decisions), len(got.Excepted))
	}
	want := fmt.Sprintf("(and %d of 40 excepted violations)", len(got.Excepted))
	if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], want) {
		t.Errorf("notes = %q, want %q", got.Notes, want)
	}
}
