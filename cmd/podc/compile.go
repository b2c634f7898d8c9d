package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/podc-dev/podc/compiler"
	"github.com/podc-dev/podc/compiler/diag"
	"github.com/podc-dev/podc/compiler/intent"
	"github.com/podc-dev/podc/compiler/policy"
	"github.com/podc-dev/podc/compiler/policy/store"
	"github.com/podc-dev/podc/compiler/render"
	"github.com/podc-dev/podc/compiler/validate"
	"github.com/podc-dev/podc/internal/gcstart"
	"github.com/podc-dev/podc/internal/lru"
	"github.com/podc-dev/podc/server"
)

// compileCmd is "podc compile": the service's pipeline, in process. One
// input is compiled as the service would; several (more than one -f, a
// directory, or --stream) are a fleet: see compileFleet.
func compileCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("compile", "compile -f FILE|DIR|- [-f ...] [flags]", stderr)
	var files filesFlag
	fs.Var(&files, "f", "the intent file, JSON or YAML; - reads standard input. Repeat it, or name a directory (its *.json, *.yaml and *.yml files), to compile many")
	output := fs.String("o", "yaml", "output format: yaml (a multi-document stream) or json (a list)")
	profile := fs.String("profile", "", "the policy profile (default: the intent's, then baseline)")
	policies := fs.String("policies", "", "a policy bundle directory (default: the embedded bundle)")
	targetVersion := fs.String("target-version", "", "the target Kubernetes minor, as 1.NN (default: the newest podc knows)")
	apiDefaults := fs.Bool("apiserver-defaults", false, "write out the defaults the kube-apiserver applies")
	explain := fs.Bool("explain", false, "also print the report on stderr: every default applied, every policy decision, the compiler's notes and where each manifest field came from")
	maxInput := fs.Int64("max-input-bytes", defaultMaxInputBytes, "refuse an intent file, stream document or standard input larger than this")
	stream := fs.Bool("stream", false, "read each file and standard input as a YAML stream: each document, after a --- line, is an intent of its own")
	outDir := fs.String("out-dir", "", "write each workload's manifests to a file in this directory, named after its input file (FILE.yaml or FILE.json), or after the workload for standard input and stream documents (NAMESPACE.NAME.yaml), instead of to stdout")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "with several intents, how many compile at once")
	nodePorts := intent.DefaultNodePorts
	fs.Var(portRangeFlag{&nodePorts}, "node-port-range", "the platform's node port range, MIN-MAX")
	if err := fs.Parse(args); err != nil {
		return parseExit(err)
	}
	if len(files) == 0 || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	format, err := render.ParseFormat(*output)
	if err != nil {
		fmt.Fprintf(stderr, "podc compile: -o: %v\n", err)
		return exitUsage
	}
	if *maxInput <= 0 {
		fmt.Fprintf(stderr, "podc compile: --max-input-bytes %d: must be more than 0\n", *maxInput)
		return exitUsage
	}
	if *jobs <= 0 {
		fmt.Fprintf(stderr, "podc compile: --jobs %d: must be more than 0\n", *jobs)
		return exitUsage
	}
	if i := slices.Index(files, "-"); i >= 0 && slices.Contains(files[i+1:], "-") {
		fmt.Fprintln(stderr, "podc compile: -f -: standard input can be read once")
		return exitUsage
	}
	fleet := len(files) > 1 || *stream || *outDir != "" || isDir(files[0])
	if fleet {
		// A fleet runs long: the collector as the runtime has it. One
		// compile keeps it off (see gcstart).
		gcstart.Resume()
	}
	if !fleet {
		// One compile: its first validation and rendering build what they
		// need on a spare processor while the policies load.
		go func() {
			validate.Prepare()
			render.Prepare()
		}()
	}
	var data []byte
	if !fleet {
		if data, err = readInput(files[0], stdin, *maxInput); err != nil {
			fmt.Fprintf(stderr, "podc compile: %v\n", err)
			return exitUsage
		}
	}
	// One run evaluates one profile (or few): each is compiled on its
	// first use. A directory bundle is still checked whole before use.
	bundle, err := loadBundle(*policies, policy.Options{Lazy: true}, nodePorts)
	if err != nil {
		fmt.Fprintf(stderr, "podc compile: policies: %v\n", err)
		return exitUsage
	}
	if !fleet && *profile != "" {
		// The profile is known before the intent is read: its rules
		// compile on a spare processor while the intent is decoded and
		// checked.
		go bundle.PrepareProfile(*profile)
	}
	eopts := compiler.Options{Policies: store.New(bundle, nil), NodePorts: nodePorts}
	if fleet {
		eopts.ResultCache = noResultCache
	}
	job := compileJob{eng: compiler.New(eopts), profile: *profile, format: format, target: *targetVersion, apiDefaults: *apiDefaults, explain: *explain}
	if fleet {
		return compileFleet(fleetOptions{
			job: job, files: files, stream: *stream, outDir: *outDir, jobs: *jobs, maxInput: *maxInput, digest: bundle.Digest(),
		}, stdin, stdout, stderr)
	}
	res, code := job.run(data, stderr)
	if res == nil {
		return code
	}
	fmt.Fprintf(stderr, "compiled for Kubernetes %s with policy bundle %s (profile %s)\n", res.Target, res.PolicyDigest, res.Report.Profile)
	if _, err := stdout.Write(render.Stream(res.Manifests, format)); err != nil {
		fmt.Fprintf(stderr, "podc compile: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// noResultCache turns the engine's result cache off for a fleet: its
// intents are distinct, so remembering answers would cost memory and a
// hash per intent for nothing.
var noResultCache = lru.Bounds{Entries: -1}

// isDir reports whether path names a directory.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// compileJob is what every intent of one podc compile run is compiled
// with. It is safe for concurrent use.
type compileJob struct {
	eng                  *compiler.Engine
	profile, target      string
	format               render.Format
	apiDefaults, explain bool
}

// run decodes and compiles one intent. Problems, warnings and, with
// explain, the report go to stderr. It returns the result, or nil and the
// exit code: 1 refused, 2 a fault of podc.
func (j compileJob) run(data []byte, stderr io.Writer) (*compiler.Result, int) {
	wi, err := intent.Decode(data)
	if err != nil {
		code := refused(stderr, err, false)
		if strings.Contains(err.Error(), "several YAML documents") {
			fmt.Fprintln(stderr, "hint: podc compile --stream reads each document of a stream as an intent of its own")
		}
		return nil, code
	}
	res, err := j.eng.Compile(context.Background(), compiler.Request{
		Intent:            wi,
		Profile:           j.profile,
		Format:            j.format,
		TargetVersion:     j.target,
		APIServerDefaults: j.apiDefaults,
		Explain:           j.explain,
		IntentOwned:       true, // decoded above, for this compile alone
	})
	if err != nil {
		return nil, refused(stderr, err, j.explain)
	}
	printWarnings(stderr, &res.Report)
	if j.explain {
		explainReport(stderr, &res.Report)
	}
	return res, exitOK
}

// refused prints every problem, one per line starting with its field path
// (control characters escaped), and the report as far as it got when
// explain is set; it returns the exit code: 1 for a refused intent, 2 for a
// fault of podc.
func refused(stderr io.Writer, err error, explain bool) int {
	de, ok := diag.AsError(err)
	if !ok || de.Kind == diag.Internal {
		fmt.Fprintf(stderr, "podc compile: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "refused: %s (%d problems)\n", de.Kind, len(de.Findings))
	for _, f := range de.Findings {
		fmt.Fprintln(stderr, oneLine(f.String()))
	}
	if de.Report != nil {
		printWarnings(stderr, de.Report)
		if explain {
			explainReport(stderr, de.Report)
		}
	}
	return exitRefused
}

// printWarnings prints the report's warnings and the violations its
// exceptions excepted, one per line:
//
//	warning: containers[0].image: alpine:latest is not pinned ... [baseline.image-pinned]
//	excepted: containers[0].resources.memory.limit: a memory limit is required [restricted.memory-limit]
func printWarnings(w io.Writer, r *diag.Report) {
	for _, f := range r.Warnings() {
		fmt.Fprintf(w, "warning: %s\n", oneLine(f.String()))
	}
	for _, f := range r.Excepted {
		fmt.Fprintf(w, "excepted: %s\n", oneLine(f.String()))
	}
}

// readInput reads the intent from the file name, or from stdin for "-",
// and refuses more than limit bytes without reading past them.
func readInput(name string, stdin io.Reader, limit int64) ([]byte, error) {
	r, label := stdin, "standard input"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
			return nil, fmt.Errorf("%s: %d bytes, more than --max-input-bytes %d", name, st.Size(), limit)
		}
		r, label = f, name
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than --max-input-bytes %d", label, limit)
	}
	return data, nil
}

// defaultMaxInputBytes bounds an intent read by podc compile: the same as
// the service's largest request.
const defaultMaxInputBytes = server.DefaultMaxMessageBytes

// explainReport prints the defaults, decisions (with what became of the
// intent's exception to the rule, if it asks for one) and notes of a
// report, then where each field of the compiled objects came from, one
// per line:
//
//	decision: restricted.memory-limit excepted (severity deny) exception exceptions[0] applied: 1 violation excepted
//	source: Deployment/checkout: spec.replicas <- replicas
//	source: Deployment/checkout: spec.template.spec.containers[0].imagePullPolicy <- [compiler] containers[0].pullPolicy
//	source: Deployment/checkout: spec.template.spec.containers[0].securityContext.runAsNonRoot <- [policy:restricted.run-as-non-root] containers[0].securityContext.runAsNonRoot
func explainReport(w io.Writer, r *diag.Report) {
	for _, d := range r.Defaults {
		fmt.Fprintln(w, oneLine(fmt.Sprintf("default: %s = %s [%s] %s", d.Field, d.Value, d.Source, d.Reason)))
	}
	for _, d := range r.Decisions {
		line := fmt.Sprintf("decision: %s %s (severity %s)", d.RuleID, d.Outcome, d.Severity)
		if x := d.Exception; x != nil {
			line += fmt.Sprintf(" exception %s %s: %s", x.Field, x.State, x.Message)
		}
		fmt.Fprintln(w, oneLine(line))
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, oneLine("note: "+n))
	}
	for _, s := range r.Sources {
		fmt.Fprintln(w, oneLine("source: "+s.String()))
	}
}
