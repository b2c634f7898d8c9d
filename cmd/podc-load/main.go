// Command podc-load drives a running podc server with Compile calls and
// reports throughput and latency percentiles. Every run is bounded by both a
// call count and a duration, and it only talks to the address it is given
// (a loopback address in the benchmarks).
//
//	podc-load -addr 127.0.0.1:50051 -f examples/checkout.json -c 4 -n 20000 -d 30s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/podc-dev/podc/compiler/intent"
	podcv1 "github.com/podc-dev/podc/gen/podc/v1"
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Main runs the load and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("podc-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:50051", "the podc server")
	file := fs.String("f", "examples/checkout.json", "the intent to send")
	conc := fs.Int("c", 4, "concurrent callers")
	total := fs.Int("n", 10000, "the most calls to make")
	dur := fs.Duration("d", 30*time.Second, "the longest the run may take")
	fresh := fs.Bool("fresh", true, "make every intent distinct (a new label value per call) so no cache can answer")
	profile := fs.String("profile", "", "the policy profile")
	every := fs.Duration("every", 0, "print the calls of each interval this long (0: only the total)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	base, err := intent.Decode(data)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer conn.Close()
	client := podcv1.NewCompilerServiceClient(conn)

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var next, failed, okCalls atomic.Int64
	var codesMu sync.Mutex
	byCode := map[codes.Code]int{}
	lat := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(*total) {
					return
				}
				wi := proto.Clone(base).(*podcv1.WorkloadIntent)
				if *fresh {
					if wi.Labels == nil {
						wi.Labels = map[string]string{}
					}
					wi.Labels["load-seq"] = fmt.Sprint(i)
				}
				t0 := time.Now()
				// A call started before the run's end runs to completion:
				// the run's deadline only stops new calls.
				callCtx, cancelCall := context.WithTimeout(context.Background(), time.Minute)
				_, err := client.Compile(callCtx, &podcv1.CompileRequest{Intent: wi, Profile: *profile})
				cancelCall()
				if err != nil {
					failed.Add(1)
					codesMu.Lock()
					byCode[status.Code(err)]++
					codesMu.Unlock()
					continue
				}
				okCalls.Add(1)
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	stopReport := make(chan struct{})
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		if *every <= 0 {
			return
		}
		t := time.NewTicker(*every)
		defer t.Stop()
		var lastOK, lastFailed int64
		for {
			select {
			case <-stopReport:
				return
			case now := <-t.C:
				o, f := okCalls.Load(), failed.Load()
				fmt.Fprintf(stdout, "t=%s ok %d failed %d (%.0f calls/s)\n", now.Sub(start).Round(time.Second), o-lastOK, f-lastFailed, float64(o-lastOK)/every.Seconds())
				lastOK, lastFailed = o, f
			}
		}
	}()
	wg.Wait()
	close(stopReport)
	<-reported
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		fmt.Fprintf(stderr, "no successful calls (%d failed)\n", failed.Load())
		return 1
	}
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	fmt.Fprintf(stdout, "calls %d ok, %d failed in %s with %d callers: %.0f calls/s\n",
		len(all), failed.Load(), elapsed.Round(time.Millisecond), *conc, float64(len(all))/elapsed.Seconds())
	fmt.Fprintf(stdout, "latency p50 %s  p90 %s  p99 %s  max %s\n",
		pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), all[len(all)-1].Round(time.Microsecond))
	if failed.Load() > 0 {
		fmt.Fprintf(stdout, "failures by code: %v\n", byCode)
		return 1
	}
	return 0
}
