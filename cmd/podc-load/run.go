package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// Bounds of one unit of work. A unit started before the run's end runs to
// completion (the run's deadline only stops new units), within these.
const (
	callTimeout  = time.Minute
	roundTimeout = 10 * time.Minute
)

// runner sends the load of one run: cfg.streams workers, each taking the
// next unit (a call, or a round of cfg.batch intents) until cfg.total
// units are taken or the run's context ends.
type runner struct {
	cfg    config
	conn   grpc.ClientConnInterface
	client podcv1.CompilerServiceClient
	health healthpb.HealthClient
	base   *podcv1.WorkloadIntent
	fixed  *encoded // the one request of identical mode
	// opts go with every unary Compile call: the driver's codec.
	opts []grpc.CallOption

	next atomic.Int64 // units taken
	hist Histogram    // each completed unit's latency
	// wokeLate, paced, is how late a free stream woke for its next unit.
	wokeLate Histogram
	tally    tally
}

func newRunner(cfg config, conn grpc.ClientConnInterface, base *podcv1.WorkloadIntent) (*runner, error) {
	r := &runner{
		cfg: cfg, conn: conn, client: podcv1.NewCompilerServiceClient(conn), health: healthpb.NewHealthClient(conn), base: base,
		opts: []grpc.CallOption{grpc.ForceCodecV2(newLoadCodec())},
	}
	if cfg.mode == modeIdentical {
		b, err := proto.Marshal(&podcv1.CompileRequest{Intent: base, Profile: cfg.profile})
		if err != nil {
			return nil, err
		}
		r.fixed = (*encoded)(&b)
	}
	return r, nil
}

// run sends load until ctx ends or every unit is taken, and waits for the
// units in flight. Paced (cfg.rate), the unit-th unit is due (unit-1) /
// rate seconds after the run began: the stream that takes it waits until
// then, and one taken late, every stream having been busy, is late by
// that much in its latency too (an unpaced driver would instead send
// less while the server is slow, and never see that wait).
func (r *runner) run(ctx context.Context) {
	began := time.Now()
	var wg sync.WaitGroup
	for range r.cfg.streams {
		wg.Go(func() {
			for ctx.Err() == nil {
				unit := r.next.Add(1)
				if unit > r.cfg.total {
					return
				}
				start := time.Now()
				if r.cfg.rate > 0 {
					start = began.Add(time.Duration(float64(unit-1) / r.cfg.rate * float64(time.Second)))
					free := time.Until(start) > 0
					if !sleepUntil(ctx, start) {
						return
					}
					if free {
						r.wokeLate.Record(time.Since(start))
					}
				}
				r.unit(unit, start)
			}
		})
	}
	wg.Wait()
}

// sleepUntil waits until t, or reports false if ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// unit does the unit-th unit of work (from 1), due at start, and records
// its latency from start when it completed.
func (r *runner) unit(unit int64, start time.Time) {
	var ok bool
	switch r.cfg.mode {
	case modeBatch:
		ok = r.batchRound(unit)
	case modeUnarySequential:
		ok = r.sequentialRound(unit)
	case modeHealth:
		ok = r.check()
	case modeIdentical:
		ok = r.call(r.fixed)
	default:
		ok = r.call(r.request(unit))
	}
	if ok {
		r.tally.units.Add(1)
		r.hist.Record(time.Since(start))
	} else {
		r.tally.unitsFailed.Add(1)
	}
}

// request is the seq-th request of the run, from 1.
func (r *runner) request(seq int64) *podcv1.CompileRequest {
	return &podcv1.CompileRequest{Intent: r.cfg.vary.intent(r.base, seq), Profile: r.cfg.profile}
}

// call makes one Compile call of req (an *encoded or a
// *podcv1.CompileRequest) and reports whether it succeeded. The response
// is decoded only with -decode.
func (r *runner) call(req any) bool {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var resp any = new(received)
	if r.cfg.decode {
		resp = new(podcv1.CompileResponse)
	}
	if err := r.conn.Invoke(ctx, podcv1.CompilerService_Compile_FullMethodName, req, resp, r.opts...); err != nil {
		r.tally.fail(status.Code(err), 1)
		return false
	}
	if rc, ok := resp.(*received); ok {
		r.tally.responseBytes.Add(int64(rc.bytes))
	} else {
		r.tally.responseBytes.Add(int64(proto.Size(resp.(*podcv1.CompileResponse))))
	}
	r.tally.intents.Add(1)
	return true
}

// check makes one health Check call of the server as a whole and reports
// whether it succeeded and said SERVING.
func (r *runner) check() bool {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	resp, err := r.health.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		r.tally.fail(status.Code(err), 1)
		return false
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		r.tally.fail(codes.Unavailable, 1)
		return false
	}
	r.tally.intents.Add(1)
	return true
}

// sequentialRound makes cfg.batch Compile calls one after another; the
// round completes whatever each call's outcome.
func (r *runner) sequentialRound(round int64) bool {
	first := (round-1)*int64(r.cfg.batch) + 1
	for seq := first; seq < first+int64(r.cfg.batch); seq++ {
		r.call(r.request(seq))
	}
	return true
}

// batchRound sends cfg.batch intents on one CompileBatch stream while it
// reads the answers. Each answer counts on its own; the round completes
// when every intent is answered. A stream that fails fails the intents it
// did not answer with its code.
func (r *runner) batchRound(round int64) bool {
	ctx, cancel := context.WithTimeout(context.Background(), roundTimeout)
	defer cancel()
	n := r.cfg.batch
	stream, err := r.client.CompileBatch(ctx, r.opts...)
	if err != nil {
		r.tally.fail(status.Code(err), int64(n))
		return false
	}
	sent := make(chan error, 1)
	go func() {
		first := (round-1)*int64(n) + 1
		for seq := first; seq < first+int64(n); seq++ {
			if err := stream.Send(&podcv1.CompileBatchRequest{Request: r.request(seq)}); err != nil {
				sent <- err // io.EOF: the stream ended; Recv says why
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	answered := 0
	for {
		a, err := r.recvAnswer(stream)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			cancel()
			<-sent
			r.tally.fail(status.Code(err), int64(n-answered))
			return false
		}
		answered++
		if a.failed {
			r.tally.fail(a.code, 1)
		} else {
			r.tally.intents.Add(1)
		}
	}
	<-sent
	if answered < n {
		r.tally.fail(codes.Unknown, int64(n-answered)) // a stream that ended early without an error
		return false
	}
	return true
}

// recvAnswer receives the next answer of a CompileBatch stream: decoded
// whole with -decode, as a client that reads them would, else read only
// for its outcome (see batchAnswer), as a unary response is not decoded.
func (r *runner) recvAnswer(stream grpc.BidiStreamingClient[podcv1.CompileBatchRequest, podcv1.CompileBatchResponse]) (batchAnswer, error) {
	if r.cfg.decode {
		resp, err := stream.Recv()
		if err != nil {
			return batchAnswer{}, err
		}
		if e := resp.GetError(); e != nil {
			return batchAnswer{failed: true, code: codes.Code(e.GetCode())}, nil
		}
		return batchAnswer{}, nil
	}
	var a batchAnswer
	err := stream.RecvMsg(&a)
	return a, err
}

// tally counts a run's outcomes. It is safe for concurrent use.
type tally struct {
	units, unitsFailed atomic.Int64 // calls or rounds
	intents            atomic.Int64 // intents compiled
	intentsFailed      atomic.Int64
	responseBytes      atomic.Int64 // of the unary Compile responses

	mu     sync.Mutex
	byCode map[codes.Code]int64
}

// fail counts n intents refused or failed with code.
func (t *tally) fail(code codes.Code, n int64) {
	if n <= 0 {
		return
	}
	t.intentsFailed.Add(n)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byCode == nil {
		t.byCode = map[codes.Code]int64{}
	}
	t.byCode[code] += n
}

// failures returns the failed intents by the name of their gRPC code.
func (t *tally) failures() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int64, len(t.byCode))
	for c, n := range t.byCode {
		out[c.String()] = n
	}
	return out
}
