package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/server"
)

// startPodc serves the real podc on a loopback port.
func startPodc(t *testing.T) string {
	t.Helper()
	b, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	store := store.New(b, nil)
	srv := server.New(server.Options{Compiler: compiler.New(compiler.Options{Policies: store}), Policies: store})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.GRPC.Serve(lis)
	t.Cleanup(srv.GRPC.Stop)
	return lis.Addr().String()
}

func load(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestLoadModesAgainstPodc runs every mode against the real server: every
// intent compiles, and the counts add up.
func TestLoadModesAgainstPodc(t *testing.T) {
	addr := startPodc(t)
	for _, tc := range []struct {
		args      []string
		want      []string
		intentsOK int64
		unitsOK   int64
		unit      string
	}{
		{[]string{"-mode", "distinct", "-c", "2", "-n", "40"}, []string{"distinct (vary name), 2 streams", "calls 40 ok, 0 failed", "latency per call p50 "}, 40, 40, "call"},
		{[]string{"-mode", "identical", "-c", "2", "-n", "30"}, []string{"identical, 2 streams", "calls 30 ok, 0 failed"}, 30, 30, "call"},
		{[]string{"-mode", "batch", "-batch", "25", "-c", "2", "-n", "3"}, []string{"batch (vary name), rounds of 25, 2 streams", "rounds 3 completed, 0 failed; intents 75 ok, 0 failed", "latency per round p50 "}, 75, 3, "round"},
		{[]string{"-mode", "unary-sequential", "-batch", "10", "-c", "1", "-n", "2", "-vary", "name,label,image"}, []string{"unary-sequential (vary name,label,image), rounds of 10, 1 streams", "intents 20 ok, 0 failed"}, 20, 2, "round"},
		{[]string{"-fresh", "-c", "1", "-n", "5"}, []string{"distinct (vary label)", "calls 5 ok"}, 5, 5, "call"},
		{[]string{"-mode", "health", "-c", "2", "-n", "25"}, []string{"health, 2 streams", "calls 25 ok, 0 failed"}, 25, 25, "call"},
		{[]string{"-mode", "identical", "-decode", "-c", "2", "-n", "20"}, []string{"identical, 2 streams", "calls 20 ok, 0 failed"}, 20, 20, "call"},
		{[]string{"-mode", "distinct", "-decode", "-c", "2", "-n", "20"}, []string{"distinct (vary name), 2 streams", "calls 20 ok, 0 failed"}, 20, 20, "call"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"-addr", addr, "-f", "../../examples/checkout.json", "-d", "60s", "-wait", "10s"}, tc.args...)
			code, out, errs := load(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s%s", code, out, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			code, out, errs = load(t, append(args, "-json")...)
			if code != 0 {
				t.Fatalf("-json: exit %d: %s%s", code, out, errs)
			}
			var rep report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("-json output: %v\n%s", err, out)
			}
			if rep.IntentsOK != tc.intentsOK || rep.UnitsOK != tc.unitsOK || rep.Unit != tc.unit || rep.IntentsFailed != 0 || rep.Failures != nil {
				t.Errorf("report %+v; want %d intents in %d %ss", rep, tc.intentsOK, tc.unitsOK, tc.unit)
			}
			if rep.Latency.P50 <= 0 || rep.Latency.P50 > rep.Latency.P95 || rep.Latency.P95 > rep.Latency.P99 || rep.Latency.P99 > rep.Latency.Max {
				t.Errorf("latencies out of order: %+v", rep.Latency)
			}
			// A compile's response (checkout's manifests and report) is
			// several KB, decoded or not; a round or a health check has no
			// mean response size.
			unary := rep.Unit == "call" && rep.Mode != "health"
			if unary && (rep.ResponseBytes < 4000 || rep.ResponseBytes > 64000) || !unary && rep.ResponseBytes != 0 {
				t.Errorf("mean response %d bytes", rep.ResponseBytes)
			}
		})
	}
}

// fake is a CompilerService that records the names it is sent and
// refuses the ones that end in 3 with INVALID_ARGUMENT.
type fake struct {
	podcv1.UnimplementedCompilerServiceServer
	mu    sync.Mutex
	names map[string]int
	sizes []int // intents per batch stream
	// delay holds every unary call this long before it is answered.
	delay time.Duration
}

func (f *fake) answer(wi *podcv1.WorkloadIntent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names[wi.GetName()]++
	if strings.HasSuffix(wi.GetName(), "3") {
		return status.Error(codes.InvalidArgument, "name: ends in 3")
	}
	return nil
}

func (f *fake) Compile(_ context.Context, req *podcv1.CompileRequest) (*podcv1.CompileResponse, error) {
	time.Sleep(f.delay)
	if err := f.answer(req.GetIntent()); err != nil {
		return nil, err
	}
	return &podcv1.CompileResponse{}, nil
}

func (f *fake) CompileBatch(stream grpc.BidiStreamingServer[podcv1.CompileBatchRequest, podcv1.CompileBatchResponse]) error {
	n := 0
	defer func() { f.mu.Lock(); f.sizes = append(f.sizes, n); f.mu.Unlock() }()
	for ; ; n++ {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if strings.HasSuffix(in.GetRequest().GetIntent().GetName(), "-77") {
			return status.Error(codes.ResourceExhausted, "no more")
		}
		out := &podcv1.CompileBatchResponse{Index: int64(n), Result: &podcv1.CompileBatchResponse_Response{Response: &podcv1.CompileResponse{}}}
		if err := f.answer(in.GetRequest().GetIntent()); err != nil {
			out.Result = &podcv1.CompileBatchResponse_Error{Error: &podcv1.BatchError{Code: int32(status.Code(err)), Message: err.Error()}}
		}
		if err := stream.Send(out); err != nil {
			return err
		}
	}
}

func startFake(t *testing.T) (*fake, string) {
	f := &fake{names: map[string]int{}}
	s := grpc.NewServer()
	podcv1.RegisterCompilerServiceServer(s, f)
	healthpb.RegisterHealthServer(s, health.NewServer())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return f, lis.Addr().String()
}

// TestDistinctSendsEveryNameOnce: in distinct mode no two calls carry the
// same workload name, refusals are counted by code, and the exit code
// says that some failed.
func TestDistinctSendsEveryNameOnce(t *testing.T) {
	f, addr := startFake(t)
	code, out, errs := load(t, "-addr", addr, "-f", "../../examples/checkout.json", "-c", "4", "-n", "100", "-json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some refused): %s%s", code, out, errs)
	}
	if len(f.names) != 100 {
		t.Errorf("%d names for 100 calls", len(f.names))
	}
	for name, n := range f.names {
		if n != 1 || !strings.HasPrefix(name, "checkout-") {
			t.Errorf("%q sent %d times", name, n)
		}
	}
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// checkout-3, -13, -23, ... -93: ten end in 3.
	if rep.IntentsOK != 90 || rep.IntentsFailed != 10 || rep.Failures["InvalidArgument"] != 10 || rep.UnitsOK != 90 {
		t.Errorf("report %+v", rep)
	}
}

// TestIdenticalSendsOneName: identical mode sends the file's intent as it
// is.
func TestIdenticalSendsOneName(t *testing.T) {
	f, addr := startFake(t)
	if code, out, errs := load(t, "-addr", addr, "-f", "../../examples/checkout.json", "-mode", "identical", "-c", "3", "-n", "30"); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	if len(f.names) != 1 || f.names["checkout"] != 30 {
		t.Errorf("names %v", f.names)
	}
}

// TestBatchRoundsAndStreamFailures: each round is one stream of -batch
// intents; a stream that fails fails the intents it did not answer, with
// its code, and the round is not counted as completed.
func TestBatchRoundsAndStreamFailures(t *testing.T) {
	f, addr := startFake(t)
	code, out, errs := load(t, "-addr", addr, "-f", "../../examples/checkout.json", "-mode", "batch", "-batch", "20", "-c", "1", "-n", "5", "-json")
	if code != 1 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// Rounds hold 1-20, 21-40, 41-60, 61-80 (fails at 77), 81-100.
	if rep.UnitsOK != 4 || rep.UnitsFailed != 1 {
		t.Errorf("rounds %d completed, %d failed; want 4 and 1", rep.UnitsOK, rep.UnitsFailed)
	}
	// 10 names end in 3 across 1-100, one of them (83) compiled in the last
	// round, 63 and 73 before the failure; 77-80 never answered.
	if rep.Failures["ResourceExhausted"] != 4 || rep.Failures["InvalidArgument"] != 10 || rep.IntentsOK != 100-14 {
		t.Errorf("failures %v, ok %d", rep.Failures, rep.IntentsOK)
	}
	for i, n := range f.sizes {
		if n != 20 && n != 16 {
			t.Errorf("stream %d carried %d intents", i, n)
		}
	}
}

// TestHealthModeCountsNotServing: in health mode a check that answers
// anything but SERVING is a failure, and no compile is sent.
func TestHealthModeCountsNotServing(t *testing.T) {
	f := &fake{names: map[string]int{}}
	s := grpc.NewServer()
	podcv1.RegisterCompilerServiceServer(s, f)
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	code, out, errs := load(t, "-addr", lis.Addr().String(), "-f", "../../examples/hello.json", "-mode", "health", "-c", "2", "-n", "12", "-json")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s%s", code, out, errs)
	}
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.IntentsOK != 0 || rep.IntentsFailed != 12 || rep.Failures["Unavailable"] != 12 || rep.Vary != "none" {
		t.Errorf("report %+v", rep)
	}
	if len(f.names) != 0 {
		t.Errorf("health mode sent compiles: %v", f.names)
	}
}

func TestLoadUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-f", "does-not-exist.json"},
		{"-mode", "burst"},
		{"-vary", "colour"},
		{"-vary", "none"},
		{"-fresh", "-mode", "batch"},
		{"-c", "0"},
		{"-batch", "0"},
		{"-d", "0s"},
		{"-pid", "-3"},
		{"extra"},
		{"-no-such-flag"},
	} {
		if code, out, errs := load(t, append([]string{"-f", "../../examples/hello.json"}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s%s", args, code, out, errs)
		}
	}
	if code, _, _ := load(t, "-h"); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}

// TestLoadWatchesRSSAndIntervals: with -pid and -every the report has the
// server's RSS and one line per interval.
func TestLoadWatchesRSSAndIntervals(t *testing.T) {
	addr := startPodc(t) // in this process: its RSS is ours
	code, out, errs := load(t, "-addr", addr, "-f", "../../examples/hello.json", "-c", "2", "-n", "1000000", "-d", "1200ms",
		"-every", "300ms", "-pid", strconv.Itoa(os.Getpid()))
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	lines := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "t=") {
			lines++
		}
	}
	if lines < 2 || !strings.Contains(out, " rss ") || !strings.Contains(out, "server RSS start ") || !strings.Contains(out, "server CPU ") {
		t.Errorf("want interval lines with rss, an RSS summary and the server's CPU time:\n%s", out)
	}
}

// TestBatchAnswerReadsOnlyTheOutcome: an answer read undecoded says
// whether its entry failed and with which code, as decoding it would.
func TestBatchAnswerReadsOnlyTheOutcome(t *testing.T) {
	for _, tc := range []struct {
		msg    *podcv1.CompileBatchResponse
		failed bool
		code   codes.Code
	}{
		{&podcv1.CompileBatchResponse{Index: 7, Result: &podcv1.CompileBatchResponse_Response{Response: &podcv1.CompileResponse{PolicyDigest: "d", Manifests: []*podcv1.Manifest{{Kind: "Pod", Content: "x"}}}}}, false, codes.OK},
		{&podcv1.CompileBatchResponse{Index: 8, Result: &podcv1.CompileBatchResponse_Error{Error: &podcv1.BatchError{Code: int32(codes.InvalidArgument), Message: "bad"}}}, true, codes.InvalidArgument},
		{&podcv1.CompileBatchResponse{Index: 9, Result: &podcv1.CompileBatchResponse_Error{Error: &podcv1.BatchError{Message: "no code"}}}, true, codes.Unknown},
	} {
		b, err := proto.Marshal(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		var a batchAnswer
		if err := a.read(b); err != nil {
			t.Fatalf("%v: %v", tc.msg, err)
		}
		if a.failed != tc.failed || a.code != tc.code {
			t.Errorf("%v: read failed %v code %v, want %v %v", tc.msg, a.failed, a.code, tc.failed, tc.code)
		}
	}
	var a batchAnswer
	if err := a.read([]byte{0x1a, 0x05, 0x08}); err == nil {
		t.Error("a truncated answer read without an error")
	}
}

// TestRatePacesUnitsAndCountsTheirWait: -rate spreads the units over the
// run at that rate, and a unit due while every stream was busy counts
// the wait in its latency. Both checks are lower bounds, which a slower
// machine only exceeds further.
func TestRatePacesUnitsAndCountsTheirWait(t *testing.T) {
	_, addr := startFake(t)
	code, out, errs := load(t, "-addr", addr, "-f", "../../examples/checkout.json", "-c", "4", "-n", "40", "-rate", "200", "-json")
	if code != 1 { // four names end in 3
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// The 40th call is due 39/200 s after the first.
	if rep.Rate != 200 || rep.Seconds < 0.195 || rep.UnitsOK+rep.UnitsFailed != 40 {
		t.Errorf("paced at 200/s: rate %g, %d units in %.3f s", rep.Rate, rep.UnitsOK+rep.UnitsFailed, rep.Seconds)
	}

	// One stream, calls due every 10 ms that each take 50: the fifth is
	// due 40 ms in and starts about 200 ms in, so the slowest call's
	// latency is at least 150 ms although each call took 50 (the third,
	// refused for its name, is not in the latencies).
	f, addr := startFake(t)
	f.delay = 50 * time.Millisecond
	code, out, errs = load(t, "-addr", addr, "-f", "../../examples/checkout.json", "-c", "1", "-n", "5", "-rate", "100", "-json")
	if code != 1 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.UnitsOK != 4 || rep.Latency.Max < 150 {
		t.Errorf("%d calls, slowest %.1f ms: the wait for a free stream is not counted", rep.UnitsOK, rep.Latency.Max)
	}
}
