package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
	"github.com/podc-dev/podc/internal/bundletest"
)

var metricsAddr = regexp.MustCompile(`msg="podc serving".* metrics_addr=(\S+)`)

// tierBundle has a deny rule that fails to evaluate on intents labelled
// with a tier (a string multiplied), and passes the others.
const tierBundle = `package p
profiles: baseline: description: "b"
rules: "p.tier": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.labels.tier != _|_ if intent.labels.tier * 2 > 1 {field: "labels"}]}
`

// samples is a scrape: the value of each series, keyed by its name and its
// labels sorted, as in `name{a="1",b="2"}`.
type samples map[string]float64

var labelPair = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// scrape reads /metrics at addr in the text format.
func scrape(t *testing.T, addr string) (samples, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	out := samples{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample %q", line)
		}
		name, labels, _ := strings.Cut(line[:i], "{")
		var pairs []string
		for _, m := range labelPair.FindAllStringSubmatch(labels, -1) {
			pairs = append(pairs, m[1]+`="`+m[2]+`"`)
		}
		slices.Sort(pairs)
		out[name+"{"+strings.Join(pairs, ",")+"}"] = v
	}
	return out, string(body)
}

// get returns the value of name with labels ("a=1", ...), failing the test
// when the series is not exported.
func (s samples) get(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	var pairs []string
	for _, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		pairs = append(pairs, k+`="`+v+`"`)
	}
	slices.Sort(pairs)
	key := name + "{" + strings.Join(pairs, ",") + "}"
	v, ok := s[key]
	if !ok {
		t.Errorf("no series %s", key)
	}
	return v
}

func (s samples) want(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	if got := s.get(t, name, labels...); got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func intentFrom(t *testing.T, src string) *podcv1.WorkloadIntent {
	t.Helper()
	wi, err := intent.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return wi
}

// TestMetricsEndpoint serves a bundle whose rule faults on some intents,
// makes a few calls (a compile, the same compile again, a malformed
// intent, a policy fault) and scrapes /metrics. Every answer is
// remembered from its first time (--result-cache-admit all), so the
// second compile is the cache's.
func TestMetricsEndpoint(t *testing.T) {
	dir := bundletest.Write(t, map[string]string{"rules.cue": tierBundle})
	srv := serveForTest(t, "--metrics-addr", "127.0.0.1:0", "--policies", dir, "--result-cache-admit", "all")
	m := metricsAddr.FindStringSubmatch(srv.log.String())
	if m == nil {
		t.Fatalf("the serving line names no metrics address:\n%s", srv.log.String())
	}
	conn, err := grpc.NewClient(srv.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := podcv1.NewCompilerServiceClient(conn)
	ctx := context.Background()
	compile := func(src string) error {
		_, err := client.Compile(ctx, &podcv1.CompileRequest{Intent: intentFrom(t, src)})
		return err
	}
	const good = `{"name": "obs-probe-9d2", "containers": [{"name": "web", "image": "nginx:1.27.3"}]}`
	for range 2 {
		if err := compile(good); err != nil {
			t.Fatal(err)
		}
	}
	if err := compile(`{"name": "Obs_Probe_9d2", "containers": [{"name": "web", "image": "nginx:1.27.3"}]}`); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("malformed intent: %v", err)
	}
	if err := compile(`{"name": "obs-probe-9d2", "labels": {"tier": "web-9d2"}, "containers": [{"name": "web", "image": "nginx:1.27.3"}]}`); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("policy fault: %v", err)
	}

	s, body := scrape(t, m[1])
	compileCall := []string{"grpc_service=podc.v1.CompilerService", "grpc_method=Compile", "grpc_type=unary"}
	s.want(t, 2, "grpc_server_handled_total", append(compileCall, "grpc_code=OK")...)
	s.want(t, 1, "grpc_server_handled_total", append(compileCall, "grpc_code=InvalidArgument")...)
	s.want(t, 1, "grpc_server_handled_total", append(compileCall, "grpc_code=FailedPrecondition")...)
	s.want(t, 0, "grpc_server_handled_total", "grpc_service=podc.v1.CompilerService", "grpc_method=CompileBatch", "grpc_type=bidi_stream", "grpc_code=OK")
	s.want(t, 4, "grpc_server_handling_seconds_count", compileCall...)

	// Stages: four requests decoded; the second good one came from the
	// result cache; the malformed one stopped after the intent policies;
	// the faulty one went through validation (every problem at once) and
	// was refused before render.
	for stage, n := range map[string]float64{
		"decode": 4, "intent_check": 3, "intent_policy": 3, "compile": 2,
		"manifest_policy": 2, "validation": 2, "render": 1,
	} {
		s.want(t, n, "podc_stage_duration_seconds_count", "stage="+stage)
	}
	if s.get(t, "podc_stage_duration_seconds_bucket", "stage=render", "le=+Inf") != 1 {
		t.Error("render histogram has no +Inf bucket of 1")
	}

	s.want(t, 2, "podc_policy_decisions_total", "rule=p.tier", "outcome=pass")
	s.want(t, 1, "podc_policy_decisions_total", "rule=p.tier", "outcome=fault")
	s.want(t, 0, "podc_policy_decisions_total", "rule=p.tier", "outcome=deny")
	s.want(t, 1, "podc_policy_rule_faults_total", "rule=p.tier")

	s.want(t, 1, "podc_refusals_total", "reason=INVALID_INTENT")
	s.want(t, 1, "podc_refusals_total", "reason=POLICY_FAULT")
	s.want(t, 0, "podc_refusals_total", "reason=OVERLOADED")
	s.want(t, 0, "podc_refusals_total", "reason=BATCH_TOO_LARGE")

	s.want(t, 1, "podc_cache_hits_total", "cache=result")
	s.want(t, 3, "podc_cache_misses_total", "cache=result")
	s.want(t, 3, "podc_cache_entries", "cache=result")
	if s.get(t, "podc_cache_bytes", "cache=result") <= 0 || s.get(t, "podc_cache_entries", "cache=policy") <= 0 {
		t.Error("the caches hold nothing")
	}
	s.get(t, "podc_cache_evictions_total", "cache=policy")

	s.want(t, 0, "podc_compiles_in_flight")
	s.want(t, float64(16*runtime.GOMAXPROCS(0)), "podc_compile_slots")
	s.want(t, 0, "podc_policy_reloads_total")
	s.want(t, 0, "podc_policy_reload_failures_total")
	s.want(t, 0, "podc_policy_last_reload_failed")
	if s.get(t, "podc_policy_cue_generations_total") < 1 || s.get(t, "podc_policy_bundle_age_seconds") < 0 {
		t.Error("no CUE generation, or a negative bundle age")
	}
	s.get(t, "podc_policy_cue_generation_evaluations")
	if !regexp.MustCompile(`(?m)^podc_policy_bundle_info\{digest="sha256:[0-9a-f]+"\} 1$`).MatchString(body) {
		t.Error("no podc_policy_bundle_info with the digest")
	}
	s.get(t, "go_goroutines")
	s.get(t, "process_resident_memory_bytes")

	// Nothing of a request is a label.
	for _, v := range []string{"9d2", "obs-probe", "nginx"} {
		if strings.Contains(body, v) {
			t.Errorf("/metrics carries a request value %q", v)
		}
	}
}

func TestMetricsOffByDefault(t *testing.T) {
	srv := serveForTest(t)
	if strings.Contains(srv.log.String(), "metrics_addr") {
		t.Errorf("metrics served without --metrics-addr:\n%s", srv.log.String())
	}
}

func TestMetricsAddrInUse(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	var log syncBuffer
	code := serveCmd(stops{}, []string{"--addr", "127.0.0.1:0", "--metrics-addr", lis.Addr().String()}, &log)
	if code != exitUsage || !strings.Contains(log.String(), "cannot set up metrics") {
		t.Errorf("exit %d, want %d and the reason:\n%s", code, exitUsage, log.String())
	}
}

func TestTracingEnvErrors(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "zipkin")
	var log syncBuffer
	code := serveCmd(stops{}, []string{"--addr", "127.0.0.1:0"}, &log)
	if code != exitUsage || !strings.Contains(log.String(), "OTLP only") {
		t.Errorf("exit %d, want %d and the reason:\n%s", code, exitUsage, log.String())
	}
}

// TestTransportRejectionsLogAtDebug sends bytes that are not HTTP/2 to the
// gRPC port: grpc-go refuses the connection and says so at debug level
// only.
func TestTransportRejectionsLogAtDebug(t *testing.T) {
	for _, level := range []string{"info", "debug"} {
		t.Run(level, func(t *testing.T) {
			srv := serveForTest(t, "--log-level", level)
			c, err := net.Dial("tcp", srv.addr)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: podc\r\n\r\n")
			io.Copy(io.Discard, c) // until grpc-go closes it
			c.Close()
			logged := func() bool { return strings.Contains(srv.log.String(), "bogus greeting") }
			if level == "info" {
				srv.drain()
				srv.now()
				srv.wait(t, 0)
				if logged() || strings.Contains(srv.log.String(), "grpc_severity") {
					t.Errorf("grpc-go's logs at info level:\n%s", srv.log.String())
				}
				return
			}
			deadline := time.Now().Add(10 * time.Second)
			for !logged() && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !regexp.MustCompile(`level=DEBUG msg=".*bogus greeting.*grpc_severity=info`).MatchString(srv.log.String()) {
				t.Errorf("the refused connection is not logged at debug:\n%s", srv.log.String())
			}
		})
	}
}
