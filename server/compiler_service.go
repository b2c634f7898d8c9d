package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"runtime"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

// compilerService implements podc.v1.CompilerService.
type compilerService struct {
	podcv1.UnimplementedCompilerServiceServer
	c   Compiler
	p   Policies
	log *slog.Logger
	obs Observer // nil when none
	// slots bounds the compiles running at once, across every call.
	slots slots
	// maxBatch bounds the intents of one CompileBatch stream.
	maxBatch int
	// responses converts results, and keeps the encoding of those served
	// more than once.
	responses *responses
}

var errNoIntent = &diag.Error{Kind: diag.Invalid, Findings: []diag.Finding{diag.Denyf(diag.StageIntent, "intent", "required")}}

func (s *compilerService) Compile(ctx context.Context, req *podcv1.CompileRequest) (*podcv1.CompileResponse, error) {
	if !s.slots.take() {
		return nil, s.refuse(s.slots.overloaded().Err())
	}
	defer s.slots.give()
	resp, err := s.compile(ctx, req, wireDigest(ctx, req))
	if err != nil {
		return nil, statusOf(s.refuse(err)).Err()
	}
	return resp, nil
}

// refuse tells the observer that err refused a call or a batch entry, if
// it did, and returns err.
func (s *compilerService) refuse(err error) error {
	if s.obs != nil {
		if reason := reasonOf(err); reason != "" {
			s.obs.Refused(reason)
		}
	}
	return err
}

// compile compiles req; digest, when not zero, is the digest of the
// bytes it was decoded from (see wireDigest).
func (s *compilerService) compile(ctx context.Context, req *podcv1.CompileRequest, digest [sha256.Size]byte) (*podcv1.CompileResponse, error) {
	if req.GetIntent() == nil {
		return nil, errNoIntent
	}
	res, err := s.c.Compile(ctx, compiler.Request{
		Intent:            req.GetIntent(),
		Profile:           req.GetProfile(),
		Format:            formatOf(req.GetFormat()),
		TargetVersion:     req.GetTargetVersion(),
		APIServerDefaults: req.GetApiserverDefaults(),
		Explain:           req.GetExplain(),
		WireDigest:        digest,
		IntentOwned:       true, // decoded for this call alone
	})
	if err != nil {
		return nil, err
	}
	return s.responses.of(res), nil
}

func (s *compilerService) Validate(ctx context.Context, req *podcv1.ValidateRequest) (*podcv1.ValidateResponse, error) {
	if req.GetIntent() == nil {
		return nil, statusOf(s.refuse(errNoIntent)).Err()
	}
	if !s.slots.take() {
		return nil, s.refuse(s.slots.overloaded().Err())
	}
	defer s.slots.give()
	res, err := s.c.Validate(ctx, compiler.Request{
		Intent:        req.GetIntent(),
		Profile:       req.GetProfile(),
		TargetVersion: req.GetTargetVersion(),
		Explain:       req.GetExplain(),
		IntentOwned:   true, // decoded for this call alone
	})
	if err != nil {
		return nil, statusOf(s.refuse(err)).Err()
	}
	resp := &podcv1.ValidateResponse{
		Allowed:      res.Report.Allowed(),
		Report:       reportProto(&res.Report),
		PolicyDigest: res.PolicyDigest,
	}
	if res.Target.Minor != 0 {
		resp.TargetVersion = res.Target.String()
	}
	return resp, nil
}

// CompileBatch answers each intent of the stream, in order, with its own
// result. Up to batchParallelism intents compile at once, each in a compile
// slot of its own, on workers of the stream's own; results are sent in the
// order the intents came, and no more intents are read while batchWindow
// times batchParallelism of them wait to be answered. A failing or even
// panicking intent yields an error entry and the stream goes on; so does
// an intent that finds every compile slot taken (its entry is
// RESOURCE_EXHAUSTED, to be sent again).
// The intent past maxBatch ends the stream with INVALID_ARGUMENT once every
// earlier intent is answered.
func (s *compilerService) CompileBatch(stream grpc.BidiStreamingServer[podcv1.CompileBatchRequest, podcv1.CompileBatchResponse]) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	parallelism := batchParallelism()
	pending := make(chan chan *podcv1.CompileBatchResponse, batchWindow*parallelism)
	recvErr := make(chan error, 1)

	go func() {
		defer close(pending)
		// The workers are started as intents find none free, up to
		// parallelism, and end with the stream's intents. A worker's
		// stack, grown by its first compile, serves the next ones.
		jobs := make(chan batchJob)
		defer close(jobs)
		workers := 0
		for index := int64(0); ; index++ {
			in, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					recvErr <- err
				}
				return
			}
			if index == int64(s.maxBatch) {
				recvErr <- s.refuse(batchTooLarge(s.maxBatch).Err())
				return
			}
			job := batchJob{index: index, req: in.GetRequest(), digest: wireDigest(stream.Context(), in),
				done: make(chan *podcv1.CompileBatchResponse, 1)}
			select {
			case pending <- job.done: // blocks while parallelism results wait
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job:
				continue
			default:
			}
			if workers < parallelism {
				workers++
				go s.batchWorker(ctx, jobs)
			}
			select {
			case jobs <- job:
			case <-ctx.Done():
				return
			}
		}
	}()

	for done := range pending {
		var out *podcv1.CompileBatchResponse
		select {
		case out = <-done:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
		if err := stream.Send(out); err != nil {
			return err
		}
	}
	select {
	case err := <-recvErr:
		if ctx.Err() != nil {
			return status.FromContextError(ctx.Err()).Err()
		}
		return err
	default:
		return nil
	}
}

// batchJob is one intent of a batch, for a worker to answer on done.
type batchJob struct {
	index  int64
	req    *podcv1.CompileRequest
	digest [sha256.Size]byte
	done   chan *podcv1.CompileBatchResponse
}

// batchWorker answers the batch intents it is given until jobs closes.
func (s *compilerService) batchWorker(ctx context.Context, jobs <-chan batchJob) {
	for j := range jobs {
		out := &podcv1.CompileBatchResponse{Index: j.index}
		if resp, err := s.compileOne(ctx, j.req, j.digest); err != nil {
			out.Result = &podcv1.CompileBatchResponse_Error{Error: batchError(s.refuse(err))}
		} else {
			out.Result = &podcv1.CompileBatchResponse_Response{Response: resp}
		}
		j.done <- out // buffered: never waits
	}
}

// batchParallelism is how many intents of one batch compile at once:
// four per processor the Go scheduler uses, so that the processors stay
// busy while finished intents wait for the earlier ones to be sent. In load
// runs of rounds of 1,000 (BENCHMARKS.md) four per processor ran a round
// 10-15% faster than one did, and eight no faster than four.
func batchParallelism() int { return 4 * runtime.GOMAXPROCS(0) }

// batchWindow bounds, in multiples of batchParallelism, the intents of a
// batch taken in and not yet answered: those compiling, and those
// compiled that wait for an earlier one to be sent. While one intent
// takes long, the ones after it go on compiling into the window rather
// than leave the processors idle, which made rounds of 1,000 about 5%
// faster than a window of batchParallelism alone (BENCHMARKS.md), without
// taking more compile slots. It bounds a stream's answers held in memory
// to 16 per processor.
const batchWindow = 4

// compileOne compiles one batch entry in a compile slot, turning a panic
// into an Internal error so the rest of the batch is still answered.
// digest is that of the batch message the entry came in.
func (s *compilerService) compileOne(ctx context.Context, req *podcv1.CompileRequest, digest [sha256.Size]byte) (resp *podcv1.CompileResponse, err error) {
	if !s.slots.take() {
		return nil, s.slots.overloaded().Err()
	}
	defer s.slots.give()
	defer func() {
		if r := recover(); r != nil {
			_ = panicStatus(s.log, "CompileBatch", r)
			resp, err = nil, &diag.Error{Kind: diag.Internal}
		}
	}()
	return s.compile(ctx, req, digest)
}
