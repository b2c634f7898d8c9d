package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"k8s.io/apimachinery/pkg/api/resource"
	"log/slog"
	"strconv"
	"strings"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/internal/gcstart"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes.
const (
	exitOK      = 0
	exitRefused = 1 // the intent was refused, or a check failed
	exitUsage   = 2 // usage or I/O error
)

const usage = `podc compiles workload intents into validated Kubernetes manifests.

Usage:
  podc serve   [flags]               run the gRPC service
  podc compile -f FILE|DIR|- [flags] compile intents offline: one, or a fleet in one process
  podc import  -f FILE|- [flags]     read a Pod or Deployment and its Services into an intent
  podc policy  list|vet|test         inspect and test policy bundles
  podc version                       print the version

Run "podc COMMAND -h" for a command's flags.
`

// Main runs podc with args (without the program name) and returns the exit
// code. Tests call it directly.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		gcstart.Resume()
		stop, release := signalStops()
		defer release()
		return serveCmd(stop, args[1:], stderr)
	case "compile":
		return compileCmd(args[1:], stdin, stdout, stderr)
	case "import":
		return importCmd(args[1:], stdin, stdout, stderr)
	case "policy":
		return policyCmd(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "podc %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "podc: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// newFlagSet returns a flag set that reports errors on stderr and does not
// exit the process.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: podc %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// loadBundle loads the policy bundle from dir, checked on its smoke set,
// or the embedded default bundle when dir is empty.
func loadBundle(dir string, opts policy.Options, nodePorts intent.PortRange) (*policy.Bundle, error) {
	switch {
	case dir != "":
		return compiler.LoadBundle(dir, opts, nodePorts)
	case opts == policy.Options{}:
		return policy.Default()
	}
	return policy.Embedded(opts)
}

// portRangeFlag is a flag.Value for "MIN-MAX" node port ranges.
type portRangeFlag struct{ r *intent.PortRange }

func (f portRangeFlag) String() string {
	if f.r == nil {
		return ""
	}
	return fmt.Sprintf("%d-%d", f.r.Min, f.r.Max)
}

func (f portRangeFlag) Set(s string) error {
	lo, hi, ok := strings.Cut(s, "-")
	min, err1 := strconv.ParseInt(lo, 10, 32)
	max, err2 := strconv.ParseInt(hi, 10, 32)
	if !ok || err1 != nil || err2 != nil || min < 1 || max > 65535 || min > max {
		return fmt.Errorf("want MIN-MAX with 1 <= MIN <= MAX <= 65535, as in 30000-32767")
	}
	*f.r = intent.PortRange{Min: int32(min), Max: int32(max)}
	return nil
}

// newLogger returns a slog logger in the given format and level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// parseExit is the exit code after a flag parsing error: 0 when help was
// asked for, 2 otherwise.
func parseExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// bytesFlag is a flag.Value for sizes in bytes: "67108864" or a quantity
// such as "64Mi" or "1G".
type bytesFlag int64

func (f *bytesFlag) String() string {
	return resource.NewQuantity(int64(*f), resource.BinarySI).String()
}

func (f *bytesFlag) Set(s string) error {
	q, err := resource.ParseQuantity(s)
	if err != nil || q.Sign() <= 0 {
		return fmt.Errorf("%q: want a positive size in bytes, like 67108864 or 64Mi", s)
	}
	n, ok := q.AsInt64()
	if !ok {
		return fmt.Errorf("%q: too large", s)
	}
	*f = bytesFlag(n)
	return nil
}
